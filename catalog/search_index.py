"""Flattening a served entity into search rows exactly as Backstage's ``buildEntitySearch`` does (spec §4.4)."""

from __future__ import annotations

from typing import Any

MAX_KEY_LENGTH = 200
MAX_VALUE_LENGTH = 200
SKIPPED_PATHS = frozenset({"status", "relations", "attachments", "metadata.etag"})

SearchEntry = tuple[str, str | None, str | None]  # key, lower-cased value, original value


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return None
    return str(value)


def _walk(value: Any, path: str, out: list[tuple[str, Any]]) -> None:
    if path in SKIPPED_PATHS:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                out.append((f"{path}.{item}", True))
            _walk(item, path, out)
    else:
        out.append((path, value))


def build_search_entries(entity: dict[str, Any]) -> list[SearchEntry]:
    """Every (key, value, original value) of ``entity``, keys and values lower-cased, without duplicates."""
    return _entries(_document_pairs(entity) + _relation_pairs(entity.get("relations") or []))


def document_search_entries(entity: dict[str, Any]) -> list[SearchEntry]:
    """The entries of ``entity`` that do not come from its ``relations``: the first part of its full list.

    Its keys never start with ``relations.`` (that subtree is skipped, and a valid entity has no other root
    field of that name), so this list followed by ``relation_search_entries`` is ``build_search_entries``.
    """
    return _entries(_document_pairs(entity))


def relation_search_entries(relations: list[dict[str, str]]) -> list[SearchEntry]:
    """The ``relations.<type>`` entries of an entity's served ``relations``: the rest of its full list."""
    return _entries(_relation_pairs(relations))


def _document_pairs(entity: dict[str, Any]) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    _walk(entity, "", pairs)
    metadata = entity.get("metadata") or {}
    pairs.append(("metadata.name", metadata.get("name")))
    pairs.append(("metadata.namespace", metadata.get("namespace") or "default"))
    pairs.append(("metadata.uid", metadata.get("uid")))
    return pairs


def _relation_pairs(relations: list[dict[str, str]]) -> list[tuple[str, Any]]:
    return [(f"relations.{relation['type']}", relation["targetRef"]) for relation in relations]


def _entries(pairs: list[tuple[str, Any]]) -> list[SearchEntry]:
    entries: dict[tuple[str, str | None], SearchEntry] = {}
    for key, raw in pairs:
        if len(key) > MAX_KEY_LENGTH:
            continue
        key = key.lower()
        original = _as_text(raw)
        if original is not None and len(original) > MAX_VALUE_LENGTH:
            original = None
        value = original.lower() if original is not None else None
        entries.setdefault((key, value), (key, value, original))
    return list(entries.values())
