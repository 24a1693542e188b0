"""``GET|POST /entity-facets``: value counts of search keys over the matching entities (spec §4.6)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db.models import Count, QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api import params, schema
from catalog.api.base import CatalogView
from catalog.api.errors import InputError
from catalog.api.visibility import narrowing_key, visible_entities
from catalog.models import SearchRow
from catalog.query import filtered_entities, parse_filter_params
from catalog.result_cache import remembered_as


def facet_counts(
    entities: Callable[[], QuerySet], facets: list[str], key: tuple[Any, ...]
) -> dict[str, list[dict[str, Any]]]:
    """One bucket per distinct original-case value, sorted by value; facet names match case-insensitively.

    ``entities`` builds the matching entities, only when the counts are not remembered under ``key`` (the
    caller's narrowing and the filter, everything the entities depend on).
    """
    keys = sorted({f.lower() for f in facets})

    def build() -> dict[str, list[dict[str, Any]]]:
        rows = (
            SearchRow.objects.filter(
                key__in=keys, original_value__isnull=False, entity_id__in=entities().values("pk")
            )
            .values_list("key", "original_value")
            .annotate(count=Count("id"))
            .order_by("key", "original_value")
        )
        by_key: dict[str, list[dict[str, Any]]] = {}
        for key, value, count in rows:
            by_key.setdefault(key, []).append({"value": value, "count": count})
        return by_key

    by_key = remembered_as("facets", (*key, tuple(keys)), build)
    return {facet: by_key.get(facet.lower(), []) for facet in facets}


class EntityFacetsView(CatalogView):
    """GET ``?facet=…&filter=…`` or POST ``{facets, query?}``."""

    @schema.get_entity_facets
    def get(self, request: Request) -> Response:
        facets = [f for f in request.query_params.getlist("facet") if f]
        if not facets:
            raise InputError("Missing or empty facet parameter")
        entity_filter = parse_filter_params(request.query_params.getlist("filter"))
        counts = facet_counts(
            lambda: filtered_entities(visible_entities(request), entity_filter=entity_filter),
            facets,
            ("filter", narrowing_key(request), json.dumps(entity_filter, sort_keys=True)),
        )
        return Response({"facets": counts})

    @schema.post_entity_facets
    def post(self, request: Request) -> Response:
        body = params.optional_body(request)
        facets = [f for f in params.string_list(body.get("facets"), "facets") if f]
        if not facets:
            raise InputError("Invalid facets, expected at least one facet")
        query = body.get("query")
        counts = facet_counts(
            lambda: filtered_entities(visible_entities(request), query=query),
            facets,
            ("query", narrowing_key(request), json.dumps(query, sort_keys=True)),
        )
        return Response({"facets": counts})
