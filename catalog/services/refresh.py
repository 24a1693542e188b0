"""Refreshing one location: walk its tree, reconcile what it emits with what is stored, in one transaction."""

from __future__ import annotations

import functools
import logging
import os
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.annotations import MANAGED_BY_LOCATION, MANAGED_BY_ORIGIN_LOCATION
from catalog.bulk import analyze_if_stale, copy_rows, update_rows
from catalog.models import CatalogError, Entity, Location, LocationFile, Relation
from catalog.processing import Emitted, Failure
from catalog.signals import location_refreshed
from catalog.stitching import NewEntities, stitch
from catalog.walker import FileResult, KnownFiles, process_file, walk_ahead
from permissions import audit

logger = logging.getLogger(__name__)

FLUSH_SIZE = 1000
ENTITY_JSON_COLUMNS = ("descriptor", "processed", "errors")


@dataclass
class RefreshSummary:
    """What one refresh did, as the command prints it and the location shows it."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    orphaned: int = 0
    errors: int = 0
    conflicts: int = 0
    files: int = 0
    error_messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["error_messages"] = data["error_messages"][:20]
        return data


def next_refresh_time() -> Any:
    low, high = settings.CATALOG_REFRESH_INTERVAL_MIN, settings.CATALOG_REFRESH_INTERVAL_MAX
    return timezone.now() + timedelta(seconds=random.uniform(low, high))


Progress = Callable[[int, int], None]


def refresh_location(location_id: Any, *, progress: Progress | None = None) -> RefreshSummary | None:
    """Bring the catalog in step with one location; ``None`` if the location no longer exists.

    Two workers refreshing the same location take turns on its row lock; the second finds nothing to do.
    A location racing another for the same new entity loses the insert and retries once, seeing the conflict.
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                location = Location.objects.select_for_update().filter(pk=location_id).first()
                if location is None:
                    return None
                summary = _Refresh(location, progress).run()
                if summary.added or summary.updated or summary.orphaned:
                    changes = {k: getattr(summary, k) for k in ("added", "updated", "orphaned", "errors")}
                    audit.record("catalog.location.refresh", location.ref, changes)
                transaction.on_commit(
                    functools.partial(
                        location_refreshed.send, Location, location_id=location_id, summary=summary
                    )
                )
                return summary
        except IntegrityError:
            if attempt:
                raise
            logger.info("Location %s raced another refresh; retrying", location_id)
    return None


def synthetic_location_entity(location: Location) -> dict[str, Any]:
    """The Location entity Backstage makes for a registered location (spec §5.2)."""
    spec: dict[str, Any] = {"type": location.type, "target": location.target}
    if location.presence == Location.Presence.OPTIONAL:
        spec["presence"] = "optional"
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {
            "name": location.entity_name,
            "namespace": "default",
            "annotations": {MANAGED_BY_LOCATION: location.ref, MANAGED_BY_ORIGIN_LOCATION: location.ref},
        },
        "spec": spec,
    }


def result_hash(emitted: Emitted) -> str:
    return emitted.result_hash


def random_uuids(count: int) -> Iterator[uuid.UUID]:
    """``count`` version-4 UUIDs, as ``uuid.uuid4()`` makes them, from one read of the system's randomness."""
    randomness = os.urandom(16 * count)
    return (uuid.UUID(bytes=randomness[i : i + 16], version=4) for i in range(0, 16 * count, 16))


def status_item(problem_field: str, message: str) -> dict[str, Any]:
    """One Backstage ``status.items`` entry for a processing error."""
    text = f"{problem_field}: {message}" if problem_field else message
    return {
        "type": "backstage.io/catalog-processing",
        "level": "error",
        "message": f"InputError: {text}",
        "error": {"name": "InputError", "message": text},
    }


# An index entry holds at most about 2.7 KB: the text stops at this many bytes (name, title and tags come
# first, so only the end of a long description is left out).
SEARCH_TEXT_LIMIT = 1000


def search_text(metadata: dict[str, Any]) -> str:
    """What the catalog's free-text filter matches: name, title, tags and description, lower-cased."""
    tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
    parts = [
        metadata.get("name"),
        metadata.get("title"),
        " ".join(str(t) for t in tags),
        metadata.get("description"),
    ]
    text = "\n".join(str(part) for part in parts if part).lower()
    return text.encode()[:SEARCH_TEXT_LIMIT].decode(errors="ignore")


