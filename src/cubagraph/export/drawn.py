"""What the viewer's page was made from, kept in ``.cubagraph/viewer/`` so that a rebuild reads only what changed.

A page of a large corpus draws from nearly every document, and making it from
scratch took most of a rebuild after one edit. So three things are kept
between builds, each under a digest of its inputs, and used only while those
inputs are the same: the choice of nodes (:class:`Ranking`), each graph's
share of the page (:class:`Drawn`), and the layout (:func:`layout`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
from collections.abc import Callable, Collection, Hashable, Sequence
from pathlib import Path
from typing import Any

from ..files import write_atomic
from ..network import layout as force
from .plan import Graph
from .view import Context

NOVERLAP = 1500  # nodes above which the full view is not pulled apart: too slow, and not the first view (overlapping labels are hidden on the page)

NODES, EDGES = "html:nodes", "html:edges"  # the parts of a graph's piece the page draws from, besides plan.INDEX


class Ranking:
    """The last page's choice of nodes, kept while no graph's viewer index changes (most edits change none)."""

    def __init__(self, ctx: Context, cap: int, limit: int, graphs: Sequence[Graph]):
        self.graphs = graphs
        self.path = ctx.memo / "ranking.json" if ctx.memo else None
        self.key = hashlib.sha256(
            json.dumps([cap, limit, [g.index_digest for g in graphs]]).encode("utf-8")
        ).hexdigest()
        self.kept: tuple[list[str], list[Graph], dict[str, Any], list[tuple[str, str]]] | None = None
        if self.path is not None:
            with contextlib.suppress(OSError, ValueError, KeyError, IndexError, TypeError):
                memo = json.loads(self.path.read_text(encoding="utf-8"))
                if memo["key"] == self.key:
                    needed = [graphs[i] for i in memo["needed"]]
                    self.kept = (memo["embedded"], needed, memo["meta"], [tuple(s) for s in memo["shares"]])

    def save(self, embedded: list[str], needed: list[Graph], meta: dict[str, Any], shares: list[str]) -> None:
        if self.path is None:
            return
        position = {id(g): i for i, g in enumerate(self.graphs)}
        memo = {
            "key": self.key,
            "embedded": embedded,
            "needed": [position[id(g)] for g in needed],
            "meta": meta,
            "shares": [[g.id, s] for g, s in zip(needed, shares, strict=True)],
        }
        data = json.dumps(memo, sort_keys=True).encode("utf-8")
        with contextlib.suppress(OSError):
            if self.path.read_bytes() == data:
                return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, data)


class Drawn:
    """Each graph's share of the page: its nodes there, and its edges that may be.

    A page draws from nearly every document of a large corpus, and reading
    every document's piece to make it took most of a rebuild. So each share
    is kept in ``ctx.memo`` by its digest, and each graph's digest by the
    graph's id and the nodes it had on the page. A graph whose id and nodes on
    the page are unchanged is not read; and if every share's digest is as it
    was, the page is as it was, and is not made at all.
    """

    def __init__(self, ctx: Context, keep: set[str]):
        self.ctx, self.keep = ctx, keep
        self.folder = ctx.memo
        self.index: dict[str, list[Any]] = self._load("drawn-index.json")
        self.new_index: dict[str, list[Any]] = {}
        self.fresh: dict[str, list[Any]] = {}  # digest -> share, for shares read from pieces in this build
        self._shares: dict[str, list[Any]] | None = None

    def _load(self, name: str) -> dict[str, Any]:
        if self.folder is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads((self.folder / name).read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    return loaded
        return {}

    def share(self, g: Graph) -> str:
        """The digest of ``g``'s share of the page, read from its piece only if not known."""
        kept = [iri for _, iri in g.index["own"] if iri in self.keep]
        known = self.index.get(g.id)
        if known is not None and known[0] == kept and not g.index["defines_shared"]:
            self.new_index[g.id] = known
            return str(known[1])
        nodes, edges = [], []
        actors = self.ctx.network.actors
        # split("\n"), not splitlines(): JSON escapes newlines, but text may hold U+0085 or U+001C.
        for line in g.part(NODES).decode("utf-8").split("\n")[:-1]:
            iri, _, data = line.partition("\t")
            if iri in self.keep:
                nodes.append([iri, data])
        for line in g.part(EDGES).decode("utf-8").split("\n")[:-1]:
            a, b, data = line.split("\t", 2)
            # Edges to actors stay candidates: which actors are on the page can change on its own.
            if (a in self.keep or a in actors) and (b in self.keep or b in actors):
                edges.append(json.loads(data))
        share = [nodes, edges]
        digest = hashlib.sha256(json.dumps(share, separators=(",", ":")).encode("utf-8")).hexdigest()[:32]
        self.fresh[digest] = share
        if not g.index["defines_shared"]:  # the registry's share changes with the ranking: always read it
            self.new_index[g.id] = [kept, digest]
        return digest

    def get(self, g: Graph, digest: str) -> list[Any]:
        if digest in self.fresh:
            return self.fresh[digest]
        if self._shares is None:
            self._shares = self._load("drawn.json")
        found = self._shares.get(digest)
        if found is None:  # the memo lost it: read the piece again
            self.index.pop(g.id, None)
            found = self.fresh[self.share(g)]
        return found

    def save_index(self, graphs: Sequence[Graph]) -> None:
        """Keep what is known of ``graphs``: learnt in this build, or known before and still true."""
        ids = {g.id for g in graphs}
        index = {i: v for i, v in self.index.items() if i in ids} | self.new_index
        if self.folder is not None and index != self.index:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / "drawn-index.json", json.dumps(index, sort_keys=True).encode())

    def save(self, shares: list[str]) -> None:
        """Keep the shares of the page just made (and only those)."""
        if self.folder is None:
            return
        kept = {d: self.get_known(d) for d in shares}
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self.folder / "drawn.json", json.dumps(kept, separators=(",", ":")).encode("utf-8"))

    def get_known(self, digest: str) -> list[Any]:
        if digest in self.fresh:
            return self.fresh[digest]
        assert self._shares is not None
        return self._shares[digest]


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
    h = hashlib.sha256(
        json.dumps([sorted(nodes), sorted(edges), sorted(boxes.items()), readable, sorted(first or ())]).encode()
    ).hexdigest()
    path = memo / name if memo is not None else None
    if path is not None:
        with contextlib.suppress(OSError, ValueError, KeyError):
            kept = json.loads(path.read_text(encoding="utf-8"))
            if kept["input"] == h:
                return {n: (x, y) for n, (x, y) in kept["positions"].items()}
    spread: dict[Hashable, force.Box] = {k: v for k, v in boxes.items()}
    positions = force.readable(nodes, edges, spread, first=first) if readable else force.layout(nodes, edges)
    if boxes and not readable and len(nodes) <= NOVERLAP:
        positions = force.noverlap(positions, spread)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"input": h, "positions": {str(n): list(p) for n, p in positions.items()}}
        write_atomic(path, json.dumps(data, sort_keys=True).encode("utf-8"))
    return positions


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


