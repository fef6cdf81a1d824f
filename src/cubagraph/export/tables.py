"""exports/nodes.csv and exports/edges.csv: the network projection as two tables.

The headers follow Gephi's spreadsheet import (Id, Label; Source, Target,
Type), so both files load as they are; any other tool reads them as CSV.
"""

from __future__ import annotations

import csv
import io

from .. import network
from ..build import Dataset

NAMES = ("nodes.csv", "edges.csv")
NODE_COLUMNS = [
    "kind", "class", "documents", "modality", "asserted_by", "reported", "date_value", "date_precision",
    "date_earliest", "date_latest", "date_approximate", "value", "unit", "comparator", "counts",
    "medium", "platform", "aliases", "wikidata", "quotes", "quote",
]  # fmt: skip


def render(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    g = network.of(dataset)
    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    writer.writerow(["Id", "Label", *NODE_COLUMNS])
    for node, data in g.nodes(data=True):
        flat = network.flat(data)
        writer.writerow([node, flat["label"], *(_cell(flat.get(c)) for c in NODE_COLUMNS)])
    edges = io.StringIO()
    writer = csv.writer(edges, lineterminator="\n")
    writer.writerow(["Source", "Target", "Type", "Label", "kind", "assertion"])
    for a, b, data in g.edges(data=True):
        writer.writerow([a, b, "Directed", data["label"], data["kind"], data["source"]])
    return {"nodes.csv": nodes.getvalue().encode("utf-8"), "edges.csv": edges.getvalue().encode("utf-8")}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
