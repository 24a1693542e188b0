"""Facet counts and totalItems are remembered, and forgotten the moment entities or permissions change."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from catalog.models import Entity
from catalog.result_cache import catalog_version
from permissions.models import EntityUserObjectPermission, PolicyRule
from tests.api.conftest import register
from tokens.models import ApiToken

pytestmark = pytest.mark.django_db

FACETS = "/api/catalog/entity-facets"
QUERY = "/api/catalog/entities/by-query"
MORE = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: extra}
spec: {type: service, lifecycle: production, owner: team-a}
"""


def kinds(client: APIClient) -> dict[str, int]:
    body = client.get(FACETS, {"facet": "kind"}).json()
    return {bucket["value"]: bucket["count"] for bucket in body["facets"]["kind"]}


def reader_of_kind(kind: str, django_user_model) -> tuple[PolicyRule, APIClient]:
    """ "Everyone reads" off, and a client for user ``reader``, whom one rule lets read entities of ``kind``."""
    PolicyRule.objects.filter(name="everyone-reads-the-catalog").update(enabled=False)
    rule = PolicyRule.objects.create(
        name=f"reader-reads-{kind}",
        permissions=["catalog.entity.read"],
        subject=PolicyRule.Subject.USER,
        subject_value="reader",
        condition=PolicyRule.Condition.KIND,
        condition_value=kind,
    )
    _row, token = ApiToken.issue("reader", user=django_user_model.objects.create_user("reader"))
    return rule, APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_repeated_facets_request_is_answered_without_counting_again(catalog, api):
    kinds(api)
    with CaptureQueriesContext(connection) as first:
        kinds(api)
    assert not [q for q in first.captured_queries if "catalog_searchrow" in q["sql"]]


def test_facets_and_totals_follow_new_and_deleted_entities(catalog, api, write_yaml):
    before = kinds(api)
    total = api.get(QUERY, {"limit": 1}).json()["totalItems"]

    register(write_yaml("more.yaml", MORE))
    assert kinds(api)["Component"] == before["Component"] + 1
    assert api.get(QUERY, {"limit": 1}).json()["totalItems"] == total + 2  # the component and its Location

    uid = Entity.objects.get(ref="component:default/extra").pk
    assert api.delete(f"/api/catalog/entities/by-uid/{uid}").status_code == 204
    assert kinds(api)["Component"] == before["Component"]
    assert api.get(QUERY, {"limit": 1}).json()["totalItems"] == total + 1


def test_what_a_reader_counts_follows_its_grants(catalog, django_user_model):
    for rule in PolicyRule.objects.filter(name="everyone-reads-the-catalog"):
        rule.enabled = False
        rule.save()
    reader = django_user_model.objects.create_user("reader")
    _row, token = ApiToken.issue("reader", user=reader)
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert kinds(client) == {}
    assert client.get(QUERY, {"limit": 1}).json()["totalItems"] == 0

    assign_perm("catalog.view_entity", reader, Entity.objects.get(ref="component:default/ledger"))
    assert EntityUserObjectPermission.objects.filter(user=reader).exists()
    assert kinds(client) == {"Component": 1}
    assert client.get(QUERY, {"limit": 1}).json()["totalItems"] == 1


@pytest.mark.django_db(transaction=True)
def test_the_catalog_version_moves_when_a_write_commits_and_not_on_reads(catalog, api, write_yaml):
    committed = int(catalog_version().split(".")[0])
    kinds(api)
    api.get(QUERY, {"limit": 5})
    assert int(catalog_version().split(".")[0]) == committed
    register(write_yaml("more.yaml", MORE))
    assert int(catalog_version().split(".")[0]) > committed


def test_remembered_facets_are_kept_apart_by_caller_and_filter(catalog, api, django_user_model):
    everything = kinds(api)
    components = api.get(FACETS, {"facet": "kind", "filter": "kind=component"}).json()["facets"]["kind"]
    assert [bucket["value"] for bucket in components] == ["Component"]
    assert len(everything) > 1

    _rule, narrowed = reader_of_kind("api", django_user_model)  # saving a rule moves the version
    assert kinds(narrowed) == {"API": everything["API"]}
    assert kinds(api) == everything  # the admin's token still counts everything, same filter, same version


