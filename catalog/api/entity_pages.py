"""Keyset pages for ``/entities/by-query``: ordered by the sort value, then uid, all in the database.

A cursor remembers the last (or, going back, the first) row's ``[sort value, uid]``; the next page starts
strictly after it, so entities added or removed between pages neither shift nor repeat the others.
Mirrors ``DefaultEntitiesCatalog.queryEntities`` of Backstage's catalog backend.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import F, Q, QuerySet

from catalog.api.projection import project
from catalog.cursors import CursorError, EntityCursor
from catalog.query import entity_filter_q, full_text_q, predicate_q, sort_value

DEFAULT_LIMIT = 200


def matching(base: QuerySet, cursor: EntityCursor) -> QuerySet:
    """Entities the cursor's filter, predicate and full-text term select; sorted ones need the sort field."""
    queryset = base
    if cursor.filter is not None:
        queryset = queryset.filter(entity_filter_q(cursor.filter))
    if cursor.has_query and cursor.query is not None:
        queryset = queryset.filter(predicate_q(cursor.query))
    sort = cursor.order_fields[0] if cursor.order_fields else None
    if cursor.full_text_term.strip():
        fields = cursor.full_text_fields or [sort.field if sort else "metadata.uid"]
        queryset = queryset.filter(full_text_q(cursor.full_text_term, fields))
    if sort is not None:
        queryset = queryset.annotate(sort_value=sort_value(sort.field)).filter(sort_value__isnull=False)
    return queryset


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
        return queryset.filter(Q(**{f"sort_value__{op}": value}) | Q(sort_value=value, **{f"pk__{op}": uid}))
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


def _total(queryset: QuerySet, cursor: EntityCursor) -> int:
    if cursor.total_items is not None:
        return cursor.total_items
    if cursor.skip_total_items:
        return 0
    return queryset.count()


def query_page(
    base: QuerySet, cursor: EntityCursor, *, limit: int | None, offset: int | None, fields: list[str] | None
) -> dict[str, Any]:
    """One page: ``{items, totalItems, pageInfo: {nextCursor?, prevCursor?}}``."""
    limit = DEFAULT_LIMIT if limit is None else limit
    selected = matching(base, cursor)
    total = _total(selected, cursor)
    initial = cursor.first_sort_field_values is None
    rows: list[tuple[Any, ...]] = []
    if limit > 0:
        page = _ordered(_after(selected, cursor), cursor)
        start = (offset or 0) if initial else 0
        end = start + (limit if cursor.is_previous else limit + 1)
        if cursor.order_fields:
            rows = list(page.values_list("pk", "final", "sort_value")[start:end])
        else:
            rows = [(uid, final, None) for uid, final in page.values_list("pk", "final")[start:end]]
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
    return {
        "items": [project(final, fields) for _uid_, final, _value in rows],
        "totalItems": total,
        "pageInfo": page_info,
    }


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
