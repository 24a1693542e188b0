"""The audit log records permission changes and catalog writes; the explainer names the deciding grant."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm, remove_perm

from catalog.models import Entity
from catalog.services import delete_entity
from permissions import audit, names
from permissions.explain import ExplainError, explain
from permissions.models import AuditEvent, PolicyRule
from permissions.policy_file import PolicyFileError, load_rules, parse_rules

pytestmark = pytest.mark.django_db


def actions() -> list[tuple[str, str, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("actor", "path", "action"))


def test_rule_changes_and_grants_are_audited_with_their_actor(org, make_user):
    bob = make_user("bob")
    AuditEvent.objects.all().delete()
    with audit.acting_as("user:root", "admin"):
        rule = PolicyRule.objects.create(name="r", permissions=[names.ENTITY_REFRESH], subject="users")
        rule.enabled = False
        rule.save()
        beta = Entity.objects.get(ref="component:default/beta")
        assign_perm("catalog.delete_entity", bob, beta)
        remove_perm("catalog.delete_entity", bob, beta)
        bob.groups.add(Group.objects.create(name="ops"))
        rule.delete()
    assert actions() == [
        ("user:root", "admin", "permissions.rule.create"),
        ("user:root", "admin", "permissions.rule.update"),
        ("user:root", "admin", "permissions.grant.create"),
        ("user:root", "admin", "permissions.grant.delete"),
        ("user:root", "admin", "permissions.user_groups.add"),
        ("user:root", "admin", "permissions.rule.delete"),
    ]
    grant = AuditEvent.objects.get(action="permissions.grant.create")
    assert grant.detail["to"] == "bob" and grant.detail["permission"] == "delete_entity"


def test_catalog_writes_are_audited(org):
    AuditEvent.objects.all().delete()
    with audit.acting_as("service:port", "api"):
        delete_entity(Entity.objects.get(ref="component:default/beta").pk)
    event = AuditEvent.objects.get()
    assert (event.actor, event.path, event.action, event.target) == (
        "service:port",
        "api",
        "catalog.entity.delete",
        "component:default/beta",
    )
    assert AuditEvent.objects.filter(action="catalog.location.create").count() == 0
    assert AuditEvent.objects.count() == 1


def test_registration_and_changing_refreshes_are_audited(write_yaml):
    from catalog.services import refresh_location, register_location

    path = write_yaml(
        "c.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g}\n"
        "spec: {type: team, children: []}\n",
    )
    location, _ = register_location("file", str(path))
    refresh_location(location.pk)
    refresh_location(location.pk)  # nothing changed: no audit noise
    assert [a for _, _, a in actions()] == ["catalog.location.create", "catalog.location.refresh"]


def test_the_explainer_names_the_grant(org, make_user):
    make_user("alice")
    allowed = explain(
        user="alice", permission=names.ENTITY_DELETE, target="component:default/alpha"
    ).as_dict()
    assert allowed["result"] == "ALLOW" and "owners-refresh-and-unregister" in allowed["reason"]
    denied = explain(user="alice", permission=names.ENTITY_DELETE, target="component:default/beta").as_dict()
    assert denied["result"] == "DENY" and denied["source"] == "none"
    assert "no grant or rule allows catalog.entity.delete" in denied["reason"]
    with pytest.raises(ExplainError, match="No entity"):
        explain(user="alice", permission=names.ENTITY_READ, target="component:default/missing")
    with pytest.raises(ExplainError, match="No user"):
        explain(user="nobody", permission=names.ENTITY_READ)


def test_the_explainer_admin_page(org, make_user, admin_client):
    make_user("alice")
    response = admin_client.get(
        "/admin/permissions/auditevent/explain/",
        {"user": "alice", "permission": names.ENTITY_DELETE, "target": "component:default/beta"},
    )
    assert response.status_code == 200
    assert b"DENY" in response.content


def test_a_policy_file_loads_and_is_validated(tmp_path):
    good = tmp_path / "policy.yaml"
    good.write_text(
        "- name: platform-refreshes-labs\n  permissions: [catalog.entity.refresh]\n  subject: group\n"
        "  subject_value: group:default/platform\n  condition: namespace\n  condition_value: labs\n"
    )
    assert load_rules(good) == (1, 0, 0)
    assert load_rules(good, replace=True) == (0, 1, 3), "the three default rules go"
    assert list(PolicyRule.objects.values_list("name", flat=True)) == ["platform-refreshes-labs"]
    with pytest.raises(PolicyFileError) as info:
        parse_rules("- name: x\n  permissions: [catalog.entity.fly]\n  subject: martians\n- {}\n")
    message = str(info.value)
    assert "unknown permission 'catalog.entity.fly'" in message
    assert "subject must be one of" in message and "rule 2: needs a name" in message


def test_object_permissions_are_granted_in_the_admin_and_audited(org, make_user, admin_client):
    bob = make_user("bob")
    gamma = Entity.objects.get(ref="component:default/gamma")
    base = f"/admin/catalog/entity/{gamma.pk}/permissions/"
    assert admin_client.get(base).status_code == 200
    response = admin_client.post(f"{base}user-manage/{bob.pk}/", {"permissions": ["delete_entity"]})
    assert response.status_code == 302
    from permissions.policy import decide

    assert decide(type(bob).objects.get(pk=bob.pk), names.ENTITY_DELETE, gamma).source == "object-user"
    event = AuditEvent.objects.get(action="permissions.grant.create")
    assert event.path == "admin" and event.actor.startswith("user:")
