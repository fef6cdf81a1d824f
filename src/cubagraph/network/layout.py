"""A seeded force-directed layout, computed at build time, identical on every machine.

Why not networkx's layouts: they run in numpy, whose floating-point sums can
differ between builds of numpy and between CPUs. Iterated 50 times, a
difference in the last bit moves nodes visibly, and `cubagraph build --check`
would then call the viewer stale on a machine where nothing changed. They are
also slow at the sizes the viewer must handle: spring_layout took 4.9 s at
1,000 nodes and 47 s at 5,000 here.

This is Fruchterman and Reingold's grid variant in plain Python. Repulsion
is counted only between nodes in neighbouring grid cells, which makes an
iteration linear in practice. Plain Python floats are IEEE 754 doubles, and
the order of every sum is fixed by sorting, so the result is the same
everywhere. Positions are rounded to 0.1 px.
"""

from __future__ import annotations

import hashlib
import math
import random
import statistics
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, MutableMapping

K = 110.0  # the ideal distance between linked nodes, in pixels
CORE = 1000  # above this many nodes, only the best-connected are laid out by force; the rest are placed


def layout(
    nodes: Iterable[Hashable],
    edges: Iterable[tuple[Hashable, Hashable]],
    seed: int = 7,
    k: float = K,
    kept: MutableMapping[str, dict[Hashable, tuple[float, float]]] | None = None,
) -> dict[Hashable, tuple[float, float]]:
    """Positions for every node. Large graphs: the core by force, the rest beside their neighbours.

    Timings here: 0.07 s at 121 nodes, 1 s at 1,000, about 3.5 s at 5,000.

    ``kept`` holds the last force layout (of the core, or of the whole graph
    when it is small), by :func:`core_key`. Adding or removing a document
    seldom changes which nodes are best connected, or the edges between them,
    and editing a label changes neither; the force layout, 1.9 s of a 2.2 s
    layout at 1,000 documents, is then read back, and the result is what
    recomputing gives.
    """
    order = sorted(nodes, key=str)
    edge_list = sorted({(a, b) if str(a) <= str(b) else (b, a) for a, b in edges if a != b}, key=str)
    if len(order) <= CORE:
        return dict(_forced(order, edge_list, seed, 80 if len(order) <= 500 else 40, k, kept))
    degree: dict[Hashable, int] = {v: 0 for v in order}
    for a, b in edge_list:
        degree[a] += 1
        degree[b] += 1
    core = sorted(sorted(order, key=lambda v: (-degree[v], str(v)))[:CORE], key=str)
    inner = set(core)
    core_edges = [(a, b) for a, b in edge_list if a in inner and b in inner]
    found = _forced(core, core_edges, seed, 40, k, kept)
    return _place_rest(order, edge_list, dict(found), k)  # a copy: _place_rest adds to it


def _forced(
    nodes: list[Hashable],
    edges: list[tuple[Hashable, Hashable]],
    seed: int,
    iterations: int,
    k: float,
    kept: MutableMapping[str, dict[Hashable, tuple[float, float]]] | None,
) -> dict[Hashable, tuple[float, float]]:
    """:func:`force`, or what ``kept`` holds of it for these very inputs."""
    key = core_key(nodes, edges, seed, iterations, k)
    found = kept.get(key) if kept is not None else None
    if found is None:
        found = force(nodes, edges, seed, iterations, k)
        if kept is not None:
            kept.clear()  # the last one only: an edit is followed by another, seldom by an undo
            kept[key] = found
    return found


