"""exports/cubagraph.jsonld: every named graph, as compacted JSON-LD.

Written by hand rather than by a JSON-LD library: the structure is simple (no
blank nodes, no lists), and writing it ourselves keeps it in the quads'
sorted order, byte-stable, with the prefixes in the context so that people
can read it. Each node is one line, so that a diff shows which nodes changed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..namespaces import RDF, XSD
from .plan import Graph, Item, Plan

if TYPE_CHECKING:
    from . import Context, GraphView, Piece

NAME = "cubagraph.jsonld"
NAMES = (NAME,)
_TYPE = RDF + "type"
_STRING = XSD + "string"
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def piece(view: GraphView) -> Piece:
    compact = _compactor(tuple(sorted(view.ctx.prefixes.items())))
    # Every quad has a named subject and graph: the builder makes no blank nodes.
    nodes = [
        _dumps(_node(subject, list(group), compact))
        for subject, group in groupby(view.quads, key=lambda q: q.subject.value)  # type: ignore[union-attr]
    ]
    return {
        NAME: ('{"@id":' + _dumps(compact(view.name)) + ',"@graph":[\n' + ",\n".join(nodes) + "\n]}").encode("utf-8")
    }


def assemble(graphs: Sequence[Graph], ctx: Context) -> dict[str, Plan]:
    head = '{"@context":' + _dumps(dict(sorted(ctx.prefixes.items()))) + ',\n"@graph":[\n'
    items: list[Item] = [head.encode("utf-8")]
    for i in range(len(graphs)):
        items += [b",\n", (i, NAME)] if i else [(i, NAME)]
    return {NAME: Plan([*items, b"\n]}\n"])}


@functools.lru_cache(maxsize=4)
def _compactor(prefixes: tuple[tuple[str, str], ...]) -> _Compactor:
    # One per set of prefixes, kept across graphs: it remembers the IRIs it has compacted.
    return _Compactor(dict(prefixes))


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
