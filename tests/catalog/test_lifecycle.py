"""Refreshing locations: nested trees, updates, orphans, conflicts, errors beside good entities."""

from __future__ import annotations

import pytest

from catalog.models import CatalogError, Entity, Location, Relation
from catalog.services import (
    delete_entity,
    delete_location,
    delete_orphans,
    refresh_location,
    register_location,
)
from catalog.services.locations import LocationError

pytestmark = pytest.mark.django_db


def component(name: str, owner: str = "team-a", **spec: str) -> str:
    extra = "".join(f"  {key}: {value}\n" for key, value in spec.items())
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n{extra}"
    )


def register(path) -> Location:
    location, _ = register_location("file", str(path))
    summary = refresh_location(location.pk)
    assert summary is not None
    location.refresh_from_db()
    return location


def refs() -> set[str]:
    return set(Entity.objects.values_list("ref", flat=True))


@pytest.fixture
def tree(write_yaml):
    """root.yaml -> teams/index.yaml -> teams/a.yaml, teams/b.yaml; root.yaml -> services.yaml."""
    write_yaml(
        "root.yaml",
        """
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: root}
        spec:
          targets: [./teams/index.yaml, ./services.yaml]
        """,
    )
    write_yaml(
        "teams/index.yaml",
        """
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: teams}
        spec: {targets: [./a.yaml, ./b.yaml]}
        """,
    )
    write_yaml(
        "teams/a.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\n"
        "spec: {type: team, children: []}\n",
    )
    write_yaml(
        "teams/b.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-b}\n"
        "spec: {type: team, children: [], parent: team-a}\n",
    )
    services = write_yaml("services.yaml", component("billing") + "---\n" + component("ledger", "team-b"))
    return {"root": services.parent / "root.yaml", "services": services, "dir": services.parent}


def test_a_nested_tree_loads_with_parents_and_origin(tree):
    location = register(tree["root"])
    assert refs() == {
        location.entity_ref,
        "location:default/root",
        "location:default/teams",
        "group:default/team-a",
        "group:default/team-b",
        "component:default/billing",
        "component:default/ledger",
    }
    ledger = Entity.objects.get(ref="component:default/ledger")
    assert ledger.parent_ref == "location:default/root"
    assert Entity.objects.get(ref="group:default/team-b").parent_ref == "location:default/teams"
    assert Entity.objects.get(ref="location:default/root").parent_ref == location.entity_ref
    annotations = ledger.final["metadata"]["annotations"]
    assert annotations["backstage.io/managed-by-location"] == f"file:{tree['services']}"
    assert annotations["backstage.io/managed-by-origin-location"] == f"file:{tree['root']}"
    team_a = Entity.objects.get(ref="group:default/team-a").final["relations"]
    assert {"type": "parentOf", "targetRef": "group:default/team-b"} in team_a
    assert {"type": "ownerOf", "targetRef": "component:default/billing"} in team_a
    assert location.status == Location.Status.OK
    assert location.last_summary["added"] == 7


def test_editing_a_file_updates_keeps_and_orphans(tree, settings):
    settings.CATALOG_ORPHAN_STRATEGY = "keep"
    location = register(tree["root"])
    billing_before = Entity.objects.get(ref="component:default/billing")
    ledger_before = Entity.objects.get(ref="component:default/ledger")
    tree["services"].write_text(component("billing", "team-b") + "---\n" + component("payouts"))

    summary = refresh_location(location.pk)

    assert (summary.added, summary.updated, summary.orphaned) == (1, 1, 1)
    billing = Entity.objects.get(ref="component:default/billing")
    assert billing.id == billing_before.id
    assert billing.generation == billing_before.generation + 1
    assert billing.etag != billing_before.etag
    assert billing.owner_ref == "group:default/team-b"
    ledger = Entity.objects.get(ref="component:default/ledger")
    assert ledger.orphan and ledger.final["metadata"]["annotations"]["backstage.io/orphan"] == "true"
    assert ledger.id == ledger_before.id
    # team-a no longer owns billing: its served relations follow without its own file changing.
    team_a = Entity.objects.get(ref="group:default/team-a").final["relations"]
    assert {"type": "ownerOf", "targetRef": "component:default/billing"} not in team_a
    unchanged = Entity.objects.get(ref="group:default/team-b")
    again = refresh_location(location.pk)
    assert (again.added, again.updated, again.orphaned) == (0, 0, 0)
    assert Entity.objects.get(ref="group:default/team-b").etag == unchanged.etag


def test_an_unchanged_entity_keeps_etag_and_generation(tree):
    location = register(tree["root"])
    before = {e.ref: (e.etag, e.generation, e.updated_at) for e in Entity.objects.all()}
    summary = refresh_location(location.pk)
    assert summary.unchanged == len(before) and summary.updated == 0
    assert {e.ref: (e.etag, e.generation, e.updated_at) for e in Entity.objects.all()} == before


