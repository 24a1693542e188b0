"""A cache of what decisions need (callers' groups and permissions, the rules), dropped on any change.

Every change of rules, grants, memberships or identities bumps one version number; entries carry the
version they were made under, so nothing stale is read after a change (across processes when the cache is
shared, within PERMISSIONS_CACHE_SECONDS otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "greenroom:permissions:version"
T = TypeVar("T")


def version() -> int:
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        value = cache.get(VERSION_KEY, 1)
    return int(value)


def bump() -> None:
    """Forget every cached principal and rule set."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def cached(name: str, build: Callable[[], T]) -> T:
    timeout = settings.PERMISSIONS_CACHE_SECONDS
    if not timeout:
        return build()
    key = f"greenroom:permissions:{version()}:{name}"
    value: Any = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value
