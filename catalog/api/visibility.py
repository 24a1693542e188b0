"""The catalog's face of the one decision in ``permissions.policy``: every API read and write calls these.

Unreadable means absent (404, empty lists); readable but not allowed means 403 (``NotAllowedError``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from catalog.api.errors import NotAllowedError
from catalog.api.page_sql import Where
from catalog.models import Entity, Location
from permissions import cache as permission_cache
from permissions import policy
from permissions.names import (  # noqa: F401 (re-exported for the views)
    ENTITY_CREATE,
    ENTITY_DELETE,
    ENTITY_READ,
    ENTITY_REFRESH,
    ENTITY_VALIDATE,
    LOCATION_ANALYZE,
    LOCATION_CREATE,
    LOCATION_DELETE,
    LOCATION_READ,
)
from permissions.principal import Principal, principal_for

MEMO_SIZE = 512


class _Narrowing:
    """One caller's narrowing, built once: the queryset, and its written-out clause when first asked for.

    Two threads may compile the clause at the same time; they compile the same one.
    """

    _UNSET: Any = object()

    def __init__(self, queryset: QuerySet[Entity]) -> None:
        self.queryset = queryset
        self._where: Where | None = self._UNSET

    @property
    def where(self) -> Where | None:
        if self._where is self._UNSET:
            self._where = Where.of(self.queryset.all())
        return self._where


_memo: OrderedDict[tuple[Any, ...], _Narrowing] = OrderedDict()
_memo_lock = threading.Lock()


def _narrowing(caller: Any, action: str) -> _Narrowing:
    """The caller's narrowing for ``action``, from this process's LRU (see ``visible_entities``)."""
    principal = principal_for(caller)
    if not settings.PERMISSIONS_CACHE_SECONDS:
        return _Narrowing(_narrowed(principal, action))
    key = (permission_cache.version(), *narrowing_key(principal, action))
    with _memo_lock:
        built = _memo.get(key)
        if built is not None:
            _memo.move_to_end(key)
            return built
    built = _Narrowing(_narrowed(principal, action))
    with _memo_lock:
        _memo[key] = built
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return built


def visible_entities(caller: Any, action: str = ENTITY_READ) -> QuerySet[Entity]:
    """Entities the caller may ``action``; only entities that have been stitched are ever served.

    The narrowing of a rule-based policy (its conditions, the caller's grants as subqueries) took a
    millisecond or two of Python to build on every request. It depends only on the principal, the action
    and the rules that apply, so it is built once for them (and the permissions version) in this process
    and cloned. The rules are part of the key, not only the version: without a shared cache another
    process's rule change reaches this one through the rules' own expiry, not through the version. The
    grant subqueries run in the database with each query, so grants are always read fresh.
    """
    return _narrowing(caller, action).queryset.all()


def visible_where(caller: Any, action: str = ENTITY_READ) -> Where | None:
    """``visible_entities(caller, action)`` as the WHERE clause of the written-out statements
    (``page_sql.Where``), or None when the narrowing needs a join.

    Compiling a rule-based narrowing cost about 0.2 ms a request, so it is kept with the narrowing. The
    clause holds the grants as subqueries, so it stays right while grants change.
    """
    return _narrowing(caller, action).where


def narrowing_key(caller: Any, action: str = ENTITY_READ) -> tuple[Any, ...]:
    """What ``visible_entities(caller, action)`` depends on besides the permissions version, spelled the
    same in every process (sorted, not set order), for keys of results remembered across requests."""
    p = principal_for(caller)
    return (
        action,
        p.kind,
        p.name,
        p.user_id,
        p.is_superuser,
        tuple(sorted(p.ownership_refs)),
        tuple(sorted(p.group_ids)),
        tuple(sorted(p.django_perms)),
        None if p.token_permissions is None else tuple(sorted(p.token_permissions)),
        _rules_key(p, action),
    )


def _rules_key(principal: Principal, action: str) -> tuple[tuple[Any, ...], ...]:
    """The rules that narrow what ``principal`` may ``action``, as they stand in this process."""
    return tuple(
        (rule.pk, rule.condition, rule.condition_value) for rule in policy.matching_rules(principal, action)
    )


def _narrowed(principal: Principal, action: str) -> QuerySet[Entity]:
    return policy.visible_entities(principal, action, Entity.objects.filter(final__isnull=False))


def visible_locations(caller: Any, action: str = LOCATION_READ) -> QuerySet[Location]:
    """Registered locations the caller may ``action``."""
    return policy.visible_locations(caller, action)


def allowed(caller: Any, action: str, obj: Any = None) -> bool:
    """The single-object face of the same decision."""
    return policy.decide(caller, action, obj).allowed


def require(caller: Any, action: str, obj: Any = None) -> None:
    """Raise NotAllowedError (403) unless the caller may ``action`` (on ``obj``)."""
    decision = policy.decide(caller, action, obj)
    if not decision.allowed:
        raise NotAllowedError(f"You are not allowed to perform {action}: {decision.reason}")
