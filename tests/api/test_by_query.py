"""``/entities/by-query``: cursors that neither skip nor repeat, totals, ordering, full text, Port's loop."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest

from tests.api.conftest import ref_of, refs_of, register

pytestmark = pytest.mark.django_db

URL = "/api/catalog/entities/by-query"


def components(names: list[str], **spec: str) -> str:
    extra = "".join(f", {k}: {v}" for k, v in spec.items())
    return "---\n".join(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: {name}}}\nspec: {{type: service, lifecycle: production, owner: team-x{extra}}}\n"
        for name in names
    )


@pytest.fixture
def many(write_yaml):
    """45 components c-00 … c-44 in one file; returns a function that rewrites the file and refreshes."""
    path = write_yaml("many.yaml", components([f"c-{i:02d}" for i in range(45)]))
    location = register(path)

    def rewrite(names: list[str]) -> None:
        path.write_text(components(names))
        register(path)

    rewrite.location = location  # type: ignore[attr-defined]
    return rewrite


def walk(api, params: dict, *, between=None) -> list[dict]:
    """Follow nextCursor like Port Ocean: every request repeats limit and filter."""
    pages, cursor = [], None
    for _ in range(100):
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = api.get(f"{URL}?{urlencode(query, doseq=True)}")
        assert response.status_code == 200, response.json()
        body = response.json()
        pages.append(body)
        cursor = body["pageInfo"].get("nextCursor")
        if not cursor:
            return pages
        if between:
            between(len(pages))
    raise AssertionError("cursor loop did not end")


def test_port_ocean_reads_every_entity_exactly_once(many, api):
    pages = walk(api, {"limit": 20, "filter": "kind=component"})
    names = [e["metadata"]["name"] for page in pages for e in page["items"]]
    assert len(names) == 45 and len(set(names)) == 45
    assert [len(p["items"]) for p in pages] == [20, 20, 5]
    assert all(p["totalItems"] == 45 for p in pages)
    assert "prevCursor" not in pages[0]["pageInfo"]
    assert "nextCursor" not in pages[-1]["pageInfo"] and "prevCursor" in pages[-1]["pageInfo"]
    for entity in (e for page in pages for e in page["items"]):
        assert {"namespace", "uid", "etag", "name"} <= set(entity["metadata"])
        assert isinstance(entity["relations"], list)


@pytest.mark.parametrize("kind", ["component", "Component", "COMPONENT"])
def test_the_kind_filter_is_case_insensitive_for_port(many, api, kind):
    pages = walk(api, {"limit": 20, "filter": f"kind={kind}"})
    assert sum(len(p["items"]) for p in pages) == 45


def test_a_cursor_ignores_filters_sent_with_it(many, catalog, api):
    first = api.get(URL, {"limit": 5, "filter": "kind=component"}).json()
    cursor = first["pageInfo"]["nextCursor"]
    with_other = api.get(
        URL,
        {
            "limit": 5,
            "filter": "kind=group",
            "orderField": "nope,sideways",
            "fullTextFilterTerm": "zzz",
            "cursor": cursor,
        },
    ).json()
    plain = api.get(URL, {"limit": 5, "cursor": cursor}).json()
    assert with_other == plain
    assert all(e["kind"] == "Component" for e in plain["items"])


@pytest.mark.parametrize("order", [None, "metadata.name,asc", "metadata.name,desc"])
def test_entities_added_and_removed_between_pages_neither_skip_nor_repeat_the_others(many, api, order):
    original = {f"c-{i:02d}" for i in range(45)}
    params = {"limit": 7, "filter": "kind=component"}
    if order:
        params["orderField"] = order

    def churn(page_number: int) -> None:
        # New entities sort everywhere (before, inside and after the cursor); one not yet read is removed.
        names = sorted(original - {"c-40"}) + [f"c-{i:02d}x" for i in range(page_number * 5)] + ["a-0", "z-9"]
        many(names)

    pages = walk(api, params, between=churn)
    names = [e["metadata"]["name"] for page in pages for e in page["items"]]
    assert len(names) == len(set(names)), "an entity was repeated"
    assert original - {"c-40"} <= set(names), "an entity present throughout was skipped"
    if order:
        expected = sorted(names, reverse=order.endswith("desc"))
        assert names == expected


def test_order_field_sorts_and_excludes_entities_without_the_field(catalog, api):
    body = api.get(URL, {"orderField": "metadata.title,desc"}).json()
    assert [e["metadata"]["title"] for e in body["items"]] == ["Team A", "Payments API"]
    assert body["totalItems"] == 2
    asc = api.get(URL, {"orderField": "metadata.name", "filter": "kind=component"}).json()
    assert [e["metadata"]["name"] for e in asc["items"]] == ["Ledger", "payments-api", "storefront"]


def test_previous_cursors_walk_back_over_the_same_pages(many, api):
    pages = walk(api, {"limit": 10, "orderField": "metadata.name,asc"})
    assert len(pages) == 5
    back = api.get(URL, {"cursor": pages[-1]["pageInfo"]["prevCursor"], "limit": 10}).json()
    assert back["items"] == pages[-2]["items"]
    assert "nextCursor" in back["pageInfo"] and "prevCursor" in back["pageInfo"]
    first = pages[1]["pageInfo"]["prevCursor"]
    again = api.get(URL, {"cursor": first, "limit": 10}).json()
    assert again["items"] == pages[0]["items"]
    assert "prevCursor" not in again["pageInfo"]


def test_defaults_limit_offset_and_zero_limit(many, api):
    everything = api.get(URL).json()
    assert len(everything["items"]) == 45 + 1  # the generated Location entity too
    assert everything["pageInfo"] == {}
    offset = api.get(URL, {"limit": 5, "offset": 40, "filter": "kind=component"}).json()
    assert len(offset["items"]) == 5 and "nextCursor" not in offset["pageInfo"]
    zero = api.get(URL, {"limit": 0, "filter": "kind=component"}).json()
    assert zero == {"items": [], "totalItems": 45, "pageInfo": {}}


def test_default_limit_is_200(write_yaml, api):
    register(write_yaml("lots.yaml", components([f"n-{i:03d}" for i in range(205)])))
    body = api.get(URL, {"filter": "kind=component"}).json()
    assert len(body["items"]) == 200 and body["totalItems"] == 205 and "nextCursor" in body["pageInfo"]


def test_total_items_can_be_excluded(many, api):
    body = api.get(URL, {"limit": 10, "totalItems": "exclude"}).json()
    assert body["totalItems"] == 0 and len(body["items"]) == 10
    assert api.get(URL, {"totalItems": "maybe"}).status_code == 400


def test_full_text_filter(catalog, api):
    body = api.get(
        URL, {"fullTextFilterTerm": " PAYMENTS ", "fullTextFilterFields": "metadata.name,spec.type"}
    ).json()
    assert refs_of(body["items"]) == {
        "component:default/payments-api",
        "api:default/payments-rest",
        "resource:default/payments-db",
    }
    by_sort_field = api.get(URL, {"fullTextFilterTerm": "web", "orderField": "spec.type"}).json()
    assert refs_of(by_sort_field["items"]) == {"component:shop/storefront"}
    split = api.get(
        URL,
        [
            ("fullTextFilterTerm", "ledger"),
            ("fullTextFilterFields", "metadata.title"),
            ("fullTextFilterFields", "metadata.name"),
        ],
    ).json()
    assert refs_of(split["items"]) == {"component:default/ledger"}
    wildcard = api.get(URL, {"fullTextFilterTerm": "%", "fullTextFilterFields": "metadata.name"}).json()
    assert wildcard["items"] == []


def test_cursors_are_base64_json_with_backstage_keys(many, api):
    body = api.get(URL, {"limit": 5, "filter": "kind=component"}).json()
    cursor = json.loads(base64.b64decode(body["pageInfo"]["nextCursor"]))
    assert {"orderFields", "orderFieldValues", "isPrevious", "filter", "totalItems"} <= set(cursor)
    assert "query" not in cursor  # catalog-client would switch to POST
    posted = api.post(URL, {"query": {"kind": "component"}, "limit": 5}, format="json").json()
    cursor = json.loads(base64.b64decode(posted["pageInfo"]["nextCursor"]))
    assert cursor["query"] == {"kind": "component"}


def test_post_walks_with_query_cursor_and_both_methods_accept_it(many, api):
    body = api.post(
        URL,
        {
            "query": {"kind": "component"},
            "limit": 20,
            "orderBy": [{"field": "metadata.name", "order": "desc"}],
        },
        format="json",
    ).json()
    names = [e["metadata"]["name"] for e in body["items"]]
    cursor = body["pageInfo"]["nextCursor"]
    via_post = api.post(URL, {"cursor": cursor, "limit": 20}, format="json").json()
    via_get = api.get(URL, {"cursor": cursor, "limit": 20}).json()
    assert via_post == via_get
    names += [e["metadata"]["name"] for e in via_post["items"]]
    last = api.post(URL, {"cursor": via_post["pageInfo"]["nextCursor"], "limit": 20}, format="json").json()
    names += [e["metadata"]["name"] for e in last["items"]]
    assert names == sorted((f"c-{i:02d}" for i in range(45)), reverse=True)


def test_post_full_text_fields_offset_and_total(catalog, api):
    body = api.post(
        URL,
        {
            "fullTextFilter": {"term": "team", "fields": ["metadata.title", "metadata.name"]},
            "fields": ["kind", "metadata.name"],
            "offset": 1,
            "totalItems": "include",
        },
        format="json",
    ).json()
    assert body["totalItems"] == 2
    assert len(body["items"]) == 1 and set(body["items"][0]) == {"kind", "metadata"}


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": ""},
        {"cursor": "not base64!"},
        {"cursor": base64.b64encode(b"[1,2]").decode()},
        {"cursor": base64.b64encode(b'{"orderFields": "x"}').decode()},
        {"cursor": base64.b64encode(b'{"orderFieldValues": ["not-a-uuid"]}').decode()},
        {"limit": "ten"},
        {"limit": "-1"},
        {"limit": "1.5"},
        {"offset": "-3"},
        {"orderField": "metadata.name,sideways"},
        {"fields": "metadata.tags[0]"},
        {"filter": "=x"},
    ],
)
def test_bad_parameters_are_input_errors(catalog, api, params):
    response = api.get(URL, params)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["name"] == "InputError"


def test_a_parameter_sent_twice_where_one_is_expected_is_an_input_error(catalog, api):
    assert api.get(f"{URL}?limit=1&limit=2").status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"cursor": 12},
        {"limit": "x"},
        {"orderBy": [{"field": "kind", "order": "up"}]},
        {"fullTextFilter": "x"},
        {"fields": "kind"},
    ],
)
def test_bad_post_bodies_are_input_errors(catalog, api, body):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["name"] == "InputError"


def test_items_are_the_served_entities(catalog, api):
    item = api.get(URL, {"filter": "metadata.name=payments-api"}).json()["items"][0]
    assert ref_of(item) == "component:default/payments-api"
    assert item["relations"][0] == {"type": "dependsOn", "targetRef": "resource:default/payments-db"}


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 7, "orderField": "metadata.name,asc"},
        {"limit": 7, "orderField": "metadata.name,desc", "filter": "kind=component"},
        {"limit": 5, "fullTextFilterTerm": "c-1", "fullTextFilterFields": "metadata.name"},
        {"limit": 6},
        {"limit": 4, "orderField": "spec.lifecycle,asc", "offset": 3},
    ],
)
def test_the_written_out_statement_pages_exactly_as_the_orm_composition(many, api, monkeypatch, params):
    """Every page, both directions: the hand-written page statement and the ORM-composed one agree."""
    from catalog.api import entity_pages

    def walk_both_ways() -> list[list[str]]:
        forward = walk(api, params)
        backward, cursor = [], forward[-1]["pageInfo"].get("prevCursor")
        while cursor:
            body = api.get(f"{URL}?{urlencode({'limit': params['limit'], 'cursor': cursor})}").json()
            backward.append(body)
            cursor = body["pageInfo"].get("prevCursor")
        return [
            [e["metadata"]["name"] for e in page["items"]] + [page["totalItems"]]
            for page in forward + backward
        ]

    written_out = walk_both_ways()
    monkeypatch.setattr(entity_pages.Where, "of", classmethod(lambda cls, queryset: None))
    composed = walk_both_ways()
    assert written_out == composed
    assert len(written_out) > 1


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_pages_by_name_follow_the_lower_cased_name_on_both_statements(write_yaml, api, monkeypatch, order):
    """The name order reads the entity's own column; the search table's lower-cased values order alike."""
    from catalog.api import entity_pages

    names = ["Zeta", "alpha", "Beta", "beta-2", "GAMMA", "delta", "Epsilon"]
    register(write_yaml("mixed.yaml", components(names)))
    params = {"limit": 2, "orderField": f"metadata.name,{order}", "filter": "kind=component"}

    def names_walked() -> list[str]:
        return [e["metadata"]["name"] for page in walk(api, params) for e in page["items"]]

    expected = sorted(names, key=str.lower, reverse=order == "desc")
    assert names_walked() == expected
    monkeypatch.setattr(entity_pages.Where, "of", classmethod(lambda cls, queryset: None))
    assert names_walked() == expected