def size(kind: str, degree: int) -> float:
    base, most = (10.0, 40.0) if kind == "actor" else (7.0, 22.0)
    return round(min(most, base + 2.5 * math.sqrt(degree)), 1)


def box(kind: str, label: str, radius: float) -> force.Box:
    """The node's disc and the label below it (vis-network draws a label 3 px under a disc)."""
    font = FONT["actor" if kind == "actor" else "other"]
    return (max(radius, len(label) * font * CHAR / 2), radius, radius + 3 + font * 1.3)


class Picture:
    """The full view's and the actor overview's positions, sizes and colours, computed once per build.

    ``nodes`` are the page's nodes as ``(iri, attributes)`` with ``kind``,
    ``class``, ``label`` (as drawn) and ``color``; ``edges`` as the page's
    edge rows ``[from, to, label, kind, source]``.
    """

    def __init__(self, nodes: list[tuple[str, dict[str, Any]]], edges: list[list[str]], memo: Path | None):
        from ..network import overview

        degree: dict[str, set[str]] = {iri: set() for iri, _ in nodes}
        for a, b, *_ in edges:
            if a != b:
                degree[a].add(b)
                degree[b].add(a)
        kinds = {iri: d["kind"] for iri, d in nodes}
        self.sizes = {iri: size(d["kind"], len(degree[iri])) for iri, d in nodes}
        self.colours = {iri: str(d["color"]) for iri, d in nodes}
        boxes = {iri: box(d["kind"], d["label"], self.sizes[iri]) for iri, d in nodes}
        self.positions = layout([iri for iri, _ in nodes], [(r[0], r[1]) for r in edges], memo, boxes, "layout.json")
        actors = [iri for iri, _ in nodes if kinds[iri] == "actor"]
        share = overview.contributions(
            nodes, [(a, b, None, {"kind": k, "label": lab}) for a, b, lab, k, _ in edges], actors
        )
        self.overview = overview.combine([share])
        self.overview_sizes = {a: size("actor", self.overview.degree(a)) for a in self.overview}
        # The overview opens on the actors named by most facts; ties by IRI, so the choice is stable.
        ranked = sorted(self.overview, key=lambda a: (-self.overview.nodes[a]["facts"], a))
        self.overview_rank = {a: i for i, a in enumerate(ranked)}
        labels = dict(nodes)
        obox = {a: box("actor", labels[a]["label"], self.overview_sizes[a]) for a in self.overview}
        # As many as their labels can be drawn for at first: their boxes (with a margin) cover at most
        # SCREEN_SHARE of a 1100x690 network area, what a 1440x900 window shows beside the controls.
        room, shown = SCREEN_SHARE * 1100 * 690, 0
        for a in ranked[:OVERVIEW_CAP]:
            half, up, down = obox[a]
            room -= (2 * half + 8) * (up + down + 8)
            if room < 0 and shown >= OVERVIEW_MIN:
                break
            shown += 1
        self.overview_shown = set(ranked[:shown])
        self.overview_positions = layout(
            sorted(self.overview),
            sorted(self.overview.edges),
            memo,
            obox,
            "overview-layout.json",
            readable=True,
            first=self.overview_shown,
        )


