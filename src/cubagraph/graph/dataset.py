"""A built graph in memory: sorted quads, and what went into them, for scripts and `cubagraph check`.

The build itself never holds the whole graph (see :mod:`cubagraph.pipeline`);
a :class:`Dataset` is what :func:`cubagraph.pipeline.build_dataset` returns,
with ways out to pyoxigraph and rdflib.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox


@dataclass
class Dataset:
    """A built graph: sorted quads, and what went into them."""

    quads: list[ox.Quad]
    counts: Counter[str] = field(default_factory=Counter)
    inputs: str = ""  # the project's input digest, when built from a project
    texts: dict[str, str] = field(default_factory=dict, repr=False)  # document id -> its stored text
    settings: dict[str, Any] = field(default_factory=dict)  # [tool.cubagraph] settings exporters read
    warnings: list[Any] = field(default_factory=list, repr=False)  # Problems that did not stop the build
    # Views derived from the quads (the networkx projection), computed once.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def triples(self) -> list[ox.Triple]:
        """The union graph: every distinct triple, in the quads' order (graph by graph, sorted within)."""
        if "triples" not in self.cache:
            self.cache["triples"] = list(dict.fromkeys(q.triple for q in self.quads))
        triples: list[ox.Triple] = self.cache["triples"]
        return triples

    def subjects_span_graphs(self) -> bool:
        """Whether any node is described in more than one named graph (the builder never does this)."""
        if "span" not in self.cache:
            seen: dict[str, str] = {}
            # Every quad has a named subject and graph: the builder makes no blank nodes.
            self.cache["span"] = any(
                seen.setdefault(q.subject.value, q.graph_name.value) != q.graph_name.value  # type: ignore[union-attr]
                for q in self.quads
            )
        return bool(self.cache["span"])

    def triple_count(self) -> int:
        # Distinct quads are distinct triples unless one node is described in two graphs.
        return len(self.triples()) if self.subjects_span_graphs() else len(self.quads)

    def graphs(self) -> list[str]:
        return sorted({q.graph_name.value for q in self.quads if isinstance(q.graph_name, ox.NamedNode)})

    def to_store(self) -> ox.Store:
        store = ox.Store()
        store.bulk_extend(self.quads)
        return store

    def to_rdflib(self) -> Any:
        """The dataset as an :class:`rdflib.Dataset`, for scripts that use rdflib."""
        import rdflib  # imported here: rdflib is slow to import and the build does not need it

        data = ox.serialize(self.quads, format=ox.RdfFormat.N_QUADS)
        ds = rdflib.Dataset()
        ds.parse(data=data, format="nquads")
        return ds
