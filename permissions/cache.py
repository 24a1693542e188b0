"""A cache of what decisions need (callers' groups and permissions, the rules), dropped on any change.

Every change of rules, grants, memberships or identities bumps one version number; entries carry the
version they were made under, so nothing stale is read after a change (across processes when the cache is
shared, within PERMISSIONS_CACHE_SECONDS otherwise).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "greenroom:permissions:version"
MAX_DECODED = 4096
_decoded: dict[str, tuple[float, Any]] = {}  # key (version included) -> (when, value), this process only
T = TypeVar("T")


def _fresh() -> int:
    """A starting version no earlier one can equal, should the cache have been cleared or restarted."""
    return time.time_ns() // 1000


def version() -> int:
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, _fresh(), timeout=None)
        value = cache.get(VERSION_KEY) or _fresh()
    return int(value)


def bump() -> None:
    """Forget every cached principal and rule set."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, _fresh(), timeout=None)


def cached(name: str, build: Callable[[], T]) -> T:
    """``build()``, shared through the cache, and kept decoded in this process for the same version.

    Values are shared between threads as they are: callers only read them (principals are frozen).
    """
    timeout = settings.PERMISSIONS_CACHE_SECONDS
    if not timeout:
        return build()
    key = f"greenroom:permissions:{version()}:{name}"
    now = time.monotonic()
    hit = _decoded.get(key)
    if hit is not None and now - hit[0] < timeout:
        return hit[1]
    value: Any = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    if len(_decoded) >= MAX_DECODED:
        _decoded.clear()
    _decoded[key] = (now, value)
    return value
