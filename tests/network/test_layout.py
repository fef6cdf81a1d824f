"""The seeded layouts: no two boxes overlap after noverlap, and the same input gives the same positions."""

from __future__ import annotations

import random

from cubagraph.network import layout


def _graph(n: int, seed: int = 3) -> tuple[list[str], list[tuple[str, str]], dict[str, layout.Box]]:
    rng = random.Random(seed)
    nodes = [f"n{i}" for i in range(n)]
    edges = [(f"n{i}", f"n{rng.randrange(max(i, 1))}") for i in range(1, n)]
    boxes = {v: (rng.uniform(20, 90), 12.0, 12.0 + 3 + 18) for v in nodes}
    return nodes, edges, boxes


def test_noverlap_leaves_no_two_boxes_overlapping() -> None:
    nodes, edges, boxes = _graph(150)
    before = layout.layout(nodes, edges)
    assert layout.overlaps(before, boxes) > 0  # the force layout alone does not make room for labels
    after = layout.noverlap(before, boxes)
    assert layout.overlaps(after, boxes) == 0


def test_readable_is_deterministic_and_leaves_no_overlap() -> None:
    nodes, edges, boxes = _graph(80)
    one = layout.readable(nodes, edges, boxes)
    two = layout.readable(list(reversed(nodes)), list(reversed(edges)), dict(reversed(list(boxes.items()))))
    assert one == two
    assert layout.overlaps(one, boxes) == 0
    # Wider than tall, for a screen.
    xs = [x for x, _ in one.values()]
    ys = [y for _, y in one.values()]
    assert max(xs) - min(xs) > max(ys) - min(ys)


def test_unlinked_nodes_are_placed_too() -> None:
    nodes, _, boxes = _graph(5)
    placed = layout.readable(nodes, [], boxes)
    assert set(placed) == set(nodes)
    assert layout.overlaps(placed, boxes) == 0
