"""An entity's history in the admin: the audit log's events about it, newest first."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from catalog.models import Entity
from permissions.models import AuditEvent

HISTORY_SHOWN = 200


def entity_events(entity: Entity) -> QuerySet[AuditEvent]:
    """Writes naming the entity (create, update, delete) and grants on it (which name its uid)."""
    return AuditEvent.objects.filter(Q(target=entity.ref) | Q(target=str(entity.pk)))[:HISTORY_SHOWN]


def location_events(entity: Entity) -> QuerySet[AuditEvent]:
    """Refreshes of the entity's location that changed something (they do not say which entities)."""
    if entity.location is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(target=entity.location.ref, action="catalog.location.refresh")[:20]
