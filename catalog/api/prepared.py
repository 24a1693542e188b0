"""Cursors for the API's hottest statements, which PostgreSQL keeps prepared on each connection.

Django's cursors bind parameters on the client: psycopg quotes every value into the statement text, and
PostgreSQL parses and plans it again on every request. For by-refs that was a third of the statement's
time (planning alone 0.25-0.3 ms against 20 indexes on the entity table). The cursor here binds on the
server and has psycopg prepare each statement on its first run on a connection (Django leaves psycopg's
automatic preparing off, for poolers); from then on PostgreSQL only executes it.

Only statements whose plan does not depend on their values belong here: lookups by a unique key or by a
list of refs. A keyset page's best plan changes with its filter's selectivity, which a generic plan would
ignore. ``DATABASE_PREPARED_STATEMENTS=false`` turns this off, for a connection pooler in transaction
mode that cannot keep prepared statements.

The cursor is wrapped the way Django wraps its own, so that queries are still logged and counted
(``assertNumQueries``, ``CaptureQueriesContext``) and database errors still become Django's.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorWrapper


class PreparingCursor(psycopg.Cursor):
    """psycopg's cursor that binds on the server, preparing each statement it runs."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = True, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=prepare, **kwargs)


def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> CursorWrapper:
    """A cursor (use it in ``with``) on database ``using`` that prepares its statements on PostgreSQL, and
    Django's own cursor elsewhere or when turned off.

    Takes the alias rather than ``django.db.connection``: every attribute read through that proxy looks the
    thread's connection up again (about 2.5 us each, a dozen of them here).
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = PreparingCursor(connection.connection)
    # Django's own cursors also set the time zone of timestamps they load when the connection's differs;
    # the statements prepared here select no timestamps.
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
