"""Audit records for every change of permissions, whichever path made it (admin, API, shell)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from permissions import audit, policy
from permissions import cache as permission_cache
from permissions.models import (
    EntityGroupObjectPermission,
    EntityUserObjectPermission,
    Identity,
    LocationGroupObjectPermission,
    LocationUserObjectPermission,
    PolicyRule,
)

GRANT_MODELS = (
    EntityUserObjectPermission,
    EntityGroupObjectPermission,
    LocationUserObjectPermission,
    LocationGroupObjectPermission,
)


def _rule_saved(sender: Any, instance: PolicyRule, created: bool, **kwargs: Any) -> None:
    action = "permissions.rule.create" if created else "permissions.rule.update"
    audit.record(action, instance.name, _rule_detail(instance))


def _rule_deleted(sender: Any, instance: PolicyRule, **kwargs: Any) -> None:
    audit.record("permissions.rule.delete", instance.name, _rule_detail(instance))


def _rule_detail(rule: PolicyRule) -> dict[str, Any]:
    return {
        "permissions": rule.permissions,
        "subject": f"{rule.subject}:{rule.subject_value}",
        "condition": f"{rule.condition}:{rule.condition_value}",
        "enabled": rule.enabled,
    }


def _grant_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    holder = getattr(instance, "user", None) or getattr(instance, "group", None)
    action = "permissions.grant.delete" if kwargs.get("signal") is post_delete else "permissions.grant.create"
    audit.record(
        action,
        str(instance.content_object_id),
        {
            "permission": instance.permission.codename,
            "to": str(holder),
            "object": str(instance.content_object),
        },
    )


def _membership_changed(
    sender: Any, instance: Any, action: str, pk_set: set | None, model: Any, **kwargs: Any
):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    related = [str(obj) for obj in model.objects.filter(pk__in=pk_set or ())] if pk_set else []
    audit.record(
        f"permissions.{sender._meta.model_name}.{action.removeprefix('post_')}",
        str(instance),
        {"related": related},
    )


def _bump(sender: Any, **kwargs: Any) -> None:
    permission_cache.bump()


def connect() -> None:
    User = get_user_model()
    for model in (PolicyRule, Identity, User, Group, *GRANT_MODELS):
        post_save.connect(_bump, sender=model, dispatch_uid=f"permissions.bump.save.{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"permissions.bump.delete.{model.__name__}")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_bump, sender=through, dispatch_uid=f"permissions.bump.m2m.{through.__name__}")
    # Migrations create permission rows (and a flush recreates them), whose ids ``policy`` keeps.
    post_migrate.connect(policy.forget_permission_ids, dispatch_uid="permissions.forget_permission_ids")
    post_save.connect(_rule_saved, sender=PolicyRule, dispatch_uid="audit.rule.save")
    post_delete.connect(_rule_deleted, sender=PolicyRule, dispatch_uid="audit.rule.delete")
    for model in GRANT_MODELS:
        post_save.connect(_grant_changed, sender=model, dispatch_uid=f"audit.grant.save.{model.__name__}")
        post_delete.connect(_grant_changed, sender=model, dispatch_uid=f"audit.grant.delete.{model.__name__}")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_membership_changed, sender=through, dispatch_uid=f"audit.m2m.{through.__name__}")
