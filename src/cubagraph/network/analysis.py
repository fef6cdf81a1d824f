"""Questions SPARQL answers poorly: paths, neighbourhoods, centrality and timelines.

Every answer keeps its sources: a path shows the evidence behind each hop, a
timeline the document behind each item. The questions are asked of a
:class:`Net`: the whole projection in memory (:class:`Whole`, made from the
TriG), or the projection the build keeps on disk
(:class:`cubagraph.network.kept.Kept`), which reads only the nodes and edges
a question needs. The algorithms below are the same for both and depend on
no insertion order, so both give the same answers (a test checks this).

Why this module is long: the :class:`Net` protocol and its in-memory
implementation belong beside the four questions that use them, and the path
search (balls from both ends, the shortest in id order, Yen's search when
needed) is one piece of reasoning that would not read better split.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..mapping import dates
from . import overview as actor_overview

if TYPE_CHECKING:  # imported where needed: a kept projection's answers need no networkx (0.3-0.7 s to import)
    import networkx as nx

TIMELINE_KINDS = ("event", "statement")
Cells = tuple[str, str, str, str, str, str]  # a timeline row as printed: see Entry.cells
ASSERTION_KINDS = ("event", "statement", "figure", "claim", "relation", "role")
# Betweenness on the actor overview (measured on benchmarks/corpus.py's overviews, on the 2-core machine,
# loaded by other work): exact with rustworkx up to EXACT_BETWEENNESS actors (400 actors: 0.16 s, against
# 2.4 s for networkx's exact figures, equal to 1e-15); above, networkx's estimate from SAMPLE sources with
# a fixed seed, computed by network/centrality.py (4,000 actors, 32 sources: 0.21 s, networkx 0.81 s, the
# same figures; exact would take 38 s with rustworkx).
EXACT_BETWEENNESS = 1000
SAMPLE = 32
SEED = 20  # the sample's fixed seed: the same overview gives the same figures
LONGER = 4  # alternative paths are looked for up to this many hops longer than the shortest
CANDIDATES = 10  # paths read per path asked for, so that equally short ones are ordered by meaning


@dataclass
class Census:
    """What ``stats`` counts, however the projection is held."""

    nodes: int
    edges: int
    by_kind: dict[str, int]
    by_class: dict[str, int]
    by_document: dict[str, int]
    by_modality: dict[str, int]
    degree: dict[str, int]  # actor -> distinct neighbours
    labels: dict[str, str]  # actor -> label


class Net(Protocol):
    """A projection that questions can be asked of, a few nodes at a time."""

    def adjacent(self, nodes: Collection[str]) -> dict[str, set[str]]:
        """Each node's distinct neighbours, either way along any edge, itself left out."""
        ...

    def subgraph(self, nodes: Collection[str], whole: bool = True) -> nx.MultiDiGraph:
        """The nodes with their attributes (only kind, label and class unless ``whole``), and every edge between two of them."""
        ...

    def of_kinds(self, kinds: Collection[str], around: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Every node of these kinds (only the neighbours of ``around``, if given), with its attributes."""
        ...

    def actors(self) -> list[tuple[str, dict[str, Any]]]: ...

    def census(self) -> Census: ...

    def overview(self) -> nx.Graph:
        """The actor overview (:mod:`cubagraph.network.overview`)."""
        ...

    def links(self) -> tuple[list[str], set[tuple[str, str]]]:
        """The overview's actors, sorted, and its linked pairs ``(a, b)`` with ``a < b``: what betweenness reads."""
        ...

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``, or what it gave for ``key`` the last time, if this projection keeps results."""
        ...

    def timeline(self, around: str | None, lo: str | None, hi: str | None) -> tuple[list[Cells], int]:
        """:func:`timeline_rows` for bounds already parsed (ISO dates): each entry's :meth:`Entry.cells`, in order."""
        ...


class Whole:
    """A :class:`Net` over a projection held whole in memory."""

    def __init__(self, g: nx.MultiDiGraph):
        self.g = g

    def adjacent(self, nodes: Collection[str]) -> dict[str, set[str]]:
        g = self.g
        return {n: (set(g.predecessors(n)) | set(g.successors(n))) - {n} for n in nodes if n in g}

    def subgraph(self, nodes: Collection[str], whole: bool = True) -> nx.MultiDiGraph:
        return self.g.subgraph(nodes)

    def of_kinds(self, kinds: Collection[str], around: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        near = set(self.g.predecessors(around)) | set(self.g.successors(around)) if around else None
        return [(n, d) for n, d in self.g.nodes(data=True) if d["kind"] in kinds and (near is None or n in near)]

    def actors(self) -> list[tuple[str, dict[str, Any]]]:
        return self.of_kinds(("actor",))

    def census(self) -> Census:
        g = self.g
        by_document: Counter[str] = Counter()
        by_modality: Counter[str] = Counter()
        for _, d in g.nodes(data=True):
            if d["kind"] in ASSERTION_KINDS:
                by_document.update(d.get("documents", []))
                by_modality[d.get("modality", "")] += 1
        actors = dict(self.actors())
        near = self.adjacent(actors)
        return Census(
            g.number_of_nodes(),
            g.number_of_edges(),
            dict(Counter(d["kind"] for _, d in g.nodes(data=True))),
            dict(Counter(f"{d['kind']}: {d['class']}" for _, d in g.nodes(data=True))),
            dict(by_document),
            dict(by_modality),
            {n: len(near[n]) for n in actors},
            {n: d["label"] for n, d in actors.items()},
        )

    def overview(self) -> nx.Graph:
        return actor_overview.overview(self.g)

    def links(self) -> tuple[list[str], set[tuple[str, str]]]:
        ov = self.overview()
        return sorted(ov.nodes), {(min(a, b), max(a, b)) for a, b in ov.edges() if a != b}

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        return make()

    def timeline(self, around: str | None, lo: str | None, hi: str | None) -> tuple[list[Cells], int]:
        entries, hidden = _entries(self, around, lo, hi)
        return [e.cells() for e in entries], hidden


def as_net(g: nx.MultiDiGraph | Net) -> Net:
    return g if hasattr(g, "census") else Whole(g)  # a Net, or a networkx graph


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
    """A simple undirected view for connectivity: one edge per pair of nodes, in sorted order."""
    import networkx as nx

    u = nx.Graph()
    u.add_nodes_from(sorted(g.nodes))
    u.add_edges_from(sorted({(min(a, b), max(a, b)) for a, b in g.edges() if a != b}))
    return u


def paths(g: nx.MultiDiGraph | Net, a: str, b: str, limit: int = 3) -> list[Path]:
    """Up to ``limit`` shortest chains from ``a`` to ``b``, shortest first, each hop with its edge."""
    return chains(as_net(g), a, b, limit)[1]


def chains(whole: Net, a: str, b: str, limit: int = 3) -> tuple[nx.MultiDiGraph, list[Path]]:
    """:func:`paths`, and the subgraph of their nodes (what presenting them needs).

    Only the nodes near ``a`` and ``b`` are read: every simple path of at most
    D hops lies within the union of the balls of radius ``ra`` around ``a`` and
    ``rb`` around ``b`` when ``ra + rb >= D - 1``. So the shortest distance is
    found from both ends, and then the union is widened one hop at a time, the
    smaller side first, until it holds ``limit`` paths of at most D hops (those
    are then the shortest of the whole graph), or D is :data:`LONGER` hops
    beyond the shortest (then the paths found in the union are given).
    """
    if a == b:
        return whole.subgraph([a]), [Path([a])]
    net = _Remembering(whole)
    sides = [_Ball(net, a), _Ball(net, b)]
    shortest = None
    while shortest is None:
        grow = min((s for s in sides if s.frontier), key=lambda s: (len(s.frontier), s.centre != a), default=None)
        if grow is None:
            return net.subgraph([a, b]), []
        grow.widen()
        other = sides[1] if grow is sides[0] else sides[0]
        met = [grow.seen[n] + other.seen[n] for n in grow.frontier if n in other.seen]
        shortest = min(met) if met else None
    found = _shortest(net, sides, shortest, CANDIDATES * limit)
    for most in range(shortest, shortest + LONGER + 1):
        if len(found) >= limit:  # enough of the shortest: no longer ones are needed (nor networkx)
            break
        import networkx as nx

        while sides[0].radius + sides[1].radius < most - 1 and (sides[0].frontier or sides[1].frontier):
            min((s for s in sides if s.frontier), key=lambda s: (len(s.frontier), s.centre != a)).widen()
        union = set(sides[0].seen) | set(sides[1].seen)
        near = net.adjacent(sorted(union))
        u = nx.Graph()
        u.add_nodes_from(sorted(union))
        u.add_edges_from(sorted({(min(x, y), max(x, y)) for x, ys in near.items() for y in ys if y in union}))
        read = list(itertools.islice(nx.shortest_simple_paths(u, a, b), CANDIDATES * limit))
        # Every path read that is as short as the limit-th: among equally short paths the search's order
        # is the order of node ids, which means nothing; _order decides instead.
        found = read if len(read) < limit else [p for p in read if len(p) <= len(read[limit - 1])]
        exhausted = not (sides[0].frontier or sides[1].frontier)
        if exhausted or (len(found) >= limit and len(found[limit - 1]) - 1 <= most):
            break
    sub = net.subgraph({n for p in found for n in p})
    made = [Path(nodes, [_hop(sub, x, y) for x, y in itertools.pairwise(nodes)]) for nodes in found]
    chosen = sorted(made, key=lambda p: _order(sub, p))[:limit]
    return sub, chosen


def _order(g: nx.MultiDiGraph, path: Path) -> tuple[int, int, list[str], list[str]]:
    """Shortest first; then the one with fewest edges read backwards (``←``); then by the labels along it."""
    backwards = sum(h.label.startswith("←") for h in path.hops)
    return len(path.hops), backwards, [g.nodes[n]["label"].casefold() for n in path.nodes], path.nodes


def _shortest(net: _Remembering, sides: list[_Ball], length: int, most: int) -> list[list[str]]:
    """Up to ``most`` of the shortest paths (``length`` hops) between the two balls' centres, in the order of their ids.

    Every node of such a path is within the two balls (their radii add up to
    ``length``); a path steps from each node to a neighbour one hop nearer the end.
    """
    a, b = sides[0].centre, sides[1].centre
    union = set(sides[0].seen) | set(sides[1].seen)
    near = net.adjacent(sorted(union))
    to_b = {b: 0}  # hops to b within the union
    frontier = [b]
    while frontier and a not in to_b:
        new = sorted({m for n in frontier for m in near[n] if m in union and m not in to_b})
        for m in new:
            to_b[m] = to_b[frontier[0]] + 1
        frontier = new
    if to_b.get(a) != length:
        return []
    out: list[list[str]] = []
    stack = [[a]]
    while stack and len(out) < most:
        path = stack.pop()
        last = path[-1]
        if last == b:
            out.append(path)
            continue
        steps = sorted(m for m in near[last] if to_b.get(m) == to_b[last] - 1)
        stack += [[*path, m] for m in reversed(steps)]
    return out


class _Remembering:
    """A net's adjacency, each node's read once: the search widens over the same nodes again."""

    def __init__(self, net: Net):
        self.net = net
        self.known: dict[str, set[str]] = {}

    def adjacent(self, nodes: Collection[str]) -> dict[str, set[str]]:
        todo = [n for n in nodes if n not in self.known]
        if todo:
            got = self.net.adjacent(todo)
            for n in todo:
                self.known[n] = got.get(n, set())
        return {n: self.known[n] for n in nodes}

    def subgraph(self, nodes: Collection[str], whole: bool = True) -> nx.MultiDiGraph:
        return self.net.subgraph(nodes, whole)


class _Ball:
    """The nodes within ``radius`` hops of ``centre``, by distance; ``frontier``: those at the edge, to widen from."""

    def __init__(self, net: _Remembering, centre: str):
        self.net, self.centre = net, centre
        self.seen = {centre: 0}
        self.frontier = [centre]
        self.radius = 0

    def widen(self) -> None:
        near = self.net.adjacent(self.frontier)
        self.radius += 1
        new = sorted({m for n in self.frontier for m in near.get(n, ()) if m not in self.seen})
        for m in new:
            self.seen[m] = self.radius
        self.frontier = new


def _hop(g: nx.MultiDiGraph, x: str, y: str) -> Hop:
    # Prefer an edge that says something (a link) over attribution and registry edges.
    rank = {"link": 0, "attribution": 1, "registry": 2}
    options = [
        (rank[d["kind"]], d["label"], 0, d["source"], x, y, d) for d in g.get_edge_data(x, y, default={}).values()
    ]
    options += [
        (rank[d["kind"]], d["label"], 1, d["source"], y, x, d) for d in g.get_edge_data(y, x, default={}).values()
    ]
    *_, s, t, data = min(options, key=lambda o: o[:4])
    forward = s == x
    label = data["label"] if forward else f"←{data['label']}"
    return Hop(x, y, label, data["kind"], data["source"] or _assertion(g, s, t))


def _assertion(g: nx.MultiDiGraph, s: str, t: str) -> str:
    for node in (s, t):
        if g.nodes[node]["kind"] != "actor":
            return node
    return ""


def neighbours(g: nx.MultiDiGraph | Net, centre: str, depth: int = 1) -> list[tuple[str, int, Hop | None]]:
    """Every node within ``depth`` hops of ``centre``: its distance, and the hop that reaches it."""
    return neighbourhood(as_net(g), centre, depth)[1]


def neighbourhood(net: Net, centre: str, depth: int = 1) -> tuple[nx.MultiDiGraph, list[tuple[str, int, Hop | None]]]:
    """:func:`neighbours`, and the subgraph of what they name. A node is reached from the first of its
    neighbours one hop nearer, in the order of their ids."""
    reached: dict[str, tuple[int, str | None]] = {centre: (0, None)}
    frontier = [centre]
    for distance in range(1, depth + 1):
        near = net.adjacent(frontier)
        new: list[str] = []
        for node in frontier:  # sorted: the first neighbour in id order reaches a node
            for m in sorted(near.get(node, ())):
                if m not in reached:
                    reached[m] = (distance, node)
                    new.append(m)
        frontier = sorted(new)
    sub = net.subgraph(reached, whole=False)
    out = [(n, d, _hop(sub, p, n) if p is not None else None) for n, (d, p) in reached.items()]
    nodes = sub.nodes
    return sub, sorted(out, key=lambda t: (t[1], nodes[t[0]]["kind"], nodes[t[0]]["label"], t[0]))


def betweenness(net: Net) -> tuple[dict[str, float], int, int]:
    """Betweenness on the actor overview: exact up to :data:`EXACT_BETWEENNESS` actors, else sampled.

    Returns the figures, the number of actors, and the sample size (0: exact).
    Sampling takes :data:`SAMPLE` source actors with the fixed seed
    :data:`SEED` (networkx's ``k`` and ``seed``), so the figures are the same
    for the same overview. Distances are hops: each link counts as one,
    however many facts it carries.
    """

    def compute() -> tuple[dict[str, float], int, int]:
        from . import centrality

        names, linked = net.links()
        at = {name: i for i, name in enumerate(names)}
        pairs = [(at[a], at[b]) for a, b in sorted(linked)]  # networkx's adjacency order, as before
        n = len(names)
        k = 0 if n <= EXACT_BETWEENNESS else SAMPLE
        figures = centrality.sampled(names, pairs, k, SEED) if k else centrality.exact(names, pairs)
        return {a: round(v, 4) for a, v in figures.items()}, n, k

    figures, n, k = net.memo(f"betweenness:{EXACT_BETWEENNESS}:{SAMPLE}:{SEED}", compute)
    return dict(figures), int(n), int(k)


def stats(g: nx.MultiDiGraph | Net, top: int = 10) -> dict[str, Any]:
    """Counts by class, document and modality, and the most central actors."""
    net = as_net(g)
    c = net.census()
    between, actors, sample = betweenness(net)
    degree = sorted(c.degree, key=lambda n: (-c.degree[n], c.labels[n], n))[:top]
    broker = sorted(c.labels, key=lambda n: (-between.get(n, 0.0), c.labels[n], n))[:top]
    how = (
        f"exact, over all {actors:,} actors"
        if not sample
        else f"estimated from {sample:,} of {actors:,} actors taken as sources (seed {SEED}; networkx's estimate with k={sample})"
    )
    return {
        "nodes": c.nodes,
        "edges": c.edges,
        "by_kind": dict(sorted(c.by_kind.items())),
        "by_class": dict(sorted(c.by_class.items())),
        "by_document": dict(sorted(c.by_document.items())),
        "by_modality": dict(sorted(c.by_modality.items())),
        "degree": {
            "explanation": "how many distinct things an actor is directly linked to: the events it takes part in, what it says, what is said about it, the actors it is tied to",
            "top": [{"actor": n.rsplit("/", 1)[-1], "label": c.labels[n], "degree": c.degree[n]} for n in degree],
        },
        "betweenness": {
            "explanation": "how often an actor lies on the shortest chains between other actors in the actor overview (two actors linked when a fact names both): a broker between parts of the story that would otherwise be far apart (0 to 1); "
            + how,
            "actors": actors,
            "sample": sample,
            "top": [
                {"actor": n.rsplit("/", 1)[-1], "label": c.labels[n], "betweenness": between.get(n, 0.0)}
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

    def cells(self) -> Cells:
        """What the timeline shows of it: when (``~`` if approximate), precision, what, kind, reported, documents.

        The kept projection makes the same cells in SQL (network/kept.py's ``_TIMED``).
        """
        when = self.date.get("value", "undated") if self.dated else "undated"
        if self.date.get("approximate"):
            when += " ~"
        return (
            when,
            self.date.get("precision", "unknown"),
            self.label,
            self.kind,
            self.reported,
            ", ".join(self.documents),
        )


def timeline(
    g: nx.MultiDiGraph | Net, actor: str | None = None, start: str | None = None, end: str | None = None
) -> tuple[list[Entry], int]:
    """Events and statements in date order, undated ones last; and how many undated ones a range hid."""
    return _entries(as_net(g), actor, *_bounds(start, end))


def timeline_rows(
    net: Net, actor: str | None = None, start: str | None = None, end: str | None = None
) -> tuple[list[Cells], int]:
    """:func:`timeline` as `cubagraph timeline` prints it: each entry's :meth:`Entry.cells`, in the same order.

    A kept projection reads these from a table made at build time, in this
    order (:meth:`cubagraph.network.kept.Kept.timeline`): 30,000 entries at
    10,000 documents, which :func:`timeline` would decode and sort.
    """
    return net.timeline(actor, *_bounds(start, end))


def _bounds(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    return (
        dates.parse(start).earliest.isoformat() if start else None,
        dates.parse(end).latest.isoformat() if end else None,
    )


def _entries(net: Net, actor: str | None, lo: str | None, hi: str | None) -> tuple[list[Entry], int]:
    entries, hidden = [], 0
    for node, d in net.of_kinds(TIMELINE_KINDS, actor):
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
    entries.sort(key=lambda e: (not e.dated, e.date.get("earliest", ""), e.date.get("latest", ""), e.label, e.node))
    return entries, hidden


def resolve(net: Net, name: str) -> str:
    """An actor's node by id, name or alias (see :func:`cubagraph.network.projection.resolve_among`)."""
    from .projection import resolve_among

    return resolve_among(net.actors(), name)


__all__ = ["Census", "Entry", "Hop", "Net", "Path", "Whole", "chains", "neighbourhood", "neighbours", "paths"]
__all__ += ["betweenness", "resolve", "stats", "timeline", "timeline_rows", "undirected"]
