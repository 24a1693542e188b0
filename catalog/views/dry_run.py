"""What registering a URL would import: the walk of its tree without storing anything."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.conf import settings

from catalog.models import Location
from catalog.services.locations import normalize_target
from catalog.visibility import visible_entities
from catalog.walker import walk_location

logger = logging.getLogger(__name__)

# A preview reads at most this many files: enough for any repository, bounded for a runaway tree.
MAX_FILES = 100


@dataclass
class PreviewEntity:
    ref: str
    kind: str
    namespace: str
    name: str
    title: str
    file: str
    status: str = "new"  # new | registered here | conflict


@dataclass
class PreviewProblem:
    file: str
    message: str
    ref: str = ""


@dataclass
class Preview:
    """The outcome of a dry run; ``error`` is set when nothing could be read at all."""

    url: str
    entities: list[PreviewEntity] = field(default_factory=list)
    problems: list[PreviewProblem] = field(default_factory=list)
    files: int = 0
    truncated: bool = False
    existing: Location | None = None
    error: str = ""

    @property
    def importable(self) -> list[PreviewEntity]:
        """The entities a confirmation would bring in or update (conflicting copies are skipped)."""
        return [entity for entity in self.entities if entity.status != "conflict"]

    @property
    def skipped(self) -> list[PreviewEntity]:
        """Copies of entities another location registered first: the import skips them."""
        return [entity for entity in self.entities if entity.status == "conflict"]


def with_field(field_: str, message: str) -> str:
    """``field: message``, unless the message already names the field."""
    return f"{field_}: {message}" if field_ and field_ not in message else message


def collect(preview: Preview, url: str) -> None:
    location = Location(type=Location.Type.URL, target=url)
    results = walk_location(
        location.type,
        location.target,
        location.presence,
        location.entity_ref,
        allowed_kinds={kind.lower() for kind in settings.CATALOG_ALLOWED_KINDS},
        stored_locations=lambda ref: [],
    )
    for result in islice(results, MAX_FILES + 1):
        if preview.files == MAX_FILES:
            preview.truncated = True
            break
        preview.files += 1
        for error in result.errors:
            where = f" (document {error.document})" if error.document else ""
            field_ = f"{error.field}: " if error.field else ""
            preview.problems.append(
                PreviewProblem(result.ref + where, field_ + error.message, error.entity_ref)
            )
        for failure in result.failures:
            for problem in failure.problems:
                text = with_field(problem.field, problem.message)
                preview.problems.append(PreviewProblem(failure.location_key, text, failure.ref))
        for emitted in result.emitted:
            metadata = emitted.processed.get("metadata") or {}
            preview.entities.append(
                PreviewEntity(
                    emitted.ref,
                    emitted.kind,
                    metadata.get("namespace", "default"),
                    metadata.get("name", ""),
                    str(metadata.get("title") or ""),
                    emitted.location_key,
                )
            )


def mark_existing(caller: Any, preview: Preview) -> None:
    """Flag entities already in the catalog: from this location (updated) or another (a conflict)."""
    stored = dict(
        visible_entities(caller)
        .filter(ref__in=[e.ref for e in preview.entities])
        .values_list("ref", "location_id")
    )
    own = preview.existing.pk if preview.existing else None
    for entity in preview.entities:
        if entity.ref in stored:
            entity.status = "registered here" if stored[entity.ref] == own and own else "conflict"


def preview_location(caller: Any, url: str) -> Preview:
    """Read ``url`` and everything it leads to, as a refresh would, and report without storing."""
    preview = Preview(url=url.strip())
    try:
        preview.url = normalize_target(Location.Type.URL, url)
    except ValueError as exc:
        preview.error = str(exc)
        return preview
    preview.existing = Location.objects.filter(type=Location.Type.URL, target=preview.url).first()
    try:
        collect(preview, preview.url)
    except Exception:  # a preview must never break the page; the log keeps the details
        logger.exception("Dry run of %s failed", preview.url)
        preview.error = f"Could not read {preview.url}; see the server log for details."
        return preview
    if not preview.entities and not preview.problems:
        preview.error = f"{preview.url} holds no entities."
    mark_existing(caller, preview)
    return preview
