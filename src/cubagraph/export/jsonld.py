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
    nodes = _nodes(view.rows, compact)
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


_TYPES = ',"@type":['  # the member rdf:type's IRIs go in


def _nodes(rows: Iterable[Row], compact: _Compactor) -> list[str]:
    """Each subject's node as compact JSON: what ``json.dumps`` writes for it, made without the dictionaries.

    One pass over the rows. A node's members are keyed by their JSON up to the
    opening bracket (``,"rdfs:label":[``), made once a predicate, and each IRI's
    JSON string is made once: the same bytes, a fifth sooner than grouping the
    rows and escaping every name where it is written.
    """
    ids, heads = compact.ids, compact.heads  # most are known: look them up without a call
    out: list[str] = []
    last: str | None = None
    values: dict[str, list[str]] = {}  # a member's head -> its values' JSON, in the rows' order
    for subject, predicate, obj in rows:
        if subject != last:
            if last is not None:
                out.append(_node(last, values, compact))
            last, values = subject, {}
        if isinstance(obj, IRI):
            iri = ids.get(obj) or compact.json(obj)
            if predicate == _TYPE:
                head, value = _TYPES, iri
            else:
                head, value = heads.get(predicate) or compact.head(predicate), f'{{"@id":{iri}}}'
        else:
            head, value = heads.get(predicate) or compact.head(predicate), _literal(obj, compact)
        if head in values:
            values[head].append(value)
        else:
            values[head] = [value]
    if last is not None:
        out.append(_node(last, values, compact))
    return out


def _node(subject: str, values: dict[str, list[str]], compact: _Compactor) -> str:
    members = "".join([f"{head}{','.join(items)}]" for head, items in values.items()])
    return f'{{"@id":{compact.ids.get(subject) or compact.json(subject)}{members}}}'


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
        self.ids: dict[str, str] = {}  # an IRI -> its compact form as a JSON string
        self.heads: dict[str, str] = {}  # a predicate -> its member's JSON up to the bracket: ,"key":[

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

    def json(self, iri: str) -> str:
        """``iri`` compacted, as a JSON string."""
        if len(self.ids) >= LIMIT:
            self.ids.clear()
        found = self.ids[iri] = _string(self.seen.get(iri) or self(iri))
        return found

    def head(self, predicate: str) -> str:
        """The start of a node's member for ``predicate``: its compact name as a JSON key, and the bracket."""
        if len(self.heads) >= LIMIT:
            self.heads.clear()
        found = self.heads[predicate] = f",{_string(self.seen.get(predicate) or self(predicate))}:["
        return found
