"""Cursor encoding and the fields projection, without the database."""

from __future__ import annotations

import base64
import json

import pytest

from catalog.api.projection import project
from catalog.cursors import CursorError, EntityCursor, LocationCursor, OffsetCursor, OrderField, decode_cursor


def test_entity_cursor_round_trips_with_backstage_keys():
    cursor = EntityCursor(
        order_fields=[OrderField("metadata.name", "desc")],
        order_field_values=["a", "u"],
        filter={"anyOf": []},
        full_text_term="x",
        full_text_fields=["f"],
        first_sort_field_values=["a", "u"],
        total_items=3,
    )
    data = json.loads(base64.b64decode(cursor.encode()))
    assert data == {
        "orderFields": [{"field": "metadata.name", "order": "desc"}],
        "orderFieldValues": ["a", "u"],
        "isPrevious": False,
        "filter": {"anyOf": []},
        "fullTextFilter": {"term": "x", "fields": ["f"]},
        "firstSortFieldValues": ["a", "u"],
        "totalItems": 3,
    }
    again = EntityCursor.decode(cursor.encode())
    assert again.to_json() == data and not again.has_query


def test_a_query_cursor_keeps_the_query_key_even_when_the_query_is_a_string():
    cursor = EntityCursor(query={"kind": "api"}, has_query=True)
    assert "query" in json.loads(base64.b64decode(cursor.encode()))
    text = base64.b64encode(
        json.dumps({"orderFields": [], "isPrevious": False, "query": json.dumps({"kind": "api"})}).encode()
    ).decode()
    assert EntityCursor.decode(text).query == {"kind": "api"}


def test_decoding_accepts_missing_padding_and_the_url_safe_alphabet():
    text = base64.urlsafe_b64encode(b'{"a":"\xff\xfe"}'.decode("latin-1").encode()).decode().rstrip("=")
    assert decode_cursor(text) == {"a": "ÿþ"}


@pytest.mark.parametrize(
    "text", ["", "@@@", base64.b64encode(b"null").decode(), base64.b64encode(b"\xff").decode()]
)
def test_malformed_cursors_raise(text):
    with pytest.raises(CursorError):
        decode_cursor(text)


@pytest.mark.parametrize(
    "data",
    [
        {"orderFields": [{"field": "a", "order": "up"}]},
        {"isPrevious": "yes"},
        {"orderFieldValues": [1, 2, 3]},
        {"totalItems": "3"},
    ],
)
def test_entity_cursor_shape_is_checked(data):
    with pytest.raises(CursorError):
        EntityCursor.decode(base64.b64encode(json.dumps(data).encode()).decode())


def test_location_and_offset_cursors():
    assert LocationCursor.decode(LocationCursor(5, "abc", {"type": "url"}).encode()) == LocationCursor(
        5, "abc", {"type": "url"}
    )
    assert OffsetCursor.decode(OffsetCursor(10, 20).encode()) == OffsetCursor(10, 20)
    with pytest.raises(CursorError):
        OffsetCursor.decode(base64.b64encode(b'{"limit": 0, "offset": 0}').decode())
    with pytest.raises(CursorError):
        LocationCursor.decode(base64.b64encode(b'{"limit": "x"}').decode())


ENTITY = {
    "kind": "Component",
    "metadata": {"name": "a", "annotations": {"backstage.io/view-url": "u", "backstage.io": {"x": 1}}},
    "spec": {"owner": None, "list": [1, 2]},
}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (None, ENTITY),
        ([], ENTITY),
        (["kind"], {"kind": "Component"}),
        (
            ["metadata.annotations.backstage.io/view-url"],
            {"metadata": {"annotations": {"backstage.io/view-url": "u"}}},
        ),
        (["metadata.annotations.backstage.io.x"], {"metadata": {"annotations": {"backstage.io": {"x": 1}}}}),
        (["spec.owner"], {"spec": {"owner": None}}),
        (["spec.list"], {"spec": {"list": [1, 2]}}),
        (["spec.list.0"], {}),
        (["missing", "metadata.nope"], {}),
        (["metadata", "metadata.name"], {"metadata": ENTITY["metadata"]}),
    ],
)
def test_projection(fields, expected):
    assert project(ENTITY, fields) == expected
