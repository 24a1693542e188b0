"""Walking a registered location's tree: read each file, process its documents, follow Location entities."""

from __future__ import annotations

import contextlib
import hashlib
import queue
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.conf import settings

from catalog.processing import Emitted, Failure, envelope_ref, process_entity
from catalog.readers import ReadError, ReadResult, read_target, resolve_target
from catalog.validation import Problem, validate_envelope
from catalog.yamlio import load_documents


@dataclass
class FileError:
    """A problem that fails a whole file for this round (spec §5.3): its entities keep their last state."""

    kind: str  # read | parse | validation | rule
    message: str
    document: int | None = None
    field: str = ""
    entity_ref: str = ""


@dataclass
class FileResult:
    """Everything one file produced."""

    type: str
    target: str
    parent_ref: str
    emitted: list[Emitted] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    digest: str = ""  # of the file and what its processing depends on; "" when it cannot be trusted
    skipped: bool = False  # the digest is the stored one: not parsed, its stored entities stand
    text: str = ""  # kept for a skipped file, in case the refresh must process it after all

    @property
    def ref(self) -> str:
        return f"{self.type}:{self.target}"

    @property
    def failed(self) -> bool:
        return bool(self.errors)


@dataclass(frozen=True)
class Target:
    type: str
    target: str
    presence: str
    parent_ref: str


StoredLocations = Callable[[str], list[dict[str, Any]]]
# file ref -> (digest its stored entities were processed from, whether it holds Location entities)
KnownFiles = Mapping[str, tuple[str, bool]]

# Part of every file digest: change it when processing changes, so that every file is processed afresh.
PROCESSING_VERSION = "1"


def file_digest(read: ReadResult, parent_ref: str, origin_ref: str, allowed_kinds: set[str]) -> str:
    """A hash of a file's text and of everything else its processing depends on.

    "" for a file with ``$`` in it: placeholders read other files, which the digest does not cover.
    """
    if "$" in read.text:
        return ""
    parts = (
        PROCESSING_VERSION,
        read.ref,
        parent_ref,
        origin_ref,
        ",".join(sorted(allowed_kinds)),
        ",".join(settings.CATALOG_LOCATION_TYPES),
        read.text,
    )
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()


def location_targets(entity: dict[str, Any], file_type: str, file_target: str) -> tuple[list[Target], str]:
    """The targets a Location entity names, resolved against its file; an error message if one is bad."""
    spec = entity.get("spec") or {}
    child_type = spec.get("type") or file_type
    raw = ([spec["target"]] if spec.get("target") else []) + list(spec.get("targets") or [])
    if child_type != file_type and child_type not in settings.CATALOG_LOCATION_TYPES:
        return (
            [],
            f"Location type {child_type!r} is not allowed here; allowed: {settings.CATALOG_LOCATION_TYPES}",
        )
    presence = spec.get("presence") or "required"
    ref = envelope_ref(entity)
    targets = []
    for target in raw:
        resolved = resolve_target(file_type, file_target, target) if child_type == file_type else target
        targets.append(Target(child_type, resolved, presence, ref))
    return targets, ""


def read_file_documents(
    text: str, *, allowed_kinds: set[str]
) -> tuple[list[tuple[int, dict[str, Any]]], list[FileError]]:
    """Parse one file; any unparsable, non-object, envelope-invalid or disallowed document fails the file."""
    try:
        documents = list(load_documents(text))
    except yaml.YAMLError as exc:
        return [], [FileError("parse", f"YAML error: {exc}")]
    errors: list[FileError] = []
    for index, document in documents:
        if not isinstance(document, dict):
            errors.append(FileError("parse", "Expected an object at the root of the document", index))
            continue
        problems = validate_envelope(document)
        if problems:
            errors.extend(FileError("validation", p.message, index, p.field) for p in problems)
            continue
        if document["kind"].lower() not in allowed_kinds:
            errors.append(
                FileError(
                    "rule",
                    f"Entity of kind {document['kind']} is not allowed from this location",
                    index,
                    "kind",
                    envelope_ref(document),
                )
            )
    return documents, errors


