"""Locations: register (dry run, conflicts), list, get, update, delete, query, by entity."""

from __future__ import annotations

import uuid

import pytest

from catalog.models import Entity, Location
from tests.api.conftest import ORG, refs_of, register

pytestmark = pytest.mark.django_db

BASE = "/api/catalog/locations"


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    """Location ids handed to the refresh task (instead of a broker)."""
    calls: list[str] = []
    monkeypatch.setattr("catalog.tasks.refresh_location.delay", lambda pk: calls.append(pk))
    return calls


@pytest.fixture
def file_locations(settings):
    settings.CATALOG_LOCATION_TYPES = ["url", "file"]


def location_body(location: Location) -> dict:
    return {
        "id": str(location.pk),
        "type": location.type,
        "target": location.target,
        "entityRef": location.entity_ref,
    }


def test_registering_a_url_answers_201_with_no_entities_and_queues_a_refresh(
    file_server, api, queued, django_capture_on_commit_callbacks
):
    url = file_server.url("/org/repo/blob/main/catalog-info.yaml")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(BASE, {"type": "url", "target": url}, format="json")
    assert response.status_code == 201
    location = Location.objects.get()
    assert response.json() == {"location": location_body(location), "entities": []}
    assert location.entity_ref.startswith("location:default/generated-")
    assert location.registered_by == "port-ocean"
    assert queued == [str(location.pk)]


