"""The decision: its list face and its single-object face agree, grant by grant."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from guardian.shortcuts import assign_perm

from catalog.models import Entity, Location
from permissions import names
from permissions.models import EntityUserObjectPermission, PolicyRule
from permissions.policy import EntityRow, decide, visible_entities, visible_locations
from permissions.principal import ANONYMOUS, Principal, principal_for_user

pytestmark = pytest.mark.django_db

SERVICES = {
    "component:default/alpha",
    "component:default/beta",
    "component:default/gamma",
    "component:labs/delta",
}


def refs(qs) -> set[str]:
    return set(qs.filter(kind="Component").values_list("ref", flat=True))


def as_row(entity: Entity) -> EntityRow:
    """The entity as the API's single-entity reads hand it to decide(): its row, not a model."""
    return EntityRow(
        pk=entity.pk,
        ref=entity.ref,
        kind=entity.kind,
        namespace=entity.namespace,
        owner_ref=entity.owner_ref,
        text=json.dumps(entity.served),
    )


def assert_faces_agree(caller, permission):
    """Every entity is in the filtered list exactly when decide() allows it, and decide() says the same
    (verdict, reason and source) of the entity's row as of the model."""
    listed = set(visible_entities(caller, permission).values_list("ref", flat=True))
    for entity in Entity.objects.all():
        decision = decide(caller, permission, entity)
        assert bool(decision) == (entity.ref in listed), (entity.ref, permission)
        assert decide(caller, permission, as_row(entity)) == decision, (entity.ref, permission)
    return listed


def test_default_policy_signed_in_users_read_everything(org, make_user):
    alice = make_user("alice")
    assert refs(visible_entities(alice)) == SERVICES
    assert visible_locations(alice).count() == 2
    decision = decide(alice, names.ENTITY_READ, Entity.objects.get(ref="component:default/beta"))
    assert decision.allowed and "everyone-reads-the-catalog" in decision.reason


def test_anonymous_sees_nothing(org):
    assert not visible_entities(ANONYMOUS).exists()
    assert not visible_locations(None).exists()
    assert decide(None, names.ENTITY_READ).reason == "not signed in"


def test_owners_refresh_and_unregister_through_user_and_groups(org, make_user):
    alice = make_user("alice")
    listed = assert_faces_agree(alice, names.ENTITY_DELETE)
    assert refs(Entity.objects.filter(ref__in=listed)) == {
        "component:default/alpha",
        "component:default/gamma",
    }
    assert assert_faces_agree(alice, names.ENTITY_REFRESH) == listed
    reason = decide(alice, names.ENTITY_DELETE, Entity.objects.get(ref="component:default/alpha")).reason
    assert "owners-refresh-and-unregister" in reason
    assert not decide(alice, names.ENTITY_DELETE, Entity.objects.get(ref="component:default/beta"))


def test_parent_groups_own_only_when_the_setting_says_so(org, make_user, settings):
    assert "component:labs/delta" not in assert_faces_agree(make_user("alice"), names.ENTITY_DELETE)
    settings.IDENTITY_INCLUDE_PARENT_GROUPS = True
    carol = make_user("carol", email="alice@example.com")
    assert "component:labs/delta" in assert_faces_agree(carol, names.ENTITY_DELETE)


def test_a_user_without_a_user_entity_gets_only_what_everyone_gets(org, make_user):
    zed = make_user("zed", email="zed@elsewhere.example")
    assert zed.identity.entity_ref == ""
    assert refs(visible_entities(zed)) == SERVICES
    assert assert_faces_agree(zed, names.ENTITY_DELETE) == set()


def test_superusers_do_everything(org, make_user):
    root = make_user("root", superuser=True)
    assert assert_faces_agree(root, names.ENTITY_DELETE) == set(Entity.objects.values_list("ref", flat=True))
    assert decide(root, names.LOCATION_CREATE).source == "superuser"


def test_a_global_django_permission_allows_on_every_object(org, make_user):
    bob = make_user("bob")
    bob.user_permissions.add(
        Permission.objects.get(codename="delete_entity", content_type__app_label="catalog")
    )
    bob = type(bob).objects.get(pk=bob.pk)
    assert len(assert_faces_agree(bob, names.ENTITY_DELETE)) == Entity.objects.count()
    assert decide(bob, names.ENTITY_DELETE).source == "global"


