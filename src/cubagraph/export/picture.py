"""What the page and the Gephi exports draw: positions, sizes and colours, and where each node sits on the page.

The picture depends on the page's structure only: which nodes, their kind,
class and colour, the edges between them, and (where they are drawn apart by
their boxes) the labels. Editing what a claim says changes none of that. So a
picture is named by a digest of that structure (:func:`structure` per share,
:meth:`cubagraph.export.drawn.Drawing.structure_key` for the page) and kept in
``.cubagraph/viewer/picture.marshal``; a rebuild whose structure is unchanged
reads it back instead of reading every share and laying the overview out
again, and the page and the GraphML/GEXF files are re-made only where a
share's own bytes changed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import marshal
import math
from collections.abc import Collection, Hashable, Sequence
from pathlib import Path
from typing import Any

from ..files import write_atomic
from ..network import layout as force
from . import forked

NOVERLAP = 1500  # nodes above which the full view is not pulled apart: too slow, and not the first view (overlapping labels are hidden on the page)
NAME, ORDER = "picture.marshal", "page-order.json"
CORE = "core-layout.marshal"  # the last force layout of the best-connected nodes (network.layout.layout's kept)

# What the page and the Gephi exports draw. Sizes follow degree (distinct
# neighbours on the page): centrality that costs nothing to compute at 20,000
# nodes, unlike betweenness. A label's box is estimated from its length; the
# page measures the real text and hides any label that would still collide.
FONT = {"actor": 14, "other": 11}
CHAR = 0.6  # an average character of system-ui is about 0.6 em wide
# Actors the overview shows at first (more on request; search and focus reach them all): as many as fit
# with their labels, between these bounds. benchmarks/viewer_render.py drew 37 labels of 150 at first.
OVERVIEW_CAP, OVERVIEW_MIN = 150, 10
SCREEN_SHARE = 0.6  # the seeds' 36 actors take 0.54 of it, and all their labels are drawn at first


def layout(
    nodes: list[str],
    edges: list[tuple[str, str]],
    memo: Path | None,
    boxes: dict[str, force.Box] | None = None,
    name: str = "layout.json",
    readable: bool = False,
    first: Collection[str] | None = None,
) -> dict[Hashable, tuple[float, float]]:
    """The layout of ``nodes``, pulled apart until no two ``boxes`` overlap; the last one is kept in ``memo/name``.

    The layout is a pure function of the nodes, edges and boxes, so a kept one
    is exactly what recomputing would give; an edit that leaves the page's part
    of the graph as it was skips the slowest step of the viewer.
    """
    boxes = boxes or {}
    # Boxes (a label's length) count only where they are used: a full view too large to pull apart
    # is the same layout whatever its labels say, so editing a label keeps it.
    used = boxes if readable or len(nodes) <= NOVERLAP else {}
    h = hashlib.sha256(
        json.dumps([sorted(nodes), sorted(edges), sorted(used.items()), readable, sorted(first or ())]).encode()
    ).hexdigest()
    path = memo / name if memo is not None else None
    if path is not None:
        with contextlib.suppress(OSError, ValueError, KeyError):
            kept = json.loads(path.read_text(encoding="utf-8"))
            if kept["input"] == h:
                return {n: (x, y) for n, (x, y) in kept["positions"].items()}
    spread: dict[Hashable, force.Box] = {k: v for k, v in boxes.items()}
    if readable:
        positions = force.readable(nodes, edges, spread, first=first)
    else:
        core = _kept_core(memo)
        had = set(core)
        positions = force.layout(nodes, edges, kept=core)
        if memo is not None and set(core) != had:
            memo.mkdir(parents=True, exist_ok=True)
            write_atomic(memo / CORE, marshal.dumps(core), durable=False)
    if used and not readable:
        positions = force.noverlap(positions, spread)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"input": h, "positions": {str(n): list(p) for n, p in positions.items()}}
        write_atomic(path, json.dumps(data, sort_keys=True).encode("utf-8"), durable=False)
    return positions


def _kept_core(memo: Path | None) -> dict[str, dict[Hashable, tuple[float, float]]]:
    """The core's last force layout (network.layout's ``kept``), or nothing if there is none to read."""
    if memo is not None:
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            found = marshal.loads((memo / CORE).read_bytes())
            if isinstance(found, dict):
                return {str(k): dict(v) for k, v in found.items()}
    return {}


def size(kind: str, degree: int) -> float:
    base, most = (10.0, 40.0) if kind == "actor" else (7.0, 22.0)
    return round(min(most, base + 2.5 * math.sqrt(degree)), 1)


def box(kind: str, label: str, radius: float) -> force.Box:
    """The node's disc and the label below it (vis-network draws a label 3 px under a disc)."""
    font = FONT["actor" if kind == "actor" else "other"]
    return (max(radius, len(label) * font * CHAR / 2), radius, radius + 3 + font * 1.3)


