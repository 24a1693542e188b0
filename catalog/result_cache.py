"""Results derived from many entities (facet counts, ``totalItems``), remembered until the catalog changes.

The key is the exact SQL and parameters of the query (which carry the caller's permission narrowing), the
catalog version (moved by database triggers on every entity write, see ``CatalogVersion``) and the
permissions version (moved by every change of rules, grants or memberships). A change anywhere makes the
next request compute afresh; ``CATALOG_RESULT_CACHE_SECONDS`` bounds how long an entry may live.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from permissions import cache as permission_cache

T = TypeVar("T")
_MISSING = object()


def catalog_version() -> str:
    """The committed catalog version (0 before anything was written), and on PostgreSQL the mark of the
    current transaction's own uncommitted writes, which the committed version does not show yet."""
    sql = "SELECT (SELECT version FROM catalog_catalogversion WHERE id = 1)"
    if connection.vendor == "postgresql":
        sql += ", current_setting('greenroom.catalog_local', true)"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return ".".join(str(part or 0) for part in row)


def remembered(purpose: str, queryset: QuerySet, build: Callable[[], T], *, version: str | None = None) -> T:
    """``build()``, or what it returned for the same query while nothing changed.

    A caller remembering several results in one request passes the ``catalog_version()`` it read once.
    """
    if not settings.CATALOG_RESULT_CACHE_SECONDS:
        return build()
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing: no query runs either way
        return build()
    return remembered_sql(purpose, sql, params, build, version=version)


def remembered_as(
    purpose: str, key: Sequence[Any], build: Callable[[], T], *, version: str | None = None
) -> T:
    """``remembered`` under a key the caller composed (what the query is made of), not its compiled SQL.

    Compiling a query narrowed by a rule-based policy to make the key cost more Python than the rest of
    the request; the key must name everything the query depends on besides the two versions.
    """
    return remembered_sql(purpose, "", key, build, version=version)


def remembered_sql(
    purpose: str, sql: str, params: Sequence[Any], build: Callable[[], T], *, version: str | None = None
) -> T:
    """``remembered`` for a statement written out by hand: the key is its text and parameters."""
    timeout = settings.CATALOG_RESULT_CACHE_SECONDS
    if not timeout:
        return build()
    digest = hashlib.sha256(repr((sql, tuple(params))).encode()).hexdigest()
    version = catalog_version() if version is None else version
    key = f"greenroom:catalog:{purpose}:{version}:{permission_cache.version()}:{digest}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, timeout)
    return value  # type: ignore[return-value]
