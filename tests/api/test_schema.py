"""OpenAPI 3 at /api/schema/ and Swagger UI at /api/docs/, with no asset fetched from the internet."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

OPERATIONS = {
    "getEntities",
    "getEntitiesByQuery",
    "queryEntitiesByPredicate",
    "getEntitiesByRefs",
    "getEntityByName",
    "getEntityAncestryByName",
    "getEntityByUid",
    "deleteEntityByUid",
    "getEntityFacets",
    "queryEntityFacetsByPredicate",
    "refreshEntity",
    "validateEntity",
    "analyzeLocation",
    "getLocations",
    "createLocation",
    "getLocation",
    "updateLocation",
    "deleteLocation",
    "getLocationsByQuery",
    "getLocationByEntity",
}


def test_the_schema_describes_every_operation():
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert operations >= OPERATIONS
    assert "/api/catalog/entities/by-query" in schema["paths"]
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A static API token: grn_<prefix>_<secret>.",
    }


def test_swagger_ui_uses_local_assets_only():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any("swagger-ui" in a for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
