"""Every page needs sign-in; unknown entities and tabs are 404 pages, not errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/catalog/",
    "/catalog/register/",
    "/catalog/default/component/payments-core/",
    "/catalog/default/component/payments-core/dependencies/",
    "/catalog/default/component/payments-core/raw/",
    "/catalog/default/component/payments-core/unregister/",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, demo, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_sign_in_page_uses_the_portal_layout(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in to Greenroom" in response.content
    assert b"Skip to content" in response.content


def test_signing_in_leads_home(client, sam):
    response = client.post("/accounts/login/", {"username": "sam", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_is_a_message_not_an_error(client, sam):
    response = client.post("/accounts/login/", {"username": "sam", "password": "nope"})
    assert response.status_code == 200
    assert b'class="banner error"' in response.content


def test_signing_out_is_a_post_and_returns_to_sign_in(browser):
    response = browser.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert browser.get("/").status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/catalog/default/component/no-such-thing/",
        "/catalog/default/component/no-such-thing/raw/",
        "/catalog/elsewhere/component/payments-core/",
        "/catalog/default/component/payments-core/no-such-tab/",
        "/catalog/default/component/payments-core/api/",  # the API tab is for APIs only
        "/catalog/default/component/no-such-thing/unregister/",
    ],
)
def test_unknown_entities_and_tabs_are_404_pages(browser, demo, url):
    response = browser.get(url)
    assert response.status_code == 404
    assert b"Not found" in response.content
    assert b"Greenroom" in response.content


def test_the_entity_lookup_ignores_case(browser, demo):
    response = browser.get("/catalog/DEFAULT/Component/Payments-Core/")
    assert response.status_code == 200
    assert b"Payments Core" in response.content


def test_single_sign_on_is_offered_only_when_configured(client, settings):
    assert b"single sign-on" not in client.get("/accounts/login/").content
    settings.OIDC_RP_CLIENT_ID = "greenroom"
    assert b"Sign in with single sign-on" in client.get("/accounts/login/?next=/catalog/").content
