"""Celery tasks: thin wrappers over catalog.services, taking ids and returning plain values."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog import services
from catalog.models import Location
from permissions import audit

logger = logging.getLogger(__name__)


@shared_task(name="catalog.refresh_location", acks_late=True)
def refresh_location(location_id: str) -> dict | None:
    """Refresh one location; a deleted location is skipped quietly."""
    with audit.acting_as("system:scheduler", "task"):
        summary = services.refresh_location(location_id)
    return summary.as_dict() if summary else None


@shared_task(name="catalog.refresh_entity_location")
def refresh_entity_location(entity_ref: str) -> dict | None:
    location = services.schedule_entity_refresh(entity_ref)
    return refresh_location(str(location.pk)) if location else None


@shared_task(name="catalog.refresh_due_locations")
def refresh_due_locations() -> int:
    """Fan out one task per due location; each is claimed first so that no two schedulers queue it twice."""
    now = timezone.now()
    due = list(
        Location.objects.filter(next_refresh_at__lte=now)
        .order_by("next_refresh_at")
        .values_list("pk", "next_refresh_at")[: settings.CATALOG_SCHEDULER_BATCH]
    )
    queued = 0
    for pk, due_at in due:
        # Push the due time out while the refresh runs; the refresh sets the real next time when it ends.
        claimed = Location.objects.filter(pk=pk, next_refresh_at=due_at).update(
            next_refresh_at=services.refresh.next_refresh_time()
        )
        if claimed:
            transaction.on_commit(lambda pk=pk: refresh_location.delay(str(pk)))
            queued += 1
    return queued


@shared_task(name="catalog.delete_orphans")
def delete_orphans() -> int:
    with audit.acting_as("system:scheduler", "task"):
        return services.delete_orphans()


@shared_task(name="catalog.register_location")
def register_location(type_: str, target: str, registered_by: str = "") -> dict | None:
    """Register a location (or find it registered) and process it; idempotent for the same type and target."""
    location, _created = services.register_location(type_, target, registered_by=registered_by)
    return refresh_location(str(location.pk))
