"""The home page: what the signed-in user and their groups own, recent changes, errors, a search box."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from catalog.models import Entity

pytestmark = pytest.mark.django_db


def test_home_lists_what_the_user_and_their_groups_own(browser, demo):
    response = browser.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome, Sam Taylor" in html
    assert "Developer Experience" in html  # sam's group, by its title
    owned = Entity.objects.filter(owner_ref__in=["group:default/team-devex", "user:default/sam.taylor"])
    assert owned.exists()
    for entity in owned:
        assert (entity.title or entity.name) in html
    assert {e.pk for e in response.context["owned"]} == {e.pk for e in owned}


def test_home_falls_back_to_the_username(client, demo):
    user = get_user_model().objects.create_user("nadia.karim", "other@example.com", "pw")
    client.force_login(user)
    response = client.get("/")
    assert response.context["identity"].entity.ref == "user:default/nadia.karim"
    assert set(response.context["identity"].group_refs) == {
        "group:default/team-devex",
        "group:default/team-sre",
    }


def test_home_owned_list_holds_only_owned_entities(browser, demo):
    response = browser.get("/")
    refs = set(response.context["identity"].owner_refs)
    assert refs == {"user:default/sam.taylor", "group:default/team-devex"}
    assert response.context["owned"]
    assert all(e.owner_ref in refs for e in response.context["owned"])


def test_an_unlinked_user_sees_why_nothing_is_theirs(client, demo, stranger):
    client.force_login(stranger)
    response = client.get("/")
    assert response.status_code == 200
    assert b"No User entity in the catalog has your email address" in response.content
    assert response.context["owned"] == []


def test_home_shows_recent_changes_and_owned_entities_with_errors(browser, demo):
    broken = Entity.objects.filter(owner_ref="group:default/team-devex").first()
    Entity.objects.filter(pk=broken.pk).update(has_errors=True)
    response = browser.get("/")
    assert [e.pk for e in response.context["broken"]] == [broken.pk]
    assert len(response.context["recent"]) == 10


def test_home_on_an_empty_catalog_shows_empty_states(browser):
    response = browser.get("/")
    assert response.status_code == 200
    assert b"The catalog is empty" in response.content


def test_home_has_a_search_box_that_searches_the_catalog(browser, demo):
    html = browser.get("/").content.decode()
    assert 'action="/catalog/"' in html and 'name="q"' in html
