"""Group and user overviews: members, parent and child groups, and what they own by kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.http import HttpRequest

from catalog.models import Entity
from catalog.views.peers import Peer, targets_of
from catalog.visibility import visible_entities

OWNED_LIMIT = 200


@dataclass
class OwnedKind:
    """The entities of one kind that a group or user owns (the first ones, and how many in all)."""

    kind: str
    count: int
    entities: list[Entity]


def owned_by_kind(caller: Any, owner_refs: list[str]) -> list[OwnedKind]:
    """What ``owner_refs`` own, grouped by kind: two queries, at most OWNED_LIMIT rows loaded."""
    owned = visible_entities(caller).filter(owner_ref__in=owner_refs)
    counts = dict(owned.order_by().values_list("kind").annotate(n=Count("id")))
    rows = owned.only("id", "ref", "kind", "namespace", "name", "title", "spec_type", "lifecycle").order_by(
        "kind", "name", "ref"
    )[:OWNED_LIMIT]
    groups: dict[str, list[Entity]] = {kind: [] for kind in sorted(counts)}
    for row in rows:
        groups.setdefault(row.kind, []).append(row)
    return [OwnedKind(kind, counts.get(kind, 0), entities) for kind, entities in groups.items()]


def peers_of(relations: list[dict[str, str]], peers: dict[str, Peer], *types: str) -> list[Peer]:
    return sorted((peers[ref] for ref in targets_of(relations, *types)), key=lambda p: p.label.lower())


def profile_of(entity: Entity) -> dict[str, str]:
    profile = (entity.served.get("spec") or {}).get("profile") or {}
    if not isinstance(profile, dict):
        return {}
    return {key: str(profile.get(key) or "") for key in ("displayName", "email")}


def group_context(request: HttpRequest, entity: Entity, peers: dict[str, Peer]) -> dict[str, Any]:
    relations = entity.served.get("relations") or []
    return {
        "profile": profile_of(entity),
        "members": peers_of(relations, peers, "hasMember"),
        "parents": peers_of(relations, peers, "childOf"),
        "children": peers_of(relations, peers, "parentOf"),
        "owned": owned_by_kind(request, [entity.ref]),
        "owner_filter": entity.ref,
    }


def user_context(request: HttpRequest, entity: Entity, peers: dict[str, Peer]) -> dict[str, Any]:
    relations = entity.served.get("relations") or []
    groups = peers_of(relations, peers, "memberOf")
    return {
        "profile": profile_of(entity),
        "groups": groups,
        "owned": owned_by_kind(request, [entity.ref, *(g.ref for g in groups)]),
        "owner_filter": entity.ref,
    }
