"""exports/nodes.csv and exports/edges.csv: the network projection as two tables.

The headers follow Gephi's spreadsheet import (Id, Label; Source, Target,
Type), so both files load as they are; any other tool reads them as CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .plan import Graph, Plan

if TYPE_CHECKING:
    from .plan import Piece
    from .view import Context, GraphView

NAMES = ("nodes.csv", "edges.csv")
NODE_COLUMNS = [
    "kind", "class", "documents", "modality", "asserted_by", "reported", "date_value", "date_precision",
    "date_earliest", "date_latest", "date_approximate", "value", "unit", "comparator", "counts",
    "medium", "platform", "aliases", "wikidata", "quotes", "quote",
]  # fmt: skip


_AT = {column: i + 2 for i, column in enumerate(NODE_COLUMNS)}  # a column's place in a row, after Id and Label
_BLANK = [""] * len(NODE_COLUMNS)


def piece(view: GraphView) -> Piece:
    p = view.projection
    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    rows = []
    for (node, _), flat in zip(p.nodes, p.flat, strict=True):
        # A node has a few of the 21 columns: fill those, not every column from a lookup.
        row = [node, flat["label"], *_BLANK]
        for key, value in flat.items():
            at = _AT.get(key)
            if at is not None:
                row[at] = _cell(value)
        rows.append(row)
    writer.writerows(rows)
    edges = io.StringIO()
    writer = csv.writer(edges, lineterminator="\n")
    writer.writerows([a, b, "Directed", data["label"], data["kind"], data["source"]] for a, b, _, data in p.edges)
    return {"nodes.csv": nodes.getvalue().encode("utf-8"), "edges.csv": edges.getvalue().encode("utf-8")}


def assemble(graphs: Sequence[Graph], ctx: Context) -> dict[str, Plan]:
    node_head = ",".join(["Id", "Label", *NODE_COLUMNS]) + "\n"
    edge_head = "Source,Target,Type,Label,kind,assertion\n"
    n = range(len(graphs))
    return {
        "nodes.csv": Plan([node_head.encode("utf-8"), *((i, "nodes.csv") for i in n)]),
        "edges.csv": Plan([edge_head.encode("utf-8"), *((i, "edges.csv") for i in n)]),
    }


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
