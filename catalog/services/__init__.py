"""Plain functions that change the catalog; entry points (API, admin, commands, tasks) call these."""

from .locations import (
    delete_entity,
    delete_location,
    delete_orphans,
    register_location,
    schedule_entity_refresh,
)
from .refresh import RefreshSummary, refresh_location

__all__ = [
    "RefreshSummary",
    "delete_entity",
    "delete_location",
    "delete_orphans",
    "refresh_location",
    "register_location",
    "schedule_entity_refresh",
]
