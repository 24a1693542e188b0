"""The authorization matrix: every catalog endpoint and page against every role, under two policies.

Lists are checked by the exact names they return, counts and facets included, so nothing leaks.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Entity, Location
from permissions import names
from permissions.models import PolicyRule
from tests.http import body
from tokens.models import ApiToken

pytestmark = pytest.mark.django_db

COMPONENTS = {"alpha", "beta", "gamma", "delta"}
ROLES = [
    "anonymous",
    "reader",
    "owner",
    "parent-member",
    "non-owner",
    "admin",
    "read-only-token",
    "revoked-token",
    "expired-token",
]

# Under the restricted policy each role reads only the components it owns (admins all, tokens none).
RESTRICTED_COMPONENTS = {
    "reader": set(),
    "owner": {"alpha", "gamma"},
    "parent-member": {"delta"},
    "non-owner": {"beta"},
    "admin": COMPONENTS,
    "read-only-token": set(),
}


@pytest.fixture(params=["default", "restricted"])
def policy(request):
    if request.param == "restricted":
        PolicyRule.objects.filter(name="everyone-reads-the-catalog").update(enabled=False)
        PolicyRule.objects.create(
            name="owners-read", permissions=[names.ENTITY_READ], subject="users", condition="is_owner"
        )
        for kind in ("group", "user", "location"):
            PolicyRule.objects.create(
                name=f"everyone-reads-{kind}-entities",
                permissions=[names.ENTITY_READ],
                subject="everyone",
                condition="kind",
                condition_value=kind,
            )
        PolicyRule.objects.create(
            name="everyone-reads-locations", permissions=[names.LOCATION_READ], subject="everyone"
        )
    return request.param


@pytest.fixture
def clients(org, make_user):
    """One API client and one browser client per role."""
    User = get_user_model()
    users = {
        "reader": make_user("zed", email="zed@elsewhere.example"),
        "owner": make_user("alice"),
        "parent-member": make_user("dana"),
        "non-owner": make_user("bob"),
        "admin": make_user("root", email="root@elsewhere.example", superuser=True),
    }
    api, pages = {"anonymous": APIClient()}, {"anonymous": Client()}
    for role, user in users.items():
        api[role] = APIClient()
        api[role].force_authenticate(User.objects.get(pk=user.pk))
        pages[role] = Client()
        pages[role].force_login(user)
    _, read_only = ApiToken.issue("ingester", permissions=[names.ENTITY_READ, names.LOCATION_READ])
    revoked, revoked_plain = ApiToken.issue("old")
    revoked.revoked = True
    revoked.save()
    _, expired = ApiToken.issue("late", expires_at=timezone.now() - timedelta(minutes=1))
    for role, plain in (
        ("read-only-token", read_only),
        ("revoked-token", revoked_plain),
        ("expired-token", expired),
    ):
        api[role] = APIClient()
        api[role].credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return api, pages


def expected_components(role: str, policy: str) -> set[str]:
    if role in ("anonymous", "revoked-token", "expired-token"):
        return set()
    return COMPONENTS if policy == "default" else RESTRICTED_COMPONENTS[role]


def names_of(items) -> set[str]:
    return {item["metadata"]["name"] for item in items if item}


@pytest.mark.parametrize("role", ROLES)
def test_reads_return_exactly_what_the_role_may_see(clients, policy, role):
    api = clients[0][role]
    expected = expected_components(role, policy)
    unauthenticated = role in ("anonymous", "revoked-token", "expired-token")

    response = api.get("/api/catalog/entities", {"filter": "kind=component"})
    if unauthenticated:
        assert response.status_code == 401
        assert response.json()["error"]["name"] == "AuthenticationError"
        return
    assert names_of(json.loads(body(response))) == expected

    page = api.get("/api/catalog/entities/by-query", {"filter": "kind=component", "limit": 2}).json()
    assert page["totalItems"] == len(expected)
    facets = api.get(
        "/api/catalog/entity-facets", {"facet": "metadata.name", "filter": "kind=component"}
    ).json()
    assert {f["value"] for f in facets["facets"]["metadata.name"]} == expected
    assert all(f["count"] == 1 for f in facets["facets"]["metadata.name"])

    refs = [f"component:{'labs' if n == 'delta' else 'default'}/{n}" for n in sorted(COMPONENTS)]
    by_refs = api.post("/api/catalog/entities/by-refs", {"entityRefs": refs}, format="json").json()
    assert names_of(by_refs["items"]) == expected
    for name in COMPONENTS:
        namespace = "labs" if name == "delta" else "default"
        status = api.get(f"/api/catalog/entities/by-name/component/{namespace}/{name}").status_code
        assert status == (200 if name in expected else 404), name
    assert len(api.get("/api/catalog/locations").json()) == 2


WRITES = {
    # role: (refresh alpha, refresh delta, delete gamma, delete beta, create location, validate)
    "reader": (403, 403, 403, 403, 403, 200),
    "owner": (200, 403, 204, 403, 403, 200),
    "parent-member": (403, 200, 403, 403, 403, 200),
    "non-owner": (403, 403, 403, 204, 403, 200),
    "admin": (200, 200, 204, 204, 201, 200),
    "read-only-token": (403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("role", list(WRITES))
def test_writes_are_allowed_exactly_by_the_policy(clients, policy, role, django_capture_on_commit_callbacks):
    api = clients[0][role]
    visible = expected_components(role, policy)
    expected = list(WRITES[role])
    if policy == "restricted":
        # What a role may not read is absent: refresh answers 404, delete 204 (and deletes nothing).
        for index, name in ((0, "alpha"), (1, "delta")):
            if name not in visible:
                expected[index] = 404
        for index, name in ((2, "gamma"), (3, "beta")):
            if name not in visible:
                expected[index] = 204

    def refresh(ref: str) -> int:
        return api.post("/api/catalog/refresh", {"entityRef": ref}, format="json").status_code

    def delete(ref: str) -> int:
        return api.delete(f"/api/catalog/entities/by-uid/{Entity.objects.get(ref=ref).pk}").status_code

    validate_body = {
        "entity": {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Group",
            "metadata": {"name": "x"},
            "spec": {"type": "team", "children": []},
        },
        "location": "url:https://github.com/acme/x/blob/main/catalog-info.yaml",
    }
    with django_capture_on_commit_callbacks(execute=False):
        got = [
            refresh("component:default/alpha"),
            refresh("component:labs/delta"),
            delete("component:default/gamma"),
            delete("component:default/beta"),
            api.post(
                "/api/catalog/locations",
                {"type": "url", "target": "https://github.com/acme/new/blob/main/catalog-info.yaml"},
                format="json",
            ).status_code,
            api.post("/api/catalog/validate-entity", validate_body, format="json").status_code,
        ]
    assert got == expected
    deleted = {
        ref
        for ref in ("component:default/gamma", "component:default/beta")
        if not Entity.objects.filter(ref=ref).exists()
    }
    assert deleted == {
        ref
        for ref, status in zip(("component:default/gamma", "component:default/beta"), got[2:4], strict=True)
        if status == 204 and ref.split("/")[1] in visible
    }


@pytest.mark.parametrize("role", ["anonymous", "reader", "owner", "non-owner", "admin"])
def test_pages_show_only_what_the_role_may_see(clients, policy, role):
    browser = clients[1][role]
    response = browser.get("/catalog/", {"kind": "component"})
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    assert response.status_code == 200
    html = response.content.decode()
    expected = expected_components(role, policy)
    for name in COMPONENTS:
        assert (f"/catalog/{'labs' if name == 'delta' else 'default'}/component/{name}/" in html) == (
            name in expected
        ), name
    page = browser.get("/catalog/default/component/beta/")
    assert page.status_code == (200 if "beta" in expected else 404)


def test_unregister_is_offered_only_to_who_may_do_it(clients):
    pages = clients[1]
    assert pages["owner"].get("/catalog/default/component/gamma/unregister/").status_code == 200
    denied = pages["non-owner"].get("/catalog/default/component/gamma/unregister/")
    assert denied.status_code == 403
    location = Location.objects.get(entities__ref="component:default/gamma")
    assert pages["admin"].get("/catalog/default/component/gamma/unregister/").status_code == 200
    assert location.pk
