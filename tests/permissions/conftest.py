"""A small organisation for permission tests: two teams under a department, their users, what they own."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from catalog.services import refresh_location, register_location
from permissions.identity import resolve_identity

ORG = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: engineering}
spec: {type: department, children: [team-a, team-b]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, parent: engineering, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, parent: engineering, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {email: alice@example.com}, memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob}
spec: {profile: {email: bob@example.com}, memberOf: [team-b]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: dana}
spec: {profile: {email: dana@example.com}, memberOf: [engineering]}
"""

COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
  namespace: {namespace}
  annotations: {{buildkite.com/project-slug: acme/{name}}}
spec: {{type: service, lifecycle: production, owner: {owner}}}
"""

SERVICES = "---\n".join(
    [
        COMPONENT.format(name="alpha", namespace="default", owner="group:default/team-a"),
        COMPONENT.format(name="beta", namespace="default", owner="group:default/team-b"),
        COMPONENT.format(name="gamma", namespace="default", owner="user:default/alice"),
        COMPONENT.format(name="delta", namespace="labs", owner="group:default/engineering"),
    ]
)


@pytest.fixture
def org(write_yaml):
    """Register the org and services; returns the services location and a user factory."""
    org_location, _ = register_location("file", str(write_yaml("org.yaml", ORG)))
    refresh_location(org_location.pk)
    services, _ = register_location("file", str(write_yaml("services.yaml", SERVICES)))
    refresh_location(services.pk)
    return services


@pytest.fixture
def make_user(db):
    def make(username: str, *, email: str = "", superuser: bool = False):
        User = get_user_model()
        user = User.objects.create_user(
            username, email or f"{username}@example.com", "pw", is_superuser=superuser
        )
        resolve_identity(user)
        return User.objects.get(pk=user.pk)

    return make
