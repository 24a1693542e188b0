"""Refreshing any location: the admin's is re-processed from what it stores, the others are read and walked."""

from __future__ import annotations

from typing import Any

from catalog.models import Location
from catalog.services import admin_entities, refresh


def refresh_location(
    location_id: Any, *, progress: refresh.Progress | None = None
) -> refresh.RefreshSummary | None:
    """Bring the catalog in step with one location; ``None`` if it no longer exists."""
    if Location.objects.filter(pk=location_id, type=Location.Type.ADMIN).exists():
        return admin_entities.refresh_admin_location(location_id)
    return refresh.refresh_location(location_id, progress=progress)
