"""exports/cubagraph.jsonld: every named graph, as compacted JSON-LD.

Written by hand rather than by a JSON-LD library: the structure is simple (no
blank nodes, no lists), and writing it ourselves keeps it in the quads'
sorted order, byte-stable, with the prefixes in the context so that people
can read it. Each node is one line, so that a diff shows which nodes changed.
"""

from __future__ import annotations

import json
from itertools import groupby
from typing import Any

import pyoxigraph as ox

from ..build import Dataset
from ..namespaces import RDF, XSD

NAME = "cubagraph.jsonld"
NAMES = (NAME,)
_TYPE = RDF + "type"
_STRING = XSD + "string"


def render(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    compact = _Compactor(prefixes)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    out = ['{"@context":' + dumps(dict(sorted(prefixes.items()))) + ',\n"@graph":[']
    graphs = []
    # Every quad has a named subject and graph: the builder makes no blank nodes.
    for graph, quads in groupby(dataset.quads, key=lambda q: q.graph_name.value):  # type: ignore[union-attr]
        nodes = [
            dumps(_node(subject, list(group), compact))
            for subject, group in groupby(quads, key=lambda q: q.subject.value)  # type: ignore[union-attr]
        ]
        graphs.append('{"@id":' + dumps(compact(graph)) + ',"@graph":[\n' + ",\n".join(nodes) + "\n]}")
    out.append(",\n".join(graphs))
    out.append("]}\n")
    return {NAME: "\n".join(out).encode("utf-8")}


def _node(subject: str, quads: list[ox.Quad], compact: _Compactor) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": compact(subject)}
    for q in quads:
        predicate = q.predicate.value
        obj = q.object
        if predicate == _TYPE and isinstance(obj, ox.NamedNode):
            node.setdefault("@type", []).append(compact(obj.value))
        else:
            node.setdefault(compact(predicate), []).append(_value(obj, compact))
    return node


def _value(term: Any, compact: _Compactor) -> Any:
    if isinstance(term, ox.NamedNode):
        return {"@id": compact(term.value)}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype == _STRING:
            return term.value
        return {"@value": term.value, "@type": compact(datatype)}
    raise TypeError(f"blank nodes are never built, found {term!r}")


class _Compactor:
    """``https://schema.org/Event`` → ``schema:Event`` where a prefix fits; remembered per IRI."""

    def __init__(self, prefixes: dict[str, str]):
        # Longest namespace first, so that `event:` wins over a shorter base.
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.seen: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.seen.get(iri)
        if found is not None:
            return found
        result = iri
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns) :].startswith("//"):
                result = f"{prefix}:{iri[len(ns) :]}"
                break
        if len(self.seen) < 200_000:
            self.seen[iri] = result
        return result
