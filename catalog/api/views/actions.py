"""Actions on the catalog: ``POST /refresh``, ``/validate-entity``, ``/analyze-location``."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import services
from catalog.api import params, schema
from catalog.api.analysis import analyze_location
from catalog.api.base import CatalogView
from catalog.api.errors import CatalogError, InputError, NotFoundError
from catalog.api.locations import enqueue_refresh
from catalog.api.visibility import (
    ENTITY_REFRESH,
    ENTITY_VALIDATE,
    LOCATION_ANALYZE,
    require,
    visible_entities,
)
from catalog.processing import Failure, process_entity
from catalog.refs import InvalidRef, parse_entity_ref, parse_location_ref
from catalog.validation import validate_envelope


class RefreshView(CatalogView):
    """POST /refresh ``{entityRef}`` — the entity's location is re-read now; 200 with an empty body."""

    @schema.refresh_entity
    def post(self, request: Request) -> Response:
        body = params.optional_body(request)
        ref_text = body.get("entityRef")
        if not isinstance(ref_text, str) or not ref_text:
            raise InputError("Invalid request body: entityRef must be a non-empty string")
        try:
            ref = parse_entity_ref(ref_text).canonical
        except InvalidRef:
            ref = ref_text.lower()
        entity = visible_entities(request).filter(ref=ref).first()
        if entity is None:
            raise NotFoundError(f"No such entity {ref_text}")
        require(request, ENTITY_REFRESH, entity)
        location = services.schedule_entity_refresh(ref)
        if location is None:
            raise NotFoundError(f"No such entity {ref_text}")
        enqueue_refresh(location.pk)
        return Response(status=status.HTTP_200_OK)


def _error(name: str, message: str) -> dict[str, str]:
    return {"name": name, "message": message}


def validation_errors(body: dict[str, Any]) -> list[dict[str, str]]:
    """Every reason ``body["entity"]`` would not be accepted from ``body["location"]``; empty if valid."""
    entity, location = body.get("entity"), body.get("location")
    if not isinstance(location, str):
        return [_error("InputError", "Invalid request body: location must be a string")]
    problems = validate_envelope(entity)
    if problems:
        return [_error("InputError", f"{p.field}: {p.message}" if p.field else p.message) for p in problems]
    try:
        type_, target = parse_location_ref(location)
    except InvalidRef as exc:
        return [_error("InputError", str(exc))]
    if type_ != "url":
        return [
            _error(
                "TypeError",
                f"Invalid location ref {location}, only 'url:<target>' is supported, e.g. url:https://host/path",
            )
        ]
    outcome = process_entity(entity, file_type=type_, file_target=target, origin_ref=location, parent_ref="")
    if isinstance(outcome, Failure):
        return [
            _error("InputError", f"{p.field}: {p.message}" if p.field else p.message)
            for p in outcome.problems
        ]
    return []


class ValidateEntityView(CatalogView):
    """POST /validate-entity ``{entity, location}`` — 200 empty if valid, else 400 ``{errors: [...]}``."""

    @schema.validate_entity
    def post(self, request: Request) -> Response:
        require(request, ENTITY_VALIDATE)
        try:
            body = params.required_body(request)
        except CatalogError as exc:
            return Response({"errors": [_error(exc.name, exc.message)]}, status=status.HTTP_400_BAD_REQUEST)
        except (exceptions.ParseError, exceptions.UnsupportedMediaType) as exc:
            return Response(
                {"errors": [_error("InputError", str(exc.detail))]}, status=status.HTTP_400_BAD_REQUEST
            )
        errors = validation_errors(body)
        if errors:
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(status=status.HTTP_200_OK)


class AnalyzeLocationView(CatalogView):
    """POST /analyze-location ``{location: {type, target}, catalogFilename?}``."""

    @schema.analyze_location
    def post(self, request: Request) -> Response:
        body = params.required_body(request)
        require(request, LOCATION_ANALYZE)
        filename = body.get("catalogFilename") or body.get("catalogFileName")
        if filename is not None and not isinstance(filename, str):
            raise InputError("Invalid catalogFilename, expected a string")
        return Response(analyze_location(body.get("location"), filename))
