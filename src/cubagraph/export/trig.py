"""exports/cubagraph.trig: every named graph, as built."""

from __future__ import annotations

from ..build import Dataset
from .rdf import trig_body, with_header

NAME = "cubagraph.trig"
NAMES = (NAME,)


def render(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    # The input digest lets `query` and `serve` warn when the data has moved on.
    return {NAME: with_header(trig_body(dataset, prefixes), prefixes, inputs=dataset.inputs)}
