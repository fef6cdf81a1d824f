"""exports/cubagraph.graphml: the network projection, for Gephi, Cytoscape and yEd.

Nodes carry their class, label, documents, modality and dates as attributes;
edges their label and kind, and the assertion behind them. Nodes the viewer
draws carry its position, size and colour as ``x``, ``y``, ``size``, ``r``,
``g``, ``b``, the attributes Gephi's GraphML importer reads as the layout. Node ids are the
RDF IRIs. Written directly rather than through networkx's writer, which was
the slowest part of a large build; networkx reads it back (tests).
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .plan import Graph, Lazy, Plan
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
# The viewer's drawing, under the names Gephi reads as a node's position, size and colour.
VIZ_KEYS = {"x": "float", "y": "float", "size": "float", "r": "int", "g": "int", "b": "int"}
# A node's opening tag in a nodes part (GraphML's or GEXF's), to the line's end. The literal comes first,
# so the regex engine skips to it as str.find does; with_viz checks that only spaces precede it on its line.
_NODE_TAG = re.compile(rb"""<node id=(?:"([^"\n]*)"|'([^'\n]*)')[^\n]*""")


def with_viz(part: bytes, viz: Mapping[str, tuple[float, float, float, str]], lines: Callable[..., str]) -> bytes:
    """A nodes part with ``lines(x, y, size, r, g, b)`` after each node's opening tag, for nodes the page drew.

    The pieces are made per graph and kept between builds; the layout is of the
    whole page. So the drawing is put in when the file is assembled, not in
    the piece. Only the nodes' lines are looked at (cutting every line of
    10,000 graphs' parts took about 1.8 s a file), and the bytes between them
    are copied as they are.
    """
    if not viz:
        return part
    out: list[bytes] = []
    at = 0
    for m in _NODE_TAG.finditer(part):
        start = m.start()
        if part[part.rfind(b"\n", 0, start) + 1 : start].strip(b" "):
            continue  # not at the start of a line (after its indentation): not a node's tag
        found = viz.get(html.unescape((m.group(1) if m.group(1) is not None else m.group(2)).decode("utf-8")))
        if found is not None:
            x, y, size, colour = found
            out += (part[at : m.end()], b"\n", lines(x, y, size, *_rgb(colour)).encode("utf-8"))
            at = m.end()
    if not out:
        return part
    out.append(part[at:])
    return b"".join(out)


@functools.lru_cache(maxsize=256)
def _rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as three integers: a page has a few colours, and tens of thousands of nodes."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return r, g, b


def _lines(x: float, y: float, size: float, r: int, g: int, b: int) -> str:
    return (
        f'      <data key="v-x">{x}</data>\n      <data key="v-y">{y}</data>\n'
        f'      <data key="v-size">{size}</data>\n      <data key="v-r">{r}</data>\n'
        f'      <data key="v-g">{g}</data>\n      <data key="v-b">{b}</data>'
    )


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def scalar(value: Any) -> str:
    """A value as XML 1.0 text: control characters a document may hold are not allowed there."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if _NOT_XML.search(text) is None else _NOT_XML.sub("\ufffd", text)


# Every character scalar() or text() replaces: a value with none of them is written as it is.
_PLAIN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>]")
_PLAIN_ATTRIBUTE = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>"\n\r\t]')


def data_text(value: Any) -> str:
    """``text(scalar(value))``, in one look at the text where nothing needs replacing: most values."""
    if isinstance(value, bool):
        return "true" if value else "false"
    plain = str(value)
    return plain if _PLAIN_TEXT.search(plain) is None else text(scalar(value))


def data_attribute(value: Any) -> str:
    """``attribute(scalar(value))``, as :func:`data_text` does it."""
    if isinstance(value, bool):
        return '"true"' if value else '"false"'
    plain = str(value)
    return f'"{plain}"' if _PLAIN_ATTRIBUTE.search(plain) is None else attribute(scalar(value))


def piece(view: GraphView) -> Piece:
    p = view.projection
    nodes, edges = [], []
    for (node, _), flat in zip(p.nodes, p.flat, strict=True):
        nodes.append(f"    <node id={attribute(node)}>\n")
        for key, value in flat.items():
            nodes.append(f'      <data key="n-{key}">{data_text(value)}</data>\n')
        nodes.append("    </node>\n")
    for i, (a, b, _, data) in enumerate(p.edges):
        edges.append(f"    <edge id={attribute(p.edge_id(i))} source={attribute(a)} target={attribute(b)}>\n")
        edges.append(f'      <data key="e-label">{text(scalar(data["label"]))}</data>\n')
        edges.append(f'      <data key="e-kind">{data["kind"]}</data>\n')
        if data["source"]:
            edges.append(f'      <data key="e-assertion">{text(data["source"])}</data>\n')
        edges.append("    </edge>\n")
    return {NODES: "".join(nodes).encode("utf-8"), EDGES: "".join(edges).encode("utf-8")}


def drawn_nodes(graphs: Sequence[Graph], ctx: Context, part: str, lines: Callable[..., str]) -> list[Lazy]:
    """Each graph's nodes part with the viewer's drawing put in (see :func:`with_viz`)."""
    from . import html as page  # the page's drawing: its layout, sizes and colours

    drawing = page.drawing(graphs, ctx)
    items = []
    for g in graphs:
        # The drawing's positions, sizes and colours follow the page's structure, not its labels.
        key = hashlib.sha256(f"{g.id}\0{part}\0{drawing.structure_key}".encode()).hexdigest()
        items.append(Lazy(key, functools.partial(lambda g, p: with_viz(g.part(p), drawing.viz, lines), g, part)))
    return items


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
    for key, kind in VIZ_KEYS.items():
        head.append(f'  <key id="v-{key}" for="node" attr.name="{key}" attr.type="{kind}" />')
    head.append('  <graph edgedefault="directed">\n')
    n = range(len(graphs))
    return {
        NAME: Plan(
            [
                "\n".join(head).encode("utf-8"),
                *drawn_nodes(graphs, ctx, NODES, _lines),
                *((i, EDGES) for i in n),
                b"  </graph>\n</graphml>\n",
            ]
        )
    }
