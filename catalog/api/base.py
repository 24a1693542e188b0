"""The base every catalog API view shares: authentication, JSON in and out, Backstage's error body."""

from __future__ import annotations

from typing import Any

from rest_framework.parsers import JSONParser
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from catalog.api import params
from catalog.api.errors import exception_handler
from catalog.api.negotiation import CatalogContentNegotiation


class CatalogView(APIView):
    """Authentication and the IsAuthenticated permission come from ``REST_FRAMEWORK``; bodies are JSON only.

    JSON is rendered first, so clients sending ``Accept: */*`` (catalog-client, Port Ocean) get JSON; a
    browser asking for HTML gets DRF's browsable API.
    """

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    parser_classes = [JSONParser]
    content_negotiation_class = CatalogContentNegotiation

    def get_exception_handler(self) -> Any:
        return exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        for name, values in request.query_params.lists():
            params.reject_nul([name, *values], "query parameter")
        params.reject_nul(list(kwargs.values()), "path")
