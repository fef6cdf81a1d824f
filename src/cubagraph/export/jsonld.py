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
from typing import TYPE_CHECKING

from ..rdf.namespaces import RDF
from ..rdf.terms import IRI, STRING, Literal, Row
from .plan import Graph, Item, Plan
from .terse import LIMIT, Namespaces, names

if TYPE_CHECKING:
    from .plan import Piece
    from .view import Context, GraphView

NAME = "cubagraph.jsonld"
NAMES = (NAME,)
_TYPE = RDF + "type"
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_string = json.encoder.encode_basestring  # how _dumps writes a string (in C)


def piece(view: GraphView) -> Piece:
    compact = _compactor(tuple(sorted(view.ctx.prefixes.items())))
    nodes = [_node(subject, group, compact) for subject, group in groupby(view.rows, key=itemgetter(0))]
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


def _node(subject: str, rows: Iterable[Row], compact: _Compactor) -> str:
    """One node as compact JSON: what ``json.dumps`` writes for it, made without the dictionaries."""
    seen = compact.seen  # most IRIs are known: look them up without a call
    values: dict[str, list[str]] = {}  # key -> its values' JSON, keys in the rows' order
    for _, predicate, obj in rows:
        if isinstance(obj, IRI):
            iri = _string(seen.get(obj) or compact(obj))
            if predicate == _TYPE:
                values.setdefault("@type", []).append(iri)
                continue
            value = f'{{"@id":{iri}}}'
        else:
            value = _literal(obj, compact)
        key = seen.get(predicate) or compact(predicate)
        if key in values:
            values[key].append(value)
        else:
            values[key] = [value]
    members = "".join([f",{_string(key)}:[{','.join(items)}]" for key, items in values.items()])
    return f'{{"@id":{_string(compact(subject))}{members}}}'


def _literal(term: Literal, compact: _Compactor) -> str:
    value, datatype, language = term
    if language:
        return f'{{"@value":{_string(value)},"@language":{_string(language)}}}'
    if datatype == STRING:
        return _string(value)
    return f'{{"@value":{_string(value)},"@type":{_string(compact(datatype))}}}'


class _Compactor:
    """``https://schema.org/Event`` → ``schema:Event`` where a prefix fits; remembered per IRI."""

    def __init__(self, prefixes: dict[str, str]):
        self.namespaces = Namespaces(prefixes)  # longest first, so that `event:` wins over a shorter base
        self.turtle = names(tuple(sorted(prefixes.items())))
        self.seen: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.seen.get(iri)
        if found is not None:
            return found
        # The Turtle writer has usually just named it: a prefixed name there is the same here.
        result = self.turtle.seen.get(iri)
        if result is None or result[0] == "<" or result[-1] == ":":
            result = iri
            for ns, prefix in self.namespaces.matching(iri):
                if len(iri) > len(ns) and not iri[len(ns) :].startswith("//"):
                    result = f"{prefix}:{iri[len(ns) :]}"
                    break
        if len(self.seen) >= LIMIT:  # as terse.Names does
            self.seen.clear()
        self.seen[iri] = result
        return result
