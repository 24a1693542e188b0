"""Reading query parameters and JSON bodies the way Backstage's catalog router does (spec §4.1)."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.request import Request

from catalog.api.errors import InputError

MAX_INTEGER = 2**31 - 1  # the databases' offsets and limits; JavaScript clients never send more
TRUTHY = {"true", "yes", "y", "1", "on"}
_JSON_CONTENT_TYPE = re.compile(r"^application/json($|;)", re.IGNORECASE)


def single(request: Request, name: str) -> str | None:
    """One string parameter; sending it twice is an error, as an array is in Express."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise InputError(f"Invalid {name}, not a string")
    return values[0] if values else None


def integer(request: Request, name: str, *, minimum: int | None = None) -> int | None:
    raw = single(request, name)
    return None if raw is None else parse_int(raw, name, minimum=minimum)


def parse_int(raw: Any, name: str, *, minimum: int | None = None) -> int:
    """An integer given as a string (``"10"``) or, in bodies, a JSON number."""
    if isinstance(raw, bool):
        raise InputError(f"Invalid {name}, not an integer")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and re.fullmatch(r"-?\d+", raw) and str(int(raw)) == raw:
        value = int(raw)
    else:
        raise InputError(f"Invalid {name}, not an integer")
    if minimum is not None and value < minimum:
        raise InputError(f"Invalid {name}, must be at least {minimum}")
    if value > MAX_INTEGER:
        raise InputError(f"Invalid {name}, must be at most {MAX_INTEGER}")
    return value


def split_list(values: list[str]) -> list[str]:
    """Repeated and comma-joined values, trimmed, blanks dropped."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def fields_list(values: list[str] | None) -> list[str] | None:
    """The ``fields`` projection paths; ``None`` means the whole entity."""
    if values is None:
        return None
    fields = split_list(values)
    if any("[" in f for f in fields):
        raise InputError("invalid fields, array type fields are not supported")
    return fields or None


def fields_param(request: Request) -> list[str] | None:
    values = request.query_params.getlist("fields")
    return fields_list(values) if values else None


def truthy(value: str | None) -> bool:
    return bool(value) and value.strip().lower() in TRUTHY  # type: ignore[union-attr]


def reject_nul(value: Any, where: str) -> None:
    """PostgreSQL cannot store or compare text holding NUL characters: refuse them up front."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InputError(f"Invalid {where}, must not contain NUL characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            reject_nul(key, where)
            reject_nul(item, where)
    elif isinstance(value, list):
        for item in value:
            reject_nul(item, where)


def required_body(request: Request) -> dict[str, Any]:
    """Backstage's ``requireRequestBody``: a JSON content type and a non-empty JSON object."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if not content_type:
        raise InputError("Content-Type missing")
    if not _JSON_CONTENT_TYPE.match(content_type):
        raise InputError("Illegal Content-Type")
    body = request.data
    if not isinstance(body, dict):
        raise InputError("Expected body to be a JSON object")
    if not body:
        raise InputError("Empty request body")
    reject_nul(body, "request body")
    return body


def optional_body(request: Request) -> dict[str, Any]:
    """A JSON object body that may be empty."""
    body = request.data
    if body in (None, ""):
        return {}
    if not isinstance(body, dict):
        raise InputError("Expected body to be a JSON object")
    reject_nul(body, "request body")
    return dict(body)


def string_list(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"Invalid {name}, expected an array of strings")
    return value
