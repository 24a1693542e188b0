"""Location payloads, the dry run of ``POST /locations`` and the location changes the API makes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog import tasks
from catalog.api.errors import ConflictError, InputError
from catalog.models import Location
from catalog.processing import Emitted
from catalog.services.locations import normalize_target
from catalog.services.refresh import synthetic_location_entity
from catalog.walker import FileResult, walk_location

LOCATION_KEYS = {"type", "target", "presence"}


def location_json(location: Location) -> dict[str, str]:
    """``{id, type, target, entityRef}``, Backstage's Location object."""
    return {
        "id": str(location.pk),
        "type": location.type,
        "target": location.target,
        "entityRef": location.entity_ref,
    }


def location_spec(body: dict[str, Any], *, allow_presence: bool = True) -> tuple[str, str, str]:
    """``(type, target, presence)`` from a strict ``{type, target, presence?}`` body."""
    allowed_keys = LOCATION_KEYS if allow_presence else {"type", "target"}
    extra = sorted(set(body) - allowed_keys)
    if extra:
        raise InputError(f"Invalid location: unexpected keys {', '.join(extra)}")
    type_, target = body.get("type"), body.get("target")
    if not isinstance(type_, str) or not type_ or not isinstance(target, str) or not target:
        raise InputError("Invalid location: type and target must be non-empty strings")
    presence = body.get("presence", Location.Presence.REQUIRED)
    if presence not in Location.Presence.values:
        raise InputError("Invalid location: presence must be required or optional")
    if type_ not in settings.CATALOG_LOCATION_TYPES:
        allowed = ", ".join(f'"{t}"' for t in settings.CATALOG_LOCATION_TYPES)
        raise InputError(f"Registered locations must be of an allowed type [{allowed}]")
    return type_, target, presence


def enqueue_refresh(location_id: Any) -> None:
    """Process the location on a worker once the current transaction has committed."""
    pk = str(location_id)
    transaction.on_commit(lambda: tasks.refresh_location.delay(pk))


def dry_run(type_: str, target: str, presence: str) -> dict[str, Any]:
    """Read and process the location as a refresh would, storing nothing (Backstage's ``dryRun``)."""
    target = normalize_target(type_, target)
    location = Location(type=type_, target=target, presence=presence)
    entities = [dict(synthetic_location_entity(location), relations=[])]
    seen = {location.entity_ref}
    problems: list[str] = []
    allowed = {kind.lower() for kind in (settings.CATALOG_ALLOWED_KINDS)}
    results = walk_location(
        type_, target, presence, location.entity_ref, allowed_kinds=allowed, stored_locations=lambda _ref: []
    )
    for result in results:
        problems.extend(_problems(result))
        for emitted in result.emitted:
            if emitted.ref in seen:
                problems.append(f"Duplicate entity {emitted.ref} in {emitted.location_key}")
                continue
            seen.add(emitted.ref)
            entities.append(_with_relations(emitted))
    if problems:
        raise InputError("; ".join(problems[:20]))
    return {
        "exists": Location.objects.filter(type=type_, target=target).exists(),
        "location": {"type": type_, "target": target, "id": location.ref, "entityRef": location.entity_ref},
        "entities": entities,
    }


def _problems(result: FileResult) -> list[str]:
    messages = [f"{result.ref}: {e.field + ': ' if e.field else ''}{e.message}" for e in result.errors]
    for failure in result.failures:
        messages.extend(
            f"{failure.ref}: {p.field + ': ' if p.field else ''}{p.message}" for p in failure.problems
        )
    return messages


def _with_relations(emitted: Emitted) -> dict[str, Any]:
    relations = sorted({(t, target) for source, t, target in emitted.relations if source == emitted.ref})
    return dict(emitted.processed, relations=[{"type": t, "targetRef": target} for t, target in relations])


@transaction.atomic
def update_location(location: Location, type_: str, target: str) -> Location:
    """Point a location at a new target and make it due now; 409 if another location has that target.

    TODO(lead): belongs in ``catalog.services``; Backstage keeps the original ``entityRef`` after a PUT,
    which needs ``Location.entity_ref`` stored rather than computed.
    """
    target = normalize_target(type_, target)
    if Location.objects.filter(type=type_, target=target).exclude(pk=location.pk).exists():
        raise ConflictError(f"Location {type_}:{target} already exists")
    location.type, location.target, location.next_refresh_at = type_, target, timezone.now()
    try:
        with transaction.atomic():
            location.save(update_fields=["type", "target", "next_refresh_at", "updated_at"])
    except IntegrityError:
        raise ConflictError(f"Location {type_}:{target} already exists") from None
    enqueue_refresh(location.pk)
    return location
