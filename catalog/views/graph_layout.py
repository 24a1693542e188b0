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
EDGE_LABEL_CHAR_WIDTH = 6.5  # 11px sans-serif, a little wide so estimates err on the side of space
EDGE_LABEL_HEIGHT = 14
EDGE_LABEL_STOPS = (0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9)  # where on its curve a label may sit, best first

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # left, top, right, bottom


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
    label_shown: bool = False


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


def edge_curve(source: Node, target: Node) -> tuple[Point, Point, Point, Point]:
    """A cubic curve from the right side of the source to the left side of the target (or a loop back)."""
    sy, ty = source.y + NODE_HEIGHT // 2, target.y + NODE_HEIGHT // 2
    if target.x > source.x:
        x1, x2 = source.x + NODE_WIDTH, target.x
    elif target.x < source.x:
        x1, x2 = source.x, target.x + NODE_WIDTH
    else:  # same layer: bow out to the right
        x1 = x2 = source.x + NODE_WIDTH
        bend = x1 + GAP_X // 2 + abs(ty - sy) // 6
        return (x1, sy), (bend, sy), (bend, ty), (x2, ty)
    dx = (x2 - x1) // 2
    return (x1, sy), (x1 + dx, sy), (x2 - dx, ty), (x2, ty)


def edge_path(curve: tuple[Point, Point, Point, Point]) -> str:
    (x1, y1), (cx1, cy1), (cx2, cy2), (x2, y2) = curve
    return f"M{x1},{y1} C{cx1},{cy1} {cx2},{cy2} {x2},{y2}"


def curve_point(curve: tuple[Point, Point, Point, Point], t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = curve
    a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
    return a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3


def label_box(text: str, x: float, y: float) -> Box:
    """Where a label drawn centred on (x, y), lifted by the template's ``dy="-3"``, is painted."""
    half = len(text) * EDGE_LABEL_CHAR_WIDTH / 2 + 2
    return x - half, y - EDGE_LABEL_HEIGHT, x + half, y + 1


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_label(edge: Edge, curve: tuple[Point, Point, Point, Point], taken: list[Box]) -> None:
    """Put the label at the first stop on its curve that covers no node and no label placed before.

    Where every stop is covered, the label is left out: the edge's tooltip still names the relation.
    """
    for stop in EDGE_LABEL_STOPS:
        x, y = curve_point(curve, stop)
        box = label_box(edge.type, x, y)
        if not any(overlaps(box, other) for other in taken):
            edge.label_x, edge.label_y, edge.label_shown = round(x), round(y), True
            taken.append(box)
            return
    edge.label_shown = False


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
    taken: list[Box] = [(n.x, n.y, n.x + NODE_WIDTH, n.y + NODE_HEIGHT) for n in nodes.values()]
    for edge in edges:
        curve = edge_curve(nodes[edge.source], nodes[edge.target])
        edge.path = edge_path(curve)
        place_label(edge, curve, taken)
    columns = (max(layers) - lowest + 1) if layers else 1
    width = PADDING * 2 + columns * (NODE_WIDTH + GAP_X) - GAP_X + GAP_X // 2
    return Layout(
        list(nodes.values()), edges, max(width, NODE_WIDTH + 2 * PADDING), max(height, NODE_HEIGHT), layers
    )
