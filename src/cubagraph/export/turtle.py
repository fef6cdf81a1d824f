"""exports/cubagraph.ttl: the union of all graphs, with provenance as ordinary triples.

The union is written from the TriG serialisation, without its graph blocks:
every node's triples live in one graph, so the graphs' blocks concatenate
into the union, sorted as the quads are. This skips building a second copy
of every triple, which took as long as the rest of the Turtle export.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..build import Dataset
from .rdf import header, serialize, trig_body

NAME = "cubagraph.ttl"
NAMES = (NAME,)


def render(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    if dataset.subjects_span_graphs():
        # A node described in two graphs: its blocks would not merge. Write the union directly.
        return {NAME: serialize(dataset.triples(), ox.RdfFormat.TURTLE, prefixes)}
    lines = []
    for line in trig_body(dataset, prefixes).split("\n"):
        if line.startswith("\t"):
            lines.append(line[1:])  # a triple inside a graph block
        elif not line.startswith("@prefix ") and line != "}" and not line.endswith(" {"):
            lines.append(line)
    return {NAME: header(prefixes) + "\n".join(lines).encode("utf-8")}
