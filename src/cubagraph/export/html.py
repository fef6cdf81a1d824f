"""exports/graph.html: the interactive network view, one self-contained file.

The nodes, edges and options go into our own template
(``cubagraph/export/viewer/viewer.html``); pyvis ships the vis-network library we inline, and is
never imported (its ``__init__`` imports IPython). We do not use pyvis's template:
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
import hashlib
import heapq
import importlib.util
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..network.projection import Context as NetworkContext
from ..network.projection import Projection
from . import documents as reading
from . import page as chunked
from .drawn import EDGES, NODES, Drawing, Drawn, Ranking
from .plan import INDEX, Graph, Plan, materialise
from .sentences import in_context

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


def piece(view: GraphView) -> Piece:
    """A graph's nodes as the page draws them, its edges, and an index of who is best connected.

    The page holds at most ``viewer_limit`` nodes, the best-connected, so the
    assembly must rank every node by degree (distinct neighbours) without
    reading every node. A document's nodes link only within the document and
    to actors, so a node of the document has its whole degree here, and an
    actor has a share of its degree in each graph that mentions it.
    """
    reader = reading.part(view.rows, view.texts, _script_json)
    limit = view.ctx.settings.get("viewer_limit", LIMIT)
    return _piece(view.projection, view.ctx.network.actors, view.texts, limit, reader)


def _piece(
    p: Projection, actors: AbstractSet[str], texts: Mapping[str, str], limit: int, reader: tuple[bytes, dict[str, Any]]
) -> Piece:
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
    if reader[1]:  # a document's graph: its title, and a digest of its text and spans for the reader
        index["reader"] = reader[1]
    nodes = "".join(f"{node}\t{_script_json(_node(node, d, texts))}\n" for node, d in p.nodes)
    # Each edge's ends first, so that the assembly reads the JSON of only the edges it keeps.
    edges = "".join(f"{a}\t{b}\t{_script_json([a, b, d['label'], d['kind'], d['source']])}\n" for a, b, _, d in p.edges)
    return {
        INDEX: json.dumps(index, sort_keys=True, separators=(",", ":")).encode("utf-8"),
        NODES: nodes.encode("utf-8"),
        EDGES: edges.encode("utf-8"),
        reading.DOCUMENT: reader[0],
    }


def assemble(graphs: Sequence[Graph], ctx: Context) -> dict[str, Plan]:
    made = drawing(graphs, ctx)

    def fill(marks: Mapping[str, str]) -> str:
        values = {
            **marks,
            "/*VIS_NETWORK_JS*/": _vis_network(),
            "/*VIEWER_JS*/": "\n".join(_asset(name) for name in SCRIPTS),
            "/*VIEWER_CSS*/": _asset("viewer.css") + _asset("reading.css"),
        }
        return _fill(_shell(), values)

    return {NAME: Plan(chunked.items(made, fill, _documents, _script_json))}


def _drawing(graphs: Sequence[Graph], ctx: Context) -> Drawing:
    ids = [g.id for g in graphs]
    cap = ctx.settings.get("viewer_cap", CAP)
    limit = max(cap, ctx.settings.get("viewer_limit", LIMIT))
    ranking = Ranking(ctx, cap, limit, graphs)
    if ranking.kept is not None:  # no graph's index changed: the page draws on what it drew on
        embedded, needed, meta, last = ranking.kept
        keep = set(embedded)
        drawn = Drawn(ctx, keep)
        drawn.structures.update((s, structure) for _, s, structure in last)
        # A graph whose piece is as it was has the share it had; only changed graphs are looked at.
        shares = [s if g.id == i else drawn.share(g) for g, (i, s, _) in zip(needed, last, strict=True)]
    else:
        embedded, needed, meta, keep, drawn, shares = _rank(ctx, cap, limit, graphs)
    ranking.save(embedded, needed, meta, shares, drawn)
    drawn.save_index(needed)
    drawn.save(shares)
    # The page depends on nothing else; its items are named by these (export/page.py).
    made = Drawing(needed, shares, drawn, embedded, set(embedded[:cap]), meta, ctx, _script_json)
    ctx.shared[_SHARED] = (ids, made)
    return made


_SHARED = "html:drawing"


def drawing(graphs: Sequence[Graph], ctx: Context) -> Drawing:
    """The drawing of ``graphs``, made by :func:`assemble` once per build: the Gephi exports take positions from it."""
    found = ctx.shared.get(_SHARED)
    if found is None or found[0] != [g.id for g in graphs]:
        return _drawing(graphs, ctx)
    made: Drawing = found[1]
    return made


def _rank(
    ctx: Context, cap: int, limit: int, graphs: Sequence[Graph]
) -> tuple[list[str], list[Graph], dict[str, Any], set[str], Drawn, list[str]]:
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
        # Every document's title and publication, for the panel and the reader; and a name for their texts.
        "titles": {d: t for ix in indexes for d, t in sorted(ix.get("reader", {}).get("titles", {}).items())},
        "texts": reading.digest(indexes),
    }
    drawn = Drawn(ctx, keep)
    return embedded, needed, meta, keep, drawn, drawn.shares(needed)


def _shell() -> str:
    """The page template with the options in it: what pyvis's ``Network.generate_html`` gave us, byte for byte
    (its Jinja put the options' JSON in the one placeholder, and dropped the template's last newline). Done
    here, ``pyvis.network`` is never imported, and with it IPython and jinja2 (0.3 s of every build)."""
    template = resources.files("cubagraph.export").joinpath("viewer", "viewer.html").read_text("utf-8")
    return template.replace("{{ options }}", json.dumps(_options())).removesuffix("\n")


def page(g: nx.MultiDiGraph, texts: Mapping[str, str], cap: int = CAP, limit: int = LIMIT) -> bytes:
    """The page for a projection already in memory: benchmarks and tests draw synthetic graphs with it."""
    from .view import Context

    projection = Projection(
        list(g.nodes(data=True)), [(a, b, k, d) for a, b, k, d in g.edges(keys=True, data=True)], "", None
    )
    actors = frozenset(n for n, d in g.nodes(data=True) if d["kind"] == "actor")
    ctx = Context({}, {"viewer_cap": cap, "viewer_limit": limit}, NetworkContext({}, actors))
    quotes = [q for _, d in g.nodes(data=True) for q in d.get("evidence", [])]
    reader = reading.of_texts(texts, quotes, _script_json), {"titles": {d: [d, ""] for d in sorted(texts)}}
    return materialise(assemble([Graph.of(_piece(projection, actors, texts, limit, reader))], ctx)[NAME], [])


# The page's script, in this order: the network view, then the reading side, which uses what the view exposes.
SCRIPTS = ("drawing.js", "viewer.js", "panel.js", "reader.js", "timeline.js", "share.js")


def _asset(name: str) -> str:
    return resources.files("cubagraph.export").joinpath("viewer", name).read_text("utf-8")


def _documents(made: Drawing) -> str:
    """The texts the reader shows: of the documents with most nodes on the page, within viewer_texts."""
    held = []  # (its nodes on the page, document, size of its part)
    for g, share in zip(made.graphs, made.shares, strict=True):
        count = len(made.drawn.get(g, share)[0])
        held += [(count, doc, g.sizes.get(reading.DOCUMENT, 0)) for doc in g.index.get("reader", {}).get("titles", {})]
    chosen = reading.choose(held, made.ctx.settings.get("viewer_texts", reading.TEXTS))
    graphs = made.graphs
    parts = [g.part(reading.DOCUMENT) for g in graphs if set(g.index.get("reader", {}).get("titles", {})) & chosen]
    return reading.block(parts, chosen, _script_json)


def _node(node: str, d: dict[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
    if d["kind"] == "actor":
        shape, colour = "dot", ACTOR_COLOURS.get(d["class"], "#1a73e8")
    else:
        shape, colour = STYLE[d["kind"]]
    label = d["label"] if len(d["label"]) <= LABEL else d["label"][: LABEL - 1] + "…"
    info = {k: v for k, v in d.items() if k not in ("evidence", "label")}
    info["iri"] = node
    info["label"] = d["label"]
    info["evidence"] = [in_context(q, texts) for q in d.get("evidence", [])]
    return {
        "label": label,
        "shape": shape,
        "color": colour,
        # A label drawn inside a dark box needs light text.
        "font": {"size": 14 if d["kind"] == "actor" else 11, **({"color": "#ffffff"} if shape == "box" else {})},
        "info": info,
    }


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
    # pyvis ships the vis-network we inline. Found without importing pyvis, whose __init__ imports IPython.
    spec = importlib.util.find_spec("pyvis")
    assert spec is not None and spec.submodule_search_locations, "pyvis is a dependency: pip install pyvis==0.3.2"
    path = Path(spec.submodule_search_locations[0]) / "lib" / "vis-9.1.2" / "vis-network.min.js"
    code = path.read_text(encoding="utf-8")
    # A source map comment would make devtools fetch a file that is not there.
    return re.sub(r"//# sourceMappingURL=\S+", "", code).replace("</script", "<\\/script")


_MARKERS = re.compile(
    r"(/\*(?:CUBAGRAPH_NODES|CUBAGRAPH_EDGES|CUBAGRAPH_META|CUBAGRAPH_DOCUMENTS|VIS_NETWORK_JS|VIEWER_JS|VIEWER_CSS)\*/|<!--CSP-->)"
)


def _fill(template: str, values: Mapping[str, str]) -> str:
    """The template with each marker replaced by its value, structurally: the template is cut at its own
    markers once, before any data goes in, so a label that says ``/*VIEWER_JS*/`` is only text."""
    parts = _MARKERS.split(template)
    found = parts[1::2]
    if sorted(found) != sorted([*values, "<!--CSP-->"]):
        raise ValueError(f"the viewer template's markers are {found}, not one of each of {[*values]}")
    for i in range(1, len(parts), 2):
        parts[i] = values.get(parts[i], "")
    at = found.index("<!--CSP-->") * 2 + 1
    parts[at] = _csp("".join(parts))  # the scripts are all in place: hash them
    return "".join(parts)


def _csp(html: str) -> str:
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
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
