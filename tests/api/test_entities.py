"""``/entities``, ``by-name`` (and ancestry), ``by-uid``, ``by-refs`` and the ``fields`` projection."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.api import entity_list
from catalog.api.views.entities import _lookup_ref
from catalog.models import Entity, Location
from catalog.refs import InvalidRef, parse_entity_ref
from tests.api.conftest import entity_uid, ref_of, refs_of, register
from tests.api.test_by_query import components
from tests.http import body

pytestmark = pytest.mark.django_db

BASE = "/api/catalog"


def streamed(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(body(response))


def test_all_entities_come_back_streamed_with_the_envelope_clients_need(catalog, api):
    items = streamed(api.get(f"{BASE}/entities"))
    assert len(items) == 11
    for entity in items:
        meta = entity["metadata"]
        assert meta["namespace"] and meta["uid"] and re.fullmatch(r"[0-9a-f]{40}", meta["etag"])
        assert isinstance(entity["relations"], list)
    payments = next(e for e in items if e["metadata"]["name"] == "payments-api")
    assert payments["metadata"]["uid"] == entity_uid("component:default/payments-api")


def test_an_empty_catalog_is_an_empty_array(db, api):
    assert streamed(api.get(f"{BASE}/entities")) == []


def test_a_short_list_is_one_body_and_a_long_one_streams_in_chunks(write_yaml, api, monkeypatch):
    monkeypatch.setattr(entity_list, "STREAM_CHUNK", 100)
    register(write_yaml("big.yaml", components([f"b-{i:03d}" for i in range(450)])))
    short = api.get(f"{BASE}/entities", {"filter": "kind=component,metadata.name=b-001,metadata.name=b-002"})
    assert not short.streaming and len(short.json()) == 2
    response = api.get(f"{BASE}/entities", {"filter": "kind=component", "fields": "metadata.name"})
    chunks = list(response.streaming_content)
    assert len(chunks) > 3
    items = json.loads(b"".join(chunks))
    assert len(items) == 450 and items[0] == {"metadata": {"name": items[0]["metadata"]["name"]}}


def test_offset_paging_follows_the_link_header(catalog, api):
    response = api.get(f"{BASE}/entities", {"limit": 4, "filter": "kind=component,kind=group,kind=user"})
    assert [ref_of(e) for e in response.json()] == [
        "component:default/ledger",
        "component:default/payments-api",
        "component:shop/storefront",
        "group:default/team-a",
    ]
    link = response["Link"]
    match = re.fullmatch(r'<(/entities\?[^>]+)>; rel="next"', link)
    assert match and "offset" not in match.group(1) and "after=" in match.group(1)
    following = api.get(f"{BASE}{match.group(1)}")
    assert [ref_of(e) for e in following.json()] == ["group:default/team-b", "user:default/alice"]
    assert "Link" not in following


def test_offset_and_order(catalog, api):
    body = api.get(f"{BASE}/entities", {"offset": 9}).json()
    assert len(body) == 2
    ordered = api.get(
        f"{BASE}/entities", {"order": "desc:metadata.name", "filter": "kind=component", "limit": 10}
    )
    assert [e["metadata"]["name"] for e in ordered.json()] == ["storefront", "payments-api", "Ledger"]
    titled = streamed(
        api.get(f"{BASE}/entities", {"order": "asc:metadata.title", "filter": "kind=component"})
    )
    assert [e["metadata"]["name"] for e in titled][0] == "payments-api"  # the others have no title: last
    two = streamed(
        api.get(
            f"{BASE}/entities",
            [("order", "asc:spec.lifecycle"), ("order", "desc:metadata.name"), ("filter", "kind=component")],
        )
    )
    assert [e["metadata"]["name"] for e in two] == ["Ledger", "storefront", "payments-api"]


@pytest.mark.parametrize(
    "params",
    [
        {"order": "up:metadata.name"},
        {"order": "asc:"},
        {"limit": "0"},
        {"limit": "x"},
        {"offset": "-1"},
        {"after": ""},
        {"after": "bm90IGpzb24="},
        {"fields": "a[0]"},
    ],
)
def test_bad_list_parameters_are_input_errors(catalog, api, params):
    response = api.get(f"{BASE}/entities", params)
    assert response.status_code == 400
    assert response.json()["error"]["name"] == "InputError"


FIELDS_TABLE = [
    ("kind", {"kind": "Component"}),
    ("kind,metadata.name", {"kind": "Component", "metadata": {"name": "payments-api"}}),
    (
        "metadata.annotations.backstage.io/techdocs-ref",
        {"metadata": {"annotations": {"backstage.io/techdocs-ref": "dir:."}}},
    ),
    ("metadata.tags", {"metadata": {"tags": ["python", "payments"]}}),
    ("nothing.here", {}),
    ("spec.owner, spec.type ,", {"spec": {"owner": "team-a", "type": "service"}}),
    (
        "relations",
        {
            "relations": [
                {"type": "dependsOn", "targetRef": "resource:default/payments-db"},
                {"type": "ownedBy", "targetRef": "group:default/team-a"},
                {"type": "partOf", "targetRef": "system:default/billing"},
                {"type": "providesApi", "targetRef": "api:default/payments-rest"},
            ]
        },
    ),
]


@pytest.mark.parametrize(("fields", "expected"), FIELDS_TABLE, ids=[f for f, _ in FIELDS_TABLE])
def test_fields_projection(catalog, api, fields, expected):
    listed = streamed(api.get(f"{BASE}/entities", {"filter": "metadata.name=payments-api", "fields": fields}))
    assert listed == [expected]
    queried = api.get(f"{BASE}/entities/by-query", {"filter": "metadata.name=payments-api", "fields": fields})
    assert queried.json()["items"] == [expected]


def test_fields_may_be_repeated(catalog, api):
    listed = streamed(
        api.get(f"{BASE}/entities?filter=metadata.name%3Dledger&fields=kind&fields=metadata.name")
    )
    assert listed == [{"kind": "Component", "metadata": {"name": "Ledger"}}]


def test_by_name_is_case_insensitive_and_404s_with_backstage_body(catalog, api):
    entity = api.get(f"{BASE}/entities/by-name/Component/default/LEDGER").json()
    assert entity["metadata"]["name"] == "Ledger"
    assert api.get(f"{BASE}/entities/by-name/component/shop/storefront").status_code == 200
    missing = api.get(f"{BASE}/entities/by-name/component/default/nope")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {
            "name": "NotFoundError",
            "message": "No entity named 'nope' found, with kind 'component' in namespace 'default'",
        },
        "request": {"method": "GET", "url": "/api/catalog/entities/by-name/component/default/nope"},
        "response": {"statusCode": 404},
    }


def test_by_name_accepts_dots_underscores_and_percent_encoding(write_yaml, api):
    register(
        write_yaml(
            "odd.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
            "metadata: {name: a.b_c-d}\nspec: {type: x, lifecycle: y, owner: z}\n",
        )
    )
    assert api.get(f"{BASE}/entities/by-name/component/default/a.b_c-d").status_code == 200
    assert api.get(f"{BASE}/entities/by-name/component/default/a%2Eb%5Fc-d").status_code == 200


def test_by_uid_get_and_delete(catalog, api):
    uid = entity_uid("component:default/ledger")
    assert api.get(f"{BASE}/entities/by-uid/{uid}").json()["metadata"]["name"] == "Ledger"
    assert api.get(f"{BASE}/entities/by-uid/{uuid.uuid4()}").status_code == 404
    assert api.get(f"{BASE}/entities/by-uid/not-a-uuid").status_code == 404
    response = api.delete(f"{BASE}/entities/by-uid/{uid}")
    assert response.status_code == 204 and response.content == b""
    assert not Entity.objects.filter(pk=uid).exists()
    assert api.get(f"{BASE}/entities/by-uid/{uid}").status_code == 404
    # Its location is due again, so a source that still has it brings it back (with a new uid).
    assert Location.objects.get(pk=catalog.pk).next_refresh_at is not None


def test_deleting_an_unknown_uid_is_still_204(catalog, api):
    assert api.delete(f"{BASE}/entities/by-uid/{uuid.uuid4()}").status_code == 204
    assert api.delete(f"{BASE}/entities/by-uid/whatever").status_code == 204


def test_ancestry_walks_up_to_the_registered_location(catalog, api):
    body = api.get(f"{BASE}/entities/by-name/component/default/ledger/ancestry").json()
    assert body["rootEntityRef"] == "component:default/ledger"
    chain = [(ref_of(item["entity"]), item["parentEntityRefs"]) for item in body["items"]]
    assert chain == [
        ("component:default/ledger", ["location:default/root"]),
        ("location:default/root", [catalog.entity_ref]),
        (catalog.entity_ref, []),
    ]
    assert api.get(f"{BASE}/entities/by-name/component/default/nope/ancestry").status_code == 404


def test_by_refs_keeps_the_order_and_nulls_the_missing(catalog, api):
    refs = [
        "component:default/ledger",
        "component:default/nope",
        "Component:Default/Payments-API",
        "group:default/team-a",
        "ledger",
    ]
    body = api.post(f"{BASE}/entities/by-refs", {"entityRefs": refs}, format="json").json()
    items = body["items"]
    assert len(items) == 5
    assert ref_of(items[0]) == "component:default/ledger" and items[1] is None
    assert ref_of(items[2]) == "component:default/payments-api" and ref_of(items[3]) == "group:default/team-a"
    assert items[4] is None


def test_by_refs_with_fields_filter_and_query(catalog, api):
    refs = ["component:default/ledger", "group:default/team-a", "component:shop/storefront"]
    body = api.post(
        f"{BASE}/entities/by-refs?filter=kind%3Dcomponent&fields=kind",
        {"entityRefs": refs, "fields": ["metadata.name"]},
        format="json",
    ).json()
    assert body["items"] == [
        {"kind": "Component", "metadata": {"name": "Ledger"}},
        None,
        {"kind": "Component", "metadata": {"name": "storefront"}},
    ]
    queried = api.post(
        f"{BASE}/entities/by-refs",
        {"entityRefs": refs, "query": {"metadata.namespace": "shop"}},
        format="json",
    ).json()
    assert [item is not None for item in queried["items"]] == [False, False, True]


def test_by_refs_answers_null_for_a_ref_that_joins_two_real_ones(catalog, api):
    refs = ["component:default/ledger\ngroup:default/team-a", "group:default/team-a"]
    items = api.post(f"{BASE}/entities/by-refs", {"entityRefs": refs}, format="json").json()["items"]
    assert items[0] is None and ref_of(items[1]) == "group:default/team-a"


@given(st.text(st.sampled_from("aB:/-.Z_ 0é"), max_size=14))
def test_by_refs_looks_up_each_ref_as_the_full_parser_would(text):
    """The shortcut that parses only ``kind:name`` refs agrees with parsing every ref."""
    try:
        expected = parse_entity_ref(text).canonical
    except InvalidRef:
        expected = text.lower()
    assert _lookup_ref(text) == expected


@pytest.mark.parametrize(
    "body", [{}, {"entityRefs": "component:default/a"}, {"entityRefs": [1]}, {"entityRefs": [], "query": "x"}]
)
def test_by_refs_needs_a_list_of_refs(catalog, api, body):
    response = api.post(f"{BASE}/entities/by-refs", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["name"] == "InputError"


def test_by_refs_handles_a_thousand_refs_in_one_query(catalog, api, django_assert_max_num_queries):
    refs = [f"component:default/n-{i}" for i in range(999)] + ["component:default/ledger"]
    with django_assert_max_num_queries(4):  # token, policy rules (then cached), refs
        items = api.post(f"{BASE}/entities/by-refs", {"entityRefs": refs}, format="json").json()["items"]
    assert items[-1]["metadata"]["name"] == "Ledger" and items.count(None) == 999


def test_served_entities_are_compact_json_as_backstage_writes_them(catalog, api):
    raw = body(api.get(f"{BASE}/entities/by-name/component/default/ledger")).decode()
    assert raw == json.dumps(json.loads(raw), separators=(",", ":"))
    listed = body(api.get(f"{BASE}/entities")).decode()
    assert listed == json.dumps(json.loads(listed), separators=(",", ":"))


def test_entities_that_never_processed_are_invisible(write_yaml, api):
    register(
        write_yaml(
            "bad.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: bad}\n"
            "spec: {type: service}\n",
        )
    )
    assert refs_of(streamed(api.get(f"{BASE}/entities"))) == {Location.objects.get().entity_ref}
    assert api.get(f"{BASE}/entities/by-name/component/default/bad").status_code == 404