def walk_location(
    root_type: str,
    root_target: str,
    root_presence: str,
    root_ref: str,
    *,
    allowed_kinds: set[str],
    stored_locations: StoredLocations,
    known: KnownFiles | None = None,
) -> Iterator[FileResult]:
    """Yield one result per file reached from a registered location, breadth first, each file once.

    When a file fails, the Location entities it held last time (``stored_locations(file_ref)``) are
    followed instead, so that a broken parent does not orphan its healthy children. A file whose digest
    is the one in ``known`` is not parsed: it comes back ``skipped`` and its stored Location entities are
    followed, as Backstage's readers answer "not modified" from their cache.
    """
    known = known or {}
    origin_ref = f"{root_type}:{root_target}"
    queue: deque[Target] = deque([Target(root_type, root_target, root_presence, root_ref)])
    seen: set[str] = set()
    while queue:
        item = queue.popleft()
        try:
            files = read_target(item.type, item.target)
        except ReadError as exc:
            if exc.not_found and item.presence == "optional":
                continue
            result = FileResult(item.type, item.target, item.parent_ref)
            result.errors.append(FileError("read", str(exc)))
            queue.extend(_stored_targets(result, stored_locations))
            yield result
            continue
        for read in files:
            if read.ref in seen:
                continue
            seen.add(read.ref)
            digest = file_digest(read, item.parent_ref, origin_ref, allowed_kinds)
            stored_digest, has_locations = known.get(read.ref, ("", False))
            if digest and digest == stored_digest:
                result = FileResult(read.type, read.target, item.parent_ref, digest=digest, skipped=True)
                result.text = read.text
                if has_locations:
                    queue.extend(_stored_targets(result, stored_locations))
                yield result
                continue
            result = process_file(
                read.type, read.target, read.text, item.parent_ref, origin_ref, allowed_kinds
            )
            result.digest = digest
            if result.failed:
                queue.extend(_stored_targets(result, stored_locations))
            else:
                kept: list[Emitted] = []
                for emitted in result.emitted:
                    if emitted.kind.lower() == "location":
                        targets, error = location_targets(emitted.processed, read.type, read.target)
                        if error:
                            result.failures.append(
                                Failure(
                                    emitted.ref, [Problem("spec.type", error)], read.ref, emitted.document
                                )
                            )
                            continue
                        queue.extend(targets)
                    kept.append(emitted)
                result.emitted = kept
                # A Location entity that failed keeps its last good state, so its children stay reachable.
                for failure in result.failures:
                    queue.extend(_stored_targets_of(failure.ref, result, stored_locations))
            yield result


def process_file(
    type_: str, target: str, text: str, parent_ref: str, origin_ref: str, allowed_kinds: set[str]
) -> FileResult:
    """Parse one file's text and process its documents (Location entities are not followed here).

    Each entity's result hash is computed here too, on the walk's thread when ``walk_ahead`` runs it.
    """
    result = FileResult(type_, target, parent_ref)
    documents, errors = read_file_documents(text, allowed_kinds=allowed_kinds)
    if errors:
        result.errors = errors
        return result
    for index, document in documents:
        outcome = process_entity(
            document,
            file_type=type_,
            file_target=target,
            origin_ref=origin_ref,
            parent_ref=parent_ref,
            document_index=index,
        )
        if isinstance(outcome, Emitted):
            _ = outcome.result_hash
            result.emitted.append(outcome)
        else:
            result.failures.append(outcome)
    return result


def _stored_targets(result: FileResult, stored_locations: StoredLocations) -> list[Target]:
    targets: list[Target] = []
    for entity in stored_locations(result.ref):
        found, _error = location_targets(entity, result.type, result.target)
        targets.extend(found)
    return targets


def _stored_targets_of(ref: str, result: FileResult, stored_locations: StoredLocations) -> list[Target]:
    targets: list[Target] = []
    for entity in stored_locations(result.ref):
        if envelope_ref(entity) == ref:
            found, _error = location_targets(entity, result.type, result.target)
            targets.extend(found)
    return targets


class _Cancelled(Exception):
    """The reader of ``walk_ahead`` stopped reading: the helper thread gives up."""


@dataclass
class _Ask:
    """The helper thread's request for ``stored_locations(file_ref)``, answered on the reader's thread."""

    file_ref: str
    done: threading.Event = field(default_factory=threading.Event)
    value: list[dict[str, Any]] = field(default_factory=list)
    error: BaseException | None = None


@dataclass
class _Raised:
    error: BaseException


_END = object()


def walk_ahead(
    root_type: str,
    root_target: str,
    root_presence: str,
    root_ref: str,
    *,
    allowed_kinds: set[str],
    stored_locations: StoredLocations,
    known: KnownFiles | None = None,
    depth: int = 8,
) -> Generator[FileResult, None, None]:
    """``walk_location``, run by a helper thread up to ``depth`` files ahead of the reader.

    Reading and processing files is CPU work that can go on while the reader waits for its database
    writes. The results, their order and any exception are ``walk_location``'s; ``stored_locations`` is
    always called on the reader's thread (it reads the database, whose connection belongs to that thread).
    Close the generator (``contextlib.closing``) so that the helper stops when the reader gives up early.
    """
    items: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> None:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise _Cancelled

    def ask(file_ref: str) -> list[dict[str, Any]]:
        request = _Ask(file_ref)
        put(request)
        while not request.done.wait(0.1):
            if stop.is_set():
                raise _Cancelled
        if request.error is not None:
            raise request.error
        return request.value

    def produce() -> None:
        try:
            walk = walk_location(
                root_type,
                root_target,
                root_presence,
                root_ref,
                allowed_kinds=allowed_kinds,
                stored_locations=ask,
                known=known,
            )
            for result in walk:
                put(result)
            put(_END)
        except _Cancelled:
            pass
        except BaseException as exc:  # noqa: BLE001 (handed to the reader, who raises it)
            with contextlib.suppress(_Cancelled):
                put(_Raised(exc))

    helper = threading.Thread(target=produce, name="catalog-walk", daemon=True)
    helper.start()
    try:
        while True:
            item = items.get()
            if item is _END:
                return
            if isinstance(item, _Raised):
                raise item.error
            if isinstance(item, _Ask):
                try:
                    item.value = stored_locations(item.file_ref)
                except BaseException as exc:  # noqa: BLE001 (raised inside the walk, as before)
                    item.error = exc
                item.done.set()
                continue
            yield item
    finally:
        stop.set()
        helper.join()
