"""Refreshing skips files that have not changed since their entities were processed, and writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import walker
from catalog.models import CatalogError, Entity
from catalog.services import refresh, refresh_location, register_location

pytestmark = pytest.mark.django_db

LIST = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: root}\nspec: {targets: [./a.yaml, ./b.yaml]}\n"


def component(name: str, owner: str = "team-a") -> str:
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The targets of the files the walk parses, in order."""
    calls: list[str] = []
    original = walker.process_file

    def spy(type_, target, *args):
        calls.append(target.rsplit("/", 1)[-1])
        return original(type_, target, *args)

    monkeypatch.setattr(walker, "process_file", spy)
    monkeypatch.setattr(refresh, "process_file", spy)
    return calls


def register(path):
    location, _ = register_location("file", str(path))
    refresh_location(location.pk)
    return location


def served() -> dict[str, tuple]:
    return {e.ref: (e.etag, e.generation, e.updated_at, e.final) for e in Entity.objects.all()}


def test_an_unchanged_refresh_parses_no_file_and_writes_nothing(write_yaml, parsed):
    root = write_yaml("root.yaml", LIST)
    write_yaml("a.yaml", component("billing") + "---\n" + component("ledger"))
    write_yaml("b.yaml", component("payouts"))
    location = register(root)
    before = served()
    parsed.clear()

    with CaptureQueriesContext(connection) as queries:
        summary = refresh_location(location.pk)

    assert parsed == []
    assert (summary.unchanged, summary.added, summary.updated, summary.orphaned) == (5, 0, 0, 0)
    written = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert not [sql for sql in written if "catalog_entity" in sql or "catalog_relation" in sql]
    assert served() == before


def test_only_the_edited_file_is_parsed_and_its_siblings_stay(write_yaml, parsed, settings):
    settings.CATALOG_ORPHAN_STRATEGY = "keep"
    root = write_yaml("root.yaml", LIST)
    write_yaml("a.yaml", component("billing"))
    b = write_yaml("b.yaml", component("payouts"))
    location = register(root)
    billing = Entity.objects.get(ref="component:default/billing")
    parsed.clear()

    b.write_text(component("payouts", owner="team-b"))
    summary = refresh_location(location.pk)

    assert parsed == ["b.yaml"]
    assert (summary.updated, summary.unchanged) == (1, 3)
    assert Entity.objects.get(ref="component:default/payouts").owner_ref == "group:default/team-b"
    again = Entity.objects.get(ref="component:default/billing")
    assert (again.etag, again.generation) == (billing.etag, billing.generation)


def test_a_file_with_placeholders_is_always_parsed(write_yaml, parsed):
    write_yaml("docs.md", "Billing")
    path = write_yaml(
        "catalog.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: billing\n"
        "  description: {$text: ./docs.md}\nspec: {type: service, lifecycle: production, owner: team-a}\n",
    )
    location = register(path)
    parsed.clear()
    (path.parent / "docs.md").write_text("Billing, revised")
    refresh_location(location.pk)
    assert parsed == ["catalog.yaml"]
    assert Entity.objects.get(ref="component:default/billing").final["metadata"]["description"] == (
        "Billing, revised"
    )


def test_an_unchanged_file_whose_entity_another_file_now_emits_first_reports_the_conflict(write_yaml, parsed):
    b = write_yaml("svc/b.yaml", component("shared"))
    location = register(b.parent / "*.yaml")
    write_yaml("svc/a.yaml", component("shared", owner="team-b"))
    parsed.clear()

    summary = refresh_location(location.pk)

    assert parsed == ["a.yaml", "b.yaml"], "b.yaml is unchanged, but processed to report the conflict"
    assert summary.conflicts == 1
    conflict = CatalogError.objects.get(location=location, kind="conflict")
    assert conflict.file.endswith("b.yaml") and conflict.entity_ref == "component:default/shared"
    assert Entity.objects.get(ref="component:default/shared").owner_ref == "group:default/team-b"


def test_a_deleted_entity_of_an_unchanged_file_comes_back(write_yaml, parsed):
    location = register(write_yaml("catalog.yaml", component("billing") + "---\n" + component("ledger")))
    Entity.objects.filter(ref="component:default/ledger").delete()
    parsed.clear()
    summary = refresh_location(location.pk)
    assert parsed == ["catalog.yaml"] and summary.added == 1
    assert Entity.objects.filter(ref="component:default/ledger").exists()