def core_key(
    nodes: list[Hashable], edges: list[tuple[Hashable, Hashable]], seed: int, iterations: int, k: float
) -> str:
    """What :func:`force` computes from, as a digest: the same key, the same positions."""
    text = repr(([str(v) for v in nodes], [(str(a), str(b)) for a, b in edges], seed, iterations, k))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _place_rest(
    order: list[Hashable],
    edges: list[tuple[Hashable, Hashable]],
    positions: dict[Hashable, tuple[float, float]],
    k: float = K,
) -> dict[Hashable, tuple[float, float]]:
    """Put each remaining node beside the nodes it links to, in breadth-first order from the core."""
    neighbours: dict[Hashable, list[Hashable]] = defaultdict(list)
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    golden = math.pi * (3 - math.sqrt(5))
    frontier = sorted((v for v in order if v not in positions and any(u in positions for u in neighbours[v])), key=str)
    count = 0
    while frontier:
        next_frontier: set[Hashable] = set()
        for v in frontier:
            placed = [positions[u] for u in neighbours[v] if u in positions]
            x = sum(p[0] for p in placed) / len(placed)
            y = sum(p[1] for p in placed) / len(placed)
            angle, radius = golden * count, k * (0.6 + 0.4 * ((count * 7) % 5) / 5)
            positions[v] = (round(x + radius * math.cos(angle), 1), round(y + radius * math.sin(angle), 1))
            count += 1
            next_frontier.update(u for u in neighbours[v] if u not in positions)
        frontier = sorted(next_frontier, key=str)
    # Whatever is not connected to the core goes in rows below it.
    rest = [v for v in order if v not in positions]
    bottom = max((p[1] for p in positions.values()), default=0.0) + 2 * k
    width = max(1, int(math.sqrt(len(rest))))
    for i, v in enumerate(rest):
        positions[v] = (round((i % width) * k, 1), round(bottom + (i // width) * k, 1))
    return positions


def force(
    nodes: Iterable[Hashable],
    edges: Iterable[tuple[Hashable, Hashable]],
    seed: int = 7,
    iterations: int = 80,
    k: float = K,
) -> dict[Hashable, tuple[float, float]]:
    """Fruchterman-Reingold, grid variant, in plain Python."""
    order = sorted(nodes, key=str)
    n = len(order)
    if n == 0:
        return {}
    index = {v: i for i, v in enumerate(order)}
    links = sorted({(min(index[a], index[b]), max(index[a], index[b])) for a, b in edges if a != b})
    rng = random.Random(seed)
    side = k * math.sqrt(n) * 1.5
    xs = [rng.uniform(-side / 2, side / 2) for _ in range(n)]
    ys = [rng.uniform(-side / 2, side / 2) for _ in range(n)]
    cell = 2 * k
    k2 = k * k
    reach2 = cell * cell
    temperature = side / 8
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = [0.0] * n
        dy = [0.0] * n
        grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in range(n):
            grid[(math.floor(xs[i] / cell), math.floor(ys[i] / cell))].append(i)
        for (cx, cy), members in sorted(grid.items()):
            near = [j for ox in (-1, 0, 1) for oy in (-1, 0, 1) for j in grid.get((cx + ox, cy + oy), ())]
            for i in members:
                xi, yi = xs[i], ys[i]
                fx = fy = 0.0
                for j in near:
                    if j == i:
                        continue
                    ddx, ddy = xi - xs[j], yi - ys[j]
                    d2 = ddx * ddx + ddy * ddy
                    if d2 < 0.01:
                        # Two nodes on one spot: push them apart along a fixed direction.
                        ddx, ddy, d2 = (0.1, 0.0, 0.01) if i < j else (-0.1, 0.0, 0.01)
                    if d2 < reach2:
                        f = k2 / d2
                        fx += ddx * f
                        fy += ddy * f
                dx[i] += fx
                dy[i] += fy
        for a, b in links:
            ddx, ddy = xs[a] - xs[b], ys[a] - ys[b]
            d = math.sqrt(ddx * ddx + ddy * ddy) or 0.1
            f = d / k
            dx[a] -= ddx * f
            dy[a] -= ddy * f
            dx[b] += ddx * f
            dy[b] += ddy * f
        for i in range(n):
            # A little gravity keeps separate components from drifting apart.
            dx[i] -= xs[i] * 0.02
            dy[i] -= ys[i] * 0.02
            length = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if length > 0:
                step = min(length, temperature) / length
                xs[i] += dx[i] * step
                ys[i] += dy[i] * step
        temperature = max(temperature - cooling, 1.0)
    return {v: (round(xs[i], 1), round(ys[i], 1)) for v, i in index.items()}


Box = tuple[float, float, float]  # (half width, above the centre, below the centre): a node's disc and label


# The coarse grid's neighbouring cells, in the order noverlap first visited them (dx, then dy).
_NEAR = {(ox, oy): k for k, (ox, oy) in enumerate((ox, oy) for ox in (-1, 0, 1) for oy in (-1, 0, 1))}


def noverlap(
    positions: dict[Hashable, tuple[float, float]],
    boxes: dict[Hashable, Box],
    gap: float = 4.0,
    rounds: int = 200,
    sideways: float = 2.0,
) -> dict[Hashable, tuple[float, float]]:
    """Move nodes apart until no two boxes (disc and label) overlap, as Gephi's "noverlap" does.

    Each round finds the overlapping pairs among boxes in neighbouring grid
    cells and pushes each pair apart along the axis where they overlap least,
    half each way. It stops when a round finds no overlap, or after ``rounds``.
    Deterministic: nodes in sorted order, sums in a fixed order, plain floats.
    Nodes without a box are left where they are.
    """
    order = sorted((v for v in positions if v in boxes), key=str)
    if len(order) < 2:
        return dict(positions)
    xs = [positions[v][0] for v in order]
    ys = [positions[v][1] for v in order]
    half = [boxes[v][0] + gap / 2 for v in order]
    up = [boxes[v][1] + gap / 2 for v in order]
    down = [boxes[v][2] + gap / 2 for v in order]
    cell = 2 * max(max(half), max(u + d for u, d in zip(up, down, strict=True)))
    # Overlapping pairs are found on a finer grid, each box listed in every fine cell it covers: with
    # one long label the coarse cells above hold hundreds of boxes each, and comparing every pair in
    # them took 3.7-4.9 s at 780 nodes. The pairs are then taken in the order the coarse grid visits
    # them, so that every sum is made in the same order, and the positions are what they were.
    fine_x = max(1.0, statistics.median(half) * 2)
    fine_y = max(1.0, statistics.median(u + d for u, d in zip(up, down, strict=True)))
    n = len(order)
    for _ in range(rounds):
        dx = [0.0] * n
        dy = [0.0] * n
        coarse = [(math.floor(xs[i] / cell), math.floor(ys[i] / cell)) for i in range(n)]
        fine: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in range(n):
            x, y, h = xs[i], ys[i], half[i]
            slack = 1e-6 * (abs(x) + abs(y) + h + up[i] + down[i] + 1.0)  # rounding may not hide a pair
            for gx in range(math.floor((x - h - slack) / fine_x), math.floor((x + h + slack) / fine_x) + 1):
                for gy in range(
                    math.floor((y - up[i] - slack) / fine_y), math.floor((y + down[i] + slack) / fine_y) + 1
                ):
                    fine[(gx, gy)].append(i)
        candidates = {(a, b) for members in fine.values() for k, a in enumerate(members) for b in members[k + 1 :]}
        hits = []
        for i, j in candidates:  # i < j: each fine cell lists its boxes in order
            over_x = half[i] + half[j] - abs(xs[i] - xs[j])
            if over_x <= 0:
                continue
            # Box i spans ys[i]-up[i] .. ys[i]+down[i]; overlap along y of the two spans.
            over_y = min(ys[i] + down[i], ys[j] + down[j]) - max(ys[i] - up[i], ys[j] - up[j])
            if over_y <= 0:
                continue
            (ci, cj), (di, dj) = coarse[i], coarse[j]
            near = _NEAR.get((di - ci, dj - cj))
            if near is None:  # cells apart only by rounding, at the very edge: never compared, as before
                continue
            hits.append((ci, cj, i, near, j, over_x, over_y))
        moved = bool(hits)
        for _ci, _cj, i, _k, j, over_x, over_y in sorted(hits):
            if over_x * sideways <= over_y:  # sideways > 1: labels are wide, moving sideways costs more
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
            # A little more than the overlap, so that pairs pushed back by a third node still part; but no
            # more than a box's size in one round: a node in a pile-up would otherwise be flung far away.
            step = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) * 1.2
            most = 2 * (half[i] + up[i] + down[i])
            f = 1.2 if step <= most else 1.2 * most / step
            xs[i] += dx[i] * f
            ys[i] += dy[i] * f
    out = dict(positions)
    for i, v in enumerate(order):
        out[v] = (round(xs[i], 1), round(ys[i], 1))
    return out


def overlaps(positions: dict[Hashable, tuple[float, float]], boxes: dict[Hashable, Box]) -> int:
    """How many pairs of boxes overlap (all pairs compared: for tests and benchmarks, not for large graphs)."""
    order = sorted((v for v in positions if v in boxes), key=str)
    count = 0
    for i, a in enumerate(order):
        (xa, ya), (ha, ua, da) = positions[a], boxes[a]
        for b in order[i + 1 :]:
            (xb, yb), (hb, ub, db) = positions[b], boxes[b]
            if abs(xa - xb) < ha + hb and min(ya + da, yb + db) > max(ya - ua, yb - ub):
                count += 1
    return count


def readable(
    nodes: Iterable[Hashable],
    edges: Iterable[tuple[Hashable, Hashable]],
    boxes: dict[Hashable, Box],
    aspect: float = 1.6,
    k: float = 60.0,
    first: Collection[Hashable] | None = None,
) -> dict[Hashable, tuple[float, float]]:
    """A layout to read at first sight: force-directed, then pulled apart until no box overlaps, as compact as can be.

    Made for a screen ``aspect`` times wider than tall. The force layout is
    stretched to that shape, then :func:`noverlap` runs with a few preferences
    for sideways moves; the one whose boxes fit the screen at the largest
    scale wins (so that most labels can be drawn at first). Deterministic.

    With ``first``, only those nodes (the ones shown at first) are laid out so;
    the others are put beside the nodes they link to, where a search or a
    focus finds them.
    """
    order = sorted(nodes, key=str)
    if first is not None and len(set(first)) < len(order):
        chosen = set(first)
        core = readable(
            [v for v in order if v in chosen],
            [(a, b) for a, b in edges if a in chosen and b in chosen],
            boxes,
            aspect,
            k,
        )
        rest = sorted({(a, b) if str(a) <= str(b) else (b, a) for a, b in edges if a != b}, key=str)
        return _place_rest(order, rest, core, 2 * k)
    links = [(a, b) for a, b in edges if a != b]
    linked = {v for ab in links for v in ab}
    positions = layout([v for v in order if v in linked], links, k=k) if linked else {}
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    w, h = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    f = math.sqrt(aspect * h / w)
    positions = {v: (x * f, y / f) for v, (x, y) in positions.items()}
    # Actors linked to nothing: in rows under the rest, which noverlap then packs.
    alone = [v for v in order if v not in linked]
    left, bottom = min(xs) * f, max(ys) / f + 2 * k
    width = max(1, int(math.sqrt(len(alone) * aspect)))
    for i, v in enumerate(alone):
        positions[v] = (left + (i % width) * 3 * k, bottom + (i // width) * k)
    best: tuple[float, float, dict[Hashable, tuple[float, float]]] | None = None
    for sideways in (0.3, 0.45, 0.6, 0.8, 1.0):
        spread = noverlap(positions, boxes, gap=8.0, sideways=sideways)
        scale = _fit(spread, boxes, aspect)
        if best is None or scale > best[0]:
            best = (scale, sideways, spread)
    assert best is not None
    spread = best[2]
    return spread


def _fit(positions: dict[Hashable, tuple[float, float]], boxes: dict[Hashable, Box], aspect: float) -> float:
    """The scale at which the boxes' extent fits a screen of ``aspect`` (width 1)."""
    placed = [(positions[v], boxes[v]) for v in positions if v in boxes]
    if not placed:
        return 1.0
    w = max(x + b[0] for (x, _), b in placed) - min(x - b[0] for (x, _), b in placed)
    h = max(y + b[2] for (_, y), b in placed) - min(y - b[1] for (_, y), b in placed)
    return min(1.0 / w, 1.0 / aspect / h)
