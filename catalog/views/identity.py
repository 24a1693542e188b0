"""Who the signed-in user is in the catalog: their User entity and the groups whose ownership is theirs.

The permissions app links each user to a User entity (by email, then username) and to its groups; pages use
that same answer, so "owned by me" here and "is owner" in the permission rules always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest

from catalog.models import Entity
from catalog.visibility import visible_entities
from permissions.principal import principal_for


@dataclass
class Identity:
    """The User entity of a Django user (None when the catalog has none) and its groups' refs."""

    entity: Entity | None = None
    group_refs: list[str] = field(default_factory=list)

    @property
    def owner_refs(self) -> list[str]:
        """Refs whose ownership counts as "mine": the user and their groups."""
        return [self.entity.ref, *self.group_refs] if self.entity else []


def identity_of(request: HttpRequest) -> Identity:
    """The user's catalog identity (one query for the User entity), looked up once per request."""
    cached = getattr(request, "_catalog_identity", None)
    if cached is not None:
        return cached
    refs = principal_for(request).ownership_refs
    user_refs = sorted(ref for ref in refs if ref.startswith("user:"))
    entity = visible_entities(request).filter(ref__in=user_refs).first() if user_refs else None
    identity = Identity(entity, sorted(refs - {entity.ref}) if entity else [])
    request._catalog_identity = identity  # type: ignore[attr-defined]
    return identity
