"""``GET /entities``: everything, streamed, or offset pages with a ``Link: rel="next"`` header (spec §4.6)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import F, QuerySet
from django.http import HttpResponseBase, StreamingHttpResponse
from rest_framework.request import Request

from catalog.api import params, raw
from catalog.api.errors import InputError
from catalog.api.page_sql import Where, entity_texts
from catalog.api.raw import TEXT, entity_text, json_array, with_text
from catalog.cursors import OffsetCursor, OrderField
from catalog.query import filtered_entities, sort_value

STREAM_CHUNK = 1000
_ORDER = re.compile(r"^(asc|desc):(.+)$", re.DOTALL)


@dataclass
class Paging:
    limit: int | None
    offset: int | None

    @property
    def paged(self) -> bool:
        return self.limit is not None or self.offset is not None


def order_params(request: Request) -> list[OrderField]:
    """``order=asc:<field>`` / ``order=desc:<field>``, repeatable."""
    orders = []
    for text in request.query_params.getlist("order"):
        match = _ORDER.match(text)
        if not match:
            raise InputError(f'Invalid order parameter "{text}", expected "<asc or desc>:<field name>"')
        orders.append(OrderField(match.group(2), match.group(1)))
    return orders


def paging_params(request: Request) -> Paging:
    limit = params.integer(request, "limit", minimum=1)
    offset = params.integer(request, "offset", minimum=0)
    after = params.single(request, "after")
    if after is not None:
        if not after:
            raise InputError("Invalid after, must not be empty")
        cursor = OffsetCursor.decode(after)
        return Paging(cursor.limit, cursor.offset)
    return Paging(limit, offset)


def ordered(queryset: QuerySet, orders: list[OrderField], *, paged: bool) -> QuerySet:
    """By each order field's value (entities without it last), then uid; paged default: by ref."""
    keys = []
    for index, order in enumerate(orders):
        alias = f"order_{index}"
        queryset = queryset.annotate(**{alias: sort_value(order.field)})
        expression = F(alias)
        keys.append(
            expression.desc(nulls_last=True) if order.order == "desc" else expression.asc(nulls_last=True)
        )
    if not orders and paged:
        keys.append(F("ref").asc())
    keys.append(F("pk").asc())
    return queryset.order_by(*keys)


def stream(
    request: Request,
    queryset: Callable[[], QuerySet],
    fields: list[str] | None,
    *,
    where: Where | None = None,
) -> HttpResponseBase:
    """One JSON array; a long one is written as the rows arrive, never the whole catalog in memory.

    Most answers are short: they are read in one query. Only when there are more rows than that does the
    list run again as a streamed server-side cursor, whose round trips pay off only for long lists. With
    no order asked for, ``where`` (the narrowed entities) is read by the written-out statement of
    ``page_sql``, and the ORM query (``queryset()``) is built only if the list is long.
    """
    texts = None if where is not None else with_text(queryset()).values_list(TEXT, flat=True)
    first = entity_texts(where, limit=STREAM_CHUNK + 1) if texts is None else list(texts[: STREAM_CHUNK + 1])
    if len(first) <= STREAM_CHUNK:
        return raw.respond(request, json_array(entity_text(text, fields) for text in first))
    if texts is None:
        texts = with_text(queryset()).values_list(TEXT, flat=True)

    def chunks() -> Iterator[str]:
        yield "["
        buffer: list[str] = []
        first = True
        for text in texts.iterator(chunk_size=STREAM_CHUNK):
            buffer.append(entity_text(text, fields))
            if len(buffer) >= 200:
                yield ("" if first else ",") + ",".join(buffer)
                first, buffer = False, []
        if buffer:
            yield ("" if first else ",") + ",".join(buffer)
        yield "]"

    return StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")


def page(request: Request, queryset: QuerySet, paging: Paging, fields: list[str] | None) -> HttpResponseBase:
    """An offset page: the page's ids first (sorting narrow rows), then only those entities' text."""
    offset = paging.offset or 0
    end = None if paging.limit is None else offset + paging.limit + 1
    ids = list(queryset.values_list("pk", flat=True)[offset:end])
    more = paging.limit is not None and len(ids) > paging.limit
    ids = ids[: paging.limit] if paging.limit is not None else ids
    texts = dict(with_text(queryset.model.objects.filter(pk__in=ids)).values_list("pk", TEXT)) if ids else {}
    response = raw.respond(request, json_array(entity_text(texts[pk], fields) for pk in ids if pk in texts))
    if more:
        response["Link"] = f'<{_next_url(request, paging.limit, offset + paging.limit)}>; rel="next"'
    return response


def _next_url(request: Request, limit: int, offset: int) -> str:
    query = [
        (k, v) for k, values in request.query_params.lists() if k not in ("offset", "after") for v in values
    ]
    query.append(("after", OffsetCursor(limit, offset).encode()))
    return f"/entities?{urlencode(query)}"


def respond(
    request: Request,
    visible: QuerySet,
    fields: list[str] | None,
    *,
    visible_where: Where | None,
    entity_filter: Any = None,
) -> HttpResponseBase:
    """The entities of ``visible`` that ``entity_filter`` (Backstage's filter form) selects.

    ``visible_where`` is ``visible`` as a written-out clause (None when it needs a join).
    """
    orders = order_params(request)
    paging = paging_params(request)

    def queryset() -> QuerySet:
        return ordered(filtered_entities(visible, entity_filter=entity_filter), orders, paged=paging.paged)

    if not paging.paged:
        where = visible_where.filtered(entity_filter) if visible_where is not None and not orders else None
        return stream(request, queryset, fields, where=where)
    return page(request, queryset(), paging, fields)
