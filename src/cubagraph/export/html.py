"""exports/graph.html: the interactive network view, one self-contained file.

pyvis holds the nodes, edges and options and renders them into our own
template (``cubagraph/viewer/viewer.html``). We do not use pyvis's template:
it loads Bootstrap from a CDN even with ``cdn_resources="in_line"``, and it
puts node ids and "href" tooltips into the page as HTML. The vis-network
library that pyvis ships is inlined, and so is our viewer script. Nothing is
fetched. The page carries a Content-Security-Policy that allows only its own
two scripts, by hash.

Data reaches the page as JSON inside ``<script type="application/json">``,
escaped so that no text can close the script element. The viewer script
shows all text with ``textContent``, never as HTML.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import heapq
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..digests import code_digest
from ..files import write_atomic
from ..network import layout
from ..network.projection import Context as NetworkContext
from ..network.projection import Projection
from .plan import INDEX, Graph, Lazy, Plan, materialise

if TYPE_CHECKING:
    import networkx as nx

    from .plan import Piece
    from .view import Context, GraphView

NAME = "graph.html"
NAMES = (NAME,)
# Nodes drawn at first; beyond this the view opens on the best-connected part.
# Set it with [tool.cubagraph] viewer_cap in pyproject.toml.
CAP = 2500
# Nodes the page holds at most, the best-connected; search and focus reach
# these. A page with every node of a large corpus would not open (120 MB at
# 10,000 documents). Set it with [tool.cubagraph] viewer_limit.
LIMIT = 20_000
LABEL = 42  # characters of a label drawn on the canvas; the panel shows it whole

STYLE = {
    # kind -> (shape, colour); actors are coloured by class below.
    "event": ("diamond", "#e8710a"),
    "statement": ("box", "#c5221f"),
    "figure": ("triangle", "#b08800"),
    "claim": ("dot", "#8d8d8d"),
    "relation": ("triangleDown", "#b5177d"),
    "role": ("star", "#7baaf7"),
    "demand": ("square", "#f28b82"),
}
ACTOR_COLOURS = {
    "Person": "#1a73e8",
    "Organization": "#7b1fa2",
    "Government body": "#188038",
    "Country": "#795548",
    "Group": "#00838f",
}
EDGE_COLOURS = {"link": "#5f6368", "attribution": "#a0a4a8", "registry": "#188038"}


NODES, EDGES = "html:nodes", "html:edges"  # the parts of a graph's piece, besides plan.INDEX


def piece(view: GraphView) -> Piece:
    """A graph's nodes as the page draws them, its edges, and an index of who is best connected.

    The page holds at most ``viewer_limit`` nodes, the best-connected, so the
    assembly must rank every node by degree (distinct neighbours) without
    reading every node. A document's nodes link only within the document and
    to actors, so a node of the document has its whole degree here, and an
    actor has a share of its degree in each graph that mentions it.
    """
    return _piece(view.projection, view.ctx.network.actors, view.texts, view.ctx.settings.get("viewer_limit", LIMIT))


def _piece(p: Projection, actors: AbstractSet[str], texts: Mapping[str, str], limit: int) -> Piece:
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b, _, _ in p.edges:
        if a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    own = sorted((-len(neighbours[n]), n) for n, _ in p.nodes if n not in actors)
    shared = {n: len(v) for n, v in neighbours.items() if n in actors}
    defined = [n for n, _ in p.nodes if n in actors]
    for n in defined:
        shared.setdefault(n, 0)
    documents = {doc for _, d in p.nodes for doc in d.get("documents", [])}
    if p.document:
        documents.add(p.document)
    legend = sorted({(d["kind"], d["class"] if d["kind"] == "actor" else d["kind"]) for _, d in p.nodes})
    index = {
        "nodes": len(p.nodes),
        "edges": len(p.edges),
        "own": own[:limit],
        "shared": shared,
        "defines_shared": bool(defined),
        "documents": sorted(documents),
        "legend": legend,
    }
    nodes = "".join(f"{node}\t{_script_json(_node(node, d, texts))}\n" for node, d in p.nodes)
    # Each edge's ends first, so that the assembly reads the JSON of only the edges it keeps.
    edges = "".join(f"{a}\t{b}\t{_script_json([a, b, d['label'], d['kind'], d['source']])}\n" for a, b, _, d in p.edges)
    return {
        INDEX: json.dumps(index, sort_keys=True, separators=(",", ":")).encode("utf-8"),
        NODES: nodes.encode("utf-8"),
        EDGES: edges.encode("utf-8"),
    }


def assemble(graphs: Sequence[Graph], ctx: Context) -> dict[str, Plan]:
    cap = ctx.settings.get("viewer_cap", CAP)
    limit = max(cap, ctx.settings.get("viewer_limit", LIMIT))
    ranking = _Ranking(ctx, cap, limit, graphs)
    if ranking.kept is not None:  # no graph's index changed: the page draws on what it drew on
        embedded, needed, meta, last = ranking.kept
        keep = set(embedded)
        drawn = _Drawn(ctx, keep)
        # A graph whose piece is as it was has the share it had; only changed graphs are looked at.
        shares = [s if g.id == i else drawn.share(g) for g, (i, s) in zip(needed, last, strict=True)]
    else:
        embedded, needed, meta, keep, drawn, shares = _rank(ctx, cap, limit, graphs)
    ranking.save(embedded, needed, meta, shares)
    drawn.save_index(needed)
    # The page depends on nothing else: if these are as they were, so is the page, and it is not made again.
    key = hashlib.sha256(json.dumps([code_digest(), embedded, shares, meta], sort_keys=True).encode()).hexdigest()
    return {NAME: Plan([Lazy(key, lambda: _page(needed, shares, drawn, embedded, set(embedded[:cap]), meta, ctx))])}


class _Ranking:
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


def _rank(
    ctx: Context, cap: int, limit: int, graphs: Sequence[Graph]
) -> tuple[list[str], list[Graph], dict[str, Any], set[str], _Drawn, list[str]]:
    indexes = [g.index for g in graphs]
    degree: Counter[str] = Counter()
    for ix in indexes:
        degree.update(ix["shared"])
    # The best-connected first; ties by IRI, so that the choice is stable.
    ranked = heapq.merge(sorted((-d, n) for n, d in degree.items()), *(map(tuple, ix["own"]) for ix in indexes))
    embedded = [n for _, n in itertools.islice(ranked, limit)]
    keep = set(embedded)
    needed = [
        g for g, ix in zip(graphs, indexes, strict=True) if ix["defines_shared"] or any(n in keep for _, n in ix["own"])
    ]
    legend = sorted({tuple(entry) for ix in indexes for entry in ix["legend"]})
    meta = {
        "documents": sorted({doc for ix in indexes for doc in ix["documents"]}),
        "legend": [_legend(kind, name) for kind, name in legend],
        "total": {"nodes": sum(ix["nodes"] for ix in indexes), "edges": sum(ix["edges"] for ix in indexes)},
        "cap": cap,
        "limit": limit,
    }
    drawn = _Drawn(ctx, keep)
    return embedded, needed, meta, keep, drawn, [drawn.share(g) for g in needed]


def _page(
    graphs: Sequence[Graph],
    shares: list[str],
    drawn: _Drawn,
    embedded: list[str],
    shown: set[str],
    meta: dict[str, Any],
    ctx: Context,
) -> bytes:
    from pyvis.network import Network  # imported here: pyvis pulls in IPython and jinja2

    keep = set(embedded)
    node_json: list[tuple[str, str]] = []  # (iri, its JSON without id, position and visibility)
    edge_rows: list[list[str]] = []
    for g, share in zip(graphs, shares, strict=True):
        drawn_nodes, drawn_edges = drawn.get(g, share)
        node_json += [(iri, data) for iri, data in drawn_nodes]
        edge_rows += [row for row in drawn_edges if row[0] in keep and row[1] in keep]
    drawn.save(shares)

    ids = {iri: i for i, (iri, _) in enumerate(node_json)}
    positions = _layout(
        [iri for iri, _ in node_json], [(r[0], r[1]) for r in edge_rows], ctx.memo / "layout.json" if ctx.memo else None
    )
    nodes = []
    for iri, data in node_json:
        x, y = positions[iri]
        nodes.append(f'{{"hidden":{"false" if iri in shown else "true"},"id":{ids[iri]},"x":{x},"y":{y},{data[1:]}')
    edges = [
        {
            "id": i,
            "from": ids[a],
            "to": ids[b],
            "label": label,
            "kind": kind,
            "source": ids.get(source, -1),
            "color": {"color": EDGE_COLOURS[kind], "highlight": "#1a73e8"},
            "dashes": kind != "link",
            "arrows": "to",
        }
        for i, (a, b, label, kind, source) in enumerate(edge_rows)
    ]
    net = Network(height="100%", width="100%", directed=True)
    net.options = _options()
    net.set_template_dir(str(resources.files("cubagraph.export").joinpath("viewer")), "viewer.html")
    html = net.generate_html(name=NAME)
    for marker, value in (
        ("/*CUBAGRAPH_NODES*/", "[" + ",".join(nodes) + "]"),
        ("/*CUBAGRAPH_EDGES*/", _script_json(edges)),
        ("/*CUBAGRAPH_META*/", _script_json(meta)),
        ("/*VIS_NETWORK_JS*/", _vis_network()),
        ("/*VIEWER_JS*/", resources.files("cubagraph.export").joinpath("viewer", "viewer.js").read_text("utf-8")),
        ("/*VIEWER_CSS*/", resources.files("cubagraph.export").joinpath("viewer", "viewer.css").read_text("utf-8")),
    ):
        html = html.replace(marker, value, 1)
    return _with_csp(html).encode("utf-8")


def page(g: nx.MultiDiGraph, texts: Mapping[str, str], cap: int = CAP, limit: int = LIMIT) -> bytes:
    """The page for a projection already in memory: benchmarks and tests draw synthetic graphs with it."""
    from .view import Context

    projection = Projection(
        list(g.nodes(data=True)), [(a, b, k, d) for a, b, k, d in g.edges(keys=True, data=True)], "", None
    )
    actors = frozenset(n for n, d in g.nodes(data=True) if d["kind"] == "actor")
    ctx = Context({}, {"viewer_cap": cap, "viewer_limit": limit}, NetworkContext({}, actors))
    return materialise(assemble([Graph.of(_piece(projection, actors, texts, limit))], ctx)[NAME], [])


class _Drawn:
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


def _layout(nodes: list[str], edges: list[tuple[str, str]], memo: Path | None) -> dict[Hashable, tuple[float, float]]:
    """The layout of the page's nodes; the last one is kept in ``memo`` and reused while its input is unchanged.

    The layout is a pure function of the nodes and edges on the page, so a
    kept one is exactly what recomputing would give; an edit that leaves the
    page's part of the graph as it was skips the slowest step of the viewer.
    """
    h = hashlib.sha256(json.dumps([sorted(nodes), sorted(edges)]).encode("utf-8")).hexdigest()
    if memo is not None:
        with contextlib.suppress(OSError, ValueError, KeyError):
            kept = json.loads(memo.read_text(encoding="utf-8"))
            if kept["input"] == h:
                return {n: (x, y) for n, (x, y) in kept["positions"].items()}
    positions = layout.layout(nodes, edges)
    if memo is not None:
        memo.parent.mkdir(parents=True, exist_ok=True)
        data = {"input": h, "positions": {str(n): list(p) for n, p in positions.items()}}
        write_atomic(memo, json.dumps(data, sort_keys=True).encode("utf-8"))
    return positions


def _node(node: str, d: dict[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
    if d["kind"] == "actor":
        shape, colour = "dot", ACTOR_COLOURS.get(d["class"], "#1a73e8")
    else:
        shape, colour = STYLE[d["kind"]]
    label = d["label"] if len(d["label"]) <= LABEL else d["label"][: LABEL - 1] + "…"
    info = {k: v for k, v in d.items() if k not in ("evidence", "label")}
    info["iri"] = node
    info["label"] = d["label"]
    info["evidence"] = [_in_context(q, texts) for q in d.get("evidence", [])]
    return {
        "label": label,
        "shape": shape,
        "color": colour,
        "size": 16 if d["kind"] == "actor" else 11,
        # A label drawn inside a dark box needs light text.
        "font": {"size": 14 if d["kind"] == "actor" else 11, **({"color": "#ffffff"} if shape == "box" else {})},
        "info": info,
    }


_BOUNDARY = re.compile(r"[.!?][\"'’”)]*\s+(?=[\"'‘“(]?[A-Z0-9])|\n")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.)+$|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Sen|Rep|Gov|Lt|Col|No|vs|Inc|Co)\.$")


_SKIP = 1000  # characters before a quote's window that its sentence search may skip
_PLAIN = re.compile(r"[^.!?\"'’”)\s]")  # a character no sentence boundary can end at or run through


def _scan_from(text: str, start: int) -> int:
    """Where to look for the sentence before ``start`` so that the answer is what a scan from 0 gives.

    A boundary ending more than 400 characters before the quote is cut to 400 anyway, so
    a long text need not be scanned from its start. A boundary cannot run through a plain
    character, so matches found from just after one are the matches a scan from 0 finds.
    """
    at = start - _SKIP
    while at > 0 and not _PLAIN.match(text, at - 1):
        at -= 1
    return max(at, 0)


def _in_context(quote: dict[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
    """The quote inside its sentence: text before it, the quote, text after it."""
    text = texts.get(quote["document"])
    start, end = quote.get("start"), quote.get("end")
    out = {k: v for k, v in quote.items() if k not in ("prefix", "suffix")}
    if text is None or start is None or end is None:
        out["before"], out["after"] = quote.get("prefix", ""), quote.get("suffix", "")
        return out
    first = 0
    for m in _BOUNDARY.finditer(text, _scan_from(text, start), start):
        if not _ABBREVIATION.search(text[max(0, m.start() - 12) : m.start() + 1]):
            first = m.end()
    last = len(text)
    for m in _BOUNDARY.finditer(text, end):
        if not _ABBREVIATION.search(text[max(0, m.start() - 12) : m.start() + 1]):
            last = m.start() + 1
            break
    # A very long "sentence" (a list, a table) is cut to 400 characters each side.
    cut_before, cut_after = first < start - 400, last > end + 400
    first, last = max(first, start - 400), min(last, end + 400)
    out["before"] = ("…" if cut_before else "") + text[first:start]
    out["after"] = text[end:last] + ("…" if cut_after else "")
    return out


def _legend(kind: str, name: str) -> dict[str, str]:
    shape, colour = ("dot", ACTOR_COLOURS.get(name, "#1a73e8")) if kind == "actor" else STYLE[kind]
    return {"kind": kind, "name": name, "shape": shape, "color": colour}


def _options() -> dict[str, Any]:
    return {
        "physics": {
            "enabled": False,
            "stabilization": False,
            "barnesHut": {"gravitationalConstant": -6000, "springLength": 120},
        },
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {"hover": True, "multiselect": False, "tooltipDelay": 300, "hideEdgesOnDrag": True},
        "edges": {
            "smooth": False,
            "font": {"size": 10, "align": "middle", "background": "rgba(255,255,255,0.85)", "strokeWidth": 0},
            "arrows": {"to": {"scaleFactor": 0.5}},
        },
        "nodes": {
            "borderWidth": 1,
            "font": {"face": "system-ui, sans-serif"},
            "scaling": {"label": {"drawThreshold": 6}},
        },
    }


_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_UNSAFE = re.compile("[<>&\u2028\u2029]")


def _script_json(value: Any) -> str:
    # Inside <script>, "</" would end the element: escape <, > and & as JSON does allow.
    text = _ENCODE(value)
    if _UNSAFE.search(text) is None:  # most nodes: nothing to escape
        return text
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _vis_network() -> str:
    import pyvis

    path = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / "vis-network.min.js"
    code = path.read_text(encoding="utf-8")
    # A source map comment would make devtools fetch a file that is not there.
    return re.sub(r"//# sourceMappingURL=\S+", "", code).replace("</script", "<\\/script")


def _with_csp(html: str) -> str:
    """Allow exactly the page's own inline scripts, by hash; nothing may load from anywhere."""
    hashes = []
    for m in re.finditer(r"<script>(.*?)</script>", html, re.S):
        digest = base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    policy = (
        "default-src 'none'; "
        f"script-src {' '.join(hashes)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; "
        "connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    return html.replace("<!--CSP-->", f'<meta http-equiv="Content-Security-Policy" content="{policy}">', 1)
