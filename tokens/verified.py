"""Verified tokens remembered per process, so a request does not cost a database round trip to authenticate.

An entry holds for at most PERMISSIONS_CACHE_SECONDS and only while the permissions cache version is the
one it was made under; saving or deleting a token (revoking it) or its user bumps that version. Expiry is
checked on every use, so an expired token is refused at once.
"""

from __future__ import annotations

import time

from django.conf import settings

from permissions import cache as permission_cache
from tokens.models import ApiToken, hash_secret

MAX_ENTRIES = 2048
_verified: dict[str, tuple[int, float, ApiToken]] = {}  # SHA-256 of the whole token → (version, when, row)


def verified_token(text: str) -> ApiToken | None:
    """The active token ``text`` names, or ``None``."""
    ttl = settings.PERMISSIONS_CACHE_SECONDS
    if not ttl:
        return ApiToken.objects.for_token(text)
    digest = hash_secret(text)
    version = permission_cache.version()
    now = time.monotonic()
    hit = _verified.get(digest)
    if hit is not None and hit[0] == version and now - hit[1] < ttl and hit[2].is_active:
        return hit[2]
    token = ApiToken.objects.for_token(text)
    if token is None:
        _verified.pop(digest, None)
        return None
    if len(_verified) >= MAX_ENTRIES:
        _verified.clear()
    _verified[digest] = (version, now, token)
    return token


def forget_all(**_kwargs: object) -> None:
    """Drop every remembered token (connected to token saves and deletes)."""
    _verified.clear()
    permission_cache.bump()
