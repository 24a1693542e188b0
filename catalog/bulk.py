"""Fast bulk writes: PostgreSQL's COPY and ``UPDATE ... FROM (VALUES ...)``, Django's bulk methods elsewhere."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

BATCH = 2000


class JsonText(str):
    """A value already encoded as JSON, for a JSON column of ``update_rows``: written as it is."""


def json_text(value: Any) -> JsonText:
    """``value`` as compact JSON, the form every JSON column is written in.

    Without the spaces ``json.dumps`` puts after separators, as Backstage's own responses have none: the
    served text goes from the database into the response body as it is, about 5% smaller.
    """
    return JsonText(json.dumps(value, separators=(",", ":")))


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
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if is_postgres():
        with connection.cursor() as cursor:
            _copy_in(cursor, table, names, rows)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, [[_key(v) for v in row] for row in rows[start : start + BATCH]])


_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: Any) -> str:
    """One value in COPY's text format: ``\\N`` for NULL, backslash escapes for the separators."""
    if not isinstance(value, str):
        if value is None:
            return _NULL
        if isinstance(value, bool):
            return "t" if value else "f"
        value = value.isoformat() if isinstance(value, datetime.datetime) else str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def copy_lines(first: str, rows: Sequence[tuple[str | None, ...]]) -> str:
    """COPY text for ``rows`` of strings and NULLs, each line starting with the column value ``first``.

    Values are written as they are when counting separators shows that none needs an escape (the usual
    case, checked at C speed on the whole text); otherwise each value is escaped.
    """
    if not rows:
        return ""
    width = len(rows[0])
    prefix = _copy_field(first) + "\t"
    text = "".join([prefix + "\t".join([_NULL if v is None else v for v in row]) + "\n" for row in rows])
    nulls = sum(row.count(None) for row in rows)
    if (
        text.count("\t") == width * len(rows)
        and text.count("\n") == len(rows)
        and text.count("\\") == nulls + prefix.count("\\") * len(rows)
        and "\r" not in text
    ):
        return text
    return "".join([prefix + "\t".join([_copy_field(v) for v in row]) + "\n" for row in rows])


def copy_text(model: type[models.Model], columns: Sequence[str], text: str) -> None:
    """PostgreSQL only: COPY text made by ``copy_lines`` into ``model``'s table."""
    if not text:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    copy_sql = f"COPY {model._meta.db_table} ({names}) FROM STDIN"
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        copy.write(text)


def _copy_in(cursor: Any, table: str, names: str, rows: Sequence[Sequence[Any]]) -> None:
    """COPY ``rows`` into ``table``, formatted here as text in chunks (much faster than row by row)."""
    # wrap_database_errors: a unique violation is Django's IntegrityError here too, as with INSERT.
    with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            copy.write("".join(["\t".join([_copy_field(v) for v in row]) + "\n" for row in chunk]))


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert new rows given as ``{attname: value}``, as ``bulk_create`` would; COPY on PostgreSQL.

    Fields a row leaves out take their default (``auto_now`` and ``auto_now_add`` fields: the time of the call).
    Every row must name the same fields. A JSON value may be given encoded, as ``JsonText`` (for an
    ``OrderedJSONField`` on other databases too). On other databases this is ``bulk_create`` itself.
    """
    insert_prepared(prepare_insert(model, rows, postgres=is_postgres()))


@dataclass
class PreparedInsert:
    """Rows for ``insert_prepared``: as COPY text for PostgreSQL, else as they were given."""

    model: type[models.Model]
    columns: Sequence[str] = ()
    text: str = ""
    rows: Sequence[dict[str, Any]] = ()


def prepare_insert(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, postgres: bool
) -> PreparedInsert:
    """The CPU half of ``insert_rows``, without the database: safe on a helper thread."""
    if not rows or not postgres:
        return PreparedInsert(model, rows=rows)
    now = timezone.now()
    fields = model._meta.concrete_fields
    given = [f for f in fields if f.attname in rows[0]]
    defaults = []
    for f in fields:
        if f.attname not in rows[0]:
            value = (
                now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
            )
            defaults.append(_copy_field(_copy_value(f, value)))
    columns = [f.column for f in given] + [f.column for f in fields if f.attname not in rows[0]]
    text = "".join(
        [
            "\t".join([_copy_field(_copy_value(f, row[f.attname])) for f in given] + defaults) + "\n"
            for row in rows
        ]
    )
    return PreparedInsert(model, columns, text)


def insert_prepared(prepared: PreparedInsert) -> None:
    """Insert what ``prepare_insert`` made."""
    if prepared.text:
        copy_text(prepared.model, prepared.columns, prepared.text)
    elif prepared.rows:
        prepared.model._default_manager.bulk_create(
            [prepared.model(**row) for row in prepared.rows], batch_size=500
        )


def _copy_value(field: models.Field, value: Any) -> Any:
    if isinstance(field, models.JSONField) and value is not None and not isinstance(value, JsonText):
        return json_text(value)
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
        _update_from_copy(table, key, columns, rows, json_columns)
        return
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {quote(key)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                [_adapt(v, column, json_columns) for v, column in zip(row[1:], columns, strict=True)]
                + [_key(row[0])]
                for row in rows
            ],
        )


def _update_from_copy(
    table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], json_columns: Sequence[str]
) -> None:
    """PostgreSQL: COPY the new values into a temporary table shaped like ``table``, then one UPDATE."""
    quote = connection.ops.quote_name
    names = ", ".join([quote(key), *map(quote, columns)])
    json_at = {i + 1 for i, c in enumerate(columns) if c in json_columns}
    values = [
        [v if i not in json_at or isinstance(v, JsonText) else json_text(v) for i, v in enumerate(row)]
        for row in rows
    ]
    assignments = ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns)
    # Inside a transaction: ON COMMIT DROP removes the table even if this one stops half-way.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE _bulk_update ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA"
        )
        _copy_in(cursor, "_bulk_update", names, values)
        # Without statistics the planner would guess the temporary table large and scan ``table``.
        cursor.execute("ANALYZE _bulk_update")
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM _bulk_update AS v "
            f"WHERE t.{quote(key)} = v.{quote(key)}"
        )
        cursor.execute("DROP TABLE _bulk_update")


def _key(value: Any) -> Any:
    # Django stores UUIDs on SQLite as 32 hex characters.
    return value.hex if isinstance(value, uuid.UUID) else value


def _adapt(value: Any, column: str, json_columns: Sequence[str]) -> Any:
    if column in json_columns:
        return value if isinstance(value, JsonText) else json_text(value)
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return _key(value)
