"""Backstage's entity rules as pure functions: envelope, field formats (spec §1.2) and kind schemas (§2.1)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

BACKSTAGE_VERSIONS = ("backstage.io/v1alpha1", "backstage.io/v1beta1")
TEMPLATE_VERSION = "scaffolder.backstage.io/v1beta3"
KNOWN_KINDS = (
    "Component", "API", "Resource", "System", "Domain", "Group", "User", "Location", "Template", "AiResource",
)  # fmt: skip
ROOT_FIELDS = ("apiVersion", "kind", "metadata", "spec")

_NAME = re.compile(r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS_LABEL = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*")
_TAG = re.compile(r"[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*")
_KIND = re.compile(r"[a-zA-Z][a-zA-Z0-9]*")
_VERSION_SUFFIX = re.compile(r"[a-zA-Z0-9]+")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):(.*)", re.DOTALL)
_SPECIAL_SCHEMES = ("http", "https", "ws", "wss", "ftp")
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#/:<>?@\[\\\]^|]")

NAME_RULE = (
    "a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total"
)
NAMESPACE_RULE = "a string that is sequences of [a-z0-9] separated by [-], at most 63 characters in total"
TAG_RULE = "a string that is sequences of [a-z0-9:+#] separated by [-], at most 63 characters in total"
KIND_RULE = "a string that is a sequence of [a-zA-Z][a-z0-9A-Z], at most 63 characters in total"
KEY_RULE = f"an optional DNS subdomain prefix (at most 253 characters) and '/', then {NAME_RULE}"
API_VERSION_RULE = "an optional DNS subdomain prefix and '/', then [a-zA-Z0-9], at most 63 characters"


@dataclass(frozen=True)
class Problem:
    """One validation failure: a dotted field path ('' for the whole document) and a readable message."""

    field: str
    message: str


def _show(value: object) -> str:
    """The value as JSON (so `true` reads as YAML wrote it), shortened for messages."""
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 120 else text[:117] + "..."


def _invalid(field: str, expected: str, value: object) -> Problem:
    return Problem(field, f'"{field}" is not valid; expected {expected} but found {_show(value)}')


def _is_name(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 63 and bool(_NAME.fullmatch(value))


def _is_dns_label(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 63 and bool(_DNS_LABEL.fullmatch(value))


def _is_dns_subdomain(value: str) -> bool:
    return 1 <= len(value) <= 253 and all(_is_dns_label(part) for part in value.split("."))


def _is_prefixed(value: object, is_suffix: Callable[[str], bool]) -> bool:
    """``[prefix/]suffix`` with at most one '/', the prefix a DNS subdomain."""
    if not isinstance(value, str):
        return False
    parts = value.split("/")
    if len(parts) == 1:
        return is_suffix(parts[0])
    return len(parts) == 2 and _is_dns_subdomain(parts[0]) and is_suffix(parts[1])


def _is_api_version(value: object) -> bool:
    return _is_prefixed(value, lambda s: len(s) <= 63 and bool(_VERSION_SUFFIX.fullmatch(s)))


def _is_kind(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 63 and bool(_KIND.fullmatch(value))


def _is_label_key(value: object) -> bool:
    """Label and annotation keys: ``[prefix/]name``."""
    return isinstance(value, str) and _is_label_key_text(value)


@functools.lru_cache(maxsize=4096)
def _is_label_key_text(value: str) -> bool:
    # Catalogs repeat the same few dozen annotation and label keys on every entity.
    return _is_prefixed(value, _is_name)


def _is_tag(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 63 and bool(_TAG.fullmatch(value))


def _is_absolute_url(value: object) -> bool:
    """Roughly WHATWG ``new URL(value)`` without a base: a scheme, and a host for http(s)/ws(s)/ftp."""
    if not isinstance(value, str):
        return False
    match = _SCHEME.fullmatch(value.strip("\x00\x20"))
    if not match:
        return False
    if match.group(1).lower() not in _SPECIAL_SCHEMES:
        return True
    authority = re.split(r"[/?#\\]", match.group(2).lstrip("/\\"), maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        return host.endswith("]") or "]:" in host
    host = host.split(":", 1)[0]
    return bool(host) and not _FORBIDDEN_HOST.search(host)


def _is_text(value: object) -> bool:
    """Non-empty after trimming (Backstage's isValidString)."""
    return isinstance(value, str) and bool(value.strip())


def validate_envelope(doc: object) -> list[Problem]:
    """Step 1 of §1.3: the shape every document must have before anything else runs (a file-level error)."""
    if not isinstance(doc, dict):
        return [Problem("", f"Expected the document to be an object (a YAML mapping) but found {_show(doc)}")]
    problems = [
        Problem(key, f'"{key}" must be a non-empty string but found {_show(doc.get(key))}')
        for key in ("apiVersion", "kind")
        if not isinstance(doc.get(key), str) or not doc.get(key)
    ]
    metadata = doc.get("metadata")
    if not isinstance(metadata, dict):
        return [*problems, Problem("metadata", f'"metadata" must be an object but found {_show(metadata)}')]
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        problems.append(
            Problem("metadata.name", f'"metadata.name" must be a non-empty string but found {_show(name)}')
        )
    if "namespace" in metadata and (not isinstance(metadata["namespace"], str) or not metadata["namespace"]):
        problems.append(
            Problem(
                "metadata.namespace",
                f'"metadata.namespace" must be a non-empty string when given but found {_show(metadata["namespace"])}',
            )
        )
    return problems


def _check_map(
    metadata: dict, key: str, is_value: Callable[[object], bool], value_rule: str
) -> list[Problem]:
    """Labels or annotations: an object whose keys and string values follow their rules."""
    mapping = metadata.get(key)
    if mapping is None:
        return []
    if not isinstance(mapping, dict):
        return [_invalid(f"metadata.{key}", "an object of strings", mapping)]
    problems = []
    for k, v in mapping.items():
        field = f"metadata.{key}.{k}"
        if not _is_label_key(k):
            problems.append(
                Problem(field, f'"{field}" has an invalid key; expected {KEY_RULE} but found {_show(k)}')
            )
        if not is_value(v):
            problems.append(_invalid(field, value_rule, v))
    return problems


def _check_tags(tags: object) -> list[Problem]:
    if tags is None:
        return []
    if not isinstance(tags, list):
        return [_invalid("metadata.tags", "an array of strings", tags)]
    return [_invalid(f"metadata.tags.{i}", TAG_RULE, tag) for i, tag in enumerate(tags) if not _is_tag(tag)]


def _check_links(links: object) -> list[Problem]:
    if links is None:
        return []
    if not isinstance(links, list):
        return [_invalid("metadata.links", "an array of {url, title?, icon?, type?} objects", links)]
    problems = []
    for i, link in enumerate(links):
        path = f"metadata.links.{i}"
        if not isinstance(link, dict):
            problems.append(_invalid(path, "an object with a url", link))
            continue
        if link.get("url") is None:
            problems.append(Problem(f"{path}.url", f'"{path}.url" must have a value'))
        elif not _is_absolute_url(link["url"]):
            problems.append(_invalid(f"{path}.url", "a string that is a valid absolute url", link["url"]))
        problems += [
            _invalid(f"{path}.{key}", "a non empty string", link[key])
            for key in ("title", "icon", "type")
            if key in link and not _is_text(link[key])
        ]
    return problems


def _check_metadata(metadata: dict) -> list[Problem]:
    """The field formats of §1.2 for everything under ``metadata``."""
    problems = []
    if not _is_name(metadata["name"]):
        problems.append(_invalid("metadata.name", NAME_RULE, metadata["name"]))
    if "namespace" in metadata and not _is_dns_label(metadata["namespace"]):
        problems.append(_invalid("metadata.namespace", NAMESPACE_RULE, metadata["namespace"]))
    if "title" in metadata and not (isinstance(metadata["title"], str) and metadata["title"]):
        problems.append(_invalid("metadata.title", "a non empty string", metadata["title"]))
    if "description" in metadata and not isinstance(metadata["description"], str):
        problems.append(_invalid("metadata.description", "a string", metadata["description"]))
    problems += _check_map(metadata, "labels", lambda v: v == "" or _is_name(v), f"empty or {NAME_RULE}")
    problems += _check_map(metadata, "annotations", lambda v: isinstance(v, str), "a string")
    problems += _check_tags(metadata.get("tags"))
    problems += _check_links(metadata.get("links"))
    return problems


def validate_entity(entity: dict) -> list[Problem]:
    """Every rule after the envelope (§1.3 steps 3-4): root fields, field formats, then the kind's spec schema.

    Returns all problems found, not only the first; an empty list means the entity is valid.
    """
    problems = validate_envelope(entity)
    if problems:
        return problems
    problems += [
        Problem(
            key, f'"{key}" is not a valid root field; only apiVersion, kind, metadata and spec are allowed'
        )
        for key in entity
        if key not in ROOT_FIELDS
    ]
    if not _is_api_version(entity["apiVersion"]):
        problems.append(_invalid("apiVersion", API_VERSION_RULE, entity["apiVersion"]))
    if not _is_kind(entity["kind"]):
        problems.append(_invalid("kind", KIND_RULE, entity["kind"]))
    problems += _check_metadata(entity["metadata"])
    return problems + _check_kind(entity)


# Kind schemas (§2.1), as data. Shapes follow the JSON schemas in packages/catalog-model/src/schema/kinds
# and plugins/scaffolder-common; every object allows extra keys.


@dataclass(frozen=True)
class _Field:
    """One property of a spec schema; ``fields`` describes objects and the items of object arrays."""

    name: str
    shape: str = "string"  # string, text, strings, object, objects, parameters, condition, choice
    required: bool = False
    fields: tuple[_Field, ...] = ()
    choices: tuple[str, ...] = ()
    min_items: int = 0


_EXPECTED = {
    "string": "a non empty string",
    "text": "a string",
    "strings": "an array of non empty strings",
    "object": "an object",
    "objects": "an array of objects",
    "parameters": "an object or an array of objects",
    "condition": "a string or a boolean",
}


def _shape_ok(shape: str, value: object) -> bool:
    if shape == "string":
        return isinstance(value, str) and value != ""
    if shape == "text":
        return isinstance(value, str)
    if shape == "strings":
        return isinstance(value, list) and all(isinstance(v, str) and v for v in value)
    if shape == "object":
        return isinstance(value, dict)
    if shape == "objects":
        return isinstance(value, list)
    if shape == "parameters":
        return isinstance(value, dict) or (
            isinstance(value, list) and all(isinstance(v, dict) for v in value)
        )
    if shape == "condition":
        return isinstance(value, str | bool)
    raise ValueError(shape)


def _check_fields(obj: dict, fields: tuple[_Field, ...], path: str, what: str) -> list[Problem]:
    problems = []
    for f in fields:
        field = f"{path}.{f.name}"
        if f.name not in obj:
            if f.required:
                problems.append(Problem(field, f'"{field}" is required for {what} but is missing'))
            continue
        value = obj[f.name]
        if f.shape == "choice":
            if value not in f.choices:
                problems.append(_invalid(field, "one of " + ", ".join(f.choices), value))
            continue
        if f.shape == "strings" and isinstance(value, list):
            problems += [
                _invalid(f"{field}.{i}", "a non empty string", v)
                for i, v in enumerate(value)
                if not (isinstance(v, str) and v)
            ]
        elif not _shape_ok(f.shape, value):
            problems.append(_invalid(field, _EXPECTED[f.shape], value))
        elif f.shape == "objects":
            if len(value) < f.min_items:
                problems.append(_invalid(field, f"an array of at least {f.min_items} item(s)", value))
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    problems += _check_fields(item, f.fields, f"{field}.{i}", what)
                else:
                    problems.append(_invalid(f"{field}.{i}", "an object", item))
        elif f.shape == "object" and f.fields:
            problems += _check_fields(value, f.fields, field, what)
    return problems


def _req(name: str, shape: str = "string") -> _Field:
    return _Field(name, shape, required=True)


_PROFILE = _Field("profile", "object", fields=(_Field("displayName"), _Field("email"), _Field("picture")))
_OWNED = (_req("type"), _req("lifecycle"), _req("owner"), _Field("system"))
_DEPENDENCIES = (_Field("dependsOn", "strings"), _Field("dependencyOf", "strings"))

_COMPONENT = (
    *_OWNED, _Field("subcomponentOf"), _Field("providesApis", "strings"), _Field("consumesApis", "strings"),
    *_DEPENDENCIES,
)  # fmt: skip
_API = (*_OWNED, _req("definition"))
_MCP_SERVER_API = (
    *_OWNED,
    _Field("remotes", "objects", required=True, min_items=1, fields=(_req("type"), _req("url"))),
)
_RESOURCE = (_req("type"), _req("owner"), _Field("system"), *_DEPENDENCIES)
_SYSTEM = (_req("owner"), _Field("domain"), _Field("type"))
_DOMAIN = (_req("owner"), _Field("subdomainOf"), _Field("type"))
_GROUP = (_req("type"), _req("children", "strings"), _Field("parent"), _Field("members", "strings"), _PROFILE)
_USER = (_req("memberOf", "strings"), _PROFILE)
_LOCATION = (
    _Field("type"), _Field("target"), _Field("targets", "strings"),
    _Field("presence", "choice", choices=("required", "optional")),
)  # fmt: skip
_STEP = (_Field("id", "text"), _Field("name", "text"), _req("action", "text"), _Field("input", "object"),
         _Field("if", "condition"))  # fmt: skip
_TEMPLATE = (
    _req("type"), _Field("owner"), _Field("lifecycle"), _Field("parameters", "parameters"),
    _Field("steps", "objects", required=True, fields=_STEP), _Field("output", "object"),
    _Field("presentation", "object"), _Field("secrets", "object"), _Field("EXPERIMENTAL_formDecorators", "objects"),
)  # fmt: skip

# AiResource (catalog-model alpha, AiResource.v1alpha1[.<type>].schema.json): the type picks the schema.
_AI_RESOURCE = {
    None: _OWNED,
    "skill": (
        *_OWNED, _Field("disciplines", "strings"), _Field("categories", "strings"), _Field("agents", "strings"),
        _Field("dependsOn", "strings"), _Field("allowedTools", "strings"), _Field("license"),
        _Field("compatibility"),
    ),
    "rule": (
        *_OWNED, _Field("disciplines", "strings"), _req("category"), _req("rationale"),
        _Field("activation", "objects", min_items=1, fields=(
            _Field("harness", "choice", required=True, choices=("claude", "cursor", "codex")),
        )),
    ),
    "plugin": (*_OWNED, _req("skills", "strings"), _Field("version")),
    "marketplace": (*_OWNED, _req("plugins", "strings"), _Field("version")),
}  # fmt: skip

_BUILTIN = {
    "Component": _COMPONENT, "API": _API, "Resource": _RESOURCE, "System": _SYSTEM, "Domain": _DOMAIN,
    "Group": _GROUP, "User": _USER, "Location": _LOCATION,
}  # fmt: skip


def _schemas_for(entity: dict) -> list[tuple[_Field, ...]]:
    """The spec schemas that could accept this kind and apiVersion; the entity is valid if any accepts it."""
    kind, version = entity["kind"], entity["apiVersion"]
    spec = entity.get("spec")
    spec_type = spec.get("type") if isinstance(spec, dict) else None
    if kind == "Template":
        return [_TEMPLATE] if version == TEMPLATE_VERSION else []
    if kind == "AiResource":
        if version != BACKSTAGE_VERSIONS[0]:
            return []
        return [_AI_RESOURCE.get(spec_type if isinstance(spec_type, str) else None, _AI_RESOURCE[None])]
    if kind not in _BUILTIN or version not in BACKSTAGE_VERSIONS:
        return []
    if kind == "API" and spec_type == "mcp-server":
        # The mcp-server layer needs remotes; the built-in API schema (with a definition) still accepts it too.
        return [_MCP_SERVER_API, _API]
    return [_BUILTIN[kind]]


def _check_kind(entity: dict) -> list[Problem]:
    """Step 4 of §1.3: at least one kind validator must accept the entity."""
    schemas = _schemas_for(entity)
    kind, version, name = entity["kind"], entity["apiVersion"], entity["metadata"]["name"]
    if not schemas:
        namespace = entity["metadata"].get("namespace") or "default"
        return [
            Problem(
                "",
                f"No processor recognized the entity {kind.lower()}:{namespace.lower()}/{name.lower()} "
                f'as valid, possibly caused by a foreign kind or apiVersion (kind "{kind}", '
                f'apiVersion "{version}"); known kinds are {", ".join(KNOWN_KINDS)}',
            )
        ]
    spec = entity.get("spec")
    if spec is None:
        return [Problem("spec", f'"spec" is required for kind {kind} but is missing')]
    if not isinstance(spec, dict):
        return [_invalid("spec", "an object", spec)]
    what = f"kind {kind}" if kind != "AiResource" else f"kind {kind} of type {_show(spec.get('type'))}"
    results = [_check_fields(spec, schema, "spec", what) for schema in schemas]
    return [] if any(not r for r in results) else results[0]
