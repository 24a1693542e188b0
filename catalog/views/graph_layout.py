"""A layered, left-to-right layout for the relation graph, drawn as SVG by the template (no ORM here).

Each relation pair is drawn once, in its forward direction (A dependsOn B: A -> B). Layers are the
longest path to a sink, so every edge points right (cycles are broken first) and what depends on
something sits to its left. Within a layer, nodes are ordered by the mean position of their neighbours
(two sweeps), which untangles most crossings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

NODE_WIDTH = 210
NODE_HEIGHT = 46
GAP_X = 90
GAP_Y = 18
PADDING = 16
LABEL_LENGTH = 24


@dataclass
class Node:
    ref: str
    label: str
    kind: str
    url: str = ""
    root: bool = False
    layer: int = 0
    x: int = 0
    y: int = 0

    @property
    def short_label(self) -> str:
        return self.label if len(self.label) <= LABEL_LENGTH else self.label[: LABEL_LENGTH - 1] + "…"


@dataclass
class Edge:
    source: str
    target: str
    type: str
    path: str = ""
    label_x: int = 0
    label_y: int = 0


@dataclass
class Layout:
    nodes: list[Node]
    edges: list[Edge]
    width: int = 0
    height: int = 0
    layers: dict[int, list[Node]] = field(default_factory=dict)


def acyclic(refs: list[str], edges: list[Edge]) -> dict[str, list[str]]:
    """Successors of each node with the edges that close a cycle left out (an iterative depth-first walk)."""
    successors: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        if edge.source != edge.target:
            successors[edge.source].append(edge.target)
    kept: dict[str, list[str]] = defaultdict(list)
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in refs:
        if start in state:
            continue
        stack = [(start, iter(sorted(successors[start])))]
        state[start] = 1
        while stack:
            ref, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[ref] = 2
                stack.pop()
            elif state.get(child) != 1:  # an edge back onto the current path would close a cycle
                kept[ref].append(child)
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(sorted(successors[child]))))
    return kept


def assign_layers(nodes: dict[str, Node], edges: list[Edge]) -> None:
    """Longest path from the sinks: every edge points right, and a node sits just left of its successors."""
    refs = sorted(nodes)
    kept = acyclic(refs, edges)
    height: dict[str, int] = {}
    for start in refs:
        stack = [start]
        while stack:
            ref = stack[-1]
            pending = [child for child in kept[ref] if child not in height]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            height[ref] = 1 + max((height[child] for child in kept[ref]), default=-1)
    top = max(height.values(), default=0)
    for ref, node in nodes.items():
        node.layer = top - height[ref]


def barycentre(refs: list[str], position: dict[str, float]) -> float:
    """The mean position of the already placed refs; unplaced nodes keep their order at the end."""
    known = [position[ref] for ref in refs if ref in position]
    return sum(known) / len(known) if known else float("inf")


def order_layers(nodes: dict[str, Node], edges: list[Edge]) -> dict[int, list[Node]]:
    """Nodes per layer, ordered by the barycentre of their neighbours in the layer before."""
    layers: dict[int, list[Node]] = defaultdict(list)
    for node in sorted(nodes.values(), key=lambda n: (n.kind, n.label.lower())):
        layers[node.layer].append(node)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        neighbours[edge.source].append(edge.target)
        neighbours[edge.target].append(edge.source)
    keys = sorted(layers)
    for sweep in (keys, list(reversed(keys))):
        position: dict[str, float] = {}
        for key in sweep:
            layers[key].sort(key=lambda node, seen=position: barycentre(neighbours[node.ref], seen))
            for index, node in enumerate(layers[key]):
                position[node.ref] = index
    return dict(layers)


def edge_path(source: Node, target: Node) -> tuple[str, int, int]:
    """A cubic curve from the right side of the source to the left side of the target (or a loop back)."""
    sy, ty = source.y + NODE_HEIGHT // 2, target.y + NODE_HEIGHT // 2
    if target.x > source.x:
        x1, x2 = source.x + NODE_WIDTH, target.x
    elif target.x < source.x:
        x1, x2 = source.x, target.x + NODE_WIDTH
    else:  # same layer: bow out to the right
        x1 = x2 = source.x + NODE_WIDTH
        bend = x1 + GAP_X // 2 + abs(ty - sy) // 6
        return f"M{x1},{sy} C{bend},{sy} {bend},{ty} {x2},{ty}", bend - 10, (sy + ty) // 2
    dx = (x2 - x1) // 2
    return f"M{x1},{sy} C{x1 + dx},{sy} {x2 - dx},{ty} {x2},{ty}", (x1 + x2) // 2, (sy + ty) // 2


def layout(root: str, nodes: dict[str, Node], edges: list[Edge]) -> Layout:
    """Place every node and route every edge; the root is highlighted."""
    if root in nodes:
        nodes[root].root = True
    assign_layers(nodes, edges)
    layers = order_layers(nodes, edges)
    lowest = min(layers) if layers else 0
    tallest = max((len(column) for column in layers.values()), default=1)
    height = PADDING * 2 + tallest * (NODE_HEIGHT + GAP_Y) - GAP_Y
    for key, column in layers.items():
        column_height = len(column) * (NODE_HEIGHT + GAP_Y) - GAP_Y
        top = PADDING + (height - 2 * PADDING - column_height) // 2
        for index, node in enumerate(column):
            node.x = PADDING + (key - lowest) * (NODE_WIDTH + GAP_X)
            node.y = top + index * (NODE_HEIGHT + GAP_Y)
    for edge in edges:
        edge.path, edge.label_x, edge.label_y = edge_path(nodes[edge.source], nodes[edge.target])
    columns = (max(layers) - lowest + 1) if layers else 1
    width = PADDING * 2 + columns * (NODE_WIDTH + GAP_X) - GAP_X + GAP_X // 2
    return Layout(
        list(nodes.values()), edges, max(width, NODE_WIDTH + 2 * PADDING), max(height, NODE_HEIGHT), layers
    )
