"""The ``filter=`` semantics of spec §4.2 and the JSON predicates of §4.3, as a table each."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import Entity
from catalog.query import SearchMatch, entity_filter_q, entity_filter_sql
from tests.api.conftest import refs_of
from tests.http import body

pytestmark = pytest.mark.django_db

COMPONENTS = {"component:default/payments-api", "component:default/ledger", "component:shop/storefront"}
OWNED_BY_TEAM_A = {
    "component:default/payments-api",
    "component:shop/storefront",
    "api:default/payments-rest",
    "resource:default/payments-db",
    "system:default/billing",
}

# (filter params, refs expected) — each param is one filter set.
FILTER_TABLE = [
    (["kind=component"], COMPONENTS),
    (["kind=Component"], COMPONENTS),
    (["KIND=COMPONENT"], COMPONENTS),
    (["kind=component,spec.type=service"], {"component:default/payments-api", "component:default/ledger"}),
    (["kind=api", "kind=resource"], {"api:default/payments-rest", "resource:default/payments-db"}),
    (["kind=api,kind=resource"], {"api:default/payments-rest", "resource:default/payments-db"}),
    (["kind=api,kind=resource,metadata.name=payments-db"], {"resource:default/payments-db"}),
    (["metadata.tags"], {"component:default/payments-api", "component:default/ledger"}),
    (["metadata.tags=java"], {"component:default/ledger"}),
    (["metadata.tags=JAVA"], {"component:default/ledger"}),
    (["metadata.tags.java"], {"component:default/ledger"}),
    (["metadata.tags.python=true"], {"component:default/payments-api"}),
    (["metadata.labels.tier="], {"component:shop/storefront"}),
    (["metadata.labels.tier"], {"component:default/payments-api", "component:shop/storefront"}),
    (["spec.replicas=3"], {"component:default/payments-api"}),
    (["spec.public=true"], {"component:default/payments-api"}),
    (["spec.public=TRUE"], {"component:default/payments-api"}),
    (["relations.ownedBy=group:default/team-a"], OWNED_BY_TEAM_A),
    (["relations.ownedby=GROUP:default/team-b"], {"component:default/ledger"}),
    (["relations.memberof"], {"user:default/alice"}),
    (["relations.hasMember=user:default/alice"], {"group:default/team-a"}),
    (["relations.dependencyOf=component:default/payments-api"], {"resource:default/payments-db"}),
    (["relations.childOf=group:default/team-a"], {"group:default/team-b"}),
    (["metadata.namespace=shop"], {"component:shop/storefront"}),
    (["metadata.name=ledger"], {"component:default/ledger"}),
    ([" kind = component , , spec.lifecycle=experimental "], {"component:default/ledger"}),
    (["kind=nothing"], set()),
    (["metadata.annotations.backstage.io/techdocs-ref=dir:."], {"component:default/payments-api"}),
    (["spec.definition=openapi: 3.0.0"], {"api:default/payments-rest"}),
    (["metadata.title=payments api"], {"component:default/payments-api"}),
    (["metadata.title=payments"], set()),  # exact, no wildcard
    (["kind=component", "metadata.tags=java,kind=component"], COMPONENTS),
]


def get_refs(api, filters: list[str]) -> set[str]:
    query = urlencode([("filter", f) for f in filters])
    response = api.get(f"/api/catalog/entities?{query}")
    assert response.status_code == 200
    return refs_of(json.loads(body(response)))


@pytest.mark.parametrize(("filters", "expected"), FILTER_TABLE, ids=[" & ".join(f) for f, _ in FILTER_TABLE])
def test_filter_semantics(catalog, api, filters, expected):
    assert get_refs(api, filters) == expected


def test_an_empty_filter_selects_everything(catalog, api):
    everything = get_refs(api, [])
    assert len(everything) == 11
    assert get_refs(api, [""]) == everything
    assert get_refs(api, [" , "]) == everything


@pytest.mark.parametrize("bad", ["=x", "kind=a,=b", " =component"])
def test_a_statement_without_a_key_is_an_input_error(catalog, api, bad):
    response = api.get("/api/catalog/entities", {"filter": bad})
    assert response.status_code == 400
    assert response.json()["error"]["name"] == "InputError"


# (predicate, refs expected) for POST /entities/by-query.
PREDICATE_TABLE = [
    ({"kind": "component"}, COMPONENTS),
    ({"kind": "COMPONENT"}, COMPONENTS),
    ({"Kind": "component"}, COMPONENTS),
    ({"kind": {"$in": ["API", "resource"]}}, {"api:default/payments-rest", "resource:default/payments-db"}),
    ({"kind": {"$in": []}}, set()),
    ({"kind": "component", "metadata.namespace": "shop"}, {"component:shop/storefront"}),
    (
        {"$all": [{"kind": "component"}, {"spec.lifecycle": "production"}]},
        {"component:default/payments-api", "component:shop/storefront"},
    ),
    (
        {"$any": [{"kind": "api"}, {"metadata.name": "ledger"}]},
        {"api:default/payments-rest", "component:default/ledger"},
    ),
    (
        {"$not": {"kind": {"$in": ["component", "location", "group", "user"]}}},
        {"api:default/payments-rest", "resource:default/payments-db", "system:default/billing"},
    ),
    ({"$all": [{"kind": "component"}, {"$not": {"spec.type": "service"}}]}, {"component:shop/storefront"}),
    ({"$any": []}, set()),
    ({"$not": {"$all": []}}, set()),
    (
        {"kind": "component", "metadata.tags": {"$exists": True}},
        {"component:default/payments-api", "component:default/ledger"},
    ),
    ({"kind": "component", "metadata.tags": {"$exists": False}}, {"component:shop/storefront"}),
    (
        {"metadata.name": {"$hasPrefix": "PAY"}},
        {"component:default/payments-api", "api:default/payments-rest", "resource:default/payments-db"},
    ),
    ({"metadata.name": {"$hasPrefix": "pay_"}}, set()),
    ({"metadata.name": {"$hasPrefix": "%"}}, set()),
    ({"metadata.tags": {"$contains": "java"}}, {"component:default/ledger"}),
    (
        {"relations": {"$contains": {"type": "ownedBy", "targetRef": "group:default/team-b"}}},
        {"component:default/ledger"},
    ),
    (
        {
            "relations": {
                "$contains": {
                    "type": "ownedBy",
                    "targetRef": {"$in": ["group:default/team-b", "GROUP:default/team-a"]},
                }
            }
        },
        OWNED_BY_TEAM_A | {"component:default/ledger"},
    ),
    ({"relations": {"$contains": {"type": "memberOf"}}}, {"user:default/alice"}),
    ({"spec.replicas": 3}, {"component:default/payments-api"}),
    ({"spec.replicas": 3.0}, {"component:default/payments-api"}),
    ({"spec.replicas": "3"}, {"component:default/payments-api"}),
    ({"spec.public": True}, {"component:default/payments-api"}),
    ({"spec.public": {"$in": [True, "x"]}}, {"component:default/payments-api"}),
]


def query_refs(api, predicate) -> set[str]:
    response = api.post("/api/catalog/entities/by-query", {"query": predicate, "limit": 100}, format="json")
    assert response.status_code == 200, response.json()
    return refs_of(response.json()["items"])


@pytest.mark.parametrize(("predicate", "expected"), PREDICATE_TABLE, ids=[str(p) for p, _ in PREDICATE_TABLE])
def test_predicate_semantics(catalog, api, predicate, expected):
    assert query_refs(api, predicate) == expected


@pytest.mark.parametrize("empty", [{}, {"$all": []}])
def test_an_empty_predicate_is_true(catalog, api, empty):
    assert len(query_refs(api, empty)) == 11


BAD_PREDICATES = [
    "component",
    3,
    True,
    [],
    {"$foo": 1},
    {"kind": {"$regex": "x"}},
    {"kind": None},
    {"kind": ["component"]},
    {"kind": {"$in": "component"}},
    {"kind": {"$in": [{"a": 1}]}},
    {"kind": {"$exists": "yes"}},
    {"kind": {"$hasPrefix": 3}},
    {"kind": {"$in": ["a"], "$exists": True}},
    {"$all": "x"},
    {"$any": {"kind": "a"}},
    {"$not": "x"},
    {"$all": ["component"]},
    {"relations": {"$contains": {"type": "ownedBy", "targetRef": {"$in": []}}}},
    {"relations": {"$contains": {"targetRef": "group:default/a"}}},
    {"metadata.tags": {"$contains": {"type": "x"}}},
]


@pytest.mark.parametrize("predicate", BAD_PREDICATES, ids=[str(p) for p in BAD_PREDICATES])
def test_a_malformed_predicate_is_an_input_error(catalog, api, predicate):
    response = api.post("/api/catalog/entities/by-query", {"query": predicate}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["name"] == "InputError"
    assert body["response"] == {"statusCode": 400}


def test_filters_never_load_the_catalog_into_python(catalog, api, django_assert_max_num_queries):
    """One query for the page and one for the total, whatever the number of filter leaves."""
    predicate = {
        "$any": [
            {"kind": "component"},
            {"$not": {"metadata.tags": {"$exists": True}}},
            {"relations": {"$contains": {"type": "ownedBy"}}},
        ]
    }
    # token lookup and touch, policy rules (all three then remembered), catalog version, count, page
    with django_assert_max_num_queries(6):
        response = api.post("/api/catalog/entities/by-query", {"query": predicate}, format="json")
    assert response.status_code == 200


KEYS = ["kind", "spec.type", "metadata.tags", "metadata.namespace", "relations.ownedBy", "spec.nope"]
VALUES = ["component", "API", "service", "java", "shop", "group:default/team-a", "", "nothing"]
leaves = st.builds(
    lambda key, values: {"key": key, **({"values": values} if values is not None else {})},
    st.sampled_from(KEYS),
    st.none() | st.lists(st.sampled_from(VALUES), max_size=3),
)
entity_filters = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda f: {"not": f}, inner),
        st.builds(lambda fs: {"anyOf": fs}, st.lists(inner, max_size=3)),
        st.builds(lambda fs: {"allOf": fs}, st.lists(inner, max_size=3)),
    ),
    max_leaves=6,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(entity_filter=entity_filters)
def test_the_written_out_filter_selects_what_the_orm_filter_selects(catalog, entity_filter):
    """``entity_filter_sql`` (the hand-written statements) and ``entity_filter_q`` (the ORM) agree."""
    served = Entity.objects.filter(final__isnull=False)
    by_orm = set(served.filter(entity_filter_q(entity_filter)).values_list("ref", flat=True))
    table = connection.ops.quote_name(Entity._meta.db_table)
    sql, params = entity_filter_sql(entity_filter, table, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ref FROM {table} WHERE final IS NOT NULL AND ({sql})", params)
        written_out = {row[0] for row in cursor.fetchall()}
    assert written_out == by_orm


def test_kind_read_from_the_entity_row_selects_what_its_search_rows_select(catalog):
    """Filters match ``kind`` on the entity's own row (``query.KIND_KEY``), not on the search table: the
    same entities, for every kind the catalog holds, however the filter spells it."""
    served = Entity.objects.filter(final__isnull=False)
    kinds = set(served.values_list("kind", flat=True))
    assert len(kinds) > 3
    for kind in kinds:
        for spelled in (kind, kind.lower(), kind.upper()):
            by_row = set(
                served.filter(entity_filter_q({"key": "kind", "values": [spelled]})).values_list(
                    "ref", flat=True
                )
            )
            by_search_rows = set(
                served.filter(SearchMatch(["kind"], [spelled.lower()])).values_list("ref", flat=True)
            )
            assert by_row == by_search_rows != set(), spelled
