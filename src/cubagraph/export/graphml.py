"""exports/cubagraph.graphml: the network projection, for Gephi, Cytoscape and yEd.

Nodes carry their class, label, documents, modality and dates as attributes;
edges their label and kind. Node ids are the RDF IRIs.
"""

from __future__ import annotations

import io

import networkx as nx

from .. import network
from ..build import Dataset

NAME = "cubagraph.graphml"
NAMES = (NAME,)


def render(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    buffer = io.BytesIO()
    nx.write_graphml(flat_graph(dataset), buffer, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return {NAME: buffer.getvalue()}


def flat_graph(dataset: Dataset) -> nx.MultiDiGraph:
    """The projection with scalar attributes only, in a stable order."""
    g = network.of(dataset)
    flat = nx.MultiDiGraph()
    for node, data in g.nodes(data=True):
        flat.add_node(node, **network.flat(data))
    for a, b, key, data in g.edges(keys=True, data=True):
        flat.add_edge(a, b, key=key, label=data["label"], kind=data["kind"], assertion=data["source"])
    return flat
