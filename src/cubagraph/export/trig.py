"""exports/cubagraph.trig: every named graph, as built."""

from __future__ import annotations

import pyoxigraph as ox

from ..build import Dataset
from .rdf import serialize

NAME = "cubagraph.trig"
NAMES = (NAME,)


def render(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    # The input digest lets `query` and `serve` warn when the data has moved on.
    return {NAME: serialize(dataset.quads, ox.RdfFormat.TRIG, prefixes, inputs=dataset.inputs)}
