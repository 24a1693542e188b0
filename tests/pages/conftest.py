"""Fixtures for the page tests: the demo catalog, a signed-in user who is in it, catalogs of any size."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, TestCase

from catalog.models import Location
from catalog.services import refresh_location, register_location

DEMO = Path(settings.BASE_DIR) / "demo" / "catalog" / "all.yaml"


def load(path: Path) -> Location:
    """Register and refresh a file location, running what waits for the commit (as the permissions app's
    re-linking of users to their catalog identities) as a real transaction would."""
    location, _ = register_location("file", str(path), registered_by="tests")
    with TestCase.captureOnCommitCallbacks(execute=True):
        refresh_location(location.pk)
    return location


@pytest.fixture
def demo(db) -> Location:
    """The Northwind Outfitters organisation (164 entities)."""
    return load(DEMO)


@pytest.fixture
def sam(db):
    """A Django user whose email is that of the catalog's user:default/sam.taylor (team-devex)."""
    return get_user_model().objects.create_user("sam", "sam.taylor@northwind.example", "pw")


@pytest.fixture
def stranger(db):
    """A Django user no catalog User entity matches."""
    return get_user_model().objects.create_user("stranger", "nobody@example.com", "pw")


@pytest.fixture
def browser(client: Client, sam) -> Client:
    """A client signed in as sam, who may read everything and change what team-devex owns."""
    client.force_login(sam)
    return client


@pytest.fixture
def admin_browser(db) -> Client:
    """A client signed in as a superuser, who may do everything."""
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    return client


COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc-{i}
  title: Service {i}
  description: Generated service number {i}
  tags: [generated, batch-{batch}]
spec:
  type: {type}
  lifecycle: {lifecycle}
  owner: group:team-{team}
  system: sys-{team}
  dependsOn: [{depends}]
  providesApis: [api-{i}]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: api-{i}
spec:
  type: openapi
  lifecycle: production
  owner: group:team-{team}
  definition: "openapi: 3.0.0\\ninfo: {{title: API {i}, version: '1'}}\\npaths: {{}}"
"""
GROUP = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-{team}
spec:
  type: team
  children: []
  members: [user-{team}]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: user-{team}
spec:
  profile:
    email: user-{team}@example.com
  memberOf: [team-{team}]
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: sys-{team}
spec:
  owner: team-{team}
"""


@pytest.fixture
def make_catalog(tmp_path: Path) -> Callable[[int], Location]:
    """Load a generated catalog of ``n`` components with an API each, in teams of ten."""

    def make(n: int) -> Location:
        documents = []
        for team in range((n + 9) // 10):
            documents.append(GROUP.format(team=team))
        for i in range(n):
            documents.append(
                COMPONENT.format(
                    i=i,
                    depends=f"component:svc-{i - 1}" if i else "",
                    team=i // 10,
                    batch=i % 3,
                    type=("service", "website", "library")[i % 3],
                    lifecycle=("production", "experimental")[i % 2],
                )
            )
        path = tmp_path / f"catalog-{n}.yaml"
        path.write_text("---\n".join(documents))
        return load(path)

    return make
