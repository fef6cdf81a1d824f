"""exports/cubagraph.gexf: the network projection for Gephi, with dates for its timeline.

Dated nodes get a GEXF ``start`` and ``end`` (the earliest and latest day
their date can denote), so that Gephi's timeline can play the story. Undated
nodes have none, and stay visible throughout. Written directly, like the
GraphML; networkx reads it back (tests). No date of its own is stamped in,
so the file is byte-stable.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from .. import network
from ..build import Dataset
from .graphml import EDGE_KEYS, NODE_KEYS, scalar

NAME = "cubagraph.gexf"
NAMES = (NAME,)
_TYPES = {"string": "string", "boolean": "boolean", "long": "long"}


def render(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    g = network.of(dataset)
    node_ids = {key: i for i, key in enumerate(k for k in NODE_KEYS if k != "label")}
    edge_ids = {key: i for i, key in enumerate(k for k in EDGE_KEYS if k != "label")}
    out = [
        "<?xml version='1.0' encoding='utf-8'?>",
        '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">',
        "  <meta>",
        "    <creator>cubagraph</creator>",
        "  </meta>",
        '  <graph defaultedgetype="directed" mode="dynamic" timeformat="date">',
        '    <attributes mode="static" class="node">',
    ]
    for key, i in node_ids.items():
        out.append(f'      <attribute id="{i}" title="{key}" type="{_TYPES[NODE_KEYS[key]]}" />')
    out += ["    </attributes>", '    <attributes mode="static" class="edge">']
    for key, i in edge_ids.items():
        out.append(f'      <attribute id="{i}" title="{key}" type="{_TYPES[EDGE_KEYS[key]]}" />')
    out += ["    </attributes>", "    <nodes>"]
    for node, data in g.nodes(data=True):
        flat = network.flat(data)
        span = ""
        if "date_earliest" in flat:
            span = f' start="{flat["date_earliest"]}" end="{flat["date_latest"]}"'
        out.append(f"      <node id={quoteattr(node)} label={quoteattr(str(flat['label']))}{span}>")
        out.append("        <attvalues>")
        for key, value in flat.items():
            if key != "label":
                out.append(f'          <attvalue for="{node_ids[key]}" value={quoteattr(scalar(value))} />')
        out += ["        </attvalues>", "      </node>"]
    out += ["    </nodes>", "    <edges>"]
    for i, (a, b, data) in enumerate(g.edges(data=True)):
        out.append(
            f'      <edge id="{i}" source={quoteattr(a)} target={quoteattr(b)} label={quoteattr(data["label"])}>'
        )
        out.append("        <attvalues>")
        out.append(f'          <attvalue for="{edge_ids["kind"]}" value="{data["kind"]}" />')
        if data["source"]:
            out.append(f'          <attvalue for="{edge_ids["assertion"]}" value={quoteattr(data["source"])} />')
        out += ["        </attvalues>", "      </edge>"]
    out += ["    </edges>", "  </graph>", "</gexf>"]
    return {NAME: ("\n".join(out) + "\n").encode("utf-8")}
