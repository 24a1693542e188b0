"""Group and user pages: members, parent and child groups, and what they own by kind."""

from __future__ import annotations

import pytest

from catalog.models import Entity

pytestmark = pytest.mark.django_db


def test_a_group_page_lists_members_children_parent_and_what_it_owns(browser, demo):
    response = browser.get("/catalog/default/group/team-sre/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["overview_template"] == "catalog/entity/overview_group.html"
    assert {p.ref for p in response.context["members"]} == {
        "user:default/aisha.bello",
        "user:default/ben.carter",
        "user:default/nadia.karim",
    }
    assert "Nadia Karim" in html and "nadia.karim@northwind.example" in html
    assert [p.ref for p in response.context["parents"]] == ["group:default/platform-engineering"]
    owned = {group.kind: group.count for group in response.context["owned"]}
    expected = Entity.objects.filter(owner_ref="group:default/team-sre")
    assert sum(owned.values()) == expected.count()
    for entity in expected:
        assert (entity.title or entity.name) in html


def test_a_parent_group_lists_its_children(browser, demo):
    response = browser.get("/catalog/default/group/platform-engineering/")
    children = {p.ref for p in response.context["children"]}
    assert {"group:default/team-sre", "group:default/team-devex"} <= children


def test_a_user_page_lists_groups_and_what_the_user_and_groups_own(browser, demo):
    response = browser.get("/catalog/default/user/nadia.karim/")
    assert response.context["overview_template"] == "catalog/entity/overview_user.html"
    assert {p.ref for p in response.context["groups"]} == {
        "group:default/team-devex",
        "group:default/team-sre",
    }
    owners = {"user:default/nadia.karim", "group:default/team-devex", "group:default/team-sre"}
    owned = sum(group.count for group in response.context["owned"])
    assert owned == Entity.objects.filter(owner_ref__in=owners).count() > 0
    assert b"Nadia Karim" in response.content


def test_a_group_that_owns_nothing_says_so(browser, demo):
    response = browser.get("/catalog/default/group/northwind/")
    if not response.context["owned"]:
        assert b"This group owns nothing" in response.content
    assert response.status_code == 200
