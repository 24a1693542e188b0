"""The caller, whoever it is (a signed-in user, a personal token, a static token), as the policy sees it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.auth.models import Permission

from permissions.cache import cached


@dataclass(frozen=True)
class Principal:
    """Everything a decision needs about the caller, gathered once per request."""

    kind: str  # "user" | "service" | "anonymous"
    name: str
    user_id: int | None = None
    is_superuser: bool = False
    ownership_refs: frozenset[str] = frozenset()
    group_ids: frozenset[int] = frozenset()
    group_names: frozenset[str] = frozenset()
    django_perms: frozenset[str] = frozenset()
    token_permissions: frozenset[str] | None = None  # set when a token limits what its holder may do
    token_id: int | None = field(default=None, compare=False)

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}" if self.is_authenticated else "anonymous"


ANONYMOUS = Principal(kind="anonymous", name="")
# The operator at the shell and the scheduler: they pass every check, and the audit log names them.
SYSTEM = Principal(kind="system", name="operator", is_superuser=True)
_CACHE_ATTR = "_greenroom_principal"


def principal_for(caller: Any) -> Principal:
    """The principal behind a request (HttpRequest or DRF Request), a user, or a principal already made."""
    if isinstance(caller, Principal):
        return caller
    if caller is None:
        return ANONYMOUS
    if hasattr(caller, "META"):  # a request: remember the answer on it
        cached = getattr(caller, _CACHE_ATTR, None)
        if cached is None:
            cached = _from_request(caller)
            setattr(caller, _CACHE_ATTR, cached)
        return cached
    return principal_for_user(caller)


def _from_request(request: Any) -> Principal:
    user = getattr(request, "user", None)
    token = getattr(request, "auth", None)
    token_permissions = None
    token_id = None
    if token is not None and hasattr(token, "permission_limit"):
        token_permissions = token.permission_limit()
        token_id = token.pk
        token_user = getattr(token, "user", None)
        if token_user is not None:
            return principal_for_user(token_user, token_permissions=token_permissions, token_id=token_id)
    if user is not None and getattr(user, "subject", None) and getattr(user, "pk", None) is None:
        return Principal(
            kind="service", name=user.subject, token_permissions=token_permissions, token_id=token_id
        )
    return principal_for_user(user)


def principal_for_user(
    user: Any, *, token_permissions: frozenset[str] | None = None, token_id: int | None = None
) -> Principal:
    """A Django user's principal: its groups, global permissions and ownership references."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return ANONYMOUS
    if getattr(user, "pk", None) is None:
        return Principal(
            kind="service", name=str(getattr(user, "subject", user)), token_permissions=token_permissions
        )
    if user.is_superuser:
        # Superusers pass every check before groups, grants or ownership are looked at: no query needed.
        base = Principal(kind="user", name=user.get_username(), user_id=user.pk, is_superuser=True)
    else:
        base = cached(f"user:{user.pk}", lambda: _build_user_principal(user))
    return replace(base, token_permissions=token_permissions, token_id=token_id)


def _build_user_principal(user: Any) -> Principal:
    groups = list(user.groups.values_list("id", "name"))
    perms = Permission.objects.filter(_user_or_groups(user.pk)).values_list(
        "content_type__app_label", "codename"
    )
    identity = _load_identity(user)
    return Principal(
        kind="user",
        name=user.get_username(),
        user_id=user.pk,
        is_superuser=bool(user.is_superuser),
        ownership_refs=frozenset(identity.ownership_refs if identity else ()),
        group_ids=frozenset(gid for gid, _ in groups),
        group_names=frozenset(name for _, name in groups),
        django_perms=frozenset(f"{app}.{codename}" for app, codename in perms),
    )


def _user_or_groups(user_id: int) -> Any:
    from django.db.models import Q

    return Q(user__id=user_id) | Q(group__user__id=user_id)


def _load_identity(user: Any) -> Any:
    from permissions.models import Identity

    return Identity.objects.filter(user_id=user.pk).first()
