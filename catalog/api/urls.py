"""Routes of the catalog API, mounted at /api/catalog/; Backstage's paths, without trailing slashes."""

from __future__ import annotations

from django.urls import path, re_path

from catalog.api.errors import not_found
from catalog.api.views import actions, entities, facets, locations, query

app_name = "catalog-api"

urlpatterns = [
    # GET /entities
    path("entities", entities.EntityListView.as_view(), name="entities"),
    # GET|POST /entities/by-query
    path("entities/by-query", query.EntitiesByQueryView.as_view(), name="entities-by-query"),
    # POST /entities/by-refs
    path("entities/by-refs", entities.EntitiesByRefsView.as_view(), name="entities-by-refs"),
    # GET /entities/by-name/{kind}/{namespace}/{name}[/ancestry]
    path(
        "entities/by-name/<str:kind>/<str:namespace>/<str:name>",
        entities.EntityByNameView.as_view(),
        name="entity-by-name",
    ),
    path(
        "entities/by-name/<str:kind>/<str:namespace>/<str:name>/ancestry",
        entities.EntityAncestryView.as_view(),
        name="entity-ancestry",
    ),
    # GET|DELETE /entities/by-uid/{uid}
    path("entities/by-uid/<str:uid>", entities.EntityByUidView.as_view(), name="entity-by-uid"),
    # GET|POST /entity-facets
    path("entity-facets", facets.EntityFacetsView.as_view(), name="entity-facets"),
    # POST /refresh, /validate-entity, /analyze-location
    path("refresh", actions.RefreshView.as_view(), name="refresh"),
    path("validate-entity", actions.ValidateEntityView.as_view(), name="validate-entity"),
    path("analyze-location", actions.AnalyzeLocationView.as_view(), name="analyze-location"),
    # GET|POST /locations
    path("locations", locations.LocationListView.as_view(), name="locations"),
    # POST /locations/by-query
    path("locations/by-query", locations.LocationsByQueryView.as_view(), name="locations-by-query"),
    # GET /locations/by-entity/{kind}/{namespace}/{name}
    path(
        "locations/by-entity/<str:kind>/<str:namespace>/<str:name>",
        locations.LocationByEntityView.as_view(),
        name="location-by-entity",
    ),
    # GET|PUT|DELETE /locations/{id}
    path("locations/<str:location_id>", locations.LocationDetailView.as_view(), name="location"),
    # Anything else under /api/catalog/: Backstage's JSON 404, never an HTML page or a slash redirect.
    re_path(r"^.*$", not_found, name="not-found"),
]
