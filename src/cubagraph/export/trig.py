"""exports/cubagraph.trig: every named graph, as built."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .header import header
from .plan import Graph, Plan

if TYPE_CHECKING:
    from .plan import Piece
    from .view import Context, GraphView

NAME = "cubagraph.trig"
NAMES = (NAME,)


def piece(view: GraphView) -> Piece:
    # pyoxigraph writes each graph as one block; the blocks of graphs written
    # apart concatenate to the dataset written whole (a test checks this).
    return {NAME: view.trig.encode("utf-8")}


def assemble(graphs: Sequence[Graph], ctx: Context) -> dict[str, Plan]:
    # The input digest lets `query` and `serve` warn when the data has moved on.
    return {NAME: Plan([header(ctx.prefixes, ctx.inputs), *((i, NAME) for i in range(len(graphs)))])}
