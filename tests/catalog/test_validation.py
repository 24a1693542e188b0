"""Entity validation: envelope, field formats (spec §1.2) and kind schemas (§2.1)."""

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from catalog.validation import KNOWN_KINDS, Problem, validate_entity, validate_envelope

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "backstage-examples"
V1 = "backstage.io/v1alpha1"

COMPONENT = {
    "apiVersion": V1,
    "kind": "Component",
    "metadata": {"name": "payments-api"},
    "spec": {"type": "service", "lifecycle": "production", "owner": "team-payments"},
}


def with_metadata(**fields):
    entity = copy.deepcopy(COMPONENT)
    entity["metadata"].update(fields)
    return entity


def entity_of(kind, spec, api_version=V1):
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}, "spec": spec}


def fields(problems: list[Problem]) -> list[str]:
    return [p.field for p in problems]


# metadata.name


@pytest.mark.parametrize(
    "name", ["a", "A1", "1", "a--b", "a._b", "a-b_c.d", "LoremService", "x" * 63, "a" + "-" * 61 + "b"]
)
def test_valid_names(name):
    assert validate_entity(with_metadata(name=name)) == []


@pytest.mark.parametrize(
    "name", ["-a", "a-", ".a", "a.", "_a", "a_", "x" * 64, "a b", "a/b", "a:b", "ä", "a\n"]
)
def test_invalid_names(name):
    assert fields(validate_entity(with_metadata(name=name))) == ["metadata.name"]


def test_name_message_names_the_rule_and_value():
    [problem] = validate_entity(with_metadata(name="-bad"))
    assert problem.message == (
        '"metadata.name" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by '
        'any of [-_.], at most 63 characters in total but found "-bad"'
    )


@given(
    st.from_regex(r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", fullmatch=True).filter(
        lambda s: len(s) <= 63
    )
)
def test_any_name_matching_the_regex_is_accepted(name):
    assert validate_entity(with_metadata(name=name)) == []


# metadata.namespace


@pytest.mark.parametrize("namespace", ["default", "team-a", "a1", "a--b", "x" * 63])
def test_valid_namespaces(namespace):
    assert validate_entity(with_metadata(namespace=namespace)) == []


@pytest.mark.parametrize("namespace", ["Default", "TEAM", "a_b", "a.b", "-a", "a-", "x" * 64, "a b", 7])
def test_invalid_namespaces(namespace):
    assert fields(validate_entity(with_metadata(namespace=namespace))) == ["metadata.namespace"]


# labels and annotations


@pytest.mark.parametrize(
    "labels",
    [
        {"a": "b"},
        {"tier": ""},
        {"example.com/team": "payments"},
        {"backstage.io/a-b_c.d": "x.y-z"},
        {"a.b-c.d/e": "v"},
        {"a": "x" * 63},
    ],
)
def test_valid_labels(labels):
    assert validate_entity(with_metadata(labels=labels)) == []


@pytest.mark.parametrize(
    ("labels", "field"),
    [
        ({"-a": "b"}, "metadata.labels.-a"),
        ({"Example.com/a": "b"}, "metadata.labels.Example.com/a"),
        ({"a/b/c": "x"}, "metadata.labels.a/b/c"),
        ({"/a": "x"}, "metadata.labels./a"),
        ({"a/": "x"}, "metadata.labels.a/"),
        ({"a": "-b"}, "metadata.labels.a"),
        ({"a": "has space"}, "metadata.labels.a"),
        ({"a": "x" * 64}, "metadata.labels.a"),
        ({"a": 1}, "metadata.labels.a"),
        ({"a": True}, "metadata.labels.a"),
        ({"a": None}, "metadata.labels.a"),
        (["a"], "metadata.labels"),
    ],
)
def test_invalid_labels(labels, field):
    assert fields(validate_entity(with_metadata(labels=labels))) == [field]


@pytest.mark.parametrize(
    "annotations",
    [
        {"backstage.io/techdocs-ref": "dir:."},
        {"github.com/project-slug": "backstage/backstage"},
        {"a": ""},
        {"a": "true"},
        {"a": "any text: with spaces, colons and / slashes " * 50},
    ],
)
def test_valid_annotations(annotations):
    assert validate_entity(with_metadata(annotations=annotations)) == []


@pytest.mark.parametrize(
    ("annotations", "field"),
    [
        ({"backstage.io/orphan": True}, "metadata.annotations.backstage.io/orphan"),
        ({"a": 1}, "metadata.annotations.a"),
        ({"a": None}, "metadata.annotations.a"),
        ({"a": ["x"]}, "metadata.annotations.a"),
        ({"bad key!": "x"}, "metadata.annotations.bad key!"),
        ("x", "metadata.annotations"),
    ],
)
def test_invalid_annotations(annotations, field):
    assert fields(validate_entity(with_metadata(annotations=annotations))) == [field]


