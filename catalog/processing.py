"""Processing one descriptor into the entity the catalog stores (spec §1.3), without touching the database."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from catalog.annotations import location_annotations
from catalog.placeholders import PlaceholderError, resolve_placeholders
from catalog.refs import InvalidRef, canonical_ref
from catalog.relations import emit_relations
from catalog.validation import Problem, validate_entity

IGNORED_METADATA = ("uid", "etag")


@dataclass
class Emitted:
    """An entity that processed successfully, ready to be stored."""

    ref: str
    descriptor: dict[str, Any]
    processed: dict[str, Any]
    relations: list[tuple[str, str, str]]
    location_key: str
    parent_ref: str
    document: int | None = None

    @property
    def kind(self) -> str:
        return self.processed["kind"]

    @functools.cached_property
    def result_hash(self) -> str:
        """A hash of everything processing produced: equal hashes mean nothing to write."""
        body = json.dumps(
            [self.descriptor, self.processed, self.relations, self.location_key, self.parent_ref],
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha1(body.encode()).hexdigest()


@dataclass
class Failure:
    """A descriptor that did not process; ``ref`` is known when its envelope was readable."""

    ref: str
    problems: list[Problem] = field(default_factory=list)
    location_key: str = ""
    document: int | None = None


class _HasDollarKey(Exception):
    """A mapping has a key starting with ``$``: a placeholder (or a misspelt one) for resolve_placeholders."""


def _copy_without_placeholders(value: Any) -> Any:
    """What ``resolve_placeholders`` returns for a document without ``$`` keys (most), minus its paths."""
    if isinstance(value, list):
        return _copy_list(value)
    if isinstance(value, dict):
        return _copy_dict(value)
    return value


def _copy_list(items: list[Any]) -> list[Any]:
    return [
        _copy_list(item) if isinstance(item, list) else _copy_dict(item) if isinstance(item, dict) else item
        for item in items
    ]


def _copy_dict(mapping: dict[Any, Any]) -> dict[Any, Any]:
    for key in mapping:
        if isinstance(key, str) and key.startswith("$"):
            raise _HasDollarKey
    return {
        key: _copy_list(item)
        if isinstance(item, list)
        else _copy_dict(item)
        if isinstance(item, dict)
        else item
        for key, item in mapping.items()
    }


def envelope_ref(document: dict[str, Any]) -> str:
    metadata = document["metadata"]
    return canonical_ref(document["kind"], metadata.get("namespace") or "default", metadata["name"])


def process_entity(
    document: dict[str, Any],
    *,
    file_type: str,
    file_target: str,
    origin_ref: str,
    parent_ref: str,
    document_index: int | None = None,
) -> Emitted | Failure:
    """Run the pipeline on one envelope-valid document: placeholders, annotations, policies, kind, relations."""
    ref = envelope_ref(document)
    location_key = f"{file_type}:{file_target}"

    def fail(problems: list[Problem]) -> Failure:
        return Failure(ref=ref, problems=problems, location_key=location_key, document=document_index)

    try:
        entity = _copy_without_placeholders(document)
    except _HasDollarKey:
        try:
            # Like the plain copy, this builds a new dict or list for every container and never changes
            # its input, so ``entity`` shares only immutable leaves with ``document``.
            entity = resolve_placeholders(document, file_type, file_target)
        except PlaceholderError as exc:
            return fail([Problem(exc.field, str(exc))])

    metadata = entity["metadata"]
    for key in IGNORED_METADATA:
        metadata.pop(key, None)
    metadata.setdefault("namespace", "default")
    forced, defaults = location_annotations(file_type, file_target, origin_ref)
    annotations = metadata.get("annotations")
    if annotations is None or isinstance(annotations, dict):
        merged = dict(defaults)
        merged.update(annotations or {})
        merged.update(forced)
        metadata["annotations"] = merged

    problems = validate_entity(entity)
    if problems:
        return fail(problems)
    try:
        relations = emit_relations(entity)
    except InvalidRef as exc:
        return fail([Problem(exc.field or "spec", str(exc))])
    return Emitted(
        ref=ref,
        descriptor=document,
        processed=entity,
        relations=relations,
        location_key=location_key,
        parent_ref=parent_ref,
        document=document_index,
    )
