"""The by-query page statement written out: the keyset page of ``entity_pages`` without building it in the ORM.

Composing the page in the ORM (a filtered relation for the sort value, a correlated ``NOT EXISTS``, the
keyset bounds) cost about 1.8 ms of Python per request, more than PostgreSQL spent answering it. The
caller's narrowing (permissions, filters, full text) is still compiled by the ORM, so it is the same SQL
as everywhere else; only the fixed frame around it is written here. Narrowings that need a join fall
back to the ORM path (``Statement.of`` returns ``None``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import QuerySet

from catalog.api.prepared import prepared_cursor
from catalog.models import Entity, SearchRow
from catalog.query import entity_filter_sql


@dataclass(frozen=True)
class Where:
    """The WHERE clause of a queryset over the entity table alone, as SQL text and parameters."""

    sql: str
    params: tuple[Any, ...]
    db: str
    empty: bool = False

    @classmethod
    def of(cls, queryset: QuerySet) -> Where | None:
        query = queryset.query
        if query.model is not Entity or len(query.alias_map) != 1 or query.combinator or query.annotations:
            return None
        compiler = query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.compile(query.where)
        except EmptyResultSet:
            return cls("", (), queryset.db, empty=True)
        except FullResultSet:
            sql, params = "1 = 1", []
        return cls(sql, tuple(params), queryset.db)

    def filtered(self, entity_filter: Any) -> Where:
        """This clause and Backstage's ``entity_filter``, written out (``query.entity_filter_sql``)."""
        if entity_filter is None or self.empty:
            return self
        connection = connections[self.db]
        sql, params = entity_filter_sql(entity_filter, _table(Entity, connection), connection)
        return Where(f"({self.sql}) AND ({sql})", (*self.params, *params), self.db)


NAME_KEY = "metadata.name"


def _table(model: Any, connection: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def page_rows(
    where: Where, *, sort_key: str | None, descending: bool, after: list[Any] | None, start: int, count: int
) -> list[tuple[uuid.UUID, str, str | None]]:
    """``count`` rows ``(uid, JSON text, sort value)`` from ``start``, ordered by (sort value, uid).

    ``after`` is the keyset bound ``[sort value, uid]`` (or ``[uid]`` unsorted) the rows lie strictly beyond
    in the direction of travel.
    """
    if where.empty or count <= 0:
        return []
    connection = connections[where.db]
    entity, search = _table(Entity, connection), _table(SearchRow, connection)
    pk = Entity._meta.pk
    direction, op = ("DESC", "<") if descending else ("ASC", ">")
    params: list[Any] = []
    if sort_key == NAME_KEY:
        # Every served entity has exactly one name, and its search value is the name lower-cased: read it
        # from the entity row (catalog_served_lower_name) instead of joining the search table.
        value = f"LOWER({entity}.name)"
        sql = f"SELECT {entity}.id, CAST({entity}.final AS text), {value} FROM {entity} WHERE ({where.sql})"
        params += list(where.params)
        if after:
            sql += f" AND {value} {op}= %s AND ({value} {op} %s OR {entity}.id {op} %s)"
            params += [after[0], after[0], pk.get_db_prep_value(after[1], connection)]
        sql += f" ORDER BY {value} {direction}, {entity}.id {direction}"
    elif sort_key is not None:
        sql = (
            f"SELECT {entity}.id, CAST({entity}.final AS text), s.value FROM {entity} "
            f"JOIN {search} s ON s.entity_id = {entity}.id AND s.key = %s AND s.value IS NOT NULL "
            f"WHERE ({where.sql}) AND NOT EXISTS (SELECT 1 FROM {search} t "
            f"WHERE t.entity_id = {entity}.id AND t.key = %s AND t.value < s.value)"
        )
        params += [sort_key, *where.params, sort_key]
        if after:
            # (value, uid) beyond the bound, spelled so that the value bound alone starts an index range.
            sql += f" AND s.value {op}= %s AND (s.value {op} %s OR {entity}.id {op} %s)"
            params += [after[0], after[0], pk.get_db_prep_value(after[1], connection)]
        sql += f" ORDER BY s.value {direction}, {entity}.id {direction}"
    else:
        sql = f"SELECT {entity}.id, CAST({entity}.final AS text), NULL FROM {entity} WHERE ({where.sql})"
        params += list(where.params)
        if after:
            sql += f" AND {entity}.id {op} %s"
            params.append(pk.get_db_prep_value(after[-1], connection))
        sql += f" ORDER BY {entity}.id {direction}"
    sql += " LIMIT %s OFFSET %s"
    params += [count, start]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(_as_uuid(uid), text, value) for uid, text, value in rows]


def entity_texts(where: Where, *, limit: int) -> list[str]:
    """Up to ``limit`` served entities' JSON text, by uid (the order of an unordered ``/entities``)."""
    if where.empty:
        return []
    connection = connections[where.db]
    entity = _table(Entity, connection)
    sql = (
        f"SELECT CAST({entity}.final AS text) FROM {entity} WHERE ({where.sql}) ORDER BY {entity}.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*where.params, limit])
        return [row[0] for row in cursor.fetchall()]


def texts_by_ref(where: Where, refs: list[str]) -> dict[str, str]:
    """The JSON text of each of ``refs`` (canonical refs) that ``where`` selects, by ref (on PostgreSQL the
    dict may hold more refs than asked for when a ref has a newline in it)."""
    if where.empty or not refs:
        return {}
    connection = connections[where.db]
    entity = _table(Entity, connection)
    if connection.vendor == "postgresql":
        # One text parameter, split by the statement: psycopg re-parses a statement with more than 50
        # parameters on every call, and quotes a list parameter item by item. A ref with a newline in it
        # only adds lookups that the caller never asked for (it maps rows back by the refs it sent).
        # The split is a sub-select so that it is done when the statement runs: as a constant array the
        # planner estimated each of its refs (0.06 ms of planning for 100), to choose the same index.
        wanted = "= ANY((SELECT string_to_array(%s, chr(10)))::text[])"
        params = [*where.params, "\n".join(refs)]
    else:
        wanted, params = f"IN ({', '.join(['%s'] * len(refs))})", [*where.params, *refs]
    sql = (
        f"SELECT {entity}.ref, CAST({entity}.final AS text) FROM {entity} "
        f"WHERE ({where.sql}) AND {entity}.ref {wanted}"
    )
    with prepared_cursor(where.db) as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def count_sql(where: Where, *, sort_key: str | None) -> tuple[str, list[Any]]:
    """The statement counting the narrowed entities (having a value under ``sort_key`` when given)."""
    connection = connections[where.db]
    entity, search = _table(Entity, connection), _table(SearchRow, connection)
    sql = f"SELECT COUNT(*) FROM {entity} WHERE ({where.sql})"
    params = list(where.params)
    if sort_key is not None:
        sql += (
            f" AND EXISTS (SELECT 1 FROM {search} s WHERE s.entity_id = {entity}.id "
            "AND s.key = %s AND s.value IS NOT NULL)"
        )
        params.append(sort_key)
    return sql, params


def run_count(where: Where, sql: str, params: list[Any]) -> int:
    if where.empty:
        return 0
    with connections[where.db].cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
