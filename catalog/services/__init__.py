"""Plain functions that change the catalog; entry points (API, admin, commands, tasks) call these."""

from .admin_entities import AdminEntityError, admin_location, is_admin_managed, save_admin_entity
from .dispatch import refresh_location
from .locations import (
    delete_entity,
    delete_location,
    delete_orphans,
    register_location,
    schedule_entity_refresh,
)
from .refresh import RefreshSummary

__all__ = [
    "AdminEntityError",
    "RefreshSummary",
    "admin_location",
    "delete_entity",
    "delete_location",
    "delete_orphans",
    "is_admin_managed",
    "refresh_location",
    "register_location",
    "save_admin_entity",
    "schedule_entity_refresh",
]
