"""Who may call the API: static bearer tokens, signed-in users, nobody else (401 AuthenticationError)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from tokens.authentication import bearer_token
from tokens.models import ApiToken, hash_secret

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/catalog/entities"),
    ("get", "/api/catalog/entities/by-query?limit=20&filter=kind%3Dcomponent"),
    ("post", "/api/catalog/entities/by-query"),
    ("post", "/api/catalog/entities/by-refs"),
    ("get", "/api/catalog/entities/by-name/component/default/x"),
    ("get", "/api/catalog/entities/by-name/component/default/x/ancestry"),
    ("get", "/api/catalog/entities/by-uid/x"),
    ("delete", "/api/catalog/entities/by-uid/x"),
    ("get", "/api/catalog/entity-facets?facet=kind"),
    ("post", "/api/catalog/entity-facets"),
    ("post", "/api/catalog/refresh"),
    ("post", "/api/catalog/validate-entity"),
    ("post", "/api/catalog/analyze-location"),
    ("get", "/api/catalog/locations"),
    ("post", "/api/catalog/locations"),
    ("post", "/api/catalog/locations/by-query"),
    ("get", "/api/catalog/locations/x"),
    ("put", "/api/catalog/locations/x"),
    ("delete", "/api/catalog/locations/x"),
    ("get", "/api/catalog/locations/by-entity/component/default/x"),
]


def assert_401(response) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["name"] == "AuthenticationError"
    assert body["response"] == {"statusCode": 401}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_every_endpoint_needs_credentials(anonymous, method, url):
    assert_401(getattr(anonymous, method)(url, {}, format="json"))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer grn_deadbeef_nope",
        "Bearer not-a-greenroom-token",
        "Bearer",
        "Bearer  two words",
        "bearer grn_x_y",
    ],
)
def test_a_bad_bearer_token_is_401(db, header):
    client = APIClient()
    assert_401(client.get("/api/catalog/entities", HTTP_AUTHORIZATION=header))


def test_another_scheme_without_a_session_is_401(db):
    assert_401(APIClient().get("/api/catalog/entities", HTTP_AUTHORIZATION="Basic YTpi"))


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "Bearer   "])
def test_a_valid_token_works_with_any_case_of_scheme(db, token, scheme):
    response = APIClient().get("/api/catalog/entities", HTTP_AUTHORIZATION=f"{scheme} {token}")
    assert response.status_code == 200


def test_revoked_and_expired_tokens_are_refused(db):
    revoked, revoked_plain = ApiToken.issue("a")
    ApiToken.objects.filter(pk=revoked.pk).update(revoked=True)
    _expired, expired_plain = ApiToken.issue("b", expires_at=timezone.now() - timedelta(seconds=1))
    _future, future_plain = ApiToken.issue("c", expires_at=timezone.now() + timedelta(days=1))
    client = APIClient()
    assert_401(client.get("/api/catalog/entities", HTTP_AUTHORIZATION=f"Bearer {revoked_plain}"))
    assert_401(client.get("/api/catalog/entities", HTTP_AUTHORIZATION=f"Bearer {expired_plain}"))
    assert client.get("/api/catalog/entities", HTTP_AUTHORIZATION=f"Bearer {future_plain}").status_code == 200


def test_a_right_prefix_with_a_wrong_secret_is_refused(db, token):
    kind, prefix, _secret = token.split("_", 2)
    assert_401(APIClient().get("/api/catalog/entities", HTTP_AUTHORIZATION=f"Bearer {kind}_{prefix}_wrong"))


def test_tokens_are_stored_hashed_and_record_their_use(db, token):
    row = ApiToken.objects.get()
    _kind, prefix, secret = token.split("_", 2)
    assert token.startswith("grn_") and row.prefix == prefix
    assert row.secret_hash == hash_secret(secret) and secret not in row.secret_hash
    assert row.last_used_at is None
    APIClient().get("/api/catalog/entities", HTTP_AUTHORIZATION=f"Bearer {token}")
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_bearer_header_parsing():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bEaReR    abc") == "abc"
    assert bearer_token("Bearer abc def") is None
    assert bearer_token("Bearer\tabc") is None
    assert bearer_token("Token abc") is None


def test_a_signed_in_user_may_read_and_write_with_csrf(db, user_client):
    assert user_client.get("/api/catalog/entities").status_code == 200
    refused = user_client.post("/api/catalog/entities/by-refs", {"entityRefs": []}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["name"] == "NotAllowedError"


def test_the_browsable_api_renders_for_a_browser(db, user_client):
    response = user_client.get("/api/catalog/locations", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert user_client.get("/api/catalog/locations", HTTP_ACCEPT="*/*")["Content-Type"].startswith(
        "application/json"
    )


def test_create_token_command_prints_the_token_once(db, capsys):
    call_command("create_token", "--subject", "port-ocean", "--expires-in-days", "30")
    printed = capsys.readouterr().out.strip()
    row = ApiToken.objects.get()
    assert row.subject == "port-ocean" and printed.startswith(f"grn_{row.prefix}_")
    assert timedelta(days=29) < row.expires_at - timezone.now() <= timedelta(days=30)
    assert APIClient().get("/api/catalog/entities", HTTP_AUTHORIZATION=f"Bearer {printed}").status_code == 200


@pytest.mark.parametrize("args", [["--subject", "two words"], ["--subject", "x", "--expires-in-days", "0"]])
def test_create_token_command_refuses_bad_input(db, args):
    with pytest.raises(CommandError):
        call_command("create_token", *args)


@pytest.fixture
def admin_client_(db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456789")
    client = APIClient()
    client.force_login(admin)
    return client


def test_admin_issues_a_token_and_shows_it_once(admin_client_):
    response = admin_client_.post(
        "/admin/tokens/apitoken/add/", {"subject": "ci", "expires_at_0": "", "expires_at_1": ""}, follow=True
    )
    assert response.status_code == 200
    row = ApiToken.objects.get()
    messages = [str(m) for m in response.context["messages"]]
    [shown] = [m for m in messages if "copy it now" in m]
    plain = shown.split(" is ", 1)[1].split(" ", 1)[0]
    assert ApiToken.objects.for_token(plain) == row
    page = admin_client_.get(f"/admin/tokens/apitoken/{row.pk}/change/")
    assert plain not in page.content.decode()


def test_admin_revokes_tokens(admin_client_, token):
    row = ApiToken.objects.get()
    api = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/catalog/entities").status_code == 200, "used (and remembered) before revocation"
    response = admin_client_.post(
        "/admin/tokens/apitoken/", {"action": "revoke", "_selected_action": [row.pk]}, follow=True
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.revoked and ApiToken.objects.for_token(token) is None
    assert_401(api.get("/api/catalog/entities"))
