"""Refreshing skips files that have not changed since their entities were processed, and writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import walker
from catalog.models import CatalogError, Entity, LocationFile
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


def tags(location) -> dict[str, str]:
    return {
        file.rsplit("/", 1)[-1]: tag
        for file, tag in LocationFile.objects.filter(location=location).values_list("file", "tag")
    }


def test_a_file_edited_in_one_of_its_entities_is_skipped_again_on_the_next_refresh(write_yaml, parsed):
    root = write_yaml("root.yaml", LIST)
    a = write_yaml("a.yaml", component("billing") + "---\n" + component("ledger"))
    write_yaml("b.yaml", component("payouts"))
    location = register(root)
    before = tags(location)
    assert set(before) == {"root.yaml", "a.yaml", "b.yaml"} and before["a.yaml"].endswith(":2")

    a.write_text(component("billing") + "---\n" + component("ledger", owner="team-b"))
    summary = refresh_location(location.pk)
    assert summary.updated == 1
    assert tags(location)["a.yaml"] != before["a.yaml"] and tags(location)["b.yaml"] == before["b.yaml"]

    parsed.clear()
    summary = refresh_location(location.pk)
    assert parsed == [] and summary.updated == 0


def test_a_file_that_leaves_the_location_takes_its_tag_with_it(write_yaml, settings):
    settings.CATALOG_ORPHAN_STRATEGY = "keep"
    write_yaml("svc/a.yaml", component("billing"))
    b = write_yaml("svc/b.yaml", component("payouts"))
    location = register(b.parent / "*.yaml")
    assert set(tags(location)) == {"a.yaml", "b.yaml"}

    b.unlink()
    refresh_location(location.pk)
    assert set(tags(location)) == {"a.yaml"}
    assert Entity.objects.get(ref="component:default/payouts").orphan


def test_an_unreadable_file_keeps_its_tag_and_its_old_content_is_skipped_again(write_yaml, parsed):
    text = component("billing") + "---\n" + component("ledger")
    path = write_yaml("catalog.yaml", text)
    location = register(path)
    tag = tags(location)["catalog.yaml"]

    path.write_text("metadata: [unclosed\n")
    refresh_location(location.pk)
    assert CatalogError.objects.filter(location=location, kind="parse").exists()
    assert tags(location) == {"catalog.yaml": tag}

    path.write_text(text)
    parsed.clear()
    summary = refresh_location(location.pk)
    assert parsed == [] and summary.unchanged == 3 and summary.errors == 0
    assert not CatalogError.objects.filter(location=location).exists()
