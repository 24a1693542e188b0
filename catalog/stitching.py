"""Stitching: the served entity is the processed one plus uid, relations, orphan mark, status and etag."""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from catalog.annotations import ORPHAN, sanitize_link_annotations
from catalog.bulk import (
    JsonText,
    analyze_if_stale,
    copy_lines,
    copy_rows,
    copy_text,
    is_postgres,
    update_rows,
)
from catalog.models import Entity, Relation, SearchRow
from catalog.search_index import build_search_entries

STITCH_BATCH = 500


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
    final = dict(processed)
    metadata = final["metadata"] = dict(final.get("metadata", {}))
    metadata["uid"] = uid
    metadata.pop("etag", None)
    annotations = metadata["annotations"] = dict(metadata.get("annotations", {}))
    sanitize_link_annotations(annotations)
    if orphan:
        annotations[ORPHAN] = "true"
    final["relations"] = [{"type": type_, "targetRef": target} for type_, target in sorted(set(relations))]
    if errors:
        final["status"] = {"items": errors}
    metadata["etag"] = compute_etag(final)
    return final


def stitch(refs: Iterable[str]) -> int:
    """Rebuild the served form and search rows of every existing entity in ``refs``; returns how many changed.

    Each batch goes through read (database), compute (CPU) and write (database). With several batches, a
    helper thread computes one while this thread writes the one before, so that the CPU work overlaps the
    database's; all database work stays on this thread, in the caller's transaction.
    """
    batches = chunked(sorted(set(refs)), STITCH_BATCH)
    postgres = is_postgres()
    first = next(batches, None)
    if first is None:
        return 0
    second = next(batches, None)
    if second is None:
        return _write_batch(_compute_batch(_read_batch(first), postgres=postgres))
    # Many batches each look rows up by key; the planner needs to know how big the tables have grown.
    analyze_if_stale(Entity, Relation, SearchRow)
    changed = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-stitch") as helper:
        ahead = helper.submit(_compute_batch, _read_batch(first), postgres=postgres)
        for batch in itertools.chain([second], batches):
            following = helper.submit(_compute_batch, _read_batch(batch), postgres=postgres)
            changed += _write_batch(ahead.result())
            ahead = following
        changed += _write_batch(ahead.result())
    return changed


@dataclass
class _Read:
    """What one batch needs from the database: relations by source, and the stored rows."""

    now: datetime.datetime
    relations: dict[str, set[tuple[str, str]]]
    rows: list[tuple[Any, ...]]  # id, ref, processed as JSON text, orphan, errors, etag


@dataclass
class _Computed:
    """What one batch writes: the changed entities' served form, and their search rows."""

    updates: list[tuple[Any, ...]] = field(default_factory=list)
    replaced_ids: list[Any] = field(default_factory=list)  # changed entities stitched before: old search rows
    search_rows: list[tuple[Any, ...]] = field(default_factory=list)  # other databases
    search_text: list[str] = field(default_factory=list)  # PostgreSQL: the rows as COPY text


def _read_batch(refs: list[str]) -> _Read:
    relations: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for source, type_, target in Relation.objects.filter(source_ref__in=refs).values_list(
        "source_ref", "type", "target_ref"
    ):
        relations[source].add((type_, target))
    now = timezone.now()
    # ``processed`` as text: decoding it is CPU work for the helper thread.
    rows = Entity.objects.filter(ref__in=refs).values_list(
        "id", "ref", Cast("processed", TextField()), "orphan", "errors", "etag"
    )
    return _Read(now, relations, list(rows))


def _compute_batch(read: _Read, *, postgres: bool) -> _Computed:
    """Pure computation, safe on a helper thread: no database access."""
    out = _Computed()
    for uid, ref, processed_text, orphan, errors, etag in read.rows:
        uid_text = str(uid)
        relations = read.relations.get(ref, ())
        final = build_final(uid_text, json.loads(processed_text), relations, orphan=orphan, errors=errors)
        new_etag = final["metadata"]["etag"]
        if new_etag == etag:
            continue
        out.updates.append((uid, JsonText(json.dumps(final)), new_etag, read.now))
        if etag:  # search rows are written with the etag: an entity never stitched has none to delete
            out.replaced_ids.append(uid)
        entries = build_search_entries(final)
        if postgres:  # formatted here, on the helper thread, while the caller's thread waits for the database
            out.search_text.append(copy_lines(uid_text, entries))
        else:
            out.search_rows.extend((uid, *entry) for entry in entries)
    return out


def _write_batch(computed: _Computed) -> int:
    if computed.updates:
        update_rows(Entity, "id", ["final", "etag", "updated_at"], computed.updates, json_columns=["final"])
        if computed.replaced_ids:
            SearchRow.objects.filter(entity_id__in=computed.replaced_ids).delete()
        columns = ["entity_id", "key", "value", "original_value"]
        copy_text(SearchRow, columns, "".join(computed.search_text))
        copy_rows(SearchRow, columns, computed.search_rows)
    return len(computed.updates)
