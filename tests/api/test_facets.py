"""``GET|POST /entity-facets``: counts per original-case value, sorted, over the filtered entities."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/catalog/entity-facets"


def test_facets_count_original_case_values_sorted(catalog, api):
    body = api.get(URL, [("facet", "kind"), ("facet", "metadata.tags"), ("facet", "spec.nothing")]).json()
    assert body == {
        "facets": {
            "kind": [
                {"value": "API", "count": 1},
                {"value": "Component", "count": 3},
                {"value": "Group", "count": 2},
                {"value": "Location", "count": 2},
                {"value": "Resource", "count": 1},
                {"value": "System", "count": 1},
                {"value": "User", "count": 1},
            ],
            "metadata.tags": [
                {"value": "java", "count": 1},
                {"value": "payments", "count": 1},
                {"value": "python", "count": 1},
            ],
            "spec.nothing": [],
        }
    }


def test_facet_names_match_case_insensitively_and_keep_their_spelling(catalog, api):
    body = api.get(URL, {"facet": "Relations.OwnedBy", "filter": "kind=component"}).json()
    assert body == {
        "facets": {
            "Relations.OwnedBy": [
                {"value": "group:default/team-a", "count": 2},
                {"value": "group:default/team-b", "count": 1},
            ]
        }
    }


def test_facets_with_a_filter_and_with_a_predicate(catalog, api):
    filtered = api.get(URL, {"facet": "spec.lifecycle", "filter": "kind=component"}).json()
    assert filtered["facets"]["spec.lifecycle"] == [
        {"value": "experimental", "count": 1},
        {"value": "production", "count": 2},
    ]
    posted = api.post(
        URL, {"facets": ["spec.type"], "query": {"metadata.namespace": "default"}}, format="json"
    ).json()
    assert {"value": "website", "count": 1} not in posted["facets"]["spec.type"]
    assert {"value": "service", "count": 2} in posted["facets"]["spec.type"]


@pytest.mark.parametrize("params", [{}, {"facet": ""}, {"facet": "kind", "filter": "=x"}])
def test_get_needs_a_facet(catalog, api, params):
    response = api.get(URL, params)
    assert response.status_code == 400 and response.json()["error"]["name"] == "InputError"


@pytest.mark.parametrize("body", [{}, {"facets": []}, {"facets": "kind"}, {"facets": ["kind"], "query": 1}])
def test_post_needs_facets_and_a_valid_query(catalog, api, body):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400 and response.json()["error"]["name"] == "InputError"
