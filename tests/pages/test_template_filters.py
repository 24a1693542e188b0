"""The small filters the catalog templates use."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from catalog.templatetags.catalog_pages import ago, initials, kind_class, ref_name, ref_url


def test_ref_name_drops_the_default_namespace():
    assert ref_name("group:default/team-sre") == "team-sre"
    assert ref_name("group:ops/team-sre") == "ops/team-sre"
    assert ref_name("") == ""


def test_ref_url_links_to_the_entity_page():
    assert ref_url("component:default/payments-core") == "/catalog/default/component/payments-core/"
    assert ref_url("") == ""


def test_kind_class_is_a_safe_css_class():
    assert kind_class("Component") == "kind-component"
    assert kind_class('x" onload="y') == "kind-xonloady"


def test_initials_of_names_and_usernames():
    assert initials("Sam Taylor") == "ST"
    assert initials("nadia.karim") == "NK"
    assert initials("") == "?"


def test_ago_says_just_now_within_a_minute():
    now = timezone.now()
    assert ago(now - timedelta(seconds=10)) == "just now"
    assert ago(now - timedelta(minutes=5)) == "5\xa0minutes ago"
    assert ago(None) == "never"
