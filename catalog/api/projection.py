"""The ``fields`` projection: keep only the listed dot paths of an entity (spec §4.5)."""

from __future__ import annotations

from typing import Any


def _path(entity: dict[str, Any], field: str) -> list[str]:
    """Split ``field`` into existing keys, greedily, so keys that contain dots still resolve."""
    path: list[str] = []
    node: Any = entity
    pending = ""
    for part in field.split("."):
        pending = f"{pending}.{part}" if pending else part
        if isinstance(node, dict) and pending in node:
            path.append(pending)
            node = node[pending]
            pending = ""
    return path if not pending else []


def project(entity: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    """``entity`` reduced to ``fields``; missing paths are left out, the whole entity if no fields."""
    if not fields:
        return entity
    output: dict[str, Any] = {}
    for field in fields:
        path = _path(entity, field)
        if not path:
            continue
        value: Any = entity
        for key in path:
            value = value[key]
        target = output
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return output
