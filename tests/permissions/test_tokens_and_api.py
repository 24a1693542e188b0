"""Personal tokens, token limits through the API, the explainer and audit endpoints, membership changes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from catalog.models import Entity
from catalog.services import refresh_location
from permissions import names
from permissions.models import AuditEvent
from tokens.models import ApiToken, hash_secret

pytestmark = pytest.mark.django_db


def bearer(plain: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_a_user_creates_lists_and_revokes_personal_tokens(org, make_user, client):
    alice = make_user("alice")
    client.force_login(alice)
    response = client.post(
        "/settings/tokens/",
        {"name": "laptop", "expires_in_days": 7, "permissions": [names.ENTITY_READ, names.ENTITY_REFRESH]},
    )
    assert response.status_code == 200
    plain = response.context["plain"]
    token = ApiToken.objects.get(user=alice)
    assert plain.startswith(f"grn_{token.prefix}_") and token.secret_hash == hash_secret(
        plain.split("_", 2)[2]
    )
    assert plain not in client.get("/settings/tokens/").content.decode(), "shown once"

    api = bearer(plain)
    alpha = {"entityRef": "component:default/alpha"}
    assert api.post("/api/catalog/refresh", alpha, format="json").status_code == 200, "alice owns alpha"
    beta = {"entityRef": "component:default/beta"}
    assert api.post("/api/catalog/refresh", beta, format="json").status_code == 403, "never more than alice"
    gamma = Entity.objects.get(ref="component:default/gamma").pk
    assert api.delete(f"/api/catalog/entities/by-uid/{gamma}").status_code == 403, (
        "limited to read and refresh"
    )

    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 302
    assert bearer(plain).get("/api/catalog/entities").status_code == 401
    assert AuditEvent.objects.filter(action="tokens.personal.revoke", actor="user:alice").exists()


def test_nobody_revokes_another_users_token(org, make_user, client):
    bob_token, _ = ApiToken.issue("user:bob", user=make_user("bob"))
    client.force_login(make_user("alice"))
    assert client.post(f"/settings/tokens/{bob_token.pk}/revoke/").status_code == 404
    bob_token.refresh_from_db()
    assert not bob_token.revoked


def test_the_explain_endpoint_answers_callers_about_themselves_and_admins_about_anyone(org, make_user):
    alice = make_user("alice")
    api = APIClient()
    api.force_authenticate(alice)
    own = api.get(
        "/api/permissions/explain", {"permission": names.ENTITY_DELETE, "target": "component:default/alpha"}
    ).json()
    assert own["result"] == "ALLOW" and own["caller"] == "user:alice"
    assert (
        api.get("/api/permissions/explain", {"permission": names.ENTITY_READ, "user": "bob"}).status_code
        == 403
    )
    admin = APIClient()
    admin.force_authenticate(make_user("root", superuser=True))
    about_bob = admin.get(
        "/api/permissions/explain",
        {"permission": names.ENTITY_DELETE, "user": "alice", "target": "component:default/beta"},
    ).json()
    assert about_bob["result"] == "DENY"
    bad = admin.get("/api/permissions/explain", {"permission": "catalog.entity.fly", "user": "alice"})
    assert bad.status_code == 400 and bad.json()["error"]["name"] == "InputError"


def test_the_audit_endpoint_is_for_admins(org, make_user):
    reader = APIClient()
    reader.force_authenticate(make_user("alice"))
    assert reader.get("/api/permissions/audit").status_code == 403
    admin = APIClient()
    admin.force_authenticate(make_user("root", superuser=True))
    gamma = Entity.objects.get(ref="component:default/gamma").pk
    admin.delete(f"/api/catalog/entities/by-uid/{gamma}")
    page = admin.get("/api/permissions/audit", {"action": "catalog.entity.delete"}).json()
    assert page["totalItems"] == 1
    assert page["items"][0]["actor"] == "user:root" and page["items"][0]["path"] == "api"


def test_a_group_membership_change_in_the_catalog_changes_what_a_user_may_do(
    org, make_user, write_yaml, django_capture_on_commit_callbacks
):
    """GIVEN bob in team-b; WHEN the org file moves him to team-a and is refreshed; THEN he may refresh alpha."""
    bob = make_user("bob")
    api = APIClient()
    api.force_authenticate(bob)
    alpha = {"entityRef": "component:default/alpha"}
    with django_capture_on_commit_callbacks(execute=False):
        assert api.post("/api/catalog/refresh", alpha, format="json").status_code == 403

    org_file = write_yaml("org.yaml", "")  # same path as the fixture's file
    from tests.permissions.conftest import ORG

    org_file.write_text(
        ORG.replace(
            "email: bob@example.com}, memberOf: [team-b]", "email: bob@example.com}, memberOf: [team-a]"
        )
    )
    location = Entity.objects.get(ref="group:default/team-a").location
    with django_capture_on_commit_callbacks(execute=True):
        refresh_location(location.pk)

    with django_capture_on_commit_callbacks(execute=False):
        assert api.post("/api/catalog/refresh", alpha, format="json").status_code == 200
    bob.refresh_from_db()
    assert bob.groups.filter(name="group:default/team-a").exists()
    assert not bob.groups.filter(name="group:default/team-b").exists()
