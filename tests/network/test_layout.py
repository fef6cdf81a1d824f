"""The seeded layouts: no two boxes overlap after noverlap, and the same input gives the same positions."""

from __future__ import annotations

import math
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


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item for each time the force layout runs (the real one)."""
    calls: list[int] = []
    real = layout.force

    def counted(*args: Any, **kwargs: Any) -> dict[Hashable, tuple[float, float]]:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(layout, "force", counted)
    return calls


def test_a_kept_core_layout_gives_what_recomputing_gives(monkeypatch: pytest.MonkeyPatch, ran: list[int]) -> None:
    monkeypatch.setattr(layout, "CORE", 60)  # the core path, at a size a test lays out quickly
    nodes, edges, _ = _graph(150)
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


def _noverlap_by_coarse_grid(
    positions: dict[str, tuple[float, float]], boxes: dict[str, layout.Box], gap: float = 4.0, sideways: float = 2.0
) -> dict[str, tuple[float, float]]:
    """noverlap as first written: every pair in neighbouring coarse cells compared, in the cells' order."""
    order = sorted(positions, key=str)
    xs = [positions[v][0] for v in order]
    ys = [positions[v][1] for v in order]
    half = [boxes[v][0] + gap / 2 for v in order]
    up = [boxes[v][1] + gap / 2 for v in order]
    down = [boxes[v][2] + gap / 2 for v in order]
    cell = 2 * max(max(half), max(u + d for u, d in zip(up, down, strict=True)))
    n = len(order)
    for _ in range(200):
        dx, dy = [0.0] * n, [0.0] * n
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(n):
            grid.setdefault((math.floor(xs[i] / cell), math.floor(ys[i] / cell)), []).append(i)
        moved = False
        for (cx, cy), members in sorted(grid.items()):
            near = [j for ox in (-1, 0, 1) for oy in (-1, 0, 1) for j in grid.get((cx + ox, cy + oy), ())]
            for i in members:
                for j in near:
                    if j <= i:
                        continue
                    over_x = half[i] + half[j] - abs(xs[i] - xs[j])
                    over_y = min(ys[i] + down[i], ys[j] + down[j]) - max(ys[i] - up[i], ys[j] - up[j])
                    if over_x <= 0 or over_y <= 0:
                        continue
                    moved = True
                    if over_x * sideways <= over_y:
                        s = 1.0 if xs[i] > xs[j] or (xs[i] == xs[j] and i < j) else -1.0
                        dx[i] += s * over_x / 2
                        dx[j] -= s * over_x / 2
                    else:
                        s = 1.0 if ys[i] > ys[j] or (ys[i] == ys[j] and i < j) else -1.0
                        dy[i] += s * over_y / 2
                        dy[j] -= s * over_y / 2
        if not moved:
            break
        for i in range(n):
            step = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) * 1.2
            most = 2 * (half[i] + up[i] + down[i])
            f = 1.2 if step <= most else 1.2 * most / step
            xs[i] += dx[i] * f
            ys[i] += dy[i] * f
    return {v: (round(xs[i], 1), round(ys[i], 1)) for i, v in enumerate(order)}


@pytest.mark.parametrize("seed", range(6))
def test_noverlap_moves_nodes_as_comparing_every_near_pair_did(seed: int) -> None:
    # Boxes of every width, one label far longer than the rest (which made the coarse cells
    # crowded), nodes piled on one spot and on one line: the same positions to the last bit.
    rng = random.Random(seed)
    n = rng.randrange(2, 260)
    spread = rng.choice([50.0, 400.0, 3000.0])
    positions = {
        f"n{i}": (round(rng.uniform(-spread, spread), 1), round(rng.uniform(-spread, spread), 1)) for i in range(n)
    }
    positions["n0"] = positions["n1"] = (0.0, 0.0)
    for i in range(2, min(n, 12)):
        positions[f"n{i}"] = (float(i), 5.0)
    boxes = {v: (rng.uniform(5, 140), rng.uniform(5, 20), rng.uniform(10, 45)) for v in positions}
    boxes["n3" if n > 3 else "n0"] = (600.0, 12.0, 30.0)
    sideways = rng.choice([1.0, 2.0])
    assert layout.noverlap(positions, boxes, sideways=sideways) == _noverlap_by_coarse_grid(
        positions, boxes, sideways=sideways
    )


def test_a_kept_layout_of_a_small_graph_is_read_back(ran: list[int]) -> None:
    nodes, edges, _ = _graph(40)  # under CORE: the whole graph is laid out by force
    kept: dict[str, dict[Hashable, tuple[float, float]]] = {}
    first = layout.layout(nodes, edges, kept=kept)
    first["n0"] = (0.0, 0.0)  # what a caller does with its copy is not kept
    assert layout.layout(list(reversed(nodes)), edges, kept=kept) == layout.layout(nodes, edges)
    assert len(ran) == 2  # the first call, and the one without `kept`