def test_unquoted_true_annotation_message():
    [problem] = validate_entity(with_metadata(annotations={"a": True}))
    assert problem.message == '"metadata.annotations.a" is not valid; expected a string but found true'


# tags


@pytest.mark.parametrize("tag", ["python", "c++", "c#", "k8s:prod", "a-b", "a1-b2-c3", "x" * 63])
def test_valid_tags(tag):
    assert validate_entity(with_metadata(tags=["ok", tag])) == []


@pytest.mark.parametrize("tag", ["Python", "a--b", "-a", "a-", "a b", "a_b", "a.b", "x" * 64, "", 1, None])
def test_invalid_tags(tag):
    assert fields(validate_entity(with_metadata(tags=["ok", tag]))) == ["metadata.tags.1"]


def test_tags_must_be_a_list():
    assert fields(validate_entity(with_metadata(tags="python"))) == ["metadata.tags"]


# links


@pytest.mark.parametrize(
    "link",
    [
        {"url": "https://example.com"},
        {"url": "http://localhost:3000/docs?x=1#y", "title": "Docs", "icon": "dashboard", "type": "website"},
        {"url": "mailto:team@example.com", "title": "Mail us"},
        {"url": "slack://channel?id=1"},
        {"url": "https://user:pw@example.com:8443/a"},
        {"url": "https://[::1]:8080/"},
    ],
)
def test_valid_links(link):
    assert validate_entity(with_metadata(links=[link])) == []


@pytest.mark.parametrize(
    ("link", "field"),
    [
        ({"url": "/relative/path"}, "metadata.links.0.url"),
        ({"url": "example.com"}, "metadata.links.0.url"),
        ({"url": "https://"}, "metadata.links.0.url"),
        ({"url": "https://exa mple.com"}, "metadata.links.0.url"),
        ({"url": ""}, "metadata.links.0.url"),
        ({"url": 5}, "metadata.links.0.url"),
        ({"title": "no url"}, "metadata.links.0.url"),
        ({"url": "https://example.com", "title": ""}, "metadata.links.0.title"),
        ({"url": "https://example.com", "title": "   "}, "metadata.links.0.title"),
        ({"url": "https://example.com", "icon": ""}, "metadata.links.0.icon"),
        ({"url": "https://example.com", "type": 3}, "metadata.links.0.type"),
        ("https://example.com", "metadata.links.0"),
    ],
)
def test_invalid_links(link, field):
    assert fields(validate_entity(with_metadata(links=[link]))) == [field]


# other metadata and root fields


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"title": ""}, "metadata.title"),
        ({"title": 3}, "metadata.title"),
        ({"description": 3}, "metadata.description"),
    ],
)
def test_invalid_title_and_description(metadata, field):
    assert fields(validate_entity(with_metadata(**metadata))) == [field]


def test_empty_description_and_extra_metadata_keys_are_fine():
    assert validate_entity(with_metadata(description="", title="Payments", custom={"any": 1})) == []


@pytest.mark.parametrize("root", ["relations", "status", "extra"])
def test_foreign_root_fields_are_rejected(root):
    entity = copy.deepcopy(COMPONENT) | {root: []}
    assert fields(validate_entity(entity)) == [root]


@pytest.mark.parametrize(
    ("api_version", "kind", "field"),
    [
        ("backstage.io/v1alpha1/x", "Component", "apiVersion"),
        ("backstage.io/v1-alpha", "Component", "apiVersion"),
        ("Backstage.io/v1alpha1", "Component", "apiVersion"),
        (V1, "1Component", "kind"),
        (V1, "Com-ponent", "kind"),
    ],
)
def test_invalid_api_version_and_kind_formats(api_version, kind, field):
    entity = copy.deepcopy(COMPONENT) | {"apiVersion": api_version, "kind": kind}
    assert field in fields(validate_entity(entity))


# envelope


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        (None, ""),
        ([COMPONENT], ""),
        ("apiVersion: x", ""),
        ({"kind": "Component", "metadata": {"name": "a"}}, "apiVersion"),
        ({"apiVersion": "", "kind": "Component", "metadata": {"name": "a"}}, "apiVersion"),
        ({"apiVersion": V1, "kind": 5, "metadata": {"name": "a"}}, "kind"),
        ({"apiVersion": V1, "kind": "Component"}, "metadata"),
        ({"apiVersion": V1, "kind": "Component", "metadata": ["a"]}, "metadata"),
        ({"apiVersion": V1, "kind": "Component", "metadata": {}}, "metadata.name"),
        ({"apiVersion": V1, "kind": "Component", "metadata": {"name": ""}}, "metadata.name"),
        ({"apiVersion": V1, "kind": "Component", "metadata": {"name": 12}}, "metadata.name"),
        (
            {"apiVersion": V1, "kind": "Component", "metadata": {"name": "a", "namespace": ""}},
            "metadata.namespace",
        ),
        (
            {"apiVersion": V1, "kind": "Component", "metadata": {"name": "a", "namespace": None}},
            "metadata.namespace",
        ),
    ],
)
def test_envelope_problems(doc, field):
    assert fields(validate_envelope(doc)) == [field]
    assert fields(validate_entity(doc) if isinstance(doc, dict) else validate_envelope(doc)) == [field]


