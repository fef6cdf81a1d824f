"""Saved queries' answers as multisets of rows, so that one store's answers can be compared with another's.

A row is a sorted tuple of (variable, term) pairs; a term is written as in N-Triples
(``<iri>``, ``"text"``, ``"3"^^<…#integer>``, ``"texto"@es``), with ``xsd:string`` written
plain, as RDF 1.1 makes them the same. Row order is not compared: stores break ties in
ORDER BY differently. GROUP_CONCAT joins its values in an order each engine chooses, so the
columns that hold one (``quotes``, ``posts``) are compared with their parts sorted.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from cubagraph import project
from cubagraph.sparql import engine, queries, results

XSD = "http://www.w3.org/2001/XMLSchema#"
Row = tuple[tuple[str, str], ...]
# The columns that hold a GROUP_CONCAT, and the separator each query gives it.
CONCATENATED = {"quotes": " … ", "posts": "; "}


def term(kind: str, value: str, datatype: str | None = None, lang: str | None = None) -> str:
    if kind in ("uri", "iri"):
        return f"<{value}>"
    if kind == "bnode":
        return "_:b"  # blank nodes are not compared by label
    if kind == "literal" and value and "\n" not in value:
        for column_sep in CONCATENATED.values():
            if column_sep in value:
                value = column_sep.join(sorted(value.split(column_sep)))
    text = json.dumps(value, ensure_ascii=False)
    if lang:
        return f"{text}@{lang.lower()}"
    if datatype and datatype != XSD + "string":
        return f"{text}^^<{datatype}>"
    return text


def row(pairs: Iterable[tuple[str, str]]) -> Row:
    return tuple(sorted(pairs))


def from_json(body: bytes | str, datatypes: Mapping[str, str] | None = None) -> Counter[Row]:
    """The rows of SPARQL JSON results; ``datatypes`` renames datatypes that a store gives differently."""
    doc = json.loads(body)
    renamed = datatypes or {}
    out: Counter[Row] = Counter()
    for binding in doc["results"]["bindings"]:
        pairs = []
        for var, t in binding.items():
            dt = t.get("datatype")
            kind = (
                "literal" if t["type"] == "typed-literal" else t["type"]
            )  # the 2008 draft's name, still sent by Virtuoso
            pairs.append((var, term(kind, t["value"], renamed.get(dt, dt) if dt else None, t.get("xml:lang"))))
        out[row(pairs)] += 1
    return out


def _ox_term(t: Any) -> str:
    if isinstance(t, ox.NamedNode):
        return term("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return term("bnode", t.value)
    return term("literal", t.value, t.datatype.value, t.language)


def local(
    store: ox.Store, proj: project.Project, saved: queries.SavedQuery, params: dict[str, str], *, portable: bool = False
) -> Counter[Row]:
    """What cubagraph answers (its own form of the query, or the portable one), as rows."""
    text = saved.portable if portable else saved.text
    prepared = engine.prepare(text, store, proj.prefixes(), params or None, saved.params, base=proj.base)
    result = results.materialise(engine.run(store, prepared, proj.prefixes()))
    out: Counter[Row] = Counter()
    for values in result.rows:
        out[row((v, _ox_term(t)) for v, t in zip(result.variables, values, strict=True) if t is not None)] += 1
    return out


def differences(mine: Counter[Row], theirs: Counter[Row], limit: int = 3) -> str:
    """A short account of what differs, for an assertion message."""
    only_mine = list((mine - theirs).elements())[:limit]
    only_theirs = list((theirs - mine).elements())[:limit]
    return f"{sum(mine.values())} rows here, {sum(theirs.values())} there; only here: {only_mine}; only there: {only_theirs}"
