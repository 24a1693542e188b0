"""The catalog's face of the one decision in ``permissions.policy``: every API read and write calls these.

Unreadable means absent (404, empty lists); readable but not allowed means 403 (``NotAllowedError``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from catalog.api.errors import NotAllowedError
from catalog.models import Entity, Location
from permissions import policy
from permissions.names import (  # noqa: F401 (re-exported for the views)
    ENTITY_CREATE,
    ENTITY_DELETE,
    ENTITY_READ,
    ENTITY_REFRESH,
    ENTITY_VALIDATE,
    LOCATION_ANALYZE,
    LOCATION_CREATE,
    LOCATION_DELETE,
    LOCATION_READ,
)


def visible_entities(caller: Any, action: str = ENTITY_READ) -> QuerySet[Entity]:
    """Entities the caller may ``action``; only entities that have been stitched are ever served."""
    return policy.visible_entities(caller, action, Entity.objects.filter(final__isnull=False))


def visible_locations(caller: Any, action: str = LOCATION_READ) -> QuerySet[Location]:
    """Registered locations the caller may ``action``."""
    return policy.visible_locations(caller, action)


def allowed(caller: Any, action: str, obj: Any = None) -> bool:
    """The single-object face of the same decision."""
    return policy.decide(caller, action, obj).allowed


def require(caller: Any, action: str, obj: Any = None) -> None:
    """Raise NotAllowedError (403) unless the caller may ``action`` (on ``obj``)."""
    decision = policy.decide(caller, action, obj)
    if not decision.allowed:
        raise NotAllowedError(f"You are not allowed to perform {action}: {decision.reason}")
