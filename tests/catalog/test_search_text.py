"""What the catalog's free-text filter reads: ``Entity.search_text``, bounded for its covering indexes."""

from __future__ import annotations

from catalog.services.refresh import SEARCH_TEXT_LIMIT, search_text


def test_name_title_tags_and_description_lower_cased_in_that_order():
    metadata = {
        "name": "Ledger",
        "title": "The Ledger",
        "tags": ["Java", "pci"],
        "description": "Keeps BOOKS",
    }
    assert search_text(metadata) == "ledger\nthe ledger\njava pci\nkeeps books"


def test_missing_parts_and_odd_tags_are_left_out():
    assert search_text({"name": "ledger", "tags": "not-a-list"}) == "ledger"


def test_a_long_description_is_cut_at_the_byte_limit_without_breaking_a_character():
    text = search_text({"name": "ledger", "description": "é" * 2000})
    assert len(text.encode()) <= SEARCH_TEXT_LIMIT
    assert text.startswith("ledger\néé")
    assert set(text[len("ledger\n") :]) == {"é"}
