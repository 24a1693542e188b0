"""``POST /refresh``, ``/validate-entity`` and ``/analyze-location``."""

from __future__ import annotations

import pytest

from catalog.models import Location

pytestmark = pytest.mark.django_db

BASE = "/api/catalog"

VALID = {
    "apiVersion": "backstage.io/v1alpha1",
    "kind": "Component",
    "metadata": {"name": "checkout"},
    "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
}


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr("catalog.tasks.refresh_location.delay", lambda pk: calls.append(pk))
    return calls


def test_refresh_makes_the_location_due_and_queues_it(
    catalog, api, queued, django_capture_on_commit_callbacks
):
    Location.objects.filter(pk=catalog.pk).update(next_refresh_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{BASE}/refresh", {"entityRef": "Component:default/Ledger"}, format="json")
    assert response.status_code == 200 and response.content == b""
    assert Location.objects.get(pk=catalog.pk).next_refresh_at is not None
    assert queued == [str(catalog.pk)]


def test_refresh_accepts_an_authorization_token_in_the_body(catalog, api, queued):
    response = api.post(
        f"{BASE}/refresh", {"entityRef": "component:default/ledger", "authorizationToken": "x"}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "name"),
    [
        ({"entityRef": "component:default/nope"}, 404, "NotFoundError"),
        ({"entityRef": ""}, 400, "InputError"),
        ({}, 400, "InputError"),
        ({"entityRef": 3}, 400, "InputError"),
    ],
)
def test_refresh_errors(catalog, api, queued, body, status, name):
    response = api.post(f"{BASE}/refresh", body, format="json")
    assert response.status_code == status and response.json()["error"]["name"] == name
    assert queued == []


def test_validate_entity_accepts_a_valid_entity(db, api):
    response = api.post(
        f"{BASE}/validate-entity",
        {"entity": VALID, "location": "url:https://github.com/acme/x/blob/main/catalog-info.yaml"},
        format="json",
    )
    assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize(
    ("entity", "location", "fragment"),
    [
        ({**VALID, "spec": {"type": "service"}}, "url:https://github.com/a/b/blob/main/c.yaml", "lifecycle"),
        (
            {**VALID, "metadata": {"name": "Bad Name!"}},
            "url:https://github.com/a/b/blob/main/c.yaml",
            "metadata.name",
        ),
        ({"kind": "Component"}, "url:https://github.com/a/b/blob/main/c.yaml", "apiVersion"),
        ("not an entity", "url:https://github.com/a/b/blob/main/c.yaml", "object"),
        (VALID, "file:/tmp/x.yaml", "only 'url:<target>'"),
        (VALID, "https://github.com/a/b", "prefix it with 'url:'"),
        (VALID, 3, "location"),
        (
            {**VALID, "spec": {**VALID["spec"], "dependsOn": ["db"]}},
            "url:https://github.com/a/b/c.yaml",
            "kind",
        ),
    ],
)
def test_validate_entity_reports_errors_as_a_list(db, api, entity, location, fragment):
    response = api.post(f"{BASE}/validate-entity", {"entity": entity, "location": location}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and all({"name", "message"} <= set(e) for e in errors)
    assert any(fragment in e["message"] for e in errors), errors


def test_validate_entity_needs_a_json_body(db, api):
    response = api.post(f"{BASE}/validate-entity", {}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["name"] == "InputError"


CATALOG_INFO = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: shop}
spec: {type: website, lifecycle: production, owner: team-a}
"""


def test_analyze_location_finds_an_existing_catalog_file(file_server, api):
    file_server.files["/acme/shop/blob/HEAD/catalog-info.yaml"] = CATALOG_INFO
    response = api.post(
        f"{BASE}/analyze-location",
        {"location": {"type": "url", "target": file_server.url("/acme/shop")}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["generateEntities"] == []
    [found] = body["existingEntityFiles"]
    assert found["isRegistered"] is False
    assert found["entity"]["metadata"]["name"] == "shop"
    assert found["location"] == {
        "type": "url",
        "target": file_server.url("/acme/shop/blob/HEAD/catalog-info.yaml"),
    }


def test_analyze_location_proposes_a_component_when_there_is_none(file_server, api):
    response = api.post(
        f"{BASE}/analyze-location",
        {
            "location": {"type": "url", "target": file_server.url("/acme/cart.git")},
            "catalogFileName": "other.yaml",
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["existingEntityFiles"] == []
    [proposal] = body["generateEntities"]
    entity = proposal["entity"]
    assert entity["metadata"]["name"] == "cart"
    assert entity["spec"] == {"type": "other", "lifecycle": "unknown"}
    assert list(entity["metadata"]["annotations"].values()) == ["acme/cart"]
    assert proposal["fields"][0]["field"] == "spec.owner"


@pytest.mark.parametrize(
    "body",
    [
        {"location": {"type": "file", "target": "/tmp/x"}},
        {"location": {"type": "url", "target": "not a url"}},
        {"location": "url:https://github.com/a/b"},
        {"nothing": 1},
    ],
)
def test_analyze_location_needs_a_url(db, api, body):
    response = api.post(f"{BASE}/analyze-location", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["name"] == "InputError"