def test_object_grants_to_a_user_and_to_a_group(org, make_user):
    bob = make_user("bob")
    beta = Entity.objects.get(ref="component:default/beta")
    delta = Entity.objects.get(ref="component:labs/delta")
    assign_perm("catalog.delete_entity", bob, beta)
    helpers = Group.objects.create(name="helpers")
    bob.groups.add(helpers)
    assign_perm("catalog.delete_entity", helpers, delta)
    listed = assert_faces_agree(bob, names.ENTITY_DELETE)
    assert listed == {"component:default/beta", "component:labs/delta"}
    assert decide(bob, names.ENTITY_DELETE, beta).source in ("object-user", "rule")
    assert decide(bob, names.ENTITY_DELETE, delta).reason.endswith("to group helpers")
    location = Location.objects.first()
    assign_perm("catalog.delete_location", bob, location)
    assert list(visible_locations(bob, names.LOCATION_DELETE)) == [location]


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("kind", "component", SERVICES),
        ("namespace", "labs", {"component:labs/delta"}),
        ("annotation", "buildkite.com/project-slug", SERVICES),
        ("annotation", "buildkite.com/project-slug=acme/beta", {"component:default/beta"}),
        ("annotation", "backstage.io/nothing", set()),
    ],
)
def test_rule_conditions_on_the_entity(org, make_user, condition, value, expected):
    PolicyRule.objects.create(
        name="t",
        permissions=[names.ENTITY_REFRESH],
        subject="user",
        subject_value="bob",
        condition=condition,
        condition_value=value,
    )
    bob = make_user("bob")
    listed = assert_faces_agree(bob, names.ENTITY_REFRESH)
    assert refs(Entity.objects.filter(ref__in=listed)) == expected | {"component:default/beta"}


def test_rules_for_a_mirrored_catalog_group(org, make_user):
    PolicyRule.objects.create(
        name="team-b-refreshes-labs",
        permissions=[names.ENTITY_REFRESH],
        subject="group",
        subject_value="group:default/team-b",
        condition="namespace",
        condition_value="labs",
    )
    from permissions.identity import sync_catalog_groups

    bob = make_user("bob")
    alice = make_user("alice")
    sync_catalog_groups()
    assert "component:labs/delta" in assert_faces_agree(
        type(bob).objects.get(pk=bob.pk), names.ENTITY_REFRESH
    )
    assert "component:labs/delta" not in assert_faces_agree(alice, names.ENTITY_REFRESH)


def test_disabled_rules_allow_nothing(org, make_user):
    PolicyRule.objects.filter(name="everyone-reads-the-catalog").update(enabled=False)
    assert not visible_entities(make_user("alice")).exists()


def test_a_token_limit_only_takes_away(org, make_user):
    alice = make_user("alice")
    limited = principal_for_user(alice, token_permissions=frozenset({names.ENTITY_READ}))
    assert refs(visible_entities(limited)) == SERVICES
    assert assert_faces_agree(limited, names.ENTITY_DELETE) == set()
    assert "limited to: catalog.entity.read" in decide(limited, names.ENTITY_DELETE).reason


def test_service_principals_get_rules_for_everyone_and_their_subject(org):
    port = Principal(kind="service", name="port-ocean")
    assert refs(visible_entities(port)) == SERVICES
    assert assert_faces_agree(port, names.ENTITY_DELETE) == set()
    PolicyRule.objects.create(
        name="port-refreshes",
        permissions=[names.ENTITY_REFRESH],
        subject="service",
        subject_value="port-ocean",
    )
    assert len(assert_faces_agree(port, names.ENTITY_REFRESH)) == Entity.objects.count()


def test_grants_count_after_a_migration_recreates_the_permission_rows(org, make_user):
    """Grants are matched on the permission row's id, which the decision keeps between requests. A
    migration (or a flush) that recreates the rows must not leave it holding ids that no longer exist.

    Nothing here sends a save signal (``bulk_create``), as when another process made the changes; only
    ``post_migrate`` can tell the decision to forget the ids.
    """
    bob = make_user("bob")
    delta = Entity.objects.get(ref="component:labs/delta")
    assert delta.ref not in assert_faces_agree(bob, names.ENTITY_DELETE)  # the ids are now cached
    old = Permission.objects.get(content_type__app_label="catalog", codename="delete_entity")
    old.delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    new = Permission.objects.get(content_type__app_label="catalog", codename="delete_entity")
    assert new.pk != old.pk
    EntityUserObjectPermission.objects.bulk_create(
        [EntityUserObjectPermission(user=bob, permission=new, content_object=delta)]
    )
    assert delta.ref in assert_faces_agree(bob, names.ENTITY_DELETE)
    assert decide(bob, names.ENTITY_DELETE, delta).source == "object-user"
