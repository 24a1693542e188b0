"""Relations emitted from spec fields (spec §2.1, §2.2)."""

import pytest

from catalog.refs import InvalidRef
from catalog.relations import AI_RESOURCE_RELATION_PAIRS, RELATION_PAIRS, emit_relations


def entity(kind, spec, name="x", namespace=None, api_version="backstage.io/v1alpha1"):
    metadata = {"name": name} | ({"namespace": namespace} if namespace else {})
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, "spec": spec}


def test_worked_example():
    payments = entity(
        "Component",
        {
            "type": "service",
            "lifecycle": "production",
            "owner": "team-payments",
            "system": "billing",
            "providesApis": ["payments-rest"],
            "dependsOn": ["resource:payments-db"],
        },
        name="payments-api",
    )
    me = "component:default/payments-api"
    assert emit_relations(payments) == [
        ("api:default/payments-rest", "apiProvidedBy", me),
        (me, "dependsOn", "resource:default/payments-db"),
        (me, "ownedBy", "group:default/team-payments"),
        (me, "partOf", "system:default/billing"),
        (me, "providesApi", "api:default/payments-rest"),
        ("group:default/team-payments", "ownerOf", me),
        ("resource:default/payments-db", "dependencyOf", me),
        ("system:default/billing", "hasPart", me),
    ]


def test_group_parent_children_members():
    group = entity(
        "Group",
        {"type": "team", "parent": "boxoffice", "children": ["team-e", "ops/sre"], "members": ["jdoe"]},
        name="team-a",
    )
    me = "group:default/team-a"
    assert set(emit_relations(group)) == {
        (me, "childOf", "group:default/boxoffice"),
        ("group:default/boxoffice", "parentOf", me),
        (me, "parentOf", "group:default/team-e"),
        ("group:default/team-e", "childOf", me),
        (me, "parentOf", "group:ops/sre"),
        ("group:ops/sre", "childOf", me),
        (me, "hasMember", "user:default/jdoe"),
        ("user:default/jdoe", "memberOf", me),
    }


def test_short_refs_take_the_entity_namespace():
    user = entity("User", {"memberOf": ["admins", "default/everyone", "Group:Corp/Leads"]}, "Jane", "team-x")
    me = "user:team-x/jane"
    assert emit_relations(user) == [
        ("group:corp/leads", "hasMember", me),
        ("group:default/everyone", "hasMember", me),
        ("group:team-x/admins", "hasMember", me),
        (me, "memberOf", "group:corp/leads"),
        (me, "memberOf", "group:default/everyone"),
        (me, "memberOf", "group:team-x/admins"),
    ]


