"""``$text``, ``$json`` and ``$yaml`` placeholders (spec §5.6), resolved against the entity's own file."""

from __future__ import annotations

import json
from typing import Any

import yaml

from catalog.readers import ReadError, read_relative
from catalog.yamlio import load_documents

PLACEHOLDER_KEYS = ("$text", "$json", "$yaml")


class PlaceholderError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def resolve_placeholders(value: Any, base_type: str, base_target: str, path: str = "") -> Any:
    """Return ``value`` with every placeholder object replaced by what it points at."""
    if isinstance(value, list):
        return [
            resolve_placeholders(item, base_type, base_target, f"{path}.{i}") for i, item in enumerate(value)
        ]
    if not isinstance(value, dict):
        return value
    dollar_keys = [key for key in value if isinstance(key, str) and key.startswith("$")]
    if not dollar_keys:
        return {
            key: resolve_placeholders(item, base_type, base_target, f"{path}.{key}" if path else str(key))
            for key, item in value.items()
        }
    if len(value) != 1 or dollar_keys[0] not in PLACEHOLDER_KEYS:
        raise PlaceholderError(
            path, f"Placeholders must be an object with exactly one key among {', '.join(PLACEHOLDER_KEYS)}"
        )
    kind = dollar_keys[0]
    target = value[kind]
    if not isinstance(target, str) or not target.strip():
        raise PlaceholderError(path, f"Placeholder {kind} expects a string that names a URL or a path")
    try:
        _type, resolved, text = read_relative(base_type, base_target, target.strip())
    except ReadError as exc:
        raise PlaceholderError(path, f"Placeholder {kind} could not read {target}: {exc}") from exc
    if kind == "$text":
        return text
    try:
        if kind == "$json":
            return json.loads(text)
        documents = [doc for _, doc in load_documents(text)]
    except (ValueError, yaml.YAMLError) as exc:
        raise PlaceholderError(path, f"Placeholder {kind} could not parse {resolved}: {exc}") from exc
    if len(documents) != 1:
        raise PlaceholderError(path, f"Placeholder $yaml expects exactly one document in {resolved}")
    return documents[0]
