"""Stitching: the served entity is the processed one plus uid, relations, orphan mark, status and etag."""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import json
import pickle
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from catalog.annotations import ORPHAN, sanitize_link_annotations
from catalog.bulk import (
    JsonText,
    PreparedInsert,
    analyze_if_stale,
    copy_lines,
    copy_rows,
    copy_text,
    insert_prepared,
    is_postgres,
    json_text,
    prepare_insert,
    update_rows,
)
from catalog.models import Entity, Relation, SearchRow
from catalog.search_index import (
    SearchEntry,
    build_search_entries,
    document_search_entries,
    relation_search_entries,
)

STITCH_BATCH = 500
SEARCH_COLUMNS = ["entity_id", "key", "value", "original_value"]

_B = TypeVar("_B")
_R = TypeVar("_R")
_C = TypeVar("_C")


def chunked(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def compute_etag(entity: dict[str, Any]) -> str:
    body = json.dumps(entity, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha1(body.encode()).hexdigest()


def build_final(
    uid: str,
    processed: dict[str, Any],
    relations: Iterable[tuple[str, str]],
    *,
    orphan: bool,
    errors: list[dict[str, Any]],
) -> dict[str, Any]:
    """The entity as served, with its etag: a hash of everything else in it.

    Only the top level, ``metadata`` and ``metadata.annotations`` change, so only they are copied; the rest
    of ``final`` shares ``processed``'s objects (which stitching reads fresh from the database).
    """
    return complete_final(served_base(uid, processed, orphan=orphan), relations, errors)


def served_base(uid: str, processed: dict[str, Any], *, orphan: bool) -> dict[str, Any]:
    """The first part of ``build_final``: the served entity without ``relations``, ``status`` and etag."""
    final = dict(processed)
    metadata = final["metadata"] = dict(final.get("metadata", {}))
    metadata["uid"] = uid
    metadata.pop("etag", None)
    annotations = metadata["annotations"] = dict(metadata.get("annotations", {}))
    sanitize_link_annotations(annotations)
    if orphan:
        annotations[ORPHAN] = "true"
    return final


def complete_final(
    final: dict[str, Any], relations: Iterable[tuple[str, str]], errors: list[dict[str, Any]]
) -> dict[str, Any]:
    """The rest of ``build_final``, on a ``served_base`` result (changed in place and returned)."""
    final["relations"] = [{"type": type_, "targetRef": target} for type_, target in sorted(set(relations))]
    if errors:
        final["status"] = {"items": errors}
    final["metadata"]["etag"] = compute_etag(final)
    return final


def stitch(refs: Iterable[str]) -> int:
    """Rebuild the served form and search rows of every existing entity in ``refs``; returns how many changed.

    Each batch goes through read (database), compute (CPU) and write (database). With several batches, a
    helper thread computes one while this thread writes the one before, so that the CPU work overlaps the
    database's; all database work stays on this thread, in the caller's transaction.
    """
    batches = chunked(sorted(set(refs)), STITCH_BATCH)
    postgres = is_postgres()

    def before_many() -> None:
        # Many batches each look rows up by key; the planner needs to know how big the tables have grown.
        analyze_if_stale(Entity, Relation, SearchRow)

    return pipelined(
        batches, _read_batch, functools.partial(_compute_batch, postgres=postgres), _write_batch, before_many
    )


def pipelined(
    batches: Iterator[_B],
    read: Callable[[_B], _R],
    compute: Callable[[_R], _C],
    write: Callable[[_C], int],
    before_many: Callable[[], None] | None = None,
) -> int:
    """``write(compute(read(batch)))`` for every batch, in order; returns the sum of what ``write`` returns.

    ``read`` and ``write`` run on this thread (they use its database connection, in the caller's
    transaction); with more than one batch, ``compute`` runs on a helper thread, one batch ahead of the
    write, after ``before_many()``.
    """
    first = next(batches, None)
    if first is None:
        return 0
    second = next(batches, None)
    if second is None:
        return write(compute(read(first)))
    if before_many:
        before_many()
    done = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-stitch") as helper:
        ahead = helper.submit(compute, read(first))
        for batch in itertools.chain([second], batches):
            following = helper.submit(compute, read(batch))
            done += write(ahead.result())
            ahead = following
        done += write(ahead.result())
    return done


@dataclass
class _Read:
    """What one batch needs from the database: relations by source, and the stored rows."""

    now: datetime.datetime
    relations: dict[str, set[tuple[str, str]]]
    rows: list[tuple[Any, ...]]  # id, ref, processed as JSON text, orphan, errors, etag


class _SearchRows:
    """Search rows to insert: as COPY text on PostgreSQL (formatted by whichever thread computes them)."""

    def __init__(self, *, postgres: bool) -> None:
        self.postgres = postgres
        self.text: list[str] = []
        self.rows: list[tuple[Any, ...]] = []

    def add(self, uid: str, entries: list[SearchEntry]) -> None:
        if self.postgres:
            self.text.append(copy_lines(uid, entries))
        else:
            entity_id = uuid.UUID(uid)
            self.rows.extend((entity_id, *entry) for entry in entries)

    def write(self) -> None:
        copy_text(SearchRow, SEARCH_COLUMNS, "".join(self.text))
        copy_rows(SearchRow, SEARCH_COLUMNS, self.rows)


@dataclass
class _Computed:
    """What one batch writes: the changed entities' served form, and their search rows."""

    search: _SearchRows
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    replaced_ids: list[Any] = field(default_factory=list)  # changed entities stitched before: old search rows


def _read_batch(refs: list[str]) -> _Read:
    now = timezone.now()
    # ``processed`` as text: decoding it is CPU work for the helper thread.
    rows = Entity.objects.filter(ref__in=refs).values_list(
        "id", "ref", Cast("processed", TextField()), "orphan", "errors", "etag"
    )
    return _Read(now, relations_by_source(refs), list(rows))


def relations_by_source(refs: list[str]) -> dict[str, set[tuple[str, str]]]:
    """The (type, target) of every relation row whose source is one of ``refs``, whoever emitted it."""
    relations: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for source, type_, target in Relation.objects.filter(source_ref__in=refs).values_list(
        "source_ref", "type", "target_ref"
    ):
        relations[source].add((type_, target))
    return relations


def _compute_batch(read: _Read, *, postgres: bool) -> _Computed:
    """Pure computation, safe on a helper thread: no database access."""
    out = _Computed(_SearchRows(postgres=postgres))
    for uid, ref, processed_text, orphan, errors, etag in read.rows:
        uid_text = str(uid)
        relations = read.relations.get(ref, ())
        final = build_final(uid_text, json.loads(processed_text), relations, orphan=orphan, errors=errors)
        new_etag = final["metadata"]["etag"]
        if new_etag == etag:
            continue
        out.updates.append((uid, json_text(final), new_etag, read.now))
        if etag:  # search rows are written with the etag: an entity never stitched has none to delete
            out.replaced_ids.append(uid)
        # Formatted here, on the helper thread, while the caller's thread waits for the database.
        out.search.add(uid_text, build_search_entries(final))
    return out


def _write_batch(computed: _Computed) -> int:
    if computed.updates:
        update_rows(Entity, "id", ["final", "etag", "updated_at"], computed.updates, json_columns=["final"])
        if computed.replaced_ids:
            SearchRow.objects.filter(entity_id__in=computed.replaced_ids).delete()
        computed.search.write()
    return len(computed.updates)


class NewEntities:
    """The entities one refresh creates, each inserted once, in its served form, when the walk is over.

    The served form lists every relation whose source is the entity, whoever emitted it, so it is complete
    only once every file is processed. Inserting each entity as it is read and stitching it at the end
    wrote (and indexed) every row twice. Instead ``add`` writes at once the search rows that come from the
    entity itself and keeps its row in a temporary file, so that memory stays flat however big the
    location; ``insert`` completes the served forms, inserts the rows and the ``relations.*`` search rows.
    Relations and search rows refer to rows inserted later in the same transaction: the foreign keys are
    checked when it commits.

    The CPU work of ``add`` runs on a helper thread, one batch behind, so that the caller's thread goes
    back to the database (and the walk) at once. Use it as a context manager, or call ``close``.
    """

    def __init__(self) -> None:
        self.refs: set[str] = set()
        self.postgres = is_postgres()
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by ``close``)
        self._helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-new")
        self._prepared: Future[_SearchRows] | None = None

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Take new entity rows: Entity fields by attname, ``descriptor`` and ``processed`` as documents."""
        if not rows:
            return
        self.refs.update(row["ref"] for row in rows)
        self._write_prepared()
        self._prepared = self._helper.submit(self._prepare, rows)

    def insert(self) -> int:
        """Insert every entity added, with its relations and etag; returns how many."""
        self._write_prepared()
        self._file.seek(0)
        postgres = self.postgres
        return pipelined(
            self._staged(),
            lambda staged: (relations_by_source(staged[0]), staged[1]),
            lambda read: _complete_new(*read, postgres=postgres),
            _insert_new,
            lambda: analyze_if_stale(Relation),
        )

    def close(self) -> None:
        self._helper.shutdown(cancel_futures=True)
        self._file.close()

    def __enter__(self) -> NewEntities:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write_prepared(self) -> None:
        if self._prepared is not None:
            search, self._prepared = self._prepared.result(), None
            search.write()

    def _prepare(self, rows: list[dict[str, Any]]) -> _SearchRows:
        """On the helper thread: encode the documents, stage the rows, format their own search rows."""
        search = _SearchRows(postgres=self.postgres)
        staged = []
        for row in rows:
            uid_text = str(row["id"])
            processed = json_text(row["processed"])
            # Decoded from the JSON stored, as stitching reads it back: the served form is built from that.
            search.add(
                uid_text, document_search_entries(served_base(uid_text, json.loads(processed), orphan=False))
            )
            # Plain strings pickle fast (a UUID does not).
            staged.append(
                {
                    **row,
                    "id": uid_text,
                    "location_id": str(row["location_id"]),
                    "descriptor": json_text(row["descriptor"]),
                    "processed": processed,
                }
            )
        payload = pickle.dumps(staged, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(([row["ref"] for row in rows], payload), self._file, protocol=pickle.HIGHEST_PROTOCOL)
        return search

    def _staged(self) -> Iterator[tuple[list[str], bytes]]:
        while True:
            try:
                yield pickle.load(self._file)
            except EOFError:
                return


def _complete_new(
    relations: dict[str, set[tuple[str, str]]], payload: bytes, *, postgres: bool
) -> tuple[PreparedInsert, _SearchRows]:
    """The new entities' rows with their served form and etag, and their relation search rows."""
    rows = pickle.loads(payload)
    search = _SearchRows(postgres=postgres)
    for row in rows:
        processed = row["processed"]
        row["descriptor"], row["processed"] = JsonText(row["descriptor"]), JsonText(processed)
        # Decoded again rather than pickled by _prepare: measured, the two cost the same.
        base = served_base(row["id"], json.loads(processed), orphan=False)
        final = complete_final(base, relations.get(row["ref"], ()), [])
        row["final"] = json_text(final)
        row["etag"] = final["metadata"]["etag"]
        search.add(row["id"], relation_search_entries(final["relations"]))
    return prepare_insert(Entity, rows, postgres=postgres), search


def _insert_new(computed: tuple[PreparedInsert, _SearchRows]) -> int:
    prepared, search = computed
    insert_prepared(prepared)
    search.write()
    return len(prepared.rows) or prepared.text.count("\n")