def test_orphans_come_back_when_the_entity_returns(tree, settings):
    settings.CATALOG_ORPHAN_STRATEGY = "keep"
    location = register(tree["root"])
    original = tree["services"].read_text()
    tree["services"].write_text(component("billing"))
    refresh_location(location.pk)
    assert Entity.objects.get(ref="component:default/ledger").orphan
    tree["services"].write_text(original)
    refresh_location(location.pk)
    ledger = Entity.objects.get(ref="component:default/ledger")
    assert not ledger.orphan
    assert "backstage.io/orphan" not in ledger.final["metadata"]["annotations"]


def test_removing_a_location_entity_orphans_its_whole_subtree(tree, settings):
    settings.CATALOG_ORPHAN_STRATEGY = "keep"
    location = register(tree["root"])
    tree["root"].write_text(tree["root"].read_text().replace("./teams/index.yaml, ", ""))
    summary = refresh_location(location.pk)
    assert summary.orphaned == 3
    assert set(Entity.objects.filter(orphan=True).values_list("ref", flat=True)) == {
        "location:default/teams",
        "group:default/team-a",
        "group:default/team-b",
    }


def test_the_delete_strategy_removes_orphans_and_restitches_peers(tree, settings):
    settings.CATALOG_ORPHAN_STRATEGY = "delete"
    location = register(tree["root"])
    tree["services"].write_text(component("billing"))
    refresh_location(location.pk)
    assert delete_orphans() == 1
    assert not Entity.objects.filter(ref="component:default/ledger").exists()
    team_b = Entity.objects.get(ref="group:default/team-b").final["relations"]
    assert all(r["targetRef"] != "component:default/ledger" for r in team_b)


def test_the_keep_strategy_keeps_orphans(tree, settings):
    settings.CATALOG_ORPHAN_STRATEGY = "keep"
    location = register(tree["root"])
    tree["services"].write_text(component("billing"))
    refresh_location(location.pk)
    assert delete_orphans() == 0
    assert Entity.objects.filter(ref="component:default/ledger", orphan=True).exists()


def test_a_malformed_file_keeps_its_entities_and_reports_on_the_location(tree):
    location = register(tree["root"])
    before = Entity.objects.get(ref="component:default/ledger")
    tree["services"].write_text("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: [unclosed\n")

    summary = refresh_location(location.pk)

    assert summary.orphaned == 0 and summary.errors == 1
    after = Entity.objects.get(ref="component:default/ledger")
    assert (after.etag, after.orphan) == (before.etag, False)
    error = CatalogError.objects.get(location=location)
    assert error.kind == "parse" and error.file == f"file:{tree['services']}"
    assert "YAML" in error.message
    location.refresh_from_db()
    assert location.status == Location.Status.ERROR
    # Siblings in other files are still processed.
    assert Entity.objects.filter(ref="group:default/team-b").exists()


def test_a_non_object_document_or_bad_envelope_fails_the_file(tree):
    location = register(tree["root"])
    tree["services"].write_text(component("billing") + "---\n- just\n- a list\n---\nkind: Component\n")
    summary = refresh_location(location.pk)
    errors = list(CatalogError.objects.filter(location=location).order_by("document"))
    assert [(e.kind, e.document) for e in errors] == [("parse", 2), ("validation", 3), ("validation", 3)]
    assert summary.orphaned == 0
    assert Entity.objects.filter(ref="component:default/ledger", orphan=False).exists()


def test_an_invalid_entity_fails_alone_and_keeps_its_last_good_state(tree):
    location = register(tree["root"])
    tree["services"].write_text(
        component("billing")
        + "---\n"
        + component("ledger").replace("  owner: team-a\n", "")
        + "---\n"
        + component("Bad_Name-"),
    )
    summary = refresh_location(location.pk)
    assert summary.errors == 2
    ledger = Entity.objects.get(ref="component:default/ledger")
    assert ledger.has_errors and not ledger.orphan
    assert ledger.owner_ref == "group:default/team-b", "last good state kept"
    status = ledger.final["status"]["items"][0]
    assert status["type"] == "backstage.io/catalog-processing" and status["level"] == "error"
    assert "spec.owner" in status["message"]
    errors = {(e.entity_ref, e.field, e.document) for e in CatalogError.objects.filter(location=location)}
    assert ("component:default/ledger", "spec.owner", 2) in errors
    assert any(ref == "component:default/bad_name-" and field == "metadata.name" for ref, field, _ in errors)
    assert not Entity.objects.filter(ref="component:default/bad_name-").exists()
    # Fixing it clears the status.
    tree["services"].write_text(component("billing") + "---\n" + component("ledger", "team-b"))
    refresh_location(location.pk)
    ledger = Entity.objects.get(ref="component:default/ledger")
    assert not ledger.has_errors and "status" not in ledger.final


