"""Fixtures for the catalog API: a small organisation loaded from files, a static token, API clients."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from catalog.models import Entity, Location
from catalog.services import refresh_location, register_location
from tokens.models import ApiToken

ORG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a, title: Team A}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, children: [], parent: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: [team-a]}
"""

SERVICES = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  title: Payments API
  description: Takes the money
  tags: [python, payments]
  labels: {tier: gold}
  annotations: {backstage.io/techdocs-ref: "dir:."}
spec:
  type: service
  lifecycle: production
  owner: team-a
  system: billing
  providesApis: [payments-rest]
  dependsOn: [resource:payments-db]
  replicas: 3
  public: true
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: Ledger, tags: [java]}
spec: {type: service, lifecycle: experimental, owner: team-b}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: storefront, namespace: shop, labels: {tier: ""}}
spec: {type: website, lifecycle: production, owner: group:default/team-a}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments-rest}
spec: {type: openapi, lifecycle: production, owner: team-a, definition: "openapi: 3.0.0"}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: payments-db}
spec: {type: database, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: billing}
spec: {owner: team-a}
"""

ROOT = """
apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: root}
spec:
  targets: [./org.yaml, ./services.yaml]
"""


def register(path: Path) -> Location:
    location, _ = register_location("file", str(path))
    assert refresh_location(location.pk) is not None
    location.refresh_from_db()
    return location


@pytest.fixture
def catalog(write_yaml: Callable[[str, str], Path]) -> Location:
    """A location tree: root.yaml → org.yaml (2 groups, 1 user), services.yaml (6 entities)."""
    write_yaml("org.yaml", ORG)
    write_yaml("services.yaml", SERVICES)
    return register(write_yaml("root.yaml", ROOT))


def ref_of(entity: dict) -> str:
    meta = entity["metadata"]
    return f"{entity['kind']}:{meta['namespace']}/{meta['name']}".lower()


def refs_of(items: list[dict]) -> set[str]:
    return {ref_of(e) for e in items}


@pytest.fixture
def token() -> str:
    _row, plain = ApiToken.issue("port-ocean")
    return plain


@pytest.fixture
def api(token: str) -> APIClient:
    """A client authenticated with a static token, as Port Ocean and scripts are."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def user_client(db) -> APIClient:
    """A signed-in user (session authentication), CSRF enforced as in a browser."""
    user = get_user_model().objects.create_user("carol", password="x-secret-1234")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def entity_uid(ref: str) -> str:
    return str(Entity.objects.get(ref=ref).pk)


@pytest.fixture(autouse=True)
def port_ocean_may_do_everything(db) -> None:
    """These tests exercise the API, not the policy: the token's subject is granted every permission by rule,
    as an operator grants a script's token (tests/permissions covers what the default policy allows)."""
    from permissions import names
    from permissions.models import PolicyRule

    PolicyRule.objects.create(
        name="port-ocean-does-everything",
        permissions=sorted(names.PERMISSIONS),
        subject=PolicyRule.Subject.SERVICE,
        subject_value="port-ocean",
    )