@pytest.mark.parametrize(
    ("kind", "spec", "expected"),
    [
        ("Component", {"owner": "user:jdoe", "subcomponentOf": "parent", "consumesApis": ["api:ns/a"],
                       "dependencyOf": ["component:other"]},
         {("component:default/x", "ownedBy", "user:default/jdoe"),
          ("component:default/x", "partOf", "component:default/parent"),
          ("component:default/x", "consumesApi", "api:ns/a"),
          ("component:default/x", "dependencyOf", "component:default/other")}),
        ("API", {"type": "mcp-server", "owner": "team-a", "system": "s", "remotes": [{"type": "sse", "url": "u"}]},
         {("api:default/x", "ownedBy", "group:default/team-a"), ("api:default/x", "partOf", "system:default/s")}),
        ("Resource", {"owner": "a", "dependsOn": ["component:c"], "dependencyOf": ["resource:r"], "system": "s"},
         {("resource:default/x", "ownedBy", "group:default/a"),
          ("resource:default/x", "dependsOn", "component:default/c"),
          ("resource:default/x", "dependencyOf", "resource:default/r"),
          ("resource:default/x", "partOf", "system:default/s")}),
        ("System", {"owner": "a", "domain": "d"},
         {("system:default/x", "ownedBy", "group:default/a"), ("system:default/x", "partOf", "domain:default/d")}),
        ("Domain", {"owner": "a", "subdomainOf": "d"},
         {("domain:default/x", "ownedBy", "group:default/a"), ("domain:default/x", "partOf", "domain:default/d")}),
        ("Template", {"owner": "a", "type": "service", "steps": []},
         {("template:default/x", "ownedBy", "group:default/a")}),
        ("Location", {"targets": ["./a.yaml"], "target": "component:b"}, set()),
        ("AiResource", {"type": "skill", "owner": "a", "system": "s", "dependsOn": ["base"]},
         {("airesource:default/x", "ownedBy", "group:default/a"),
          ("airesource:default/x", "partOf", "system:default/s"),
          ("airesource:default/x", "dependsOn", "airesource:default/base")}),
        ("AiResource", {"type": "plugin", "owner": "a", "skills": ["airesource:default/ts", "sec"]},
         {("airesource:default/x", "ownedBy", "group:default/a"),
          ("airesource:default/x", "hasSkill", "airesource:default/ts"),
          ("airesource:default/x", "hasSkill", "airesource:default/sec")}),
        ("AiResource", {"type": "marketplace", "owner": "a", "plugins": ["p"]},
         {("airesource:default/x", "ownedBy", "group:default/a"),
          ("airesource:default/x", "hasPlugin", "airesource:default/p")}),
        # Only the typed schemas declare these fields; elsewhere they are plain data.
        ("AiResource", {"type": "rule", "owner": "a", "dependsOn": ["base"], "skills": ["s"]},
         {("airesource:default/x", "ownedBy", "group:default/a")}),
        ("Widget", {"owner": "a"}, set()),
    ],
)  # fmt: skip
def test_forward_relations_per_kind(kind, spec, expected):
    rows = emit_relations(entity(kind, spec))
    assert {row for row in rows if row[0] == f"{kind.lower()}:default/x"} == expected
    reverse = {**RELATION_PAIRS, **AI_RESOURCE_RELATION_PAIRS}
    reverse |= {rev: fwd for fwd, rev in reverse.items()}
    assert {row for row in rows if row[0] != f"{kind.lower()}:default/x"} == {
        (target, reverse[type_], source) for source, type_, target in expected
    }


@pytest.mark.parametrize(
    ("kind", "spec", "field"),
    [
        ("Component", {"owner": "a", "dependsOn": ["artists-db"]}, "spec.dependsOn"),
        ("Component", {"owner": "a", "dependencyOf": ["ns/x"]}, "spec.dependencyOf"),
        ("Resource", {"owner": "a", "dependsOn": ["resource:"]}, "spec.dependsOn"),
        ("Component", {"owner": "group:/a"}, "spec.owner"),
        ("Group", {"children": [""]}, "spec.children"),
        ("User", {"memberOf": [{"name": "a"}]}, "spec.memberOf"),
    ],
)
def test_unparsable_refs_raise_naming_the_field(kind, spec, field):
    with pytest.raises(InvalidRef, match=field) as info:
        emit_relations(entity(kind, spec))
    assert info.value.field == field


def test_rows_are_deduplicated_and_sorted():
    component = entity(
        "Component", {"owner": "a", "providesApis": ["p", "api:p", "API:Default/P"], "consumesApis": ["p"]}
    )
    rows = emit_relations(component)
    assert rows == sorted(rows)
    assert rows.count(("component:default/x", "providesApi", "api:default/p")) == 1
    assert len(rows) == 6


def test_a_single_string_in_an_array_field_still_emits():
    assert ("user:default/x", "memberOf", "group:default/a") in emit_relations(
        entity("User", {"memberOf": "a"})
    )


def test_empty_fields_emit_nothing():
    assert emit_relations(entity("Group", {"type": "team", "children": [], "parent": ""})) == []


def test_relation_pairs_cover_the_built_in_types():
    assert RELATION_PAIRS == {
        "ownedBy": "ownerOf",
        "providesApi": "apiProvidedBy",
        "consumesApi": "apiConsumedBy",
        "dependsOn": "dependencyOf",
        "parentOf": "childOf",
        "memberOf": "hasMember",
        "partOf": "hasPart",
    }


def test_every_valid_corpus_entity_emits_relations():
    from tests.catalog.test_validation import corpus_entities

    rows = set()
    for _path, doc in corpus_entities():
        if doc["metadata"]["name"] != "local-inference-server":
            rows.update(emit_relations(doc))
    assert ("airesource:default/code-review-plugin", "hasSkill", "airesource:default/security-review") in rows
    assert ("group:default/team-a", "hasMember", "user:default/breanna.davison") in rows
    assert ("api:default/backstage-mcp-server", "ownedBy", "group:default/team-a") in rows