def test_a_duplicate_is_409_unless_on_conflict_refresh(
    file_server, api, queued, django_capture_on_commit_callbacks
):
    url = file_server.url("/a/catalog-info.yaml")
    api.post(BASE, {"type": "url", "target": url}, format="json")
    again = api.post(BASE, {"type": "url", "target": url}, format="json")
    assert again.status_code == 409 and again.json()["error"]["name"] == "ConflictError"
    with django_capture_on_commit_callbacks(execute=True):
        refreshed = api.post(f"{BASE}?onConflict=refresh", {"type": "url", "target": url}, format="json")
    assert refreshed.status_code == 201
    assert refreshed.json()["location"]["id"] == str(Location.objects.get().pk)
    assert queued == [str(Location.objects.get().pk)]
    assert (
        api.post(f"{BASE}?onConflict=maybe", {"type": "url", "target": url}, format="json").status_code == 400
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ({"type": "file", "target": "/etc/passwd"}, "application/json"),  # only url by default
        ({"type": "url", "target": "https://example.org/x.yaml"}, "application/json"),  # host not allowed
        ({"type": "url", "target": "ftp://github.com/x.yaml"}, "application/json"),
        ({"type": "url"}, "application/json"),
        ({"type": "url", "target": "https://github.com/a/b", "extra": 1}, "application/json"),
        ({"type": "url", "target": "https://github.com/a/b", "presence": "sometimes"}, "application/json"),
        ({}, "application/json"),
        (None, "application/json"),
        ([1], "application/json"),
    ],
)
def test_bad_registrations_are_input_errors(api, body, content_type):
    response = api.post(BASE, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["name"] == "InputError"
    assert not Location.objects.exists()


def test_registration_needs_a_json_content_type(api):
    response = api.post(BASE, "type=url&target=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["error"]["name"] == "InputError"


def test_a_dry_run_processes_without_storing(write_yaml, api, file_locations):
    write_yaml("org.yaml", ORG)
    path = write_yaml(
        "root.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: root}\n"
        "spec: {targets: [./org.yaml]}\n",
    )
    response = api.post(f"{BASE}?dryRun=TRUE", {"type": "file", "target": str(path)}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["exists"] is False
    assert body["location"]["id"] == f"file:{path}"
    assert body["location"]["entityRef"].startswith("location:default/generated-")
    assert refs_of(body["entities"]) == {
        body["location"]["entityRef"],
        "location:default/root",
        "group:default/team-a",
        "group:default/team-b",
        "user:default/alice",
    }
    alice = next(e for e in body["entities"] if e["kind"] == "User")
    assert alice["relations"] == [{"type": "memberOf", "targetRef": "group:default/team-a"}]
    assert not Location.objects.exists() and not Entity.objects.exists()


def test_a_dry_run_with_errors_is_an_input_error(write_yaml, api, file_locations):
    path = write_yaml(
        "bad.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: {type: service}\n",
    )
    response = api.post(f"{BASE}?dryRun=yes", {"type": "file", "target": str(path)}, format="json")
    assert response.status_code == 400
    assert (
        "spec.lifecycle" in response.json()["error"]["message"]
        or "lifecycle" in response.json()["error"]["message"]
    )
    missing = api.post(f"{BASE}?dryRun=1", {"type": "file", "target": str(path) + ".nope"}, format="json")
    assert missing.status_code == 400


def test_list_get_and_by_query(catalog, api, file_locations, write_yaml):
    other = register(
        write_yaml(
            "other.yaml", ORG.replace("team-a", "team-c").replace("team-b", "team-d").replace("alice", "bob")
        )
    )
    listed = api.get(BASE).json()
    assert sorted(item["data"]["id"] for item in listed) == sorted([str(catalog.pk), str(other.pk)])
    assert api.get(f"{BASE}/{catalog.pk}").json() == location_body(catalog)
    assert api.get(f"{BASE}/{uuid.uuid4()}").status_code == 404
    assert api.get(f"{BASE}/not-a-uuid").status_code == 404

    everything = api.post(f"{BASE}/by-query", {}, format="json").json()
    assert everything["totalItems"] == 2 and "nextCursor" not in everything["pageInfo"]
    assert [i["id"] for i in everything["items"]] == sorted([str(catalog.pk), str(other.pk)])
    first = api.post(f"{BASE}/by-query", {"limit": 1}, format="json").json()
    assert len(first["items"]) == 1 and first["totalItems"] == 2
    second = api.post(f"{BASE}/by-query", {"cursor": first["pageInfo"]["nextCursor"]}, format="json").json()
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [i["id"] for i in everything["items"]]
    assert "nextCursor" not in second["pageInfo"]


@pytest.mark.parametrize(
    ("query", "which"),
    [
        ({"target": {"$hasPrefix": "/"}}, {"catalog"}),
        ({"TYPE": "FILE"}, {"catalog"}),
        ({"type": "url"}, set()),
        ({"type": {"$in": ["url", "file"]}}, {"catalog"}),
        ({"$not": {"type": "file"}}, set()),
        ({"entityRef": "ENTITY_REF"}, {"catalog"}),
        ({"entityRef": {"$hasPrefix": "location:default/generated-"}}, {"catalog"}),
        ({"id": "ID"}, {"catalog"}),
        ({"id": {"$exists": True}}, {"catalog"}),
    ],
)
def test_locations_by_query_predicates(catalog, api, query, which):
    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if value == "ENTITY_REF":
            return catalog.entity_ref.upper()
        return str(catalog.pk) if value == "ID" else value

    body = api.post(f"{BASE}/by-query", {"query": fill(query)}, format="json").json()
    assert {"catalog" for item in body["items"] if item["id"] == str(catalog.pk)} == which


@pytest.mark.parametrize(
    "body", [{"query": {"color": "red"}}, {"query": "x"}, {"limit": 0}, {"cursor": "@@"}]
)
def test_locations_by_query_errors(catalog, api, body):
    response = api.post(f"{BASE}/by-query", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["name"] == "InputError"


def test_update_a_location(
    catalog, api, file_locations, write_yaml, queued, django_capture_on_commit_callbacks
):
    new = write_yaml("moved.yaml", ORG)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.put(f"{BASE}/{catalog.pk}", {"type": "file", "target": str(new)}, format="json")
    assert response.status_code == 200
    assert response.json()["target"] == str(new)
    assert queued == [str(catalog.pk)]
    assert (
        api.put(f"{BASE}/{uuid.uuid4()}", {"type": "file", "target": str(new)}, format="json").status_code
        == 404
    )
    assert api.put(f"{BASE}/{catalog.pk}", {"type": "file"}, format="json").status_code == 400


def test_updating_onto_another_locations_target_is_a_conflict(catalog, api, file_locations, write_yaml):
    other = register(write_yaml("other.yaml", "[]\n"))
    response = api.put(f"{BASE}/{other.pk}", {"type": "file", "target": catalog.target}, format="json")
    assert response.status_code == 409 and response.json()["error"]["name"] == "ConflictError"


def test_delete_a_location_removes_its_entities(catalog, api):
    assert Entity.objects.filter(location=catalog).count() == 11
    response = api.delete(f"{BASE}/{catalog.pk}")
    assert response.status_code == 204
    assert not Location.objects.exists() and not Entity.objects.exists()
    assert api.delete(f"{BASE}/{catalog.pk}").status_code == 404


def test_location_by_entity(catalog, api):
    body = api.get(f"{BASE}/by-entity/component/default/ledger").json()
    assert body == location_body(catalog)
    assert api.get(f"{BASE}/by-entity/Component/Default/Ledger").status_code == 200
    assert api.get(f"{BASE}/by-entity/component/default/nope").status_code == 404


def test_read_only_mode_refuses_location_writes_but_not_dry_runs(
    catalog, api, settings, file_locations, write_yaml
):
    settings.CATALOG_READONLY = True
    other = write_yaml("other.yaml", ORG)
    for response in [
        api.post(BASE, {"type": "file", "target": str(other)}, format="json"),
        api.put(f"{BASE}/{catalog.pk}", {"type": "file", "target": str(other)}, format="json"),
        api.delete(f"{BASE}/{catalog.pk}"),
    ]:
        assert response.status_code == 403 and response.json()["error"]["name"] == "NotAllowedError"
    assert (
        api.post(f"{BASE}?dryRun=true", {"type": "file", "target": str(other)}, format="json").status_code
        == 201
    )
    assert Location.objects.count() == 1
