"""exports/cubagraph.trig: every named graph, as built."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .rdf import header

if TYPE_CHECKING:
    from . import Context, GraphView, Piece

NAME = "cubagraph.trig"
NAMES = (NAME,)


def piece(view: GraphView) -> Piece:
    # pyoxigraph writes each graph as one block; the blocks of graphs written
    # apart concatenate to the dataset written whole (a test checks this).
    return {NAME: view.trig.encode("utf-8")}


def assemble(pieces: Sequence[Piece], ctx: Context) -> dict[str, bytes]:
    # The input digest lets `query` and `serve` warn when the data has moved on.
    return {NAME: header(ctx.prefixes, ctx.inputs) + b"".join(p[NAME] for p in pieces)}
