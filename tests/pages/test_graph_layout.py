"""The layered layout of the relations graph: edges point right, nodes never overlap, cycles are survived."""

from __future__ import annotations

from catalog.views.graph_layout import NODE_HEIGHT, NODE_WIDTH, Edge, Node, layout


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