def test_an_unparsable_reference_is_an_entity_error(write_yaml):
    path = write_yaml("c.yaml", component("app", dependsOn="[artists-db]") + "---\n" + component("ok"))
    register(path)
    assert refs() >= {"component:default/ok"}
    error = CatalogError.objects.get(entity_ref="component:default/app")
    assert error.field == "spec.dependsOn"


def test_a_missing_required_target_is_an_error_but_optional_is_not(write_yaml):
    path = write_yaml(
        "root.yaml",
        """
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: root}
        spec: {targets: [./missing.yaml]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: optional}
        spec: {presence: optional, targets: [./also-missing.yaml]}
        """,
    )
    location = register(path)
    errors = list(CatalogError.objects.filter(location=location))
    assert len(errors) == 1 and errors[0].kind == "read"
    assert errors[0].file.endswith("missing.yaml") and "does not exist" in errors[0].message


def test_the_first_location_wins_a_conflict(write_yaml):
    first = register(write_yaml("one/catalog.yaml", component("shared", "team-a")))
    second = register(
        write_yaml("two/catalog.yaml", component("shared", "team-b") + "---\n" + component("own"))
    )
    entity = Entity.objects.get(ref="component:default/shared")
    assert entity.location == first and entity.owner_ref == "group:default/team-a"
    conflict = CatalogError.objects.get(location=second)
    assert conflict.kind == "conflict" and conflict.entity_ref == "component:default/shared"
    assert second.last_summary["conflicts"] == 1
    assert Entity.objects.filter(ref="component:default/own", location=second).exists()
    # Refreshing the loser again changes nothing and never orphans the winner's entity.
    refresh_location(second.pk)
    assert not Entity.objects.get(ref="component:default/shared").orphan


def test_kind_rules_fail_the_whole_file(write_yaml):
    path = write_yaml(
        "mixed.yaml",
        component("app") + "---\napiVersion: backstage.io/v1alpha1\nkind: Group\n"
        "metadata: {name: team-x}\nspec: {type: team, children: []}\n",
    )
    location, _ = register_location("file", str(path), allowed_kinds=["Component", "Location"])
    summary = refresh_location(location.pk)
    assert summary.added == 1, "only the synthetic location entity"
    error = CatalogError.objects.get(location=location)
    assert error.kind == "rule" and error.entity_ref == "group:default/team-x"


def test_a_glob_reads_every_matching_file(write_yaml, tmp_path):
    write_yaml("svc/a/catalog-info.yaml", component("a"))
    write_yaml("svc/b/catalog-info.yaml", component("b"))
    location, _ = register_location("file", str(tmp_path / "svc" / "*" / "catalog-info.yaml"))
    summary = refresh_location(location.pk)
    assert summary.added == 3 and summary.files == 2
    a = Entity.objects.get(ref="component:default/a")
    assert a.location_key == f"file:{tmp_path / 'svc' / 'a' / 'catalog-info.yaml'}"


def test_deleting_a_location_removes_everything_it_brought(tree, write_yaml):
    location = register(tree["root"])
    other = register(write_yaml("other.yaml", component("consumer", "team-a")))
    assert delete_location(location.pk) == 7
    assert refs() == {other.entity_ref, "component:default/consumer"}
    assert not Relation.objects.filter(originating__location=location.pk).exists()


def test_deleting_an_entity_makes_its_location_due(tree):
    location = register(tree["root"])
    billing = Entity.objects.get(ref="component:default/billing")
    assert delete_entity(billing.pk)
    location.refresh_from_db()
    assert location.next_refresh_at <= location.refreshed_at.__class__.now(location.refreshed_at.tzinfo)
    refresh_location(location.pk)
    assert Entity.objects.get(ref="component:default/billing").pk != billing.pk, "comes back with a new uid"


def test_a_failure_half_way_leaves_the_catalog_as_it_was(tree, monkeypatch):
    location = register(tree["root"])
    before = sorted(Entity.objects.values_list("ref", "etag"))
    tree["services"].write_text(component("billing", "team-b") + "---\n" + component("payouts"))

    def crash(refs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr("catalog.services.refresh.stitch", crash)
    with pytest.raises(RuntimeError):
        refresh_location(location.pk)
    assert sorted(Entity.objects.values_list("ref", "etag")) == before
    assert Relation.objects.filter(source_ref="component:default/payouts").count() == 0


def test_registering_a_missing_file_is_refused(tmp_path):
    with pytest.raises(LocationError, match="does not exist"):
        register_location("file", str(tmp_path / "nope.yaml"))
