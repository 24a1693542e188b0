"""``GET|POST /entities/by-query``: cursor-paged queries (spec §4.6)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from rest_framework.request import Request

from catalog.api import params, raw, schema
from catalog.api.base import CatalogView
from catalog.api.entity_pages import query_page
from catalog.api.errors import InputError
from catalog.api.visibility import visible_entities, visible_where
from catalog.cursors import EntityCursor, OrderField
from catalog.query import parse_filter_params, predicate_q


def _total_items_mode(value: Any) -> bool:
    """True when totals are skipped: ``totalItems=exclude`` (or ``false`` in a body)."""
    if value is None or value in ("include", True):
        return False
    if value in ("exclude", False):
        return True
    raise InputError("Invalid totalItems, must be include or exclude")


def _order_field_params(request: Request) -> list[OrderField]:
    """``orderField=<field>[,asc|desc]``; only the first one is used, as in Backstage."""
    orders = []
    for text in request.query_params.getlist("orderField"):
        field, _, order = text.partition(",")
        if order and order not in ("asc", "desc"):
            raise InputError("Invalid order field order, must be asc or desc")
        if not field:
            raise InputError("Invalid order field, must not be empty")
        orders.append(OrderField(field, order or "asc"))
    return orders[:1]


def _cursor(text: Any) -> EntityCursor:
    if not isinstance(text, str) or not text:
        raise InputError("Malformed cursor: must be a non-empty string")
    return EntityCursor.decode(text)


def _page(
    request: Request, cursor: EntityCursor, *, limit: int | None, offset: int | None, fields: list[str] | None
) -> str:
    return query_page(
        visible_entities(request),
        cursor,
        limit=limit,
        offset=offset,
        fields=fields,
        base_where=visible_where(request),
    )


class EntitiesByQueryView(CatalogView):
    """GET starts from ``filter``/``orderField``/``fullTextFilter*`` params or continues a ``cursor``;
    POST does the same from a JSON body with a ``query`` predicate. With a cursor, filters are ignored."""

    @schema.get_entities_by_query
    def get(self, request: Request) -> HttpResponseBase:
        fields = params.fields_param(request)
        limit = params.integer(request, "limit", minimum=0)
        cursor_text = params.single(request, "cursor")
        if cursor_text is not None:
            return raw.respond(
                request,
                _page(request, _cursor(cursor_text), limit=limit, offset=None, fields=fields),
            )
        text_fields = request.query_params.getlist("fullTextFilterFields")
        cursor = EntityCursor(
            order_fields=_order_field_params(request),
            filter=parse_filter_params(request.query_params.getlist("filter")),
            full_text_term=(params.single(request, "fullTextFilterTerm") or "").strip(),
            full_text_fields=params.split_list(text_fields) if text_fields else None,
            skip_total_items=_total_items_mode(params.single(request, "totalItems")),
        )
        offset = params.integer(request, "offset", minimum=0)
        return raw.respond(request, _page(request, cursor, limit=limit, offset=offset, fields=fields))

    @schema.post_entities_by_query
    def post(self, request: Request) -> HttpResponseBase:
        body = params.optional_body(request)
        fields = (
            params.fields_list(params.string_list(body["fields"], "fields")) if body.get("fields") else None
        )
        limit = params.parse_int(body["limit"], "limit", minimum=0) if body.get("limit") is not None else None
        if body.get("cursor") is not None:
            return raw.respond(
                request,
                _page(request, _cursor(body["cursor"]), limit=limit, offset=None, fields=fields),
            )
        query = body.get("query")
        if query is not None:
            predicate_q(query)  # a malformed predicate is a 400 before anything runs
        offset = (
            params.parse_int(body["offset"], "offset", minimum=0) if body.get("offset") is not None else None
        )
        cursor = EntityCursor(
            order_fields=_order_by(body.get("orderBy")),
            query=query,
            has_query=query is not None,
            **_full_text(body.get("fullTextFilter")),
            skip_total_items=_total_items_mode(body.get("totalItems")),
        )
        return raw.respond(request, _page(request, cursor, limit=limit, offset=offset, fields=fields))


def _order_by(value: Any) -> list[OrderField]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    orders = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("field"), str) or not item["field"]:
            raise InputError("Invalid orderBy, expected [{field, order}]")
        order = item.get("order", "asc")
        if order not in ("asc", "desc"):
            raise InputError("Invalid orderBy order, must be asc or desc")
        orders.append(OrderField(item["field"], order))
    return orders[:1]


def _full_text(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError("Invalid fullTextFilter, expected {term, fields}")
    term = value.get("term") or ""
    if not isinstance(term, str):
        raise InputError("Invalid fullTextFilter.term, expected a string")
    fields = value.get("fields")
    return {
        "full_text_term": term.strip(),
        "full_text_fields": params.string_list(fields, "fullTextFilter.fields")
        if fields is not None
        else None,
    }