def test_envelope_ignores_everything_else():
    doc = {"apiVersion": "x/y/z", "kind": "nope", "metadata": {"name": "-"}, "status": 1}
    assert validate_envelope(doc) == []


# kind schemas

PROFILE = {"displayName": "Team A", "email": "a@example.com", "picture": "https://x/a.png"}
REMOTE = {"type": "streamable-http", "url": "http://localhost:7007/api/mcp/v1"}
OWNED = {"type": "x", "lifecycle": "production", "owner": "team-a"}


@pytest.mark.parametrize(
    ("kind", "api_version", "spec"),
    [
        ("Component", V1, OWNED),
        ("Component", "backstage.io/v1beta1", OWNED),
        ("Component", V1, OWNED | {"system": "s", "subcomponentOf": "c", "providesApis": ["a"], "consumesApis": [],
                                   "dependsOn": ["resource:db"], "dependencyOf": ["component:x"], "language": "py"}),
        ("API", V1, OWNED | {"definition": "openapi: 3.0.0", "system": "s"}),
        ("API", V1, {"type": "mcp-server", "lifecycle": "experimental", "owner": "a", "remotes": [REMOTE]}),
        ("API", V1, {"type": "mcp-server", "lifecycle": "experimental", "owner": "a", "definition": "x"}),
        ("Resource", V1, {"type": "database", "owner": "a", "dependsOn": ["component:x"], "system": "s"}),
        ("System", V1, {"owner": "a", "domain": "d", "type": "product"}),
        ("Domain", "backstage.io/v1beta1", {"owner": "a", "subdomainOf": "d"}),
        ("Group", V1, {"type": "team", "children": []}),
        ("Group", V1, {"type": "team", "children": ["b"], "parent": "p", "members": ["u"], "profile": PROFILE}),
        ("User", V1, {"memberOf": []}),
        ("User", V1, {"memberOf": ["team-a"], "profile": PROFILE}),
        ("Location", V1, {}),
        ("Location", V1, {"type": "url", "target": "./a.yaml", "targets": ["./b.yaml"], "presence": "optional"}),
        ("Template", "scaffolder.backstage.io/v1beta3", {"type": "service", "steps": []}),
        ("Template", "scaffolder.backstage.io/v1beta3",
         {"type": "service", "owner": "a", "parameters": [{"title": "x"}], "output": {"links": []},
          "steps": [{"id": "fetch", "name": "Fetch", "action": "fetch:plain", "input": {"url": "./t"}, "if": True}]}),
        ("AiResource", V1, OWNED | {"type": "skill", "disciplines": ["web"], "agents": ["claude-code"]}),
        ("AiResource", V1, OWNED | {"type": "rule", "category": "architecture", "rationale": "why"}),
        ("AiResource", V1, OWNED | {"type": "plugin", "skills": ["airesource:default/s"], "version": "1.0.0"}),
        ("AiResource", V1, OWNED | {"type": "marketplace", "plugins": ["p"]}),
        ("AiResource", V1, OWNED | {"type": "prompt"}),
    ],
)  # fmt: skip
def test_valid_specs(kind, api_version, spec):
    assert validate_entity(entity_of(kind, spec, api_version)) == []


