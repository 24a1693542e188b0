"""OpenAPI descriptions of the permissions API, for /api/schema/."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema

from catalog.api.schema import ERRORS, _integer, _query

TAG = "Permissions"
OBJECT = {"type": "object", "additionalProperties": True}

explain = extend_schema(
    operation_id="explainPermission",
    tags=[TAG],
    parameters=[
        _query("permission", "A permission name, e.g. catalog.entity.delete.", schema={"type": "string"}),
        _query("user", "Ask about this user (admins only)."),
        _query("token", "Ask about this token, by its grn_<prefix> (admins only)."),
        _query("target", "An entity ref, or a location id or type:target."),
    ],
    responses={200: OpenApiResponse(OBJECT, "The decision and what made it."), **ERRORS},
)

audit = extend_schema(
    operation_id="getAuditEvents",
    tags=[TAG],
    parameters=[
        _integer("limit", "Page size (at most 1000).", 1),
        _integer("offset", "Rows to skip.", 0),
        _query("action", "Only this action."),
        _query("actor", "Only this actor."),
        _query("path", "Only this path (api, admin, page, task, command, system)."),
    ],
    responses={200: OpenApiResponse(OBJECT, "{items, totalItems}, newest first."), **ERRORS},
)
