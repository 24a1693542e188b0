"""Entity and location reference parsing (spec §2.3)."""

import pytest

from catalog.refs import EntityRef, InvalidRef, canonical_ref, parse_entity_ref, parse_location_ref


@pytest.mark.parametrize(
    ("text", "defaults", "expected"),
    [
        ("component:default/foo", {}, ("component", "default", "foo")),
        ("Component:Default/Foo", {}, ("Component", "Default", "Foo")),
        ("foo", {"default_kind": "Group"}, ("Group", "default", "foo")),
        ("foo", {"default_kind": "Group", "default_namespace": "team-x"}, ("Group", "team-x", "foo")),
        ("ns/foo", {"default_kind": "Group", "default_namespace": "team-x"}, ("Group", "ns", "foo")),
        ("user:foo", {"default_kind": "Group", "default_namespace": "team-x"}, ("user", "team-x", "foo")),
        ("user:ns/foo", {"default_kind": "Group"}, ("user", "ns", "foo")),
        # A '/' before the ':' means there is no kind; the rest is the name.
        ("ns/foo:bar", {"default_kind": "Group"}, ("Group", "ns", "foo:bar")),
        # Only the first ':' and the first '/' split.
        ("k:ns/a/b", {}, ("k", "ns", "a/b")),
        ("k:a:b", {}, ("k", "default", "a:b")),
        ("foo", {"default_kind": "Group", "default_namespace": ""}, ("Group", "default", "foo")),
    ],
)
def test_parse_entity_ref(text, defaults, expected):
    assert parse_entity_ref(text, **defaults) == EntityRef(*expected)


@pytest.mark.parametrize(
    ("text", "defaults"),
    [
        ("", {"default_kind": "Group"}),
        (":foo", {}),
        ("k:/foo", {}),
        ("k:ns/", {}),
        ("k:", {}),
        ("/foo", {"default_kind": "Group"}),
        ("ns/", {"default_kind": "Group"}),
        ("foo", {}),
        ("ns/foo", {}),
        (None, {"default_kind": "Group"}),
        (42, {"default_kind": "Group"}),
        (["group:a"], {}),
        ({"kind": "group", "name": "a"}, {}),
    ],
)
def test_parse_entity_ref_rejects(text, defaults):
    with pytest.raises(InvalidRef):
        parse_entity_ref(text, **defaults)


def test_missing_kind_message_says_what_to_write():
    with pytest.raises(InvalidRef, match=r'"artists-db" had missing or empty kind'):
        parse_entity_ref("artists-db")


def test_invalid_ref_is_a_value_error():
    assert issubclass(InvalidRef, ValueError)


def test_canonical_is_lower_case_and_str():
    ref = parse_entity_ref("Component:Default/Foo")
    assert ref.canonical == "component:default/foo"
    assert str(ref) == "component:default/foo"
    assert ref.name == "Foo"


def test_canonical_ref():
    assert canonical_ref("API", "Team-X", "Payments-REST") == "api:team-x/payments-rest"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("url:https://github.com/o/r/blob/main/catalog-info.yaml",
         ("url", "https://github.com/o/r/blob/main/catalog-info.yaml")),
        (" url : https://example.com/a.yaml ", ("url", "https://example.com/a.yaml")),
        ("url:https://example.com:8080/a.yaml", ("url", "https://example.com:8080/a.yaml")),
        ("file:/tmp/catalog-info.yaml", ("file", "/tmp/catalog-info.yaml")),
        ("bitbucket-discovery:https://x/y", ("bitbucket-discovery", "https://x/y")),
    ],
)  # fmt: skip
def test_parse_location_ref(text, expected):
    assert parse_location_ref(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("https://example.com/a.yaml", "url:"),
        ("http://example.com/a.yaml", "url:"),
        ("HTTPS://example.com/a.yaml", "url:"),
        ("url", "<type>:<target>"),
        (":https://example.com", "empty type"),
        ("  :https://example.com", "empty type"),
        ("url:", "empty target"),
        ("url:   ", "empty target"),
        ("url:javascript:alert(1)", "javascript"),
        ("url: JavaScript:alert(1)", "javascript"),
        ("url:java\tscript:alert(1)", "javascript"),
        (None, "string"),
    ],
)
def test_parse_location_ref_rejects(text, message):
    with pytest.raises(InvalidRef, match=message):
        parse_location_ref(text)
