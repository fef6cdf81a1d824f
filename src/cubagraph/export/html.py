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
import hashlib
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from .. import layout, network
from ..analysis import undirected
from ..build import Dataset

NAME = "graph.html"
NAMES = (NAME,)
# Nodes drawn at first; beyond this the view opens on the best-connected part.
# Set it with [tool.cubagraph] viewer_cap in pyproject.toml.
CAP = 2500
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


def render(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    return {NAME: page(network.of(dataset), dataset.texts, dataset.settings.get("viewer_cap", CAP))}


def page(g: nx.MultiDiGraph, texts: dict[str, str], cap: int = CAP) -> bytes:
    from pyvis.network import Network  # imported here: pyvis pulls in IPython and jinja2

    ids = {node: i for i, node in enumerate(g.nodes)}
    u = undirected(g)
    positions = layout.layout(u.nodes, u.edges)
    shown = _first_view(u, cap)
    nodes = [_node(g, node, ids, positions, texts, node in shown) for node in g.nodes]
    edges = [
        {
            "id": i,
            "from": ids[a],
            "to": ids[b],
            "label": d["label"],
            "kind": d["kind"],
            "source": ids.get(d["source"], -1),
            "color": {"color": EDGE_COLOURS[d["kind"]], "highlight": "#1a73e8"},
            "dashes": d["kind"] != "link",
            "arrows": "to",
        }
        for i, (a, b, d) in enumerate(g.edges(data=True))
    ]
    net = Network(height="100%", width="100%", directed=True)
    # Bulk assignment: pyvis's add_node is quadratic (47 s for 20,000 nodes, measured).
    net.nodes, net.edges = nodes, edges
    net.options = _options()
    net.set_template_dir(str(resources.files("cubagraph").joinpath("viewer")), "viewer.html")
    html = net.generate_html(name=NAME)
    meta = {
        "documents": _documents(g, texts),
        "legend": _legend(g),
        "total": {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()},
        "cap": cap,
    }
    html = html.replace("/*CUBAGRAPH_META*/", _script_json(meta))
    html = html.replace("/*VIS_NETWORK_JS*/", _vis_network())
    html = html.replace(
        "/*VIEWER_JS*/", resources.files("cubagraph").joinpath("viewer", "viewer.js").read_text("utf-8")
    )
    html = html.replace(
        "/*VIEWER_CSS*/", resources.files("cubagraph").joinpath("viewer", "viewer.css").read_text("utf-8")
    )
    return _with_csp(html).encode("utf-8")


def _first_view(u: nx.Graph, cap: int) -> set[Any]:
    """Everything, or the best-connected part: the largest components, then the highest degrees."""
    if u.number_of_nodes() <= cap:
        return set(u.nodes)
    ranked = sorted(u.nodes, key=lambda v: (-u.degree(v), str(v)))
    return set(ranked[:cap])


def _node(
    g: nx.MultiDiGraph,
    node: str,
    ids: dict[str, int],
    positions: dict[Any, tuple[float, float]],
    texts: dict[str, str],
    shown: bool,
) -> dict[str, Any]:
    d = g.nodes[node]
    if d["kind"] == "actor":
        shape, colour = "dot", ACTOR_COLOURS.get(d["class"], "#1a73e8")
    else:
        shape, colour = STYLE[d["kind"]]
    label = d["label"] if len(d["label"]) <= LABEL else d["label"][: LABEL - 1] + "…"
    x, y = positions[node]
    info = {k: v for k, v in d.items() if k not in ("evidence", "label")}
    info["iri"] = node
    info["label"] = d["label"]
    info["evidence"] = [_in_context(q, texts) for q in d.get("evidence", [])]
    return {
        "id": ids[node],
        "label": label,
        "x": x,
        "y": y,
        "shape": shape,
        "color": colour,
        "size": 16 if d["kind"] == "actor" else 11,
        # A label drawn inside a dark box needs light text.
        "font": {"size": 14 if d["kind"] == "actor" else 11, **({"color": "#ffffff"} if shape == "box" else {})},
        "hidden": not shown,
        "info": info,
    }


_BOUNDARY = re.compile(r"[.!?][\"'’”)]*\s+(?=[\"'‘“(]?[A-Z0-9])|\n")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.)+$|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Sen|Rep|Gov|Lt|Col|No|vs|Inc|Co)\.$")


def _in_context(quote: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """The quote inside its sentence: text before it, the quote, text after it."""
    text = texts.get(quote["document"])
    start, end = quote.get("start"), quote.get("end")
    out = {k: v for k, v in quote.items() if k not in ("prefix", "suffix")}
    if text is None or start is None or end is None:
        out["before"], out["after"] = quote.get("prefix", ""), quote.get("suffix", "")
        return out
    first = 0
    for m in _BOUNDARY.finditer(text, 0, start):
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


def _documents(g: nx.MultiDiGraph, texts: dict[str, str]) -> list[str]:
    docs = {doc for _, d in g.nodes(data=True) for doc in d.get("documents", [])}
    return sorted(docs | set(texts))


def _legend(g: nx.MultiDiGraph) -> list[dict[str, str]]:
    entries = {}
    for _, d in g.nodes(data=True):
        if d["kind"] == "actor":
            entries[("actor", d["class"])] = ("dot", ACTOR_COLOURS.get(d["class"], "#1a73e8"))
        else:
            entries[(d["kind"], d["kind"])] = STYLE[d["kind"]]
    return [{"kind": k, "name": c, "shape": s, "color": col} for (k, c), (s, col) in sorted(entries.items())]


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


def _script_json(value: Any) -> str:
    # Inside <script>, "</" would end the element: escape <, > and & as JSON does allow.
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
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
