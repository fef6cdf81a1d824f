"""exports/cubagraph.jsonld: every named graph, as compacted JSON-LD.

Written by hand rather than by a JSON-LD library: the structure is simple (no
blank nodes, no lists), and writing it ourselves keeps it in the quads'
sorted order, byte-stable, with the prefixes in the context so that people
can read it. Each node is one line, so that a diff shows which nodes changed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..namespaces import RDF
from ..terms import IRI, STRING, Row, Term
from .plan import Graph, Item, Plan
from .terse import Namespaces

if TYPE_CHECKING:
    from . import Context, GraphView, Piece

NAME = "cubagraph.jsonld"
NAMES = (NAME,)
_TYPE = RDF + "type"
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def piece(view: GraphView) -> Piece:
    compact = _compactor(tuple(sorted(view.ctx.prefixes.items())))
    nodes = [_dumps(_node(subject, group, compact)) for subject, group in groupby(view.rows, key=itemgetter(0))]
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


def _node(subject: str, rows: Iterable[Row], compact: _Compactor) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": compact(subject)}
    for _, predicate, obj in rows:
        if predicate == _TYPE and isinstance(obj, IRI):
            node.setdefault("@type", []).append(compact(obj))
        else:
            node.setdefault(compact(predicate), []).append(_value(obj, compact))
    return node


def _value(term: Term, compact: _Compactor) -> Any:
    if isinstance(term, IRI):
        return {"@id": compact(term)}
    value, datatype, language = term
    if language:
        return {"@value": value, "@language": language}
    if datatype == STRING:
        return value
    return {"@value": value, "@type": compact(datatype)}


class _Compactor:
    """``https://schema.org/Event`` → ``schema:Event`` where a prefix fits; remembered per IRI."""

    def __init__(self, prefixes: dict[str, str]):
        self.namespaces = Namespaces(prefixes)  # longest first, so that `event:` wins over a shorter base
        self.seen: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.seen.get(iri)
        if found is not None:
            return found
        result = iri
        for ns, prefix in self.namespaces.matching(iri):
            if len(iri) > len(ns) and not iri[len(ns) :].startswith("//"):
                result = f"{prefix}:{iri[len(ns) :]}"
                break
        if len(self.seen) < 200_000:
            self.seen[iri] = result
        return result
