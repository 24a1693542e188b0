"""Pages ask the one visibility decision: what it hides is absent (404, missing from lists, unlinked)."""

from __future__ import annotations

import pytest

from catalog.api import visibility as decision
from catalog.models import Entity, Location

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_groups(monkeypatch):
    """A decision under which nobody may see Group entities."""
    original = decision.visible_entities

    def without_groups(who, action=decision.ENTITY_READ):
        return original(who, action).exclude(kind="Group")

    monkeypatch.setattr(decision, "visible_entities", without_groups)


@pytest.fixture
def read_only(monkeypatch):
    """A decision under which the user may read but not change anything."""
    monkeypatch.setattr(decision, "allowed", lambda who, action, obj=None: False)


def test_hidden_entities_are_404_and_missing_from_the_catalog(browser, demo, no_groups):
    assert browser.get("/catalog/default/group/team-sre/").status_code == 404
    response = browser.get("/catalog/?per_page=100")
    assert "Group" not in dict(response.context["kinds"])
    assert response.context["page"].paginator.count == Entity.objects.exclude(kind="Group").count()


def test_relations_to_hidden_entities_are_not_links(browser, demo, no_groups):
    html = browser.get("/catalog/default/component/payments-core/").content.decode()
    assert "group:team-payments" in html
    assert 'href="/catalog/default/group/team-payments/"' not in html.split('id="relations-title"')[1]


def test_a_reader_cannot_register_unregister_or_refresh(browser, demo, read_only):
    assert browser.get("/catalog/register/").status_code == 403
    assert (
        browser.post("/catalog/register/", {"url": "https://github.com/x", "action": "confirm"}).status_code
        == 403
    )
    url = "/catalog/default/component/payments-core/"
    assert browser.get(url + "unregister/").status_code == 403
    assert browser.post(url + "unregister/", {"action": "location"}).status_code == 403
    assert browser.post(url + "refresh/").status_code == 403
    assert Location.objects.filter(pk=demo.pk).exists()
    response = browser.get(url + "refresh/")
    assert response.status_code == 405
