"""exports/cubagraph.ttl: the union of all graphs, with provenance as ordinary triples."""

from __future__ import annotations

import pyoxigraph as ox

from ..build import Dataset
from .rdf import serialize

NAME = "cubagraph.ttl"
NAMES = (NAME,)


def render(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    return {NAME: serialize(dataset.triples(), ox.RdfFormat.TURTLE, prefixes)}
