"""Registering and removing locations and entities."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import Entity, Location, Relation
from catalog.readers import GLOB_CHARS, host_allowed
from catalog.refs import InvalidRef, parse_entity_ref
from catalog.stitching import stitch
from permissions import audit


class LocationError(ValueError):
    """A location that cannot be registered, with a message for the user."""


def normalize_target(type_: str, target: str) -> str:
    """Absolute paths for files (so the same file is one location), URLs as given; refuses what cannot work."""
    target = target.strip()
    if not target:
        raise LocationError("A location needs a target")
    if type_ == "file":
        return os.path.abspath(os.path.expanduser(target))
    if type_ == "url":
        if not target.lower().startswith(("http://", "https://")):
            raise LocationError(f"A url location must be an http or https URL, got {target!r}")
        if not host_allowed(target):
            raise LocationError(
                f"{target} is not allowed: its host is not on the CATALOG_ALLOWED_HOSTS allow-list"
            )
        return target
    raise LocationError(f"Unknown location type {type_!r}; expected file or url")


def guess_type(target: str) -> str:
    return "url" if target.lower().startswith(("http://", "https://")) else "file"


def register_location(
    type_: str,
    target: str,
    *,
    presence: str = Location.Presence.REQUIRED,
    allowed_kinds: list[str] | None = None,
    registered_by: str = "",
) -> tuple[Location, bool]:
    """Create the location (due for processing now) or return the existing one; ``(location, created)``."""
    target = normalize_target(type_, target)
    is_plain_file = type_ == "file" and not any(c in target for c in GLOB_CHARS)
    if is_plain_file and not os.path.exists(target) and presence != Location.Presence.OPTIONAL:
        raise LocationError(f"File {target} does not exist")
    location, created = Location.objects.get_or_create(
        type=type_,
        target=target,
        defaults={
            "presence": presence,
            "allowed_kinds": allowed_kinds or None,
            "registered_by": registered_by[:150],
            "next_refresh_at": timezone.now(),
        },
    )
    if created:
        audit.record("catalog.location.create", location.ref)
    return location, created


def _peers_of(entity_filter: Q) -> set[str]:
    """Refs whose served relations change when the matching entities go."""
    rows = Relation.objects.filter(originating__in=Entity.objects.filter(entity_filter)).values_list(
        "source_ref", "target_ref"
    )
    peers: set[str] = set()
    for source, target in rows:
        peers.add(source)
        peers.add(target)
    peers.update(
        Relation.objects.filter(
            target_ref__in=Entity.objects.filter(entity_filter).values("ref")
        ).values_list("source_ref", flat=True)
    )
    return peers


def _delete_entities(entity_filter: Q) -> int:
    peers = _peers_of(entity_filter)
    refs = set(Entity.objects.filter(entity_filter).values_list("ref", flat=True))
    # Only the ids: the collector loads every entity it cascades from, and their JSON would fill memory.
    deleted, _ = Entity.objects.filter(entity_filter).only("id").delete()
    stitch(peers - refs)
    return len(refs) if deleted else 0


@transaction.atomic
def delete_location(location_id: Any) -> int:
    """Unregister a location and, at once, every entity it owns (no orphan phase); returns entities removed."""
    location = Location.objects.select_for_update().filter(pk=location_id).first()
    if location is None:
        return 0
    removed = _delete_entities(Q(location=location))
    audit.record("catalog.location.delete", location.ref, {"entities_removed": removed})
    location.delete()
    return removed


@transaction.atomic
def delete_entity(uid: Any) -> bool:
    """Remove one entity now; its location becomes due, so a source that still has it brings it back."""
    entity = Entity.objects.filter(pk=uid).first()
    if entity is None:
        return False
    if entity.location_id:
        Location.objects.filter(pk=entity.location_id).update(next_refresh_at=timezone.now())
    _delete_entities(Q(pk=uid))
    audit.record("catalog.entity.delete", entity.ref, {"uid": str(uid)})
    return True


@transaction.atomic
def delete_orphans(*, force: bool = False) -> int:
    """Apply the orphan strategy: with ``delete`` (or ``force``), remove every orphan; returns how many."""
    if settings.CATALOG_ORPHAN_STRATEGY != "delete" and not force:
        return 0
    refs = sorted(Entity.objects.filter(orphan=True).values_list("ref", flat=True)[:1000])
    removed = _delete_entities(Q(orphan=True))
    if removed:
        audit.record("catalog.entity.delete-orphans", f"{removed} orphans", {"refs": refs})
    return removed


def schedule_entity_refresh(entity_ref: str) -> Location | None:
    """Make the location an entity came from due now (Backstage's POST /refresh); ``None`` if unknown."""
    try:
        ref = parse_entity_ref(entity_ref).canonical
    except InvalidRef:
        return None
    entity = Entity.objects.filter(ref=ref).select_related("location").first()
    if entity is None or entity.location is None:
        return None
    Location.objects.filter(pk=entity.location_id).update(next_refresh_at=timezone.now())
    return entity.location