def attributes(nodes: Sequence[Sequence[str]]) -> list[tuple[str, dict[str, Any]]]:
    """A share's nodes ``[iri, page JSON]`` as what the picture reads of them: kind, class, label (as drawn), colour."""
    out = []
    for iri, data in nodes:
        d = json.loads(data)
        info = d["info"]
        out.append((iri, {"kind": info["kind"], "class": info["class"], "label": d["label"], "color": d["color"]}))
    return out


def structure(nodes: list[tuple[str, dict[str, Any]]], edges: Sequence[Sequence[str]]) -> str:
    """What of a share the picture depends on, when labels are not drawn apart: the digest of it.

    Actors' labels count (the overview sizes their boxes); other labels do not,
    nor an edge's source. Edge labels do ("calls for" bundles a demand with its
    statement, and the registry's labels are drawn).
    """
    rows = [[iri, d["kind"], d["class"], d["color"], d["label"] if d["kind"] == "actor" else ""] for iri, d in nodes]
    links = [list(row[:4]) for row in edges]
    return hashlib.sha256(json.dumps([rows, links], separators=(",", ":")).encode("utf-8")).hexdigest()[:32]


class Picture:
    """The full view's and the actor overview's positions, sizes and colours, and the page's order of nodes and edges.

    Made by :func:`make` from the page's nodes as ``(iri, attributes)`` (see
    :func:`attributes`) and edge rows ``[from, to, label, kind, source]``, or
    read back by :func:`kept`. ``order`` says where each share's nodes and
    edges start on the page, and which nodes several shares describe.
    """

    def __init__(self, fields: dict[str, Any]):
        self.fields = fields
        # [x, y] pairs as kept: turning 20,000 of them into tuples took 0.03 s of every edit.
        self.positions: dict[str, list[float]] = fields["positions"]
        self.sizes: dict[str, float] = fields["sizes"]
        self.colours: dict[str, str] = fields["colours"]
        self.overview_edges: list[tuple[str, str, dict[str, Any]]] = [(a, b, d) for a, b, d in fields["overview_edges"]]
        self.overview_sizes: dict[str, float] = fields["overview_sizes"]
        self.overview_rank: dict[str, int] = fields["overview_rank"]
        self.overview_shown: set[str] = set(fields["overview_shown"])
        self.overview_positions: dict[str, list[float]] = fields["overview_positions"]
        self.ids: list[str] = fields["ids"]  # the page's nodes, in order: a node's place is its id there
        self.starts: list[int] = fields["starts"]  # each share's first node's id
        self.edge_starts: list[int] = fields["edge_starts"]  # each share's first edge's id
        self.dups: dict[str, list[int]] = fields["dups"]  # a node several shares describe -> those shares, in order

    @property
    def overview(self) -> dict[str, float]:
        """The overview's actors (each with its size): ``iri in picture.overview`` asks whether one is there."""
        return self.overview_sizes

    def key(self) -> str:
        return str(self.fields["key"])


def make(
    key: str,
    shares: Sequence[tuple[list[tuple[str, dict[str, Any]]], list[list[str]]]],
    keep: set[str],
    memo: Path | None,
) -> Picture:
    """The picture of a page whose shares, in order, have these nodes (as :func:`attributes`) and edge rows."""
    nodes: list[tuple[str, dict[str, Any]]] = []
    edges: list[list[str]] = []
    seen: dict[str, list[int]] = {}
    starts, edge_starts = [], []
    for i, (share_nodes, share_edges) in enumerate(shares):
        starts.append(len(nodes))
        edge_starts.append(len(edges))
        for iri, d in share_nodes:
            if iri in seen:
                seen[iri].append(i)
            else:
                seen[iri] = [i]
                nodes.append((iri, d))
        edges += [row for row in share_edges if row[0] in keep and row[1] in keep]
    degree: dict[str, set[str]] = {iri: set() for iri, _ in nodes}
    for a, b, *_ in edges:
        if a != b:
            degree[a].add(b)
            degree[b].add(a)
    sizes = {iri: size(d["kind"], len(degree[iri])) for iri, d in nodes}
    boxes = {iri: box(d["kind"], d["label"], sizes[iri]) for iri, d in nodes}
    # The actor overview does not depend on the full view's layout: on a large page, a forked child lays
    # it out while this process lays out the full view (each about a second at 1,000 documents).
    made = functools.partial(_overview, nodes, edges, memo)
    child = forked.Forked(made) if len(nodes) >= FORK_NODES and forked.available() else None
    positions = layout([iri for iri, _ in nodes], [(r[0], r[1]) for r in edges], memo, boxes, "layout.json")
    fields: dict[str, Any] = {
        "key": key,
        "positions": {str(n): list(p) for n, p in positions.items()},
        "sizes": sizes,
        "colours": {iri: str(d["color"]) for iri, d in nodes},
        **(child.result() if child is not None else made()),
        "ids": [iri for iri, _ in nodes],
        "starts": starts,
        "edge_starts": edge_starts,
        "dups": {iri: where for iri, where in seen.items() if len(where) > 1},
    }
    return Picture(fields)


