"""A location's new entities are inserted once, already in their served form, with all their search rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Entity, SearchRow
from catalog.search_index import build_search_entries, document_search_entries, relation_search_entries
from catalog.services import refresh_location, register_location
from catalog.stitching import build_final, complete_final, served_base, stitch

pytestmark = pytest.mark.django_db


def component(name: str, owner: str, *, depends_on: str = "") -> str:
    depends = f"  dependsOn: [{depends_on}]\n" if depends_on else ""
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata:\n  name: {name}\n  tags: [java]\n  annotations:\n    backstage.io/view-url: 'javascript:x'\n"
        f"spec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n{depends}"
    )


@pytest.fixture
def catalog(write_yaml):
    """Components first, their owner group in a later file: its ``ownerOf`` side is known only at the end."""
    write_yaml("a.yaml", component("billing", "team-a") + "---\n" + component("ledger", "team-a"))
    write_yaml("b.yaml", component("payouts", "team-a", depends_on="component:billing"))
    write_yaml(
        "c.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n",
    )
    return write_yaml(
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: all}\n"
        "spec: {targets: [./a.yaml, ./b.yaml, ./c.yaml]}\n",
    )


def test_new_entities_are_written_once_and_served_as_a_restitch_would_serve_them(catalog, monkeypatch):
    monkeypatch.setattr("catalog.services.refresh.FLUSH_SIZE", 1)  # one batch a file, staged apart
    location, _ = register_location("file", str(catalog))
    with CaptureQueriesContext(connection) as queries:
        summary = refresh_location(location.pk)
    assert summary is not None and summary.added == 6
    writes = [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "catalog_entity" in q["sql"]]
    assert writes == [], "no entity is updated after its insert"

    served = {ref: (final, etag) for ref, final, etag in Entity.objects.values_list("ref", "final", "etag")}
    team = served["group:default/team-a"][0]
    assert {r["targetRef"] for r in team["relations"] if r["type"] == "ownerOf"} == {
        "component:default/billing",
        "component:default/ledger",
        "component:default/payouts",
    }
    billing = served["component:default/billing"][0]
    assert {"type": "dependencyOf", "targetRef": "component:default/payouts"} in billing["relations"]
    assert billing["metadata"]["annotations"]["backstage.io/view-url"].startswith("https://backstage.io/")
    assert billing["metadata"]["etag"] == served["component:default/billing"][1]

    rows = SearchRow.objects.filter(entity__ref="group:default/team-a").values_list("key", "value")
    search = set(rows)
    assert ("relations.ownerof", "component:default/ledger") in search
    assert ("metadata.uid", str(Entity.objects.get(ref="group:default/team-a").pk)) in search

    # Stitching them again finds every served form and search row already right.
    assert stitch(served) == 0


def test_document_then_relation_entries_are_the_full_search_entries():
    processed = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "Billing", "tags": ["java", "Java"], "annotations": {"a/b": "C"}},
        "spec": {"type": "service", "owner": "team-a", "relations": ["x"], "dependsOn": ["component:ledger"]},
    }
    relations = [("ownedBy", "group:default/team-a"), ("dependsOn", "component:default/ledger")]
    final = build_final("uid-1", processed, relations, orphan=False, errors=[])
    base = served_base("uid-1", processed, orphan=False)
    parts = document_search_entries(base)
    assert complete_final(base, relations, []) == final
    assert parts + relation_search_entries(final["relations"]) == build_search_entries(final)
