"""exports/cubagraph.gexf: the network projection for Gephi, with dates for its timeline.

Dated nodes get a GEXF ``start`` and ``end`` (the earliest and latest day
their date can denote), so that Gephi's timeline can play the story. Undated
nodes have none, and stay visible throughout.
"""

from __future__ import annotations

import io
import re

import networkx as nx

from ..build import Dataset
from .graphml import flat_graph

NAME = "cubagraph.gexf"
NAMES = (NAME,)


def render(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    g = flat_graph(dataset)
    for _, data in g.nodes(data=True):
        if "date_earliest" in data:
            data["start"], data["end"] = data["date_earliest"], data["date_latest"]
    buffer = io.BytesIO()
    nx.write_gexf(g, buffer, encoding="utf-8", prettyprint=True, version="1.2draft")
    # networkx stamps today's date into <meta>; drop it so that exports are byte-stable.
    data = re.sub(rb' lastmodifieddate="[^"]*"', b"", buffer.getvalue(), count=1)
    return {NAME: data}
