"""Questions SPARQL answers poorly: paths, neighbourhoods, centrality and timelines.

All of them run on the projection in :mod:`cubagraph.network`, and every
answer keeps its sources: a path shows the evidence behind each hop, a
timeline the document behind each item.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ..mapping import dates

TIMELINE_KINDS = ("event", "statement")


@dataclass
class Hop:
    source: str
    target: str
    label: str  # read from source to target, e.g. "speaker", "←affected"
    kind: str  # link, attribution or registry
    assertion: str  # the node whose evidence backs this hop ("" for the registry)


@dataclass
class Path:
    nodes: list[str]
    hops: list[Hop] = field(default_factory=list)


def undirected(g: nx.MultiDiGraph) -> nx.Graph:
    """A simple undirected view for connectivity: one edge per pair of nodes."""
    u = nx.Graph()
    u.add_nodes_from(g.nodes)
    for a, b in g.edges():
        if a != b:
            u.add_edge(a, b)
    return u


def paths(g: nx.MultiDiGraph, a: str, b: str, limit: int = 3) -> list[Path]:
    """Up to ``limit`` shortest chains from ``a`` to ``b``, shortest first, each hop with its edge."""
    u = undirected(g)
    try:
        found = list(itertools.islice(nx.shortest_simple_paths(u, a, b), limit))
    except nx.NetworkXNoPath:
        return []
    return [Path(nodes, [_hop(g, x, y) for x, y in itertools.pairwise(nodes)]) for nodes in found]


def _hop(g: nx.MultiDiGraph, x: str, y: str) -> Hop:
    # Prefer an edge that says something (a link) over attribution and registry edges.
    rank = {"link": 0, "attribution": 1, "registry": 2}
    options = [(rank[d["kind"]], d["label"], x, y, d) for d in g.get_edge_data(x, y, default={}).values()]
    options += [(rank[d["kind"]], d["label"], y, x, d) for d in g.get_edge_data(y, x, default={}).values()]
    _, label, s, t, data = min(options, key=lambda o: (o[0], o[1]))
    forward = s == x
    return Hop(x, y, label if forward else f"←{label}", data["kind"], data["source"] or _assertion(g, s, t))


def _assertion(g: nx.MultiDiGraph, s: str, t: str) -> str:
    for node in (s, t):
        if g.nodes[node]["kind"] != "actor":
            return node
    return ""


def neighbours(g: nx.MultiDiGraph, centre: str, depth: int = 1) -> list[tuple[str, int, Hop | None]]:
    """Every node within ``depth`` hops of ``centre``: its distance, and the hop that reaches it."""
    found = nx.single_source_shortest_path(undirected(g), centre, cutoff=depth)
    out = [(node, len(path) - 1, _hop(g, path[-2], node) if len(path) > 1 else None) for node, path in found.items()]
    return sorted(out, key=lambda t: (t[1], g.nodes[t[0]]["kind"], g.nodes[t[0]]["label"]))


def stats(g: nx.MultiDiGraph, top: int = 10) -> dict[str, Any]:
    """Counts by class, document and modality, and the most central actors."""
    by_kind = Counter(d["kind"] for _, d in g.nodes(data=True))
    by_class = Counter(f"{d['kind']}: {d['class']}" for _, d in g.nodes(data=True))
    by_document: Counter[str] = Counter()
    by_modality: Counter[str] = Counter()
    for _, d in g.nodes(data=True):
        if d["kind"] in ("event", "statement", "figure", "claim", "relation", "role"):
            for doc in d.get("documents", []):
                by_document[doc] += 1
            by_modality[d.get("modality", "")] += 1
    u = undirected(g)
    betweenness = nx.betweenness_centrality(u, normalized=True)
    actors = [n for n, d in g.nodes(data=True) if d["kind"] == "actor"]
    degree = sorted(actors, key=lambda n: (-u.degree(n), g.nodes[n]["label"]))[:top]
    broker = sorted(actors, key=lambda n: (-betweenness[n], g.nodes[n]["label"]))[:top]
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "by_kind": dict(sorted(by_kind.items())),
        "by_class": dict(sorted(by_class.items())),
        "by_document": dict(sorted(by_document.items())),
        "by_modality": dict(sorted(by_modality.items())),
        "degree": {
            "explanation": "how many distinct things an actor is directly linked to: the events it takes part in, what it says, what is said about it, the actors it is tied to",
            "top": [
                {"actor": n.rsplit("/", 1)[-1], "label": g.nodes[n]["label"], "degree": u.degree(n)} for n in degree
            ],
        },
        "betweenness": {
            "explanation": "how often an actor lies on the shortest chains between other nodes: a broker between parts of the story that would otherwise be far apart (0 to 1)",
            "top": [
                {"actor": n.rsplit("/", 1)[-1], "label": g.nodes[n]["label"], "betweenness": round(betweenness[n], 4)}
                for n in broker
            ],
        },
    }


@dataclass
class Entry:
    node: str
    label: str
    kind: str
    date: dict[str, Any]
    reported: str
    documents: list[str]

    @property
    def dated(self) -> bool:
        return "earliest" in self.date


def timeline(
    g: nx.MultiDiGraph, actor: str | None = None, start: str | None = None, end: str | None = None
) -> tuple[list[Entry], int]:
    """Events and statements in date order, undated ones last; and how many undated ones a range hid."""
    involved = set(nx.all_neighbors(g, actor)) if actor else None
    lo = dates.parse(start).earliest.isoformat() if start else None
    hi = dates.parse(end).latest.isoformat() if end else None
    entries, hidden = [], 0
    for node, d in g.nodes(data=True):
        if d["kind"] not in TIMELINE_KINDS or (involved is not None and node not in involved):
            continue
        entry = Entry(
            node, d["label"], d["class"], d.get("date", {}), d.get("reported", "unknown"), d.get("documents", [])
        )
        if (lo or hi) and not entry.dated:
            hidden += 1
            continue
        # An interval overlaps the range: the source's date could fall inside it.
        if (lo and entry.date["latest"] < lo) or (hi and entry.date["earliest"] > hi):
            continue
        entries.append(entry)
    entries.sort(key=lambda e: (not e.dated, e.date.get("earliest", ""), e.date.get("latest", ""), e.label))
    return entries, hidden
