"""The dependencies tab: the relation graph around an entity, to a chosen depth and set of relation types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.templatetags.static import static

from catalog.models import Entity, Relation
from catalog.views.graph_layout import NODE_HEIGHT, NODE_WIDTH, Edge, Node, layout
from catalog.views.peers import peers_by_ref

# Each pair of relation types is one kind of edge, drawn in its forward direction.
EDGE_TYPES: dict[str, tuple[str, str, str]] = {
    # forward type: (reverse type, label, picker title)
    "dependsOn": ("dependencyOf", "depends on", "Depends on / dependency of"),
    "providesApi": ("apiProvidedBy", "provides", "Provides API"),
    "consumesApi": ("apiConsumedBy", "consumes", "Consumes API"),
    "partOf": ("hasPart", "part of", "Part of / has part"),
    "ownedBy": ("ownerOf", "owned by", "Owned by / owner of"),
    "memberOf": ("hasMember", "member of", "Member of / has member"),
    "childOf": ("parentOf", "child of", "Child of / parent of"),
}
REVERSE = {reverse: forward for forward, (reverse, _, _) in EDGE_TYPES.items()}
DEFAULT_TYPES = ("dependsOn", "providesApi", "consumesApi", "partOf", "memberOf", "childOf")
MAX_DEPTH = 4
DEFAULT_DEPTH = 1
MAX_NODES = 300


@dataclass
class GraphOptions:
    depth: int
    types: list[str]

    @classmethod
    def from_params(cls, params: Any) -> GraphOptions:
        try:
            depth = min(max(int(params.get("depth", DEFAULT_DEPTH)), 1), MAX_DEPTH)
        except ValueError:
            depth = DEFAULT_DEPTH
        types = [t for t in params.getlist("rel") if t in EDGE_TYPES] or list(DEFAULT_TYPES)
        return cls(depth, types)


def forward(source: str, type_: str, target: str) -> tuple[str, str, str] | None:
    """The relation as a forward edge (source, type, target), or None for a type not drawn."""
    if type_ in EDGE_TYPES:
        return source, type_, target
    if type_ in REVERSE:
        return target, REVERSE[type_], source
    return None


def walk(
    caller: Any, root: str, options: GraphOptions
) -> tuple[set[str], set[tuple[str, str, str]], dict, bool]:
    """Breadth-first over the relation table, one query per level plus one for the peers of each level.

    Only entities the user can see are expanded; others appear as leaves without a link.
    """
    wanted = [*options.types, *(EDGE_TYPES[t][0] for t in options.types)]
    refs, frontier, edges = {root}, {root}, set()
    peers = peers_by_ref(caller, [root])
    truncated = False
    for _ in range(options.depth):
        expandable = [ref for ref in frontier if peers[ref].exists]
        found: set[str] = set()
        rows = Relation.objects.filter(source_ref__in=expandable, type__in=wanted).values_list(
            "source_ref", "type", "target_ref"
        )
        for row in rows.distinct():
            edge = forward(*row)
            if edge is None:
                continue
            if row[2] not in refs and len(refs) + len(found) >= MAX_NODES:
                truncated = True
                continue
            edges.add(edge)
            if row[2] not in refs:
                found.add(row[2])
        if not found:
            break
        peers.update(peers_by_ref(caller, found))
        refs |= found
        frontier = found
    return refs, edges, peers, truncated


def dependencies_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    options = GraphOptions.from_params(request.GET)
    refs, edges, peers, truncated = walk(request, entity.ref, options)
    nodes = {ref: Node(ref, peers[ref].label, peers[ref].kind, peers[ref].url) for ref in refs}
    graph = layout(entity.ref, nodes, [Edge(s, t, EDGE_TYPES[type_][1]) for s, type_, t in sorted(edges)])
    return {
        "graph": graph,
        "options": options,
        "edge_types": [(key, title) for key, (_, _, title) in EDGE_TYPES.items()],
        "depths": range(1, MAX_DEPTH + 1),
        "truncated": truncated,
        "max_nodes": MAX_NODES,
        "show_labels": len(graph.edges) <= 24,
        "node_width": NODE_WIDTH,
        "node_height": NODE_HEIGHT,
        "tab_scripts": [static("greenroom/graph.js")],
    }
