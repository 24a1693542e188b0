"""What the pages may show and do: a thin face over ``catalog.api.visibility``, the one place that decides.

Pages call these with the request (the permissions app remembers its answer about the caller on it); the
API calls the same functions, so one decision serves both (unreadable means absent: 404, or missing from
lists; readable but not allowed: 403).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from catalog.api import visibility as decision
from catalog.models import Entity, Location

ENTITY_DELETE = decision.ENTITY_DELETE
ENTITY_REFRESH = decision.ENTITY_REFRESH
LOCATION_ANALYZE = decision.LOCATION_ANALYZE
LOCATION_CREATE = decision.LOCATION_CREATE
LOCATION_DELETE = decision.LOCATION_DELETE


def visible_entities(caller: Any) -> QuerySet[Entity]:
    """The entities the caller (a request or a user) may read; none for an anonymous caller."""
    return decision.visible_entities(caller)


def visible_locations(caller: Any) -> QuerySet[Location]:
    """The registered locations the caller may read."""
    return decision.visible_locations(caller)


def allowed(caller: Any, action: str, obj: Any = None) -> bool:
    """Whether the caller may ``action`` (a Backstage permission name), on ``obj`` when given."""
    return decision.allowed(caller, action, obj)
