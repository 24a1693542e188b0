"""Keyset pages for ``/entities/by-query``: ordered by the sort value, then uid, all in the database.

A cursor remembers the last (or, going back, the first) row's ``[sort value, uid]``; the next page starts
strictly after it, so entities added or removed between pages neither shift nor repeat the others.
Mirrors ``DefaultEntitiesCatalog.queryEntities`` of Backstage's catalog backend.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet

from catalog.api.page_sql import Where, count_sql, page_rows, run_count
from catalog.api.raw import TEXT, dumps, entity_text, json_array, with_text
from catalog.cursors import CursorError, EntityCursor
from catalog.models import SearchRow
from catalog.query import entity_filter_q, full_text_q, predicate_q
from catalog.result_cache import remembered, remembered_sql

DEFAULT_LIMIT = 200
# Search keys every served entity has a value under (required, at most 63 characters, or set by the catalog).
ALWAYS_PRESENT = frozenset({"metadata.name", "metadata.namespace", "metadata.uid", "kind"})


def matching(base: QuerySet, cursor: EntityCursor) -> QuerySet:
    """Entities the cursor's filter, predicate and full-text term select; sorted ones need the sort field."""
    queryset = narrowed(base, cursor)
    sort = cursor.order_fields[0] if cursor.order_fields else None
    if sort is not None:
        queryset = sorted_by(queryset, sort.field)
    return queryset


def narrowed(base: QuerySet, cursor: EntityCursor) -> QuerySet:
    """``base`` narrowed by the cursor's filter, predicate and full-text term (not yet by the sort field)."""
    queryset = base
    if cursor.filter is not None:
        queryset = queryset.filter(entity_filter_q(cursor.filter))
    if cursor.has_query and cursor.query is not None:
        queryset = queryset.filter(predicate_q(cursor.query))
    sort = cursor.order_fields[0] if cursor.order_fields else None
    if cursor.full_text_term.strip():
        fields = cursor.full_text_fields or [sort.field if sort else "metadata.uid"]
        queryset = queryset.filter(full_text_q(cursor.full_text_term, fields))
    return queryset


def sorted_by(queryset: QuerySet, field: str) -> QuerySet:
    """Entities having a value under ``field``, annotated with their least one as ``sort_value``.

    A join on the search table rather than a sub-query per entity: a page walks the (key, value, entity)
    index in order and stops after ``limit`` rows instead of sorting the whole catalog.
    """
    key = field.lower()
    smaller = SearchRow.objects.filter(entity_id=OuterRef("pk"), key=key, value__lt=OuterRef("sort_value"))
    return (
        queryset.annotate(
            _sort=FilteredRelation(
                "search_rows", condition=Q(search_rows__key=key, search_rows__value__isnull=False)
            )
        )
        .annotate(sort_value=F("_sort__value"))
        .filter(sort_value__isnull=False)
        .exclude(Exists(smaller))
    )


def _after(queryset: QuerySet, cursor: EntityCursor) -> QuerySet:
    """Rows strictly beyond the cursor's position in the direction of travel."""
    values = cursor.order_field_values
    if not values:
        return queryset
    sorted_ = bool(cursor.order_fields)
    descending = sorted_ and cursor.order_fields[0].order == "desc"
    op = "lt" if cursor.is_previous != descending else "gt"
    uid = _uid(values[-1])
    if sorted_ and len(values) == 2:
        value = values[0]
        if not isinstance(value, str):
            raise CursorError("Malformed cursor: the sort value must be a string")
        # (value, uid) beyond the cursor, spelled so that the value bound alone can start an index range scan.
        return queryset.filter(**{f"sort_value__{op}e": value}).filter(
            Q(**{f"sort_value__{op}": value}) | Q(**{f"pk__{op}": uid})
        )
    return queryset.filter(**{f"pk__{'lt' if cursor.is_previous else 'gt'}": uid})


def _uid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise CursorError("Malformed cursor: bad entity id") from None


def _ordered(queryset: QuerySet, cursor: EntityCursor) -> QuerySet:
    descending = bool(cursor.order_fields) and cursor.order_fields[0].order == "desc"
    if cursor.is_previous:
        descending = not descending
    keys = [F("sort_value"), F("pk")] if cursor.order_fields else [F("pk")]
    return queryset.order_by(*[k.desc() if descending else k.asc() for k in keys])


def _position(row: tuple[Any, ...], cursor: EntityCursor) -> list[str | None]:
    uid, _final, value = row
    return [value, str(uid)] if cursor.order_fields else [str(uid)]


