"""Backstage's error body for every failure, unknown paths included, and no trailing-slash redirects."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_unknown_paths_under_the_api_are_json_404s(api):
    for path in [
        "/api/catalog/nope",
        "/api/catalog/entities/",
        "/api/catalog/entities/by-name/a/b",
        "/api/catalog/entities/by-name/a/b/c/d/e",
    ]:
        response = api.get(path)
        assert response.status_code == 404, path
        body = response.json()
        assert body["error"]["name"] == "NotFoundError"
        assert body["request"] == {"method": "GET", "url": path}
        assert body["response"] == {"statusCode": 404}


def test_no_trailing_slash_redirect(api):
    response = api.get("/api/catalog/locations/")
    assert response.status_code == 404 and "Location" not in response


def test_unknown_api_roots_use_the_json_handler(settings, db):
    response = Client().get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["name"] == "NotFoundError"


def test_a_wrong_method_has_the_error_body(api):
    response = api.patch("/api/catalog/entities", {}, format="json")
    assert response.status_code == 405
    assert set(response.json()) == {"error", "request", "response"}


def test_malformed_json_is_an_input_error(api):
    response = api.post("/api/catalog/entities/by-refs", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["name"] == "InputError"


def test_get_with_a_json_content_type_is_fine(api):
    response = api.get("/api/catalog/locations", CONTENT_TYPE="application/json")
    assert response.status_code == 200 and response.json() == []


def test_request_url_keeps_the_query_string(api):
    response = api.get("/api/catalog/entities?limit=x")
    assert response.json()["request"]["url"] == "/api/catalog/entities?limit=x"


def test_an_unexpected_error_is_a_500_with_the_body(api, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("catalog.api.views.locations.location_json", boom)
    from catalog.models import Location

    Location.objects.create(type="url", target="https://github.com/a/b/blob/main/c.yaml")
    response = api.get("/api/catalog/locations")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == {"name": "Error", "message": "Internal server error"}
    assert "secret detail" not in response.content.decode()


def test_nul_characters_are_input_errors_not_database_errors(catalog, api):
    for response in [
        api.get("/api/catalog/entities", {"filter": "kind=a\x00b"}),
        api.get("/api/catalog/entity-facets", {"facet": "\x00"}),
        api.get("/api/catalog/entities/by-name/component/default/a%00b"),
        api.post("/api/catalog/entities/by-refs", {"entityRefs": ["component:default/\x00"]}, format="json"),
        api.post("/api/catalog/entities/by-query", {"query": {"kind\x00": "x"}}, format="json"),
    ]:
        assert response.status_code == 400, response.content
        assert response.json()["error"]["name"] == "InputError"
