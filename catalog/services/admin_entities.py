"""Entities written in the Django admin: processed and stitched like a location's, owned by the admin location.

Backstage's entity providers hand the catalog entities that no file holds; here the admin is one such
provider. Its entities belong to one Location of type ``admin`` (``admin:greenroom``), which is what their
``backstage.io/managed-by-location`` and ``managed-by-origin-location`` annotations name. Each descriptor is
kept on its entity (``Entity.descriptor``), so "refreshing" that location re-processes what is stored.
"""

from __future__ import annotations

from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import CatalogError, Entity, Location, Relation
from catalog.processing import Emitted, Failure, process_entity
from catalog.services.refresh import (
    RefreshSummary,
    denormalized,
    result_hash,
    status_item,
    synthetic_location_entity,
)
from catalog.stitching import stitch
from catalog.validation import Problem, validate_envelope
from catalog.yamlio import load_documents
from permissions import audit

ADMIN_TARGET = "greenroom"
REGISTERED_BY = "greenroom admin"


class AdminEntityError(ValueError):
    """A descriptor the admin cannot save, with the problems to show on the form (field, message)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in problems))


def admin_location() -> Location:
    """The location that owns admin-written entities, created (and its Location entity) on first use."""
    location, created = Location.objects.get_or_create(
        type=Location.Type.ADMIN,
        target=ADMIN_TARGET,
        defaults={"registered_by": REGISTERED_BY, "next_refresh_at": None, "status": Location.Status.OK},
    )
    if created:
        audit.record("catalog.location.create", location.ref)
    return location


def is_admin_managed(entity: Entity) -> bool:
    """Whether the admin may edit this entity's descriptor (it is not the admin location's own entity)."""
    location = entity.location
    return location is not None and location.type == Location.Type.ADMIN and entity.ref != location.entity_ref


def parse_descriptor(text: str) -> dict[str, Any]:
    """The one YAML document in ``text``, read as the catalog reads files (YAML 1.2 core schema)."""
    try:
        documents = [document for _index, document in load_documents(text)]
    except yaml.YAMLError as exc:
        raise AdminEntityError([Problem("", f"YAML error: {exc}")]) from None
    if len(documents) != 1:
        raise AdminEntityError(
            [Problem("", f"Write exactly one entity descriptor; found {len(documents)} documents")]
        )
    return documents[0]


def process_document(document: Any, location: Location) -> Emitted:
    """Validate and process one descriptor as a refresh would, with the admin location as its file."""
    problems = validate_envelope(document)
    if problems:
        raise AdminEntityError(problems)
    kind = document["kind"]
    if kind.lower() == "location":
        raise AdminEntityError(
            [Problem("kind", "Location entities are not written in the admin: register a location instead")]
        )
    allowed = {k.lower() for k in (location.allowed_kinds or settings.CATALOG_ALLOWED_KINDS)}
    if kind.lower() not in allowed:
        raise AdminEntityError([Problem("kind", f"Entity of kind {kind} is not allowed from this location")])
    outcome = process_entity(
        document,
        file_type=location.type,
        file_target=location.target,
        origin_ref=location.ref,
        parent_ref=location.entity_ref,
    )
    if isinstance(outcome, Failure):
        raise AdminEntityError(outcome.problems)
    return outcome


@transaction.atomic
def save_admin_entity(text: str, *, uid: Any = None) -> Entity:
    """Create (``uid=None``) or update an admin-managed entity from its YAML; nothing is saved on error.

    A ref held by another location is refused (the first location keeps it, as between locations); a ref
    held by no location is adopted, as a refresh adopts it. The kind, namespace and name of an existing
    entity do not change: that would be another entity.
    """
    location = admin_location()
    Location.objects.select_for_update().filter(pk=location.pk).first()  # admin writes take turns
    emitted = process_document(parse_descriptor(text), location)
    entity = _target_entity(emitted.ref, location, uid)
    created = entity is None
    _ensure_location_entity(location)
    entity, changed = _write(entity, emitted, location)
    if created or changed:
        action = "catalog.entity.create" if created else "catalog.entity.update"
        audit.record(action, entity.ref, {"uid": str(entity.pk), "generation": entity.generation})
    return entity


def _target_entity(ref: str, location: Location, uid: Any) -> Entity | None:
    """The row to write for ``ref``: the edited one, an unowned one to adopt, or None for a new one."""
    if uid is not None:
        entity = Entity.objects.select_for_update().filter(pk=uid).first()
        if entity is None:
            raise AdminEntityError([Problem("", "This entity no longer exists")])
        if entity.location_id != location.pk:
            raise AdminEntityError([Problem("", f"{entity.ref} comes from a location: it is read-only here")])
        if entity.ref != ref:
            raise AdminEntityError(
                [
                    Problem(
                        "metadata.name",
                        f"The kind, namespace and name identify the entity and cannot change (it is "
                        f"{entity.ref}, the descriptor says {ref}); create a new entity instead",
                    )
                ]
            )
        return entity
    existing = (
        Entity.objects.select_for_update(of=("self",)).filter(ref=ref).select_related("location").first()
    )
    if existing is None or existing.location_id is None:
        return existing
    if existing.location_id == location.pk:
        message = f"{ref} already exists in the admin: edit it instead"
    else:
        message = (
            f"{ref} is already registered by location {existing.location.ref}; "
            "an entity that comes from a location cannot be taken over in the admin"
        )
    raise AdminEntityError([Problem("metadata.name", message)])


def _ensure_location_entity(location: Location) -> None:
    if not Entity.objects.filter(ref=location.entity_ref).exists():
        root = synthetic_location_entity(location)
        _write(None, Emitted(location.entity_ref, root, root, [], location.ref, ""), location)


def _write(entity: Entity | None, emitted: Emitted, location: Location) -> tuple[Entity, bool]:
    """Store one processed entity and its relations, then stitch it and its peers; ``(entity, changed)``."""
    digest = result_hash(emitted)
    affected = {emitted.ref}
    if entity is None:
        entity = Entity(ref=emitted.ref, generation=1)
    else:
        clean = not (entity.orphan or entity.has_errors) and entity.location_id == location.pk
        if clean and entity.result_hash == digest:
            return entity, False
        entity.generation += entity.result_hash != digest
        old = Relation.objects.filter(originating=entity)
        affected.update(old.values_list("source_ref", flat=True))
        old.delete()
    for name, value in denormalized(emitted).items():
        setattr(entity, name, value)
    entity.descriptor, entity.processed, entity.result_hash = emitted.descriptor, emitted.processed, digest
    entity.location, entity.location_key, entity.parent_ref = (
        location,
        emitted.location_key,
        emitted.parent_ref,
    )
    entity.errors, entity.has_errors, entity.orphan = [], False, False
    entity.save()
    Relation.objects.bulk_create(
        Relation(originating=entity, source_ref=source, type=type_, target_ref=target)
        for source, type_, target in emitted.relations
    )
    affected.update(source for source, _type, _target in emitted.relations)
    stitch(affected)
    return entity, True


@transaction.atomic
def refresh_admin_location(location_id: Any) -> RefreshSummary | None:
    """Re-process every stored admin descriptor (rules or referenced entities may have changed).

    An entity that no longer passes keeps its last good state and shows why, as one from a file would.
    """
    location = Location.objects.select_for_update().filter(pk=location_id, type=Location.Type.ADMIN).first()
    if location is None:
        return None
    location.refresh_started_at = timezone.now()
    summary = RefreshSummary(files=1)
    _ensure_location_entity(location)
    errors: list[CatalogError] = []
    for entity in Entity.objects.filter(location=location).exclude(ref=location.entity_ref):
        try:
            _entity, changed = _write(entity, process_document(entity.descriptor, location), location)
        except AdminEntityError as exc:
            _mark_failed(entity, exc.problems, location, errors, summary)
            continue
        if changed:
            summary.updated += 1
        else:
            summary.unchanged += 1
    _record(location, summary, errors)
    if summary.updated or summary.errors:
        audit.record("catalog.location.refresh", location.ref, {"updated": summary.updated})
    return summary


def _mark_failed(
    entity: Entity,
    problems: list[Problem],
    location: Location,
    errors: list[CatalogError],
    summary: RefreshSummary,
) -> None:
    entity.errors = [status_item(p.field, p.message) for p in problems]
    entity.has_errors = True
    entity.save(update_fields=["errors", "has_errors"])
    stitch([entity.ref])
    for problem in problems:
        errors.append(
            CatalogError(
                location=location,
                kind=CatalogError.Kind.VALIDATION,
                file=location.ref,
                entity_ref=entity.ref,
                field=problem.field[:512],
                message=problem.message,
            )
        )
        summary.errors += 1
        summary.error_messages.append(f"{entity.ref}: {problem.field}: {problem.message}")


def _record(location: Location, summary: RefreshSummary, errors: list[CatalogError]) -> None:
    location.errors.all().delete()
    CatalogError.objects.bulk_create(errors)
    location.refreshed_at = timezone.now()
    location.next_refresh_at = None  # nothing to poll: the admin writes its entities itself
    location.status = Location.Status.ERROR if errors else Location.Status.OK
    location.last_summary = summary.as_dict()
    location.save(
        update_fields=["refresh_started_at", "refreshed_at", "next_refresh_at", "status", "last_summary"]
    )
