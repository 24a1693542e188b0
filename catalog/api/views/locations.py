"""Registered locations: ``/locations``, ``/locations/{id}``, ``/locations/by-query``, ``/locations/by-entity``."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import services
from catalog.annotations import MANAGED_BY_ORIGIN_LOCATION
from catalog.api import params, schema
from catalog.api.base import CatalogView
from catalog.api.errors import ConflictError, InputError, NotAllowedError, NotFoundError
from catalog.api.locations import dry_run, enqueue_refresh, location_json, location_spec, update_location
from catalog.api.visibility import (
    LOCATION_CREATE,
    LOCATION_DELETE,
    require,
    visible_entities,
    visible_locations,
)
from catalog.cursors import LocationCursor
from catalog.models import Location
from catalog.query import location_predicate_q
from catalog.refs import InvalidRef, canonical_ref, parse_location_ref
from catalog.services.locations import normalize_target

DEFAULT_LOCATIONS_LIMIT = 1000


def _refuse_when_readonly() -> None:
    """Backstage's ``catalog.readonly``: locations cannot be added, changed or removed through the API."""
    if getattr(settings, "CATALOG_READONLY", False):
        raise NotAllowedError("This operation not allowed in readonly mode")


def _registered_by(request: Request) -> str:
    user = request.user
    return str(getattr(user, "get_username", lambda: "")() or getattr(user, "username", "") or "")


class LocationListView(CatalogView):
    """GET /locations — ``[{data: Location}]``; POST /locations — register (``?dryRun``, ``?onConflict``)."""

    @schema.get_locations
    def get(self, request: Request) -> Response:
        return Response(
            [{"data": location_json(loc)} for loc in visible_locations(request).order_by("created_at")]
        )

    @schema.create_location
    def post(self, request: Request) -> Response:
        body = params.required_body(request)
        type_, target, presence = location_spec(body)
        require(request, LOCATION_CREATE)
        if params.truthy(params.single(request, "dryRun")):
            return Response(dry_run(type_, target, presence), status=status.HTTP_201_CREATED)
        _refuse_when_readonly()
        strategy = params.single(request, "onConflict") or getattr(
            settings, "CATALOG_DEFAULT_LOCATION_CONFLICT_STRATEGY", "reject"
        )
        if strategy not in ("reject", "refresh"):
            raise InputError("Invalid onConflict, must be reject or refresh")
        location, created = services.register_location(
            type_, target, presence=presence, registered_by=_registered_by(request)
        )
        if not created:
            if strategy != "refresh":
                raise ConflictError(f"Location {location.ref} already exists")
            Location.objects.filter(pk=location.pk).update(next_refresh_at=timezone.now())
        enqueue_refresh(location.pk)
        return Response({"location": location_json(location), "entities": []}, status=status.HTTP_201_CREATED)


def _location_or_404(request: Request, location_id: str) -> Location:
    try:
        pk = uuid.UUID(location_id)
    except ValueError:
        pk = None
    location = visible_locations(request).filter(pk=pk).first() if pk else None
    if location is None:
        raise NotFoundError(f"Found no location with ID {location_id}")
    return location


class LocationDetailView(CatalogView):
    """GET / PUT / DELETE /locations/{id}."""

    @schema.get_location
    def get(self, request: Request, location_id: str) -> Response:
        return Response(location_json(_location_or_404(request, location_id)))

    @schema.update_location
    def put(self, request: Request, location_id: str) -> Response:
        body = params.required_body(request)
        location = _location_or_404(request, location_id)
        type_, target, _presence = location_spec(body, allow_presence=False)
        require(request, LOCATION_CREATE, location)
        _refuse_when_readonly()
        return Response(location_json(update_location(location, type_, normalize_target(type_, target))))

    @schema.delete_location
    def delete(self, request: Request, location_id: str) -> Response:
        location = _location_or_404(request, location_id)
        require(request, LOCATION_DELETE, location)
        _refuse_when_readonly()
        services.delete_location(location.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LocationsByQueryView(CatalogView):
    """POST /locations/by-query — ``{query?, limit?, cursor?}`` → ``{items, totalItems, pageInfo}``, by id."""

    @schema.query_locations
    def post(self, request: Request) -> Response:
        body = params.optional_body(request)
        if body.get("cursor") is not None:
            if not isinstance(body["cursor"], str) or not body["cursor"]:
                raise InputError("Malformed cursor: must be a non-empty string")
            cursor = LocationCursor.decode(body["cursor"])
        else:
            cursor = LocationCursor(limit=DEFAULT_LOCATIONS_LIMIT, query=body.get("query"))
        if body.get("limit") is not None:
            cursor.limit = params.parse_int(body["limit"], "limit", minimum=1)
        return Response(self._page(request, cursor))

    def _page(self, request: Request, cursor: LocationCursor) -> dict[str, Any]:
        queryset = visible_locations(request)
        if cursor.query is not None:
            queryset = queryset.filter(location_predicate_q(cursor.query))
        total = queryset.count()
        if cursor.after_id is not None:
            try:
                queryset = queryset.filter(pk__gt=uuid.UUID(cursor.after_id))
            except ValueError:
                raise InputError("Malformed cursor: bad afterId") from None
        rows = list(queryset.order_by("pk")[: cursor.limit + 1])
        page_info = {}
        if len(rows) > cursor.limit:
            rows = rows[: cursor.limit]
            page_info["nextCursor"] = LocationCursor(cursor.limit, str(rows[-1].pk), cursor.query).encode()
        return {"items": [location_json(loc) for loc in rows], "totalItems": total, "pageInfo": page_info}


class LocationByEntityView(CatalogView):
    """GET /locations/by-entity/{kind}/{namespace}/{name} — the registered origin location of an entity."""

    @schema.get_location_by_entity
    def get(self, request: Request, kind: str, namespace: str, name: str) -> Response:
        ref = canonical_ref(kind, namespace, name)
        final = visible_entities(request).filter(ref=ref).values_list("final", flat=True).first()
        if final is None:
            raise NotFoundError(f"No entity {ref}")
        origin = ((final.get("metadata") or {}).get("annotations") or {}).get(MANAGED_BY_ORIGIN_LOCATION)
        try:
            type_, target = parse_location_ref(origin) if origin else ("", "")
        except InvalidRef:
            type_, target = "", ""
        location = visible_locations(request).filter(type=type_, target=target).first() if origin else None
        if location is None:
            raise NotFoundError(f"No location found for entity {ref}")
        return Response(location_json(location))
