"""Fast bulk writes: PostgreSQL's COPY and ``UPDATE ... FROM (VALUES ...)``, Django's bulk methods elsewhere."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

BATCH = 2000


class JsonText(str):
    """A value already encoded as JSON, for a JSON column of ``update_rows``: written as it is."""


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def analyze_if_stale(*models: type[models.Model], min_pages: int = 128) -> None:
    """ANALYZE the tables whose planner statistics are missing or describe less than half their size.

    The catalog tables have no statistics until autovacuum first sees them, after a transaction commits.
    In the first big ingest, then, PostgreSQL guesses that a key list matches a large share of the rows
    and reads whole tables for every batch. ANALYZE inside the transaction counts its own new rows. It is
    a no-op on other databases, for small tables (under ``min_pages``) and for ones whose statistics are
    current; without the table's ownership PostgreSQL only warns.
    """
    if not is_postgres():
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relpages, reltuples, pg_relation_size(oid) / current_setting('block_size')::int "
            "FROM pg_class WHERE oid = ANY(%s::regclass[])",
            [tables],
        )
        stale = [
            name
            for name, relpages, reltuples, pages in cursor.fetchall()
            if pages >= min_pages and (reltuples < 0 or pages > 2 * relpages)
        ]
        for name in stale:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert plain-value rows into ``model``'s table (column names, not field names)."""
    rows = list(rows)
    if not rows:
        return
    table = model._meta.db_table
    if is_postgres():
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        # wrap_database_errors: a unique violation is Django's IntegrityError here too, as with INSERT.
        with (
            connection.wrap_database_errors,
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, [[_key(v) for v in row] for row in rows[start : start + BATCH]])


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert new rows given as ``{attname: value}``, as ``bulk_create`` would; COPY on PostgreSQL.

    Fields a row leaves out take their default (``auto_now`` and ``auto_now_add`` fields: the time of the call).
    Every row must name the same fields. On other databases this is ``bulk_create`` itself.
    """
    if not rows:
        return
    if not is_postgres():
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=500)
        return
    now = timezone.now()
    fields = model._meta.concrete_fields
    given = [f for f in fields if f.attname in rows[0]]
    defaults = []
    for f in fields:
        if f.attname not in rows[0]:
            value = (
                now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
            )
            defaults.append(_copy_value(f, value))
    columns = [f.column for f in given] + [f.column for f in fields if f.attname not in rows[0]]
    copy_rows(model, columns, ([_copy_value(f, row[f.attname]) for f in given] + defaults for row in rows))


def _copy_value(field: models.Field, value: Any) -> Any:
    if isinstance(field, models.JSONField) and value is not None:
        return json.dumps(value)
    return value


def update_rows(
    model: type[models.Model],
    key: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    json_columns=(),
) -> None:
    """Set ``columns`` on the rows whose ``key`` column matches the first value of each row."""
    if not rows:
        return
    table = model._meta.db_table
    quote = connection.ops.quote_name
    if is_postgres():
        by_column = {f.column: f for f in model._meta.concrete_fields}
        casts = {c: "::" + by_column[c].db_type(connection) for c in json_columns}
        assignments = ", ".join(f"{quote(c)} = v.{quote(c)}{casts.get(c, '')}" for c in columns)
        key_field = model._meta.get_field(key)
        key_cast = "::uuid" if isinstance(key_field, models.UUIDField) else ""
        names = ", ".join([quote(key), *map(quote, columns)])
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            values = ", ".join(["(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"] * len(batch))
            params = [_adapt(v, i, columns, json_columns) for row in batch for i, v in enumerate(row)]
            sql = (
                f"UPDATE {table} AS t SET {assignments} FROM (VALUES {values}) AS v({names}) "
                f"WHERE t.{quote(key)} = v.{quote(key)}{key_cast}"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        return
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {quote(key)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                [_adapt(v, i + 1, columns, json_columns) for i, v in enumerate(row[1:])] + [_key(row[0])]
                for row in rows
            ],
        )


def _key(value: Any) -> Any:
    # Django stores UUIDs on SQLite as 32 hex characters.
    return value.hex if isinstance(value, uuid.UUID) else value


def _adapt(value: Any, index: int, columns: Sequence[str], json_columns: Sequence[str]) -> Any:
    if index == 0:
        return str(value) if is_postgres() else _key(value)
    column = columns[index - 1]
    if column in json_columns:
        return value if isinstance(value, JsonText) else json.dumps(value)
    if is_postgres():
        return value
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return _key(value)