@pytest.mark.parametrize(
    ("kind", "api_version", "spec", "expected"),
    [
        ("Component", V1, {"type": "service", "lifecycle": "production"}, ["spec.owner"]),
        ("Component", V1, OWNED | {"owner": 42}, ["spec.owner"]),
        ("Component", V1, OWNED | {"owner": ""}, ["spec.owner"]),
        ("Component", V1, OWNED | {"providesApis": "a"}, ["spec.providesApis"]),
        ("Component", V1, OWNED | {"providesApis": ["a", ""]}, ["spec.providesApis.1"]),
        ("Component", V1, OWNED | {"dependsOn": [{"kind": "x"}]}, ["spec.dependsOn.0"]),
        ("Component", V1, {}, ["spec.type", "spec.lifecycle", "spec.owner"]),
        ("API", V1, OWNED, ["spec.definition"]),
        ("API", V1, OWNED | {"definition": {"$text": "./x.yaml"}}, ["spec.definition"]),
        ("API", V1, {"type": "mcp-server", "lifecycle": "e", "owner": "a"}, ["spec.remotes"]),
        ("API", V1, {"type": "mcp-server", "lifecycle": "e", "owner": "a", "remotes": []}, ["spec.remotes"]),
        ("API", V1, {"type": "mcp-server", "lifecycle": "e", "owner": "a", "remotes": [{"type": "sse"}]},
         ["spec.remotes.0.url"]),
        ("Resource", V1, {"type": "database"}, ["spec.owner"]),
        ("System", V1, {"owner": "a", "domain": ["d"]}, ["spec.domain"]),
        ("Domain", V1, {}, ["spec.owner"]),
        ("Group", V1, {"type": "team"}, ["spec.children"]),
        ("Group", V1, {"type": "team", "children": [], "profile": {"email": ""}}, ["spec.profile.email"]),
        ("User", V1, {}, ["spec.memberOf"]),
        ("User", V1, {"memberOf": "team-a"}, ["spec.memberOf"]),
        ("Location", V1, {"presence": "maybe"}, ["spec.presence"]),
        ("Location", V1, {"targets": [1]}, ["spec.targets.0"]),
        ("Template", "scaffolder.backstage.io/v1beta3", {"type": "service"}, ["spec.steps"]),
        ("Template", "scaffolder.backstage.io/v1beta3", {"type": "service", "steps": [{"id": "a"}]},
         ["spec.steps.0.action"]),
        ("Template", "scaffolder.backstage.io/v1beta3", {"type": "s", "steps": [], "parameters": "x"},
         ["spec.parameters"]),
        ("AiResource", V1, {"type": "skill"}, ["spec.lifecycle", "spec.owner"]),
        ("AiResource", V1, OWNED | {"type": "rule", "category": "c"}, ["spec.rationale"]),
        ("AiResource", V1, OWNED | {"type": "plugin"}, ["spec.skills"]),
        ("AiResource", V1, OWNED | {"type": "marketplace", "plugins": [""]}, ["spec.plugins.0"]),
        ("Group", V1, None, ["spec"]),
        ("Group", V1, ["team"], ["spec"]),
    ],
)  # fmt: skip
def test_invalid_specs(kind, api_version, spec, expected):
    entity = entity_of(kind, spec, api_version)
    if spec is None:
        del entity["spec"]
    assert fields(validate_entity(entity)) == expected


@pytest.mark.parametrize(
    ("kind", "api_version"),
    [
        ("component", V1),
        ("Widget", V1),
        ("Component", "backstage.io/v1"),
        ("Component", "example.com/v1alpha1"),
        ("Template", V1),
        ("Template", "scaffolder.backstage.io/v1beta2"),
        ("AiResource", "backstage.io/v1beta1"),
    ],
)
def test_unrecognized_kind_or_api_version(kind, api_version):
    [problem] = validate_entity(entity_of(kind, OWNED | {"definition": "x", "steps": []}, api_version))
    assert problem.field == ""
    assert problem.message.startswith(f"No processor recognized the entity {kind.lower()}:default/x as valid")
    assert "foreign kind or apiVersion" in problem.message


def test_known_kinds():
    assert set(KNOWN_KINDS) == {
        "Component", "API", "Resource", "System", "Domain", "Group", "User", "Location", "Template", "AiResource",
    }  # fmt: skip


def test_all_problems_are_reported_together():
    entity = with_metadata(name="-a", tags=["A"], labels={"a": 1}) | {"status": {}}
    entity["spec"] = {}
    assert fields(validate_entity(entity)) == [
        "status", "metadata.name", "metadata.labels.a", "metadata.tags.0", "spec.type", "spec.lifecycle", "spec.owner",
    ]  # fmt: skip


# the Backstage example corpus

PLACEHOLDER_KEYS = {"$text", "$json", "$yaml"}
NOT_ENTITIES = {"apis/petstore-webhook.oas.yaml"}  # an OpenAPI document pulled in by a $text placeholder


def stub_placeholders(value):
    """Stand in for placeholder resolution (§1.3 step 2), which runs before validation."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in PLACEHOLDER_KEYS:
            return "<resolved placeholder>"
        return {k: stub_placeholders(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stub_placeholders(v) for v in value]
    return value


def corpus_entities():
    for path in sorted(CORPUS.rglob("*.yaml")):
        if path.relative_to(CORPUS).as_posix() in NOT_ENTITIES:
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                yield path, stub_placeholders(doc)


def test_every_corpus_entity_validates_except_the_api_without_definition():
    invalid = {}
    count = 0
    for path, doc in corpus_entities():
        count += 1
        assert validate_envelope(doc) == [], path
        problems = validate_entity(doc)
        if problems:
            invalid[doc["metadata"]["name"]] = fields(problems)
    assert count > 40
    assert invalid == {"local-inference-server": ["spec.definition"]}
