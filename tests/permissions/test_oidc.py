"""Single sign-on through a fake OpenID provider: who gets signed in, linked to what, and what is refused."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client

from permissions.oidc import sso_enabled
from permissions.policy import visible_entities
from tests.fakes.oidc_provider import FakeOIDCProvider, new_key, serving

pytestmark = pytest.mark.django_db

ALICE = {
    "sub": "idp-alice",
    "email": "alice@example.com",
    "email_verified": True,
    "preferred_username": "alice",
    "given_name": "Alice",
    "family_name": "Liddell",
}
ZOE = {"sub": "idp-zoe", "email": "zoe@elsewhere.org", "given_name": "Zoe"}


@pytest.fixture
def provider(settings) -> Iterator[FakeOIDCProvider]:
    """A fake provider, and the portal configured for it through discovery only."""
    with serving() as fake:
        settings.OIDC_RP_CLIENT_ID = fake.client_id
        settings.OIDC_RP_CLIENT_SECRET = fake.client_secret
        settings.OIDC_OP_DISCOVERY_URL = fake.discovery_url
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "permissions.oidc.OIDCBackend"]
        yield fake


def to_provider(client: Client, provider: FakeOIDCProvider, claims: dict, *, next_url: str = "") -> dict:
    """Start sign-in, let the provider approve ``claims``; returns the callback's query (code, state)."""
    provider.sign_in_as(claims)
    response = client.get("/oidc/authenticate/", {"next": next_url} if next_url else {})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{provider.base_url}/authorize?")
    assert "nonce=" in response["Location"] and "code_challenge=" in response["Location"]
    approved = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert approved.status_code == 302
    callback = urlsplit(approved.headers["Location"])
    assert callback.path == "/oidc/callback/"
    return {key: values[0] for key, values in parse_qs(callback.query).items()}


def sign_in(client: Client, provider: FakeOIDCProvider, claims: dict, **kwargs: str):
    return client.get("/oidc/callback/", to_provider(client, provider, claims, **kwargs))


def signed_in_user(client: Client):
    user_id = client.session.get(SESSION_KEY)
    return get_user_model().objects.get(pk=user_id) if user_id else None


def test_a_user_with_a_catalog_user_entity_signs_in_and_is_linked(client, provider, org):
    response = sign_in(client, provider, ALICE)

    assert response.status_code == 302 and response["Location"] == "/"
    user = signed_in_user(client)
    assert user is not None
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "alice",
        "alice@example.com",
        "Alice",
        "Liddell",
    )
    assert not user.has_usable_password()
    assert user.identity.entity_ref == "user:default/alice"
    assert "group:default/team-a" in user.identity.ownership_refs
    assert "POST /token" in provider.requests and "GET /userinfo" in provider.requests


def test_a_user_matching_no_user_entity_signs_in_and_still_reads_the_catalog(client, provider, org):
    sign_in(client, provider, ZOE)

    user = signed_in_user(client)
    assert user is not None and user.email == "zoe@elsewhere.org" and user.username == "zoe"
    assert user.identity.entity_ref == "" and user.identity.ownership_refs == []
    assert visible_entities(user).exists()


def test_an_existing_account_is_matched_by_email_whatever_its_case(client, provider, org, make_user):
    existing = make_user("a.liddell", email="Alice@Example.COM")

    sign_in(client, provider, ALICE)

    assert signed_in_user(client) == existing
    assert get_user_model().objects.count() == 1
    existing.refresh_from_db()
    assert existing.username == "a.liddell" and existing.email == "alice@example.com"
    assert existing.identity.entity_ref == "user:default/alice"


def test_a_taken_username_gets_a_suffix(client, provider, make_user):
    make_user("alice", email="someone-else@example.org")

    sign_in(client, provider, ALICE)

    assert signed_in_user(client).username == "alice-2"


def test_the_next_page_is_kept_through_the_provider(client, provider, org):
    response = sign_in(client, provider, ALICE, next_url="/catalog/")

    assert response["Location"] == "/catalog/"


def test_an_id_token_signed_with_another_key_is_refused(client, provider, org):
    provider.signing_key = new_key()  # same kid as the published key, different key

    response = sign_in(client, provider, ALICE)

    assert response.status_code == 400
    assert signed_in_user(client) is None
    assert not get_user_model().objects.exists()


def test_a_wrong_state_is_refused(client, provider, org):
    callback = to_provider(client, provider, ALICE)

    response = client.get("/oidc/callback/", {**callback, "state": "not-the-state-we-sent"})

    assert response.status_code == 400
    assert signed_in_user(client) is None


def test_a_callback_without_a_started_sign_in_is_refused(client, provider, org):
    callback = to_provider(Client(), provider, ALICE)  # started in another browser

    response = client.get("/oidc/callback/", callback)

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert signed_in_user(client) is None


def test_a_wrong_client_secret_fails_sign_in_with_a_message(client, provider, settings, org):
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"

    response = sign_in(client, provider, ALICE)

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert signed_in_user(client) is None
    page = client.get("/accounts/login/")
    assert "Single sign-on did not succeed" in page.content.decode()


def test_an_email_the_provider_has_not_verified_is_refused(client, provider, org):
    sign_in(client, provider, {**ALICE, "email_verified": False})

    assert signed_in_user(client) is None
    assert not get_user_model().objects.exists()


def test_without_a_client_id_there_is_no_sso_and_passwords_still_work(client, make_user):
    assert not sso_enabled()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/", {"code": "c", "state": "s"}).status_code == 404

    make_user("sam")
    assert client.post("/accounts/login/", {"username": "sam", "password": "pw"}).status_code == 302
    assert signed_in_user(client).username == "sam"


def test_password_sign_in_does_not_wait_for_an_unreachable_provider(client, settings, make_user):
    settings.OIDC_RP_CLIENT_ID = "greenroom"
    settings.OIDC_RP_CLIENT_SECRET = "s3cret"
    settings.OIDC_OP_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "permissions.oidc.OIDCBackend"]
    assert sso_enabled()
    make_user("sam")

    client.post("/accounts/login/", {"username": "sam", "password": "pw"})

    assert signed_in_user(client).username == "sam"
