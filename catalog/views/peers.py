"""The entities at the other end of relations, fetched in one query whatever their number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models.fields.json import KT

from catalog.views.common import entity_url, ref_parts
from catalog.visibility import visible_entities

# How Backstage titles each relation type when it lists an entity's relations.
RELATION_TITLES = {
    "ownedBy": "Owned by",
    "ownerOf": "Owner of",
    "partOf": "Part of",
    "hasPart": "Has part",
    "providesApi": "Provides API",
    "apiProvidedBy": "API provided by",
    "consumesApi": "Consumes API",
    "apiConsumedBy": "API consumed by",
    "dependsOn": "Depends on",
    "dependencyOf": "Dependency of",
    "parentOf": "Parent of",
    "childOf": "Child of",
    "memberOf": "Member of",
    "hasMember": "Has member",
}
RELATION_ORDER = list(RELATION_TITLES)


@dataclass(frozen=True)
class Peer:
    """An entity named by a ref; ``exists`` is False for a dangling ref or one the user may not see."""

    ref: str
    kind: str
    namespace: str
    name: str
    title: str = ""
    spec_type: str = ""
    display_name: str = ""
    email: str = ""
    exists: bool = False

    @property
    def label(self) -> str:
        return self.display_name or self.title or self.name

    @property
    def url(self) -> str:
        return entity_url(self.kind, self.namespace, self.name) if self.exists else ""

    @property
    def short_ref(self) -> str:
        """``kind:name`` in the default namespace, ``kind:namespace/name`` elsewhere."""
        kind, namespace, name = ref_parts(self.ref)
        return f"{kind}:{name}" if namespace == "default" else self.ref


def dangling(ref: str) -> Peer:
    kind, namespace, name = ref_parts(ref)
    return Peer(ref=ref, kind=kind, namespace=namespace, name=name)


def peers_by_ref(caller: Any, refs: Iterable[str]) -> dict[str, Peer]:
    """A Peer for every ref, found with one query; refs not in the catalog (or not visible) dangle."""
    wanted = set(refs)
    if not wanted:
        return {}
    rows = (
        visible_entities(caller)
        .filter(ref__in=wanted)
        .annotate(
            display_name=KT("final__spec__profile__displayName"),
            email=KT("final__spec__profile__email"),
        )
        .values_list("ref", "kind", "namespace", "name", "title", "spec_type", "display_name", "email")
    )
    peers = {
        ref: Peer(ref, kind, namespace, name, title, spec_type, str(display or ""), str(email or ""), True)
        for ref, kind, namespace, name, title, spec_type, display, email in rows
    }
    for ref in wanted - peers.keys():
        peers[ref] = dangling(ref)
    return peers


@dataclass
class RelationGroup:
    """All targets of one relation type, for the relations card."""

    type: str
    title: str
    peers: list[Peer]


def group_relations(relations: list[dict[str, str]], peers: dict[str, Peer]) -> list[RelationGroup]:
    """Relations grouped by type in Backstage's order, each group sorted by label."""
    by_type: dict[str, list[Peer]] = {}
    for relation in relations:
        target = relation.get("targetRef", "")
        by_type.setdefault(relation.get("type", ""), []).append(peers.get(target) or dangling(target))
    ordered = sorted(by_type, key=lambda t: (RELATION_ORDER.index(t) if t in RELATION_ORDER else 99, t))
    return [
        RelationGroup(
            t, RELATION_TITLES.get(t, t), sorted(by_type[t], key=lambda p: (p.kind, p.label.lower()))
        )
        for t in ordered
    ]


def targets_of(relations: list[dict[str, str]], *types: str) -> list[str]:
    """The target refs of the relations of the given types, in order, without repeats."""
    seen: dict[str, None] = {}
    for relation in relations:
        if relation.get("type") in types:
            seen.setdefault(relation.get("targetRef", ""), None)
    return [ref for ref in seen if ref]
