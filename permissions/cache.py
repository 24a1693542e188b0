"""A cache of what decisions need (callers' groups and permissions, the rules), dropped on any change.

Every change of rules, grants, memberships or identities bumps one version number; entries carry the
version they were made under, so nothing stale is read after a change (across processes when the cache is
shared, within PERMISSIONS_CACHE_SECONDS otherwise).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "greenroom:permissions:version"
MAX_DECODED = 4096
_decoded: dict[str, tuple[float, Any]] = {}  # key (version included) -> (when, value), this process only
T = TypeVar("T")
# While a request is served: [the version it read, or None until it reads one] (see ``one_version``).
_request_version: ContextVar[list[int | None] | None] = ContextVar(
    "greenroom_permissions_version", default=None
)


def _fresh() -> int:
    """A starting version no earlier one can equal, should the cache have been cleared or restarted."""
    return time.time_ns() // 1000


def version() -> int:
    held = _request_version.get()
    if held is None:
        return _shared_version()
    if held[0] is None:
        held[0] = _shared_version()
    return held[0]


def _shared_version() -> int:
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, _fresh(), timeout=None)
        value = cache.get(VERSION_KEY) or _fresh()
    return int(value)


@contextmanager
def one_version() -> Iterator[None]:
    """Read the version once for everything inside (one request), and again only after a ``bump`` there.

    A request asked for it three to five times (the token, the principal, the rules, the narrowing), each
    a cache read: about 0.1 ms of a request in-process, a round trip each with Redis. A change made by
    another process while the request runs is seen by the next request.
    """
    token = _request_version.set([None])
    try:
        yield
    finally:
        _request_version.reset(token)


def bump() -> None:
    """Forget every cached principal and rule set."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, _fresh(), timeout=None)
    held = _request_version.get()
    if held is not None:
        held[0] = None


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
