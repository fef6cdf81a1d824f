"""exports/cubagraph.ttl: the union of all graphs, with provenance as ordinary triples.

The union is written from each graph's TriG block, without its braces:
every node's triples live in one graph, so the graphs' blocks concatenate
into the union, sorted as the quads are. The builder describes each node in
one graph only (a document's graph holds only IRIs minted from the
document's id); for a dataset where that fails, :func:`union` writes the
union directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .header import header, serialize
from .plan import Graph, Plan

if TYPE_CHECKING:
    from .plan import Piece
    from .view import Context, GraphView

NAME = "cubagraph.ttl"
NAMES = (NAME,)


def piece(view: GraphView) -> Piece:
    return {NAME: view.turtle.encode("utf-8")}


def assemble(graphs: Sequence[Graph], ctx: Context) -> dict[str, Plan]:
    return {NAME: Plan([header(ctx.prefixes), *((i, NAME) for i in range(len(graphs)))])}


def union(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    return serialize(triples, ox.RdfFormat.TURTLE, prefixes)
