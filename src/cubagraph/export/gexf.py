"""exports/cubagraph.gexf: the network projection for Gephi, with dates for its timeline.

Dated nodes get a GEXF ``start`` and ``end`` (the earliest and latest day
their date can denote), so that Gephi's timeline can play the story. Undated
nodes have none, and stay visible throughout. Written directly, like the
GraphML; networkx reads it back (tests). No date of its own is stamped in,
so the file is byte-stable. Nodes the viewer draws carry its position, size
and colour (``viz:position``, ``viz:size``, ``viz:color``), so Gephi opens on
the build's layout; y grows downwards, as on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .graphml import EDGE_KEYS, NODE_KEYS, data_attribute, drawn_nodes
from .plan import Graph, Plan
from .xmltext import attribute

if TYPE_CHECKING:
    from .plan import Piece
    from .view import Context, GraphView

NAME = "cubagraph.gexf"
NAMES = (NAME,)
NODES, EDGES = "gexf:nodes", "gexf:edges"
_TYPES = {"string": "string", "boolean": "boolean", "long": "long"}


_NODE_IDS = {key: i for i, key in enumerate(k for k in NODE_KEYS if k != "label")}
_EDGE_IDS = {key: i for i, key in enumerate(k for k in EDGE_KEYS if k != "label")}


def piece(view: GraphView) -> Piece:
    p = view.projection
    nodes, edges = [], []
    for (node, _), flat in zip(p.nodes, p.flat, strict=True):
        span = ""
        if "date_earliest" in flat:
            span = f' start="{flat["date_earliest"]}" end="{flat["date_latest"]}"'
        nodes.append(f"      <node id={attribute(node)} label={attribute(str(flat['label']))}{span}>\n")
        nodes.append("        <attvalues>\n")
        for key, value in flat.items():
            if key != "label":
                nodes.append(f'          <attvalue for="{_NODE_IDS[key]}" value={data_attribute(value)} />\n')
        nodes.append("        </attvalues>\n      </node>\n")
    for i, (a, b, _, data) in enumerate(p.edges):
        edges.append(
            f"      <edge id={attribute(p.edge_id(i))} source={attribute(a)} target={attribute(b)} label={attribute(data['label'])}>\n"
        )
        edges.append("        <attvalues>\n")
        edges.append(f'          <attvalue for="{_EDGE_IDS["kind"]}" value="{data["kind"]}" />\n')
        if data["source"]:
            edges.append(f'          <attvalue for="{_EDGE_IDS["assertion"]}" value={attribute(data["source"])} />\n')
        edges.append("        </attvalues>\n      </edge>\n")
    return {NODES: "".join(nodes).encode("utf-8"), EDGES: "".join(edges).encode("utf-8")}


def _viz(x: float, y: float, size: float, r: int, g: int, b: int) -> str:
    return (
        f'        <viz:color r="{r}" g="{g}" b="{b}" />\n'
        f'        <viz:position x="{x}" y="{y}" z="0.0" />\n'
        f'        <viz:size value="{size}" />'
    )


def assemble(graphs: Sequence[Graph], ctx: Context) -> dict[str, Plan]:
    head = [
        "<?xml version='1.0' encoding='utf-8'?>",
        '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:viz="http://www.gexf.net/1.2draft/viz" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">',
        "  <meta>",
        "    <creator>cubagraph</creator>",
        "  </meta>",
        '  <graph defaultedgetype="directed" mode="dynamic" timeformat="date">',
        '    <attributes mode="static" class="node">',
    ]
    for key, i in _NODE_IDS.items():
        head.append(f'      <attribute id="{i}" title="{key}" type="{_TYPES[NODE_KEYS[key]]}" />')
    head += ["    </attributes>", '    <attributes mode="static" class="edge">']
    for key, i in _EDGE_IDS.items():
        head.append(f'      <attribute id="{i}" title="{key}" type="{_TYPES[EDGE_KEYS[key]]}" />')
    head += ["    </attributes>", "    <nodes>\n"]
    n = range(len(graphs))
    return {
        NAME: Plan(
            [
                "\n".join(head).encode("utf-8"),
                *drawn_nodes(graphs, ctx, NODES, _viz),
                b"    </nodes>\n    <edges>\n",
                *((i, EDGES) for i in n),
                b"    </edges>\n  </graph>\n</gexf>\n",
            ]
        )
    }
