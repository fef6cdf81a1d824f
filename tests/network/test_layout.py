"""The seeded layouts: no two boxes overlap after noverlap, and the same input gives the same positions."""

from __future__ import annotations

import random
from collections.abc import Hashable
from typing import Any

import pytest

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


def test_a_kept_core_layout_gives_what_recomputing_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout, "CORE", 60)  # the core path, at a size a test lays out quickly
    nodes, edges, _ = _graph(150)
    ran: list[int] = []
    real = layout.force

    def counted(*args: Any, **kwargs: Any) -> dict[Hashable, tuple[float, float]]:
        ran.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(layout, "force", counted)
    kept: dict[str, dict[Hashable, tuple[float, float]]] = {}
    assert layout.layout(nodes, edges, kept=kept) == layout.layout(nodes, edges)
    assert len(kept) == 1 and len(ran) == 2

    # A leaf added to a well-connected node (as a new document's fact is): the core is as it was,
    # its force layout is read back, and the whole is what a layout from nothing gives.
    grown = ([*nodes, "leaf"], [*edges, ("leaf", "n0")])
    assert layout.layout(*grown, kept=kept) == layout.layout(*grown)
    assert len(ran) == 3  # only the layout without `kept` ran the force layout

    # An edge between two core nodes changes the core: laid out again, and kept in place of the last.
    key = next(iter(kept))
    linked = (nodes, [*edges, ("n1", "n2")])
    assert layout.layout(*linked, kept=kept) == layout.layout(*linked)
    assert len(ran) == 5 and len(kept) == 1 and key not in kept
