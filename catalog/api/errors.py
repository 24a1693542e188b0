"""Backstage's error body for every non-2xx answer of the catalog API (spec §4.1)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from catalog.cursors import CursorError
from catalog.query import QueryError
from catalog.refs import InvalidRef
from catalog.services.locations import LocationError

logger = logging.getLogger(__name__)

STATUS_BY_NAME = {
    "InputError": 400,
    "AuthenticationError": 401,
    "NotAllowedError": 403,
    "NotFoundError": 404,
    "ConflictError": 409,
    "NotModifiedError": 304,
    "NotImplementedError": 501,
    "ServiceUnavailableError": 503,
}


class CatalogError(exceptions.APIException):
    """An error with a Backstage name; its status follows from the name."""

    name = "Error"
    status_code = 500

    def __init__(self, message: str) -> None:
        super().__init__(detail=message)
        self.message = message


class InputError(CatalogError):
    name, status_code = "InputError", 400


class AuthenticationError(CatalogError):
    name, status_code = "AuthenticationError", 401


class NotAllowedError(CatalogError):
    name, status_code = "NotAllowedError", 403


class NotFoundError(CatalogError):
    name, status_code = "NotFoundError", 404


class ConflictError(CatalogError):
    name, status_code = "ConflictError", 409


def error_body(request: HttpRequest, name: str, message: str, status: int) -> dict[str, Any]:
    """``{error: {name, message}, request: {method, url}, response: {statusCode}}``."""
    return {
        "error": {"name": name, "message": message},
        "request": {"method": request.method, "url": request.get_full_path()},
        "response": {"statusCode": status},
    }


def _flatten(detail: Any) -> str:
    """DRF's nested validation details as one sentence."""
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return "; ".join(_flatten(item) for item in detail)
    return str(detail)


def _classify(exc: Exception) -> tuple[str, str, int]:
    if isinstance(exc, CatalogError):
        return exc.name, exc.message, exc.status_code
    if isinstance(exc, (CursorError, QueryError, InvalidRef, LocationError)):
        return "InputError", str(exc), 400
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        return "AuthenticationError", _flatten(exc.detail), 401
    if isinstance(exc, (exceptions.PermissionDenied, PermissionDenied)):
        return "NotAllowedError", str(getattr(exc, "detail", "") or exc or "Not allowed"), 403
    if isinstance(exc, (exceptions.NotFound, Http404)):
        return "NotFoundError", str(getattr(exc, "detail", "") or exc or "Not found"), 404
    if isinstance(exc, (exceptions.ValidationError, exceptions.ParseError, exceptions.UnsupportedMediaType)):
        return "InputError", _flatten(exc.detail), 400
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "MethodNotAllowedError", _flatten(exc.detail), 405
    if isinstance(exc, exceptions.APIException):
        return type(exc).__name__, _flatten(exc.detail), exc.status_code
    return "Error", "Internal server error", 500


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF exception handler for the catalog views: every error becomes Backstage's body."""
    name, message, status = _classify(exc)
    if status >= 500:
        logger.exception("Catalog API error", exc_info=exc)
    set_rollback()
    response = Response(error_body(context["request"], name, message, status), status=status)
    if isinstance(exc, exceptions.APIException):
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            response["WWW-Authenticate"] = auth_header
        wait = getattr(exc, "wait", None)
        if wait:
            response["Retry-After"] = str(int(wait))
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """A JSON 404 for paths under the catalog API that match no route."""
    return JsonResponse(error_body(request, "NotFoundError", f"Not found: {request.path}", 404), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body(request, "Error", "Internal server error", 500), status=500)
