"""Granting object permissions on many entities at once, one audited grant per entity and permission."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from permissions import names
from permissions.models import EntityGroupObjectPermission

ENTITY_PERMISSIONS = [p for p in names.PERMISSIONS.values() if p.model == "entity"]


def entity_permission_choices() -> list[tuple[str, str]]:
    """(permission name, label) for the permissions that can be granted on one entity."""
    return [(p.name, f"{p.name}: {p.description}") for p in ENTITY_PERMISSIONS]


@transaction.atomic
def grant_entities_to_group(entity_ids: Iterable[Any], group: Group, permission_names: list[str]) -> int:
    """Grant each named permission on each entity to ``group``; returns how many grants are new.

    Rows are created one by one so that each new grant is recorded in the audit log (by the signal).
    """
    codenames = [names.get(name).codename for name in permission_names]
    permissions = Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames)
    created = 0
    for entity_id in entity_ids:
        for permission in permissions:
            _grant, new = EntityGroupObjectPermission.objects.get_or_create(
                group=group, permission=permission, content_object_id=entity_id
            )
            created += new
    return created
