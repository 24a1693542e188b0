"""Unregistering an entity or its whole location, after a page that lists everything that goes with it."""

from __future__ import annotations

import pytest

from catalog.models import Entity, Location

pytestmark = pytest.mark.django_db

URL = "/catalog/default/component/payments-core/unregister/"


def test_the_confirmation_lists_everything_from_the_same_location(admin_browser, demo):
    browser = admin_browser
    response = browser.get(URL)
    assert response.status_code == 200
    total = Entity.objects.filter(location=demo).count()
    assert response.context["sibling_count"] == total == Entity.objects.count()
    html = response.content.decode()
    assert f"Unregister location and {total} entities" in html
    assert "Remove payments-core" in html
    assert Entity.objects.filter(ref="component:default/payments-core").exists()  # nothing happened yet


def test_removing_the_entity_alone_keeps_the_location(admin_browser, demo):
    browser = admin_browser
    total = Entity.objects.count()
    response = browser.post(URL, {"action": "entity"})
    assert response.status_code == 302 and response["Location"] == "/catalog/"
    assert not Entity.objects.filter(ref="component:default/payments-core").exists()
    assert Location.objects.filter(pk=demo.pk).exists()
    assert Entity.objects.filter(location=demo).count() == total - 1
    assert b"Removed component:default/payments-core" in browser.get("/catalog/").content


def test_unregistering_the_location_removes_all_its_entities(admin_browser, demo):
    browser = admin_browser
    response = browser.post(URL, {"action": "location"})
    assert response.status_code == 302
    assert not Location.objects.exists()
    assert not Entity.objects.exists()


def test_an_unknown_action_changes_nothing(admin_browser, demo):
    browser = admin_browser
    total = Entity.objects.count()
    response = browser.post(URL, {"action": "everything"})
    assert response.status_code == 200
    assert Entity.objects.count() == total


def test_an_entity_without_a_location_can_only_be_removed(admin_browser, demo):
    browser = admin_browser
    Entity.objects.filter(ref="component:default/payments-core").update(location=None)
    response = browser.get(URL)
    assert response.context["sibling_count"] == 0
    assert b"Unregister location" not in response.content
    browser.post(URL, {"action": "location"})
    assert Location.objects.exists()


def test_an_owner_may_remove_their_own_entity_but_not_the_location(browser, demo):
    owned = Entity.objects.filter(owner_ref="group:default/team-devex", kind="Component").first()
    url = f"/catalog/default/component/{owned.name}/unregister/"
    response = browser.get(url)
    assert response.status_code == 200
    assert b"Remove " + owned.name.encode() in response.content
    assert b"Unregister location" not in response.content
    assert browser.post(url, {"action": "location"}).status_code == 200  # not offered, so nothing happens
    assert Location.objects.filter(pk=demo.pk).exists()
    assert browser.post(url, {"action": "entity"}).status_code == 302
    assert not Entity.objects.filter(pk=owned.pk).exists()


def test_others_may_not_unregister_and_see_no_button(browser, demo):
    assert browser.get(URL).status_code == 403
    assert browser.post(URL, {"action": "entity"}).status_code == 403
    assert b"Unregister" not in browser.get("/catalog/default/component/payments-core/").content