class Drawing:
    """The page's nodes and edges, and the :class:`Picture` drawn from them: made once, for the page and for Gephi."""

    def __init__(
        self,
        key: str,
        graphs: Sequence[Graph],
        shares: list[str],
        drawn: Drawn,
        embedded: list[str],
        shown: set[str],
        meta: dict[str, Any],
        ctx: Context,
        dump: Callable[[Any], str],
    ):
        self.key, self.graphs, self.shares, self.drawn = key, graphs, shares, drawn
        self.embedded, self.shown, self.meta, self.ctx, self.dump = embedded, shown, meta, ctx, dump

    @functools.cached_property
    def parts(self) -> tuple[list[tuple[str, str]], list[list[str]], Picture]:
        keep = set(self.embedded)
        node_json: list[tuple[str, str]] = []  # (iri, its JSON without id, position and visibility)
        edge_rows: list[list[str]] = []
        for g, share in zip(self.graphs, self.shares, strict=True):
            drawn_nodes, drawn_edges = self.drawn.get(g, share)
            node_json += [(iri, data) for iri, data in drawn_nodes]
            edge_rows += [row for row in drawn_edges if row[0] in keep and row[1] in keep]
        self.drawn.save(self.shares)
        node_json = merged(node_json, self.dump)
        attributes = []
        for iri, data in node_json:
            d = json.loads(data)
            info = d["info"]
            attributes.append(
                (iri, {"kind": info["kind"], "class": info["class"], "label": d["label"], "color": d["color"]})
            )
        return node_json, edge_rows, Picture(attributes, edge_rows, self.ctx.memo)

    @functools.cached_property
    def viz(self) -> dict[str, tuple[float, float, float, str]]:
        """Each node on the page: its position, size and colour in the full view (what Gephi gets)."""
        picture = self.parts[2]
        return {
            str(iri): (x, y, picture.sizes[str(iri)], picture.colours[str(iri)])
            for iri, (x, y) in picture.positions.items()
        }


def merged(node_json: list[tuple[str, str]], dump: Callable[[Any], str]) -> list[tuple[str, str]]:
    """One entry per node: a node several graphs describe (an event reported by two documents) is drawn once,
    with every graph's documents and evidence."""
    seen: dict[str, int] = {}
    out: list[tuple[str, str]] = []
    for iri, data in node_json:
        if iri not in seen:
            seen[iri] = len(out)
            out.append((iri, data))
            continue
        first, other = json.loads(out[seen[iri]][1]), json.loads(data)
        info, more = first["info"], other["info"]
        info["documents"] = sorted({*info.get("documents", []), *more.get("documents", [])})
        evidence = info.get("evidence", []) + [q for q in more.get("evidence", []) if q not in info.get("evidence", [])]
        info["evidence"] = sorted(evidence, key=lambda q: (q.get("document", ""), q.get("start", 0)))
        out[seen[iri]] = (iri, dump(first))
    return out
