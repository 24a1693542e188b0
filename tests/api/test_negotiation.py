"""The catalog API's content negotiation picks what DRF's would, for every Accept header and format."""

from __future__ import annotations

import itertools

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from catalog.api.negotiation import CatalogContentNegotiation

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "text/html",
    "",
    "application/json; indent=4",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "application/xml",
]
QUERIES = ["", "?format=json", "?format=api", "?format=xml", "?filter=kind=component"]
RENDERERS = [[JSONRenderer, BrowsableAPIRenderer], [BrowsableAPIRenderer, JSONRenderer]]


def pick(negotiation, request, renderers):
    try:
        renderer, media_type = negotiation.select_renderer(request, [r() for r in renderers])
    except Exception as error:  # NotAcceptable / Http404, which both must raise alike
        return type(error).__name__
    return type(renderer).__name__, media_type


@pytest.mark.parametrize(("accept", "query", "renderers"), itertools.product(ACCEPTS, QUERIES, RENDERERS))
def test_the_same_renderer_and_media_type_as_drf(accept, query, renderers):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/api/catalog/entities{query}", **headers))
    assert pick(CatalogContentNegotiation(), request, renderers) == pick(
        DefaultContentNegotiation(), request, renderers
    )
