"""The layered layout of the relations graph: edges point right, nodes never overlap, cycles are survived."""

from __future__ import annotations

from catalog.views.graph_layout import NODE_HEIGHT, NODE_WIDTH, Edge, Node, label_box, layout, overlaps


def build(edges: list[tuple[str, str]], root: str = "a"):
    refs = {ref for edge in edges for ref in edge} | {root}
    nodes = {ref: Node(ref, ref, "component") for ref in refs}
    return layout(root, nodes, [Edge(s, t, "depends on") for s, t in edges])


def test_every_edge_of_a_dag_points_right():
    graph = build([("a", "b"), ("b", "c"), ("a", "c"), ("d", "a"), ("e", "c")])
    position = {node.ref: node for node in graph.nodes}
    for edge in graph.edges:
        assert position[edge.source].x < position[edge.target].x
    assert position["a"].root


def test_nodes_never_overlap_and_fit_the_canvas():
    edges = [("root", f"n{i}") for i in range(40)] + [(f"n{i}", f"m{i % 7}") for i in range(40)]
    graph = build(edges, root="root")
    assert len(graph.nodes) == 48
    boxes = {(node.x, node.y) for node in graph.nodes}
    assert len(boxes) == len(graph.nodes)
    for node in graph.nodes:
        assert node.x >= 0 and node.x + NODE_WIDTH <= graph.width
        assert node.y >= 0 and node.y + NODE_HEIGHT <= graph.height
    for a in graph.nodes:
        for b in graph.nodes:
            if a is not b and a.x == b.x:
                assert abs(a.y - b.y) >= NODE_HEIGHT


def test_cycles_and_self_loops_still_lay_out():
    graph = build([("a", "b"), ("b", "c"), ("c", "a"), ("a", "a")])
    assert len(graph.nodes) == 3
    assert all(edge.path.startswith("M") for edge in graph.edges)


def test_a_lone_root_is_a_single_box():
    graph = build([], root="a")
    assert [node.ref for node in graph.nodes] == ["a"]
    assert graph.width >= NODE_WIDTH and graph.height >= NODE_HEIGHT


def test_long_labels_are_shortened():
    node = Node("a", "a-very-long-component-name-that-goes-on", "component")
    assert len(node.short_label) <= 24 and node.short_label.endswith("…")


def test_edge_labels_cover_no_node_and_no_other_label():
    """Crossing edges between two columns share midpoints; edges across layers pass behind nodes."""
    edges = [(f"s{i}", f"t{j}") for i in range(4) for j in range(4) if (i + j) % 2 == 0]
    edges += [("s0", "u0"), ("t1", "u0"), ("s3", "u0")]
    graph = build(edges, root="s0")
    shown = [label_box(e.type, e.label_x, e.label_y) for e in graph.edges if e.label_shown]
    assert len(shown) >= len(graph.edges) // 2
    nodes = [(n.x, n.y, n.x + NODE_WIDTH, n.y + NODE_HEIGHT) for n in graph.nodes]
    for index, box in enumerate(shown):
        assert not any(overlaps(box, node) for node in nodes)
        assert not any(overlaps(box, other) for other in shown[index + 1 :])


def test_a_simple_chain_shows_every_label_midway():
    graph = build([("a", "b"), ("b", "c")])
    assert all(edge.label_shown for edge in graph.edges)
    a, b = sorted(graph.nodes, key=lambda n: n.x)[:2]
    first = next(e for e in graph.edges if e.source == "a")
    assert first.label_x == (a.x + NODE_WIDTH + b.x) // 2