def test_the_narrowing_built_once_is_handed_out_as_independent_querysets(catalog, rf, django_user_model):
    from catalog.api.visibility import visible_entities

    request = rf.get("/")
    request.user = django_user_model.objects.create_user("viewer")
    first = visible_entities(request)
    total = first.count()
    assert visible_entities(request).filter(kind="Component").count() < total
    assert first.count() == visible_entities(request).count() == total


def test_a_rule_changed_elsewhere_narrows_once_this_process_rereads_the_rules(catalog, django_user_model):
    """Without a shared cache, another process's rule change arrives when the rules expire here, with the
    permissions version unchanged: neither the built narrowing nor remembered facets may outlive it."""
    from django.core.cache import cache

    from permissions import cache as permission_cache

    rule, client = reader_of_kind("api", django_user_model)
    apis = kinds(client)
    assert list(apis) == ["API"]
    assert {e["kind"] for e in client.get("/api/catalog/entities").json()} == {"API"}

    PolicyRule.objects.filter(pk=rule.pk).update(condition_value="component")  # no signal: no new version
    key = f"greenroom:permissions:{permission_cache.version()}:rules"
    cache.delete(key)
    permission_cache._decoded.pop(key, None)  # as when this process's copy of the rules expires

    assert list(kinds(client)) == ["Component"]
    assert {e["kind"] for e in client.get("/api/catalog/entities").json()} == {"Component"}


def test_the_narrowing_written_out_once_follows_grants_in_every_list(catalog, django_user_model):
    """by-refs, /entities and by-query pages read the narrowing as a clause compiled once per caller; a
    grant made afterwards widens all three even when nothing tells this process (the grants are
    subqueries of the clause), and another caller's narrowing is its own."""
    from django.contrib.auth.models import Permission

    from catalog.api.visibility import visible_where
    from permissions import cache as permission_cache
    from permissions.principal import principal_for_user

    _rule, client = reader_of_kind("api", django_user_model)
    reader = django_user_model.objects.get(username="reader")
    assert visible_where(principal_for_user(reader)) is visible_where(principal_for_user(reader))
    ledger, api = "component:default/ledger", "api:default/payments-rest"

    def seen() -> tuple[list[str | None], set[str], set[str]]:
        items = client.post("/api/catalog/entities/by-refs", {"entityRefs": [ledger, api]}, format="json")
        by_refs = [item and item["metadata"]["name"] for item in items.json()["items"]]
        listed = {e["metadata"]["name"] for e in client.get("/api/catalog/entities").json()}
        paged: set[str] = set()
        page = client.get(QUERY, {"limit": 1, "orderField": "metadata.name,asc"}).json()
        while True:
            paged |= {e["metadata"]["name"] for e in page["items"]}
            if "nextCursor" not in page["pageInfo"]:
                return by_refs, listed, paged
            page = client.get(QUERY, {"cursor": page["pageInfo"]["nextCursor"]}).json()

    assert seen() == ([None, "payments-rest"], {"payments-rest"}, {"payments-rest"})
    compiled, version = visible_where(principal_for_user(reader)), permission_cache.version()
    # As a grant made by another process looks from here: no signal, so no new permissions version.
    EntityUserObjectPermission.objects.bulk_create(
        [
            EntityUserObjectPermission(
                user=reader,
                permission=Permission.objects.get(content_type__app_label="catalog", codename="view_entity"),
                content_object=Entity.objects.get(ref=ledger),
            )
        ]
    )
    assert permission_cache.version() == version
    assert visible_where(principal_for_user(reader)) is compiled
    both = {"Ledger", "payments-rest"}
    assert seen() == (["Ledger", "payments-rest"], both, both)

    other = django_user_model.objects.create_user("other")
    assert visible_where(principal_for_user(other)) != visible_where(principal_for_user(reader))
