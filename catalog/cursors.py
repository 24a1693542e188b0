"""Opaque paging cursors: base64-encoded JSON, as Backstage's catalog hands them out (spec §4.6)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

MAX_INTEGER = 2**31 - 1


def _bounded(value: object, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= MAX_INTEGER


class CursorError(ValueError):
    """A cursor that does not decode or does not have the expected shape."""


def encode_cursor(data: dict[str, Any]) -> str:
    """Standard base64 of compact JSON, like Node's ``Buffer.from(json).toString('base64')``."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(body.encode()).decode("ascii")


def decode_cursor(text: str) -> dict[str, Any]:
    """The JSON object inside a cursor; accepts missing padding and the URL-safe alphabet, as Node does."""
    if not text:
        raise CursorError("Malformed cursor: empty")
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        data = json.loads(raw.decode())
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise CursorError(f"Malformed cursor: {exc}") from None
    if not isinstance(data, dict):
        raise CursorError("Malformed cursor: expected a JSON object")
    return data


@dataclass
class OrderField:
    """One sort key of an entity query: a search-index key and a direction."""

    field: str
    order: str = "asc"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "order": self.order}


@dataclass
class EntityCursor:
    """The state of a ``/entities/by-query`` walk, with Backstage's cursor keys.

    ``filter`` holds a string filter in Backstage's ``{anyOf: [{allOf: [{key, values}]}]}`` form and
    ``query`` a JSON predicate; catalog-client switches to POST only when the key ``query`` is present,
    so it is written only when a predicate was given.
    """

    order_fields: list[OrderField] = field(default_factory=list)
    order_field_values: list[str | None] | None = None
    is_previous: bool = False
    filter: dict[str, Any] | None = None
    query: Any = None
    has_query: bool = False
    full_text_term: str = ""
    full_text_fields: list[str] | None = None
    first_sort_field_values: list[str | None] | None = None
    total_items: int | None = None
    skip_total_items: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "orderFields": [o.as_dict() for o in self.order_fields],
            "orderFieldValues": self.order_field_values or [],
            "isPrevious": self.is_previous,
        }
        if self.filter is not None:
            data["filter"] = self.filter
        if self.has_query:
            data["query"] = self.query
        text = {"term": self.full_text_term}
        if self.full_text_fields is not None:
            text["fields"] = self.full_text_fields  # type: ignore[assignment]
        data["fullTextFilter"] = text
        if self.first_sort_field_values is not None:
            data["firstSortFieldValues"] = self.first_sort_field_values
        if self.total_items is not None:
            data["totalItems"] = self.total_items
        return data

    def encode(self) -> str:
        return encode_cursor(self.to_json())

    @classmethod
    def decode(cls, text: str) -> EntityCursor:
        data = decode_cursor(text)
        try:
            return cls._from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CursorError(f"Malformed cursor: {exc}") from None

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> EntityCursor:
        orders = [
            OrderField(str(o["field"]), _direction(o.get("order", "asc")))
            for o in data.get("orderFields") or []
        ]
        values = data.get("orderFieldValues")
        if values is not None and (not isinstance(values, list) or len(values) > 2):
            raise ValueError("orderFieldValues must be a list of at most two values")
        if not isinstance(data.get("isPrevious", False), bool):
            raise ValueError("isPrevious must be a boolean")
        text = data.get("fullTextFilter") or {}
        query = data.get("query")
        if isinstance(query, str):
            query = json.loads(query)
        total = data.get("totalItems")
        if total is not None and not _bounded(total, 0):
            raise ValueError("totalItems must be a number")
        return cls(
            order_fields=orders,
            order_field_values=values or None,
            is_previous=bool(data.get("isPrevious", False)),
            filter=data.get("filter"),
            query=query,
            has_query="query" in data,
            full_text_term=str(text.get("term") or ""),
            full_text_fields=list(text["fields"]) if text.get("fields") is not None else None,
            first_sort_field_values=data.get("firstSortFieldValues"),
            total_items=total,
        )


def _direction(value: Any) -> str:
    if value not in ("asc", "desc"):
        raise ValueError(f"order must be asc or desc, got {value!r}")
    return value


@dataclass
class LocationCursor:
    """The state of a ``POST /locations/by-query`` walk: ``{limit, afterId, query}``."""

    limit: int
    after_id: str | None = None
    query: Any = None

    def encode(self) -> str:
        data: dict[str, Any] = {"limit": self.limit, "afterId": self.after_id}
        if self.query is not None:
            data["query"] = self.query
        return encode_cursor(data)

    @classmethod
    def decode(cls, text: str) -> LocationCursor:
        data = decode_cursor(text)
        limit = data.get("limit")
        if not _bounded(limit, 1):
            raise CursorError("Malformed cursor: limit must be a positive integer")
        after = data.get("afterId")
        return cls(limit=limit, after_id=str(after) if after is not None else None, query=data.get("query"))


@dataclass
class OffsetCursor:
    """The ``after`` parameter of ``GET /entities``: base64 of ``{"limit": N, "offset": M}``."""

    limit: int
    offset: int

    def encode(self) -> str:
        return encode_cursor({"limit": self.limit, "offset": self.offset})

    @classmethod
    def decode(cls, text: str) -> OffsetCursor:
        data = decode_cursor(text)
        limit, offset = data.get("limit"), data.get("offset")
        if not _bounded(limit, 1) or not _bounded(offset, 0):
            raise CursorError("Malformed cursor: expected a positive limit and a non-negative offset")
        return cls(limit=limit, offset=offset)
