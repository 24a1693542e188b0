"""Answers "why can (or can't) this caller do that?" for the admin page and the API endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from catalog.models import Entity, Location
from catalog.refs import InvalidRef, parse_entity_ref
from permissions import names
from permissions.policy import Decision, decide
from permissions.principal import Principal, principal_for_user


class ExplainError(ValueError):
    pass


@dataclass(frozen=True)
class Explanation:
    caller: str
    permission: str
    target: str
    decision: Decision

    def as_dict(self) -> dict[str, Any]:
        return {
            "caller": self.caller,
            "permission": self.permission,
            "target": self.target,
            "result": "ALLOW" if self.decision.allowed else "DENY",
            "reason": self.decision.reason,
            "source": self.decision.source,
        }


def principal_named(user: str = "", token: str = "") -> Principal:
    """A principal from a username, or from an API token's prefix (``grn_<prefix>`` or just the prefix)."""
    if token:
        from tokens.models import ApiToken

        prefix = token.removeprefix("grn_").split("_")[0]
        row = ApiToken.objects.filter(prefix=prefix).select_related(*_token_relations()).first()
        if row is None:
            raise ExplainError(f"No token with prefix {prefix!r}")
        if not row.is_active:
            return Principal(kind="anonymous", name="")
        limit = row.permission_limit() if hasattr(row, "permission_limit") else None
        owner = getattr(row, "user", None)
        if owner is not None:
            return principal_for_user(owner, token_permissions=limit, token_id=row.pk)
        return Principal(kind="service", name=row.subject, token_permissions=limit, token_id=row.pk)
    found = get_user_model().objects.filter(username=user).first()
    if found is None:
        raise ExplainError(f"No user named {user!r}")
    return principal_for_user(found)


def _token_relations() -> list[str]:
    from tokens.models import ApiToken

    return ["user"] if any(f.name == "user" for f in ApiToken._meta.get_fields()) else []


def target_named(permission: str, target: str) -> Entity | Location | None:
    """The entity (by ref) or location (by id or ``type:target``) a permission is asked about."""
    if not target:
        return None
    if names.get(permission).model == "location":
        location = Location.objects.filter(pk=target).first() if _is_uuid(target) else None
        if location is None:
            type_, _, rest = target.partition(":")
            location = Location.objects.filter(type=type_, target=rest).first()
        if location is None:
            raise ExplainError(f"No location {target!r}")
        return location
    try:
        ref = parse_entity_ref(target).canonical
    except InvalidRef as exc:
        raise ExplainError(str(exc)) from exc
    entity = Entity.objects.filter(ref=ref).first()
    if entity is None:
        raise ExplainError(f"No entity {ref}")
    return entity


def explain(*, permission: str, user: str = "", token: str = "", target: str = "") -> Explanation:
    if not user and not token:
        raise ExplainError("Name a user or a token")
    try:
        names.get(permission)
    except ValueError as exc:
        raise ExplainError(str(exc)) from exc
    principal = principal_named(user, token)
    obj = target_named(permission, target)
    return Explanation(
        principal.actor, permission, str(obj) if obj else "", decide(principal, permission, obj)
    )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