def denormalized(emitted: Emitted) -> dict[str, Any]:
    """The columns copied out of the entity for admin filters and pages."""
    processed = emitted.processed
    metadata, spec = processed["metadata"], processed.get("spec") or {}
    owner = next((t for s, r, t in emitted.relations if r == "ownedBy" and s == emitted.ref), "")
    return {
        "kind": processed["kind"],
        "namespace": metadata["namespace"],
        "name": metadata["name"],
        "title": str(metadata.get("title") or "")[:255],
        "search_text": search_text(metadata),
        "spec_type": spec["type"][:255] if isinstance(spec.get("type"), str) else "",
        "lifecycle": spec["lifecycle"][:255] if isinstance(spec.get("lifecycle"), str) else "",
        "owner_ref": owner,
    }


ROW_COLUMNS = ("id", "location_key", "result_hash", "orphan", "has_errors", "generation")


@dataclass
class _Row:
    id: uuid.UUID
    location_key: str
    result_hash: str
    orphan: bool
    has_errors: bool
    generation: int


class _Refresh:
    """One refresh of one location, inside the caller's transaction."""

    def __init__(self, location: Location, progress: Progress | None = None) -> None:
        self.location = location
        self.progress = progress
        self.summary = RefreshSummary()
        self.allowed = {kind.lower() for kind in (location.allowed_kinds or settings.CATALOG_ALLOWED_KINDS)}
        self.existing: dict[str, _Row] = {
            ref: _Row(*rest)
            for ref, *rest in Entity.objects.filter(location=location).values_list("ref", *ROW_COLUMNS)
        }
        self.by_file: dict[str, list[str]] = {}  # file ref -> refs of the entities stored from it
        # file ref -> (row id, "<digest>:<entities>") of the files last processed whole
        self.file_tags: dict[str, tuple[int, str]] = {
            file: (pk, tag) for pk, file, tag in location.files.values_list("pk", "file", "tag")
        }
        self.walked_tags: dict[str, str] = {}  # file ref -> its tag after this walk ("" when none holds)
        for ref, row in self.existing.items():
            if ref != location.entity_ref:
                self.by_file.setdefault(row.location_key, []).append(ref)
        self.seen: dict[str, str] = {}  # ref -> location key of the file that emitted it
        self.failed_files: set[str] = set()
        self.affected: set[str] = set()
        self.errors: list[CatalogError] = []
        self.failed_entities: dict[str, list[dict[str, Any]]] = {}
        self.new = NewEntities()  # inserted once the walk is over, in their served form

    # --- the walk

    def run(self) -> RefreshSummary:
        location = self.location
        location.refresh_started_at = timezone.now()
        root = synthetic_location_entity(location)
        pending = [Emitted(location.entity_ref, root, root, [], location.ref, "")]
        self.seen[location.entity_ref] = location.ref
        # The walk reads and processes files on a helper thread while this one writes the batches before.
        results = walk_ahead(
            location.type,
            location.target,
            location.presence,
            location.entity_ref,
            allowed_kinds=self.allowed,
            stored_locations=self._stored_locations,
            known=self._known_files(),
        )
        with self.new:
            with closing(results):
                for result in results:
                    self.summary.files += 1
                    self._collect(result, pending)
                    if self.progress:
                        self.progress(self.summary.files, len(self.seen))
                    if len(pending) >= FLUSH_SIZE:
                        self._flush(pending)
                        pending = []
            self._flush(pending)
            self._mark_failed_entities()
            self._mark_orphans()
            self._save_file_tags()
            # The new entities' served forms depend on no other entity's row, only on the relations.
            stitch(self.affected - self.new.refs)
            self.new.insert()
        self._record(location)
        return self.summary

    def _known_files(self) -> KnownFiles:
        """Files last processed whole whose stored entities are all still there (as many as the file held
        then) and all clean."""
        known = {}
        for file_ref, refs in self.by_file.items():
            _pk, tag = self.file_tags.get(file_ref, (None, ""))
            digest, _, count = tag.rpartition(":")
            if not digest or count != str(len(refs)):
                continue
            if all(not self.existing[ref].orphan and not self.existing[ref].has_errors for ref in refs):
                known[file_ref] = (digest, any(ref.startswith("location:") for ref in refs))
        return known

    def _save_file_tags(self) -> None:
        """Keep the tags of the files this walk met and processed whole; forget the others.

        A file that could not be read keeps its tag: its entities stay at that last good state, so the same
        content, once readable again, needs no processing.
        """
        stale = [
            pk
            for file, (pk, tag) in self.file_tags.items()
            if self.walked_tags.get(file, "") != tag and file not in self.failed_files
        ]
        LocationFile.objects.filter(pk__in=stale).delete()
        fresh = [
            LocationFile(location=self.location, file=file, tag=tag)
            for file, tag in self.walked_tags.items()
            if tag and (file not in self.file_tags or self.file_tags[file][1] != tag)
        ]
        LocationFile.objects.bulk_create(fresh, batch_size=500)

    def _stored_locations(self, file_ref: str) -> list[dict[str, Any]]:
        return list(
            Entity.objects.filter(
                location=self.location, location_key=file_ref, kind__iexact="location"
            ).values_list("processed", flat=True)
        )

    def _collect(self, result: FileResult, pending: list[Emitted]) -> None:
        if result.skipped:
            refs = self.by_file.get(result.ref, [])
            if not any(ref in self.seen for ref in refs):
                for ref in refs:
                    self.seen[ref] = result.ref
                self.summary.unchanged += len(refs)
                self.walked_tags[result.ref] = self.file_tags[result.ref][1]
                return
            # Another file emitted one of its entities first this time: process it to report the conflict.
            digest = result.digest
            result = process_file(
                result.type, result.target, result.text, result.parent_ref, self.location.ref, self.allowed
            )
            result.digest = digest
        if result.failed:
            self.failed_files.add(result.ref)
            for error in result.errors:
                self._error(
                    error.kind, result.ref, error.message, error.document, error.field, error.entity_ref
                )
        for failure in result.failures:
            self._failure(failure)
        if not result.failed:
            whole = result.digest and not result.failures
            self.walked_tags[result.ref] = f"{result.digest}:{len(result.emitted)}" if whole else ""
        for emitted in result.emitted:
            previous = self.seen.get(emitted.ref)
            if previous is not None:
                self._error(
                    CatalogError.Kind.CONFLICT,
                    emitted.location_key,
                    f"{emitted.ref} is already emitted by {previous}; this copy was skipped",
                    emitted.document,
                    entity_ref=emitted.ref,
                )
                self.summary.conflicts += 1
                continue
            self.seen[emitted.ref] = emitted.location_key
            pending.append(emitted)

    def _failure(self, failure: Failure) -> None:
        for problem in failure.problems:
            self._error(
                CatalogError.Kind.VALIDATION,
                failure.location_key,
                problem.message,
                failure.document,
                problem.field,
                failure.ref,
            )
        self.seen.setdefault(failure.ref, failure.location_key)
        self.failed_entities[failure.ref] = [status_item(p.field, p.message) for p in failure.problems]

    def _error(
        self,
        kind: str,
        file: str,
        message: str,
        document: int | None = None,
        field_: str = "",
        entity_ref: str = "",
    ) -> None:
        self.errors.append(
            CatalogError(
                location=self.location,
                kind=kind,
                file=file[:2048],
                document=document,
                field=field_[:512],
                entity_ref=entity_ref[:255],
                message=message,
            )
        )
        if kind != CatalogError.Kind.CONFLICT:
            self.summary.errors += 1
        if len(self.summary.error_messages) < 20:
            where = file + (f" (document {document})" if document else "")
            self.summary.error_messages.append(f"{where}: {field_ + ': ' if field_ else ''}{message}")

    # --- writing

    def _flush(self, batch: list[Emitted]) -> None:
        if not batch:
            return
        # Each batch looks rows up by key in tables this transaction may be filling: keep the planner informed
        # (a no-op unless a table has doubled since its statistics), or it scans whole tables per batch.
        analyze_if_stale(Entity)
        claimed = self._claim_unowned([e.ref for e in batch if e.ref not in self.existing])
        new_ids = random_uuids(len(batch))
        inserts: list[dict[str, Any]] = []
        updates: list[tuple[Any, ...]] = []
        replaced: list[uuid.UUID] = []
        relation_rows: list[tuple[Any, ...]] = []
        for emitted in batch:
            if emitted.ref in claimed:
                continue
            digest = result_hash(emitted)
            row = self.existing.get(emitted.ref)
            if row is None:
                entity_id = next(new_ids)
                inserts.append(
                    {
                        "id": entity_id,
                        "ref": emitted.ref,
                        "descriptor": emitted.descriptor,
                        "processed": emitted.processed,
                        "result_hash": digest,
                        "location_id": self.location.pk,
                        "location_key": emitted.location_key,
                        "parent_ref": emitted.parent_ref,
                        **denormalized(emitted),
                    }
                )
                self.summary.added += 1
            elif row.result_hash == digest and not row.orphan and not row.has_errors:
                self.summary.unchanged += 1
                continue
            else:
                entity_id = row.id
                generation = row.generation + (row.result_hash != digest)
                columns = denormalized(emitted)
                updates.append(
                    (
                        row.id,
                        emitted.descriptor,
                        emitted.processed,
                        [],
                        digest,
                        emitted.location_key,
                        emitted.parent_ref,
                        False,
                        False,
                        generation,
                        self.location.pk,
                        *columns.values(),
                    )
                )
                replaced.append(row.id)
                if row.result_hash != digest:
                    self.summary.updated += 1
                else:
                    self.summary.unchanged += 1
            self.affected.add(emitted.ref)
            for source, type_, target in emitted.relations:
                relation_rows.append((entity_id, source, type_, target))
                self.affected.add(source)
        self.new.add(inserts)
        if updates:
            columns = list(denormalized(batch[0]).keys())
            update_rows(
                Entity,
                "id",
                [
                    "descriptor",
                    "processed",
                    "errors",
                    "result_hash",
                    "location_key",
                    "parent_ref",
                    "orphan",
                    "has_errors",
                    "generation",
                    "location_id",
                    *columns,
                ],
                updates,
                json_columns=ENTITY_JSON_COLUMNS,
            )
        if replaced:
            analyze_if_stale(Relation)
            old = Relation.objects.filter(originating_id__in=replaced)
            self.affected.update(old.values_list("source_ref", flat=True))
            old.delete()
        copy_rows(Relation, ["originating_id", "source_ref", "type", "target_ref"], relation_rows)

    def _claim_unowned(self, refs: list[str]) -> set[str]:
        """Refs owned by another location (conflicts, returned); rows owned by no location are adopted."""
        if not refs:
            return set()
        conflicts: set[str] = set()
        rows = Entity.objects.filter(ref__in=refs).values_list("ref", *ROW_COLUMNS, "location_id")
        owners = {}
        for ref, *rest, location_id in rows:
            if location_id is None:
                self.existing[ref] = _Row(*rest)
                Entity.objects.filter(pk=rest[0]).update(location=self.location)
            else:
                conflicts.add(ref)
                owners[ref] = location_id
        if conflicts:
            targets = dict(Location.objects.filter(pk__in=set(owners.values())).values_list("pk", "target"))
            for ref in conflicts:
                self._error(
                    CatalogError.Kind.CONFLICT,
                    self.seen.get(ref, ""),
                    f"{ref} is already registered by location {targets.get(owners[ref], owners[ref])}; "
                    "the first location keeps it and this copy was skipped",
                    entity_ref=ref,
                )
                self.summary.conflicts += 1
                self.seen.pop(ref, None)
        return conflicts

    def _mark_failed_entities(self) -> None:
        """Entities that failed this round keep their last good state and show why in ``status``."""
        updates = []
        for ref, items in self.failed_entities.items():
            row = self.existing.get(ref)
            if row is not None:
                updates.append((row.id, items, True))
                self.affected.add(ref)
        update_rows(Entity, "id", ["errors", "has_errors"], updates, json_columns=["errors"])

    def _mark_orphans(self) -> None:
        orphaned = []
        for ref, row in self.existing.items():
            if ref in self.seen or row.orphan or row.location_key in self.failed_files:
                continue
            orphaned.append((row.id, True, ""))
            self.affected.add(ref)
        update_rows(Entity, "id", ["orphan", "parent_ref"], orphaned)
        self.summary.orphaned = len(orphaned)

    def _record(self, location: Location) -> None:
        location.errors.all().delete()
        CatalogError.objects.bulk_create(self.errors, batch_size=500)
        location.refreshed_at = timezone.now()
        location.next_refresh_at = next_refresh_time()
        location.status = Location.Status.ERROR if self.errors else Location.Status.OK
        location.last_summary = self.summary.as_dict()
        location.save(
            update_fields=["refresh_started_at", "refreshed_at", "next_refresh_at", "status", "last_summary"]
        )
