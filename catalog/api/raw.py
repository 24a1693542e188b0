"""Serving stored entities as the JSON text the database already holds, without decoding and re-encoding.

Whole entities (no ``fields`` projection) are the common case of every read path; their text goes from the
``final`` column straight into the response body. Projections and the browsable API still decode.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.http import HttpResponse
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api.projection import project

TEXT = "final_text"
JSON_TYPE = "application/json; charset=utf-8"


def with_text(queryset: QuerySet) -> QuerySet:
    """``queryset`` with the served entity's JSON text as ``final_text``."""
    return queryset.annotate(**{TEXT: Cast("final", TextField())})


def wants_json(request: Request) -> bool:
    """False when content negotiation picked DRF's browsable API (a browser asking for HTML)."""
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is None or renderer.format == "json"


def entity_text(text: str, fields: list[str] | None) -> str:
    """One entity's text, projected when ``fields`` are given."""
    return text if not fields else dumps(project(json.loads(text), fields))


def json_array(texts: Iterable[str | None]) -> str:
    return "[" + ",".join("null" if t is None else t for t in texts) + "]"


def respond(request: Request, body: str) -> HttpResponse | Response:
    """``body`` (JSON text) as the response, or decoded for the browsable API."""
    if wants_json(request):
        return HttpResponse(body, content_type=JSON_TYPE)
    return Response(json.loads(body))


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