FORK_NODES = 1000  # a page with this many nodes has its overview laid out in a forked child


def _overview(nodes: list[tuple[str, dict[str, Any]]], edges: list[list[str]], memo: Path | None) -> dict[str, Any]:
    """The actor overview's part of a picture's fields: its edges, sizes, ranking, first actors and layout."""
    from ..network import overview

    actors = [iri for iri, d in nodes if d["kind"] == "actor"]
    share = overview.contributions(
        nodes, [(a, b, None, {"kind": k, "label": lab}) for a, b, lab, k, _ in edges], actors
    )
    ov = overview.combine([share])
    overview_sizes = {a: size("actor", ov.degree(a)) for a in ov}
    # The overview opens on the actors named by most facts; ties by IRI, so the choice is stable.
    ranked = sorted(ov, key=lambda a: (-ov.nodes[a]["facts"], a))
    labels = dict(nodes)
    obox = {a: box("actor", labels[a]["label"], overview_sizes[a]) for a in ov}
    # As many as their labels can be drawn for at first: their boxes (with a margin) cover at most
    # SCREEN_SHARE of a 1100x690 network area, what a 1440x900 window shows beside the controls.
    room, shown = SCREEN_SHARE * 1100 * 690, 0
    for a in ranked[:OVERVIEW_CAP]:
        half, up, down = obox[a]
        room -= (2 * half + 8) * (up + down + 8)
        if room < 0 and shown >= OVERVIEW_MIN:
            break
        shown += 1
    first = set(ranked[:shown])
    overview_positions = layout(
        sorted(ov), sorted(ov.edges), memo, obox, "overview-layout.json", readable=True, first=first
    )
    return {
        "overview_edges": [[a, b, d] for a, b, d in ov.edges(data=True)],
        "overview_sizes": overview_sizes,
        "overview_rank": {a: i for i, a in enumerate(ranked)},
        "overview_shown": sorted(first),
        "overview_positions": {str(n): list(p) for n, p in overview_positions.items()},
    }


def kept(key: str, memo: Path | None) -> Picture | None:
    """The picture kept in ``memo`` if it was made for ``key``."""
    if memo is None:
        return None
    with contextlib.suppress(OSError, ValueError, EOFError, KeyError, TypeError, AttributeError):
        fields = marshal.loads((memo / NAME).read_bytes())
        if fields.get("key") == key:
            return Picture(fields)
    return None


def order(picture: Picture) -> dict[int, list[int]]:
    """Each share holding the first of a node that other shares describe too -> those others, in order."""
    out: dict[int, set[int]] = {}
    for where in picture.dups.values():
        out.setdefault(where[0], set()).update(where[1:])
    return {i: sorted(js) for i, js in sorted(out.items())}


def kept_order(key: str, memo: Path | None) -> dict[int, list[int]] | None:
    """:func:`order` of the picture kept for ``key``, without reading the picture (a small file of its own)."""
    if memo is None:
        return None
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
        fields = json.loads((memo / ORDER).read_text(encoding="utf-8"))
        if fields.get("key") == key:
            return {int(i): [int(j) for j in js] for i, js in fields["order"].items()}
    return None


def keep(picture: Picture, memo: Path | None) -> None:
    if memo is None:
        return
    with contextlib.suppress(OSError):
        memo.mkdir(parents=True, exist_ok=True)
        # marshal, not JSON: the build cache's own bytes, read back by the Python that wrote them, and
        # read on every edit (7 MB at 10,000 documents: json.loads 0.45 s).
        write_atomic(memo / NAME, marshal.dumps(picture.fields), durable=False)
        small = {"key": picture.key(), "order": {str(i): js for i, js in order(picture).items()}}
        write_atomic(memo / ORDER, json.dumps(small, sort_keys=True).encode("utf-8"), durable=False)
