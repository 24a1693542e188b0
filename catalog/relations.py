"""The relations an entity's spec fields emit (spec §2.1), as (source, type, target) rows of canonical refs."""

from __future__ import annotations

from catalog.refs import DEFAULT_NAMESPACE, InvalidRef, canonical_ref, parse_entity_ref

# Forward -> reverse, for the built-in relation types of §2.2.
RELATION_PAIRS: dict[str, str] = {
    "ownedBy": "ownerOf",
    "providesApi": "apiProvidedBy",
    "consumesApi": "apiConsumedBy",
    "dependsOn": "dependencyOf",
    "parentOf": "childOf",
    "memberOf": "hasMember",
    "partOf": "hasPart",
}

# Pairs the alpha AiResource model adds (catalog-model's aiResourceEntityModel).
AI_RESOURCE_RELATION_PAIRS: dict[str, str] = {
    "hasSkill": "skillOf",
    "hasPlugin": "pluginOf",
}

_REVERSE = {
    **RELATION_PAIRS,
    **AI_RESOURCE_RELATION_PAIRS,
    **{rev: fwd for fwd, rev in (RELATION_PAIRS | AI_RESOURCE_RELATION_PAIRS).items()},
}

# (spec field, default kind or None when the kind must be written, forward relation), per kind.
_OWNER = ("owner", "Group", "ownedBy")
_SYSTEM = ("system", "System", "partOf")
_DEPENDENCIES = (("dependsOn", None, "dependsOn"), ("dependencyOf", None, "dependencyOf"))
_FIELDS: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    "Component": (
        _OWNER,
        ("subcomponentOf", "Component", "partOf"),
        ("providesApis", "API", "providesApi"),
        ("consumesApis", "API", "consumesApi"),
        *_DEPENDENCIES,
        _SYSTEM,
    ),
    "API": (_OWNER, _SYSTEM),
    "Resource": (_OWNER, *_DEPENDENCIES, _SYSTEM),
    "System": (_OWNER, ("domain", "Domain", "partOf")),
    "Domain": (_OWNER, ("subdomainOf", "Domain", "partOf")),
    "Group": (
        ("parent", "Group", "childOf"),
        ("children", "Group", "parentOf"),
        ("members", "User", "hasMember"),
    ),
    "User": (("memberOf", "Group", "memberOf"),),
    "Template": (_OWNER,),
    "AiResource": (_OWNER, _SYSTEM),
}
# AiResource relation fields that only its typed schemas declare.
_AI_RESOURCE_TYPE_FIELDS: dict[str, tuple[str, str | None, str]] = {
    "skill": ("dependsOn", "AiResource", "dependsOn"),
    "plugin": ("skills", "AiResource", "hasSkill"),
    "marketplace": ("plugins", "AiResource", "hasPlugin"),
}


def _fields_for(entity: dict) -> tuple[tuple[str, str | None, str], ...]:
    fields = _FIELDS.get(entity["kind"], ())
    spec = entity.get("spec") or {}
    if entity["kind"] == "AiResource" and spec.get("type") in _AI_RESOURCE_TYPE_FIELDS:
        fields = (*fields, _AI_RESOURCE_TYPE_FIELDS[spec["type"]])
    return fields


def emit_relations(entity: dict) -> list[tuple[str, str, str]]:
    """Rows for every ref-valued spec field: the forward relation on the entity and the reverse on the target.

    Short refs take the field's default kind and the entity's own namespace. Rows are de-duplicated and
    sorted. Raises InvalidRef, naming the field, when a ref does not parse (e.g. ``dependsOn`` without kind).
    """
    metadata = entity["metadata"]
    namespace = metadata.get("namespace") or DEFAULT_NAMESPACE
    self_ref = canonical_ref(entity["kind"], namespace, metadata["name"])
    spec = entity.get("spec") or {}
    rows: set[tuple[str, str, str]] = set()
    for field, default_kind, forward in _fields_for(entity):
        values = spec.get(field)
        if not values:
            continue
        for value in values if isinstance(values, list) else [values]:
            try:
                target = parse_entity_ref(value, default_kind=default_kind, default_namespace=namespace)
            except InvalidRef as exc:
                raise InvalidRef(f"spec.{field}: {exc}", field=f"spec.{field}") from exc
            rows.add((self_ref, forward, target.canonical))
            rows.add((target.canonical, _REVERSE[forward], self_ref))
    return sorted(rows)
