"""Entity and location references: Backstage's ref grammar (spec §2.3), without the ORM."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

DEFAULT_NAMESPACE = "default"

# WHATWG URL parsing drops ASCII tab and newline anywhere in the input, so "java\tscript:" is still JavaScript.
_URL_IGNORED = re.compile(r"[\t\n\r]")
_JAVASCRIPT = re.compile(r"^[\x00-\x20]*javascript:", re.IGNORECASE)


class InvalidRef(ValueError):
    """An entity or location reference that does not parse; ``field`` names the spec field when known."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class EntityRef:
    """A parsed entity reference with the case as written; compare and store ``canonical``."""

    kind: str
    namespace: str
    name: str

    @property
    def canonical(self) -> str:
        """The lower-cased ``kind:namespace/name`` used for storage, lookups and ``targetRef``."""
        return canonical_ref(self.kind, self.namespace, self.name)

    def __str__(self) -> str:
        return self.canonical


def canonical_ref(kind: str, namespace: str, name: str) -> str:
    """The canonical string form of a ref: every part lower-cased."""
    return f"{kind.lower()}:{namespace.lower()}/{name.lower()}"


def _split(text: str) -> tuple[str | None, str | None, str]:
    """Split on the first ':' and the first '/'; a '/' before the ':' means the text has no kind."""
    colon = text.find(":")
    slash = text.find("/")
    if slash != -1 and slash < colon:
        colon = -1
    kind = text[:colon] if colon != -1 else None
    namespace = text[colon + 1 : slash] if slash != -1 else None
    name = text[max(colon + 1, slash + 1) :]
    if kind == "" or namespace == "" or name == "":
        raise InvalidRef(f'Entity reference "{text}" was not on the form [<kind>:][<namespace>/]<name>')
    return kind, namespace, name


def parse_entity_ref(
    text: str, *, default_kind: str | None = None, default_namespace: str = DEFAULT_NAMESPACE
) -> EntityRef:
    """Parse ``[kind:][namespace/]name``, filling the missing parts from the defaults.

    Raises InvalidRef for a non-string, an empty string, a present-but-empty part, or a missing
    kind when there is no default kind (``dependsOn`` has none).
    """
    if not isinstance(text, str):
        raise InvalidRef(f"Entity reference must be a string, got {json.dumps(text, default=repr)}")
    if not text:
        raise InvalidRef("Entity reference must not be empty")
    kind, namespace, name = _split(text)
    kind = kind or default_kind
    if not kind:
        raise InvalidRef(
            f'Entity reference "{text}" had missing or empty kind '
            '(e.g. did not start with "component:" or similar)'
        )
    return EntityRef(kind=kind, namespace=namespace or default_namespace or DEFAULT_NAMESPACE, name=name)


def parse_location_ref(text: str) -> tuple[str, str]:
    """Split a location ref ``<type>:<target>`` on its first ':' into trimmed (type, target).

    Rejects empty parts, ``http``/``https`` as the type (write ``url:https://...``) and
    ``javascript:`` targets.
    """
    if not isinstance(text, str):
        raise InvalidRef(f"Location reference must be a string, got {json.dumps(text, default=repr)}")
    index = text.find(":")
    if index == -1:
        raise InvalidRef(f"Unable to parse location reference '{text}', expected '<type>:<target>'")
    kind, target = text[:index].strip(), text[index + 1 :].strip()
    if not kind:
        raise InvalidRef(f"Unable to parse location reference '{text}', empty type")
    if not target:
        raise InvalidRef(f"Unable to parse location reference '{text}', empty target")
    if kind.lower() in ("http", "https"):
        raise InvalidRef(
            f"Invalid location reference '{text}', please prefix it with 'url:', e.g. 'url:{text}'"
        )
    if _JAVASCRIPT.match(_URL_IGNORED.sub("", target)):
        raise InvalidRef(f"Invalid location reference '{text}', target is a javascript: URL")
    return kind, target
