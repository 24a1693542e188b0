"""The permissions app's part of serving a request: the audit log attributes every write made while serving
it to the request's caller, and the permissions version is read once for the whole request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from permissions import audit
from permissions import cache as permission_cache


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit.request_context(request), permission_cache.one_version():
            return self.get_response(request)