def _total(base: QuerySet, cursor: EntityCursor) -> int:
    if cursor.total_items is not None:
        return cursor.total_items
    if cursor.skip_total_items:
        return 0
    sort = cursor.order_fields[0].field.lower() if cursor.order_fields else None
    if sort in ALWAYS_PRESENT:
        cursor = replace(cursor, order_fields=[])  # every entity has it: counting needs no join
    counted = matching(base, cursor)
    return remembered("total", counted, counted.count)


def query_page(
    base: QuerySet,
    cursor: EntityCursor,
    *,
    limit: int | None,
    offset: int | None,
    fields: list[str] | None,
    base_where: Where | None = None,
) -> str:
    """One page as JSON text: ``{items, totalItems, pageInfo: {nextCursor?, prevCursor?}}``.

    ``base_where`` is ``base`` as a written-out clause, when the caller has it (``visible_where``).
    """
    limit = DEFAULT_LIMIT if limit is None else limit
    initial = cursor.first_sort_field_values is None
    start = (offset or 0) if initial else 0
    count = limit if cursor.is_previous else limit + 1
    where = _written_where(base, base_where, cursor)
    if where is not None:
        total, rows = _written_out(where, cursor, start, count if limit > 0 else 0)
    else:
        total, rows = _total(base, cursor), _composed(matching(base, cursor), cursor, start, count, limit)
    if cursor.is_previous:
        rows.reverse()
    has_more = limit > 0 and (cursor.is_previous or len(rows) > limit)
    rows = rows[:limit]
    first_values = cursor.first_sort_field_values or (_position(rows[0], cursor) if rows else [])

    page_info: dict[str, str] = {}
    if rows and not initial and _position(rows[0], cursor) != cursor.first_sort_field_values:
        page_info["prevCursor"] = _moved(cursor, rows[0], first_values, total, previous=True).encode()
    if has_more and rows:
        page_info["nextCursor"] = _moved(cursor, rows[-1], first_values, total, previous=False).encode()
    items = json_array(entity_text(text, fields) for _uid_, text, _value in rows)
    return f'{{"items":{items},"totalItems":{total},"pageInfo":{dumps(page_info)}}}'


def _written_where(base: QuerySet, base_where: Where | None, cursor: EntityCursor) -> Where | None:
    """``narrowed(base, cursor)`` as a written-out clause; a plain filter is added to ``base_where``
    without compiling ``base`` again."""
    if base_where is not None and not cursor.has_query and not cursor.full_text_term.strip():
        return base_where.filtered(cursor.filter)
    return Where.of(narrowed(base, cursor))


def _composed(selected: QuerySet, cursor: EntityCursor, start: int, count: int, limit: int) -> list[Any]:
    """The page composed in the ORM (narrowings that join other tables)."""
    if limit <= 0:
        return []
    page = with_text(_ordered(_after(selected, cursor), cursor))
    if cursor.order_fields:
        return list(page.values_list("pk", TEXT, "sort_value")[start : start + count])
    return [(uid, text, None) for uid, text in page.values_list("pk", TEXT)[start : start + count]]


def _written_out(where: Where, cursor: EntityCursor, start: int, count: int) -> tuple[int, list[Any]]:
    """Total and page from the hand-written statements of ``page_sql``."""
    sort_key = cursor.order_fields[0].field.lower() if cursor.order_fields else None
    total = cursor.total_items
    if total is None:
        if cursor.skip_total_items or where.empty:
            total = 0
        else:
            counted_key = None if sort_key in ALWAYS_PRESENT else sort_key
            sql, params = count_sql(where, sort_key=counted_key)
            total = remembered_sql("total", sql, params, lambda: run_count(where, sql, params))
    descending = bool(cursor.order_fields) and cursor.order_fields[0].order == "desc"
    if cursor.is_previous:
        descending = not descending
    return total, page_rows(
        where, sort_key=sort_key, descending=descending, after=_bound(cursor), start=start, count=count
    )


def _bound(cursor: EntityCursor) -> list[Any] | None:
    """The cursor's keyset position, checked: ``[sort value, uid]`` when sorted, else ``[uid]``."""
    values = cursor.order_field_values
    if not values:
        return None
    uid = _uid(values[-1])
    if not cursor.order_fields:
        return [uid]
    if len(values) != 2 or not isinstance(values[0], str):
        raise CursorError("Malformed cursor: the sort value must be a string")
    return [values[0], uid]


def _moved(
    cursor: EntityCursor, row: tuple[Any, ...], first_values: list[str | None], total: int, *, previous: bool
) -> EntityCursor:
    return EntityCursor(
        order_fields=cursor.order_fields,
        order_field_values=_position(row, cursor),
        is_previous=previous,
        filter=cursor.filter,
        query=cursor.query,
        has_query=cursor.has_query,
        full_text_term=cursor.full_text_term,
        full_text_fields=cursor.full_text_fields,
        first_sort_field_values=first_values,
        total_items=total,
    )
