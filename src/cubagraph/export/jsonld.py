"""exports/cubagraph.jsonld: every named graph, as compacted JSON-LD.

Written by hand rather than by a JSON-LD library: the structure is simple
(no blank nodes, no lists), and writing it ourselves makes the output sorted
and byte-stable, with prefixes in the context so that people can read it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from ..build import Dataset
from ..namespaces import RDF, XSD

NAME = "cubagraph.jsonld"
NAMES = (NAME,)
_TYPE = RDF + "type"


def render(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    compact = _Compactor(prefixes)
    graphs: dict[str, dict[str, dict[str, list[Any]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for q in dataset.quads:
        assert isinstance(q.graph_name, ox.NamedNode), "every quad is in a named graph"
        assert isinstance(q.subject, ox.NamedNode), "every subject has an IRI"
        node = graphs[q.graph_name.value][q.subject.value]
        if q.predicate.value == _TYPE and isinstance(q.object, ox.NamedNode):
            node["@type"].append(compact(q.object.value))
        else:
            node[compact(q.predicate.value)].append(_value(q.object, compact))
    doc = {
        "@context": dict(sorted(prefixes.items())),
        "@graph": [
            {"@id": compact(g), "@graph": [_node(s, props, compact) for s, props in sorted(nodes.items())]}
            for g, nodes in sorted(graphs.items())
        ],
    }
    return {NAME: (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")}


def _node(subject: str, props: dict[str, list[Any]], compact: _Compactor) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": compact(subject)}
    for key in sorted(props, key=lambda k: (k != "@type", k)):
        values = props[key]
        node[key] = sorted(values, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return node


def _value(term: Any, compact: _Compactor) -> Any:
    if isinstance(term, ox.NamedNode):
        return {"@id": compact(term.value)}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD + "string":
            return term.value
        return {"@value": term.value, "@type": compact(term.datatype.value)}
    raise TypeError(f"blank nodes are never built, found {term!r}")


class _Compactor:
    """``https://schema.org/Event`` → ``schema:Event`` where a prefix fits."""

    def __init__(self, prefixes: dict[str, str]):
        # Longest namespace first, so that `event:` wins over a shorter base.
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def __call__(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns) :].startswith("//"):
                return f"{prefix}:{iri[len(ns) :]}"
        return iri
