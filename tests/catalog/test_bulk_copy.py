"""COPY text as PostgreSQL reads it: separators and backslashes escaped, NULL as \\N."""

from __future__ import annotations

from catalog.bulk import copy_lines


def test_plain_values_are_written_as_they_are():
    assert copy_lines("uid", [("metadata.name", "billing", "Billing"), ("metadata.title", None, None)]) == (
        "uid\tmetadata.name\tbilling\tBilling\nuid\tmetadata.title\t\\N\t\\N\n"
    )


def test_separators_and_backslashes_inside_values_are_escaped():
    text = copy_lines("uid", [("spec.note", "a\tb\nc\\d\re", None)])
    assert text == "uid\tspec.note\ta\\tb\\nc\\\\d\\re\t\\N\n"


def test_a_backslash_n_in_a_value_is_not_taken_for_null():
    assert copy_lines("uid", [("k", "\\N", "x")]) == "uid\tk\t\\\\N\tx\n"


def test_no_rows_no_text():
    assert copy_lines("uid", []) == ""
