"""The hottest lookups (by-name, by-uid, by-refs) run as prepared statements on PostgreSQL, answer exactly
as the plain statements do, and still count as one query each."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.api.prepared import PreparingCursor, prepared_cursor
from tests.api.conftest import entity_uid

BASE = "/api/catalog"
REFS = [
    "component:default/ledger",
    "group:default/team-a",
    "component:default/nope",
    "api:default/payments-rest",
]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _answers(api) -> list[tuple[int, object]]:
    """Each hot lookup's status and body, each counted as exactly one query."""
    uid = entity_uid("api:default/payments-rest")
    calls = [
        lambda: api.get(f"{BASE}/entities/by-name/component/default/ledger"),
        lambda: api.get(f"{BASE}/entities/by-name/group/default/nope"),
        lambda: api.get(f"{BASE}/entities/by-uid/{uid}"),
        lambda: api.post(f"{BASE}/entities/by-refs", {"entityRefs": REFS}, format="json"),
        lambda: api.post(
            f"{BASE}/entities/by-refs?filter=kind%3Dcomponent", {"entityRefs": REFS}, format="json"
        ),
    ]
    calls[0]()  # the token, the caller and the rules are read once, then remembered
    answers = []
    for call in calls:
        with CaptureQueriesContext(connection) as queries:
            response = call()
        assert len(queries) == 1, [q["sql"] for q in queries]
        answers.append((response.status_code, response.json()))
    return answers


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@on_postgresql
def test_hot_lookups_are_prepared_and_answer_as_plain_statements(catalog, api, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    plain = _answers(api)
    assert _prepared() == []

    settings.DATABASE_PREPARED_STATEMENTS = True
    first = _answers(api)
    again = _answers(api)  # now executed from the statements prepared by the first round
    assert first == plain and again == plain
    assert [status for status, _body in plain] == [200, 404, 200, 200, 200]

    statements = _prepared()
    assert any("WHERE ref = $1" in s for s in statements), statements
    assert any("WHERE id = $1" in s for s in statements), statements
    by_refs = [s for s in statements if "string_to_array" in s]
    assert len(by_refs) == 2, statements  # with and without the kind filter
    # Nothing was prepared twice: the second round reused the first round's statements.
    assert len(statements) == len(set(statements)) == 4


def test_prepared_cursor_is_a_plain_cursor_when_turned_off_or_off_postgresql(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    with prepared_cursor() as cursor:
        assert not isinstance(cursor.cursor, PreparingCursor)
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    settings.DATABASE_PREPARED_STATEMENTS = True
    with prepared_cursor() as cursor:
        assert isinstance(cursor.cursor, PreparingCursor) == (connection.vendor == "postgresql")
        cursor.execute("SELECT %s", [2] if connection.vendor == "sqlite" else ["2"])
        assert str(cursor.fetchone()[0]) == "2"
