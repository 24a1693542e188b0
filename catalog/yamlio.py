"""YAML as Backstage reads it: the YAML 1.2 core schema (``yes``, ``on`` and dates stay strings), libyaml-fast."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _NotPlain(Exception):
    """The document needs PyYAML's full constructor (merge keys, other tags, complex keys, recursion)."""


class CoreSchemaLoader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader whose implicit types follow YAML 1.2's core schema instead of PyYAML's YAML 1.1.

    Plain documents (maps, sequences and the core scalars, as descriptors are) are built by a direct walk
    of the node graph, much faster than PyYAML's generator-based constructor; anything else,
    and any error, goes through PyYAML's constructor, so results and error messages are PyYAML's.
    """

    yaml_implicit_resolvers: dict = {}

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        """PyYAML's ``BaseResolver.resolve`` without its per-scalar list building (no path resolvers here)."""
        if self.yaml_path_resolvers or None in self.yaml_implicit_resolvers:
            return super().resolve(kind, value, implicit)
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is SequenceNode else self.DEFAULT_MAPPING_TAG

    def construct_document(self, node: Node) -> Any:
        try:
            return self._construct_plain(node, {}, set())
        except Exception:  # noqa: BLE001 (PyYAML's constructor gives the result, or the error, it always gave)
            return super().construct_document(node)

    def _construct_plain(self, node: Node, done: dict[Node, Any], building: set[Node]) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            return self._construct_plain_scalar(node)
        if node in done:  # an alias of a finished collection: the same object, as PyYAML gives
            return done[node]
        if node in building:  # recursive: PyYAML fills it in later; leave that to PyYAML
            raise _NotPlain
        building.add(node)
        if cls is MappingNode and node.tag == _MAP:
            data: Any = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not ScalarNode:
                    raise _NotPlain
                data[self._construct_plain_scalar(key_node)] = self._construct_plain(
                    value_node, done, building
                )
        elif cls is SequenceNode and node.tag == _SEQ:
            data = [self._construct_plain(item, done, building) for item in node.value]
        else:
            raise _NotPlain
        building.discard(node)
        done[node] = data
        return data

    def _construct_plain_scalar(self, node: Node) -> Any:
        tag = node.tag
        if tag in (_STR, _TIMESTAMP):
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return self.bool_values[node.value.lower()]
        if tag == _INT:
            return _construct_int(self, node)
        if tag == _FLOAT:
            return _construct_float(self, node)
        raise _NotPlain


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    if text.startswith(("0o", "+0o", "-0o")):
        return int(text.replace("0o", ""), 8)
    if text.startswith(("0x", "+0x", "-0x")):
        return int(text, 16)
    return int(text, 10)


def _construct_float(loader: yaml.SafeLoader, node: yaml.Node) -> float | int:
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text.endswith(".nan"):
        return float("nan")
    return float(text)


CoreSchemaLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
CoreSchemaLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
CoreSchemaLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
CoreSchemaLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
CoreSchemaLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
CoreSchemaLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
# Explicit !!timestamp tags are rare in descriptors; keep them as the string that was written.
CoreSchemaLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def load_documents(text: str) -> Iterator[tuple[int, Any]]:
    """Yield ``(1-based index, document)`` for every non-empty document; raises ``yaml.YAMLError``."""
    for index, document in enumerate(yaml.load_all(text, Loader=CoreSchemaLoader), start=1):
        if document is not None:
            yield index, document
