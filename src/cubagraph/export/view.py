"""What an exporter sees of one named graph, and of the build around it.

Every exporter module imports this, and nothing of the others: the package's
``__init__`` imports the exporters, never the other way round.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..network.projection import Context as NetworkContext
from ..network.projection import Projection, project_graph
from ..rdf.terms import Row
from . import terse


@dataclass
class Context:
    """What every graph's piece, and the assembly, may depend on besides the graph itself."""

    prefixes: dict[str, str]
    settings: dict[str, Any]
    network: NetworkContext
    inputs: str = ""  # the input digest; only the assembly stamps it in
    memo: Path | None = None  # where the assembly may keep results between builds (the viewer's layout)
    # What one exporter's assembly computes for others in the same build (the viewer's layout, for Gephi).
    shared: dict[str, Any] = field(default_factory=dict)


@dataclass
class GraphView:
    """One named graph's sorted rows, and what exporters derive from them, computed once."""

    name: str
    rows: Sequence[Row]
    ctx: Context
    texts: Mapping[str, str] = field(default_factory=dict)  # document id -> text, for quotes in context

    @functools.cached_property
    def projection(self) -> Projection:
        return project_graph(self.rows, self.ctx.network, self.name)

    @functools.cached_property
    def turtle(self) -> str:
        """This graph's triples as Turtle, without @prefix lines."""
        return terse.turtle(self.rows, self.ctx.prefixes)

    @functools.cached_property
    def trig(self) -> str:
        """This graph's TriG block, without @prefix lines."""
        return terse.trig_block(self.name, self.turtle, self.ctx.prefixes)
