"""exports/cubagraph.graphml: the network projection, for Gephi, Cytoscape and yEd.

Nodes carry their class, label, documents, modality and dates as attributes;
edges their label and kind, and the assertion behind them. Node ids are the
RDF IRIs. Written directly rather than through networkx's writer, which was
the slowest part of a large build; networkx reads it back (tests).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .plan import Graph, Plan
from .xmltext import attribute, text

if TYPE_CHECKING:
    from .plan import Piece
    from .view import Context, GraphView

NAME = "cubagraph.graphml"
NAMES = (NAME,)
NODES, EDGES = "graphml:nodes", "graphml:edges"  # the parts of a graph's piece

# Attribute name -> GraphML type, for nodes. Every flat attribute appears here.
NODE_KEYS = {
    "kind": "string", "class": "string", "label": "string", "documents": "string", "modality": "string",
    "asserted_by": "string", "reported": "string", "date_value": "string", "date_precision": "string",
    "date_earliest": "string", "date_latest": "string", "date_approximate": "boolean", "value": "string",
    "unit": "string", "comparator": "string", "counts": "string", "medium": "string", "platform": "string",
    "aliases": "string", "wikidata": "string", "quotes": "long", "quote": "string",
}  # fmt: skip
EDGE_KEYS = {"label": "string", "kind": "string", "assertion": "string"}


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def scalar(value: Any) -> str:
    """A value as XML 1.0 text: control characters a document may hold are not allowed there."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if _NOT_XML.search(text) is None else _NOT_XML.sub("\ufffd", text)


def piece(view: GraphView) -> Piece:
    p = view.projection
    nodes, edges = [], []
    for (node, _), flat in zip(p.nodes, p.flat, strict=True):
        nodes.append(f"    <node id={attribute(node)}>\n")
        for key, value in flat.items():
            nodes.append(f'      <data key="n-{key}">{text(scalar(value))}</data>\n')
        nodes.append("    </node>\n")
    for i, (a, b, _, data) in enumerate(p.edges):
        edges.append(f"    <edge id={attribute(p.edge_id(i))} source={attribute(a)} target={attribute(b)}>\n")
        edges.append(f'      <data key="e-label">{text(scalar(data["label"]))}</data>\n')
        edges.append(f'      <data key="e-kind">{data["kind"]}</data>\n')
        if data["source"]:
            edges.append(f'      <data key="e-assertion">{text(data["source"])}</data>\n')
        edges.append("    </edge>\n")
    return {NODES: "".join(nodes).encode("utf-8"), EDGES: "".join(edges).encode("utf-8")}


def assemble(graphs: Sequence[Graph], ctx: Context) -> dict[str, Plan]:
    head = [
        "<?xml version='1.0' encoding='utf-8'?>",
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ]
    for key, kind in NODE_KEYS.items():
        head.append(f'  <key id="n-{key}" for="node" attr.name="{key}" attr.type="{kind}" />')
    for key, kind in EDGE_KEYS.items():
        head.append(f'  <key id="e-{key}" for="edge" attr.name="{key}" attr.type="{kind}" />')
    head.append('  <graph edgedefault="directed">\n')
    n = range(len(graphs))
    return {
        NAME: Plan(
            [
                "\n".join(head).encode("utf-8"),
                *((i, NODES) for i in n),
                *((i, EDGES) for i in n),
                b"  </graph>\n</graphml>\n",
            ]
        )
    }
