"""Format query results: an aligned table for people, and the W3C formats for programs.

Results are materialised first (with a row cap where one is asked for), then
written in the format asked: the SPARQL 1.1 JSON, XML, CSV and TSV results
formats, or a table, for SELECT and ASK; Turtle, N-Triples, RDF/XML, JSON-LD,
TriG or N-Quads for CONSTRUCT and DESCRIBE (pyoxigraph writes them all; TriG
and N-Quads hold the triples in the default graph).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..rdf.namespaces import XSD
from .engine import QueryError

TABLE_CELL = 80  # characters; longer cells are cut in the table, never in the other formats

SOLUTION_FORMATS = {
    "table": "text/plain; charset=utf-8",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}
_RDF = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
_PREFIXED = {"turtle", "trig", "rdfxml"}  # the formats that abbreviate IRIs with prefixes


class FormatError(QueryError):
    """The result has no form in the format asked (RDF/XML cannot write every predicate IRI)."""

    code = "not_acceptable"
    status = 406


@dataclass
class Result:
    """A materialised result: solutions, a boolean, or triples."""

    form: str  # "solutions", "boolean" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


def materialise(raw: Any, limit: int | None = None) -> Result:
    """Read a pyoxigraph result; raise ``OverflowError`` past ``limit`` rows or triples."""
    if isinstance(raw, ox.QueryBoolean):
        return Result("boolean", boolean=bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows = []
        for solution in raw:
            rows.append([solution[v] for v in variables])
            if limit is not None and len(rows) > limit:
                raise OverflowError(limit)
        return Result("solutions", variables=variables, rows=rows)
    triples = []
    for triple in raw:
        triples.append(triple)
        if limit is not None and len(triples) > limit:
            raise OverflowError(limit)
    return Result("graph", triples=triples)


def default_format(result: Result) -> str:
    return "turtle" if result.form == "graph" else "table"


def formats_for(result: Result) -> dict[str, str]:
    return GRAPH_FORMATS if result.form == "graph" else SOLUTION_FORMATS


def render(result: Result, fmt: str, prefixes: dict[str, str]) -> bytes:
    if result.form == "graph":
        if fmt == "rdfxml":
            _check_xml_names(result.triples)
        data = ox.serialize(result.triples, format=_RDF[fmt], prefixes=prefixes if fmt in _PREFIXED else None)
        return data or b""
    writer = {"table": _table, "json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt]
    return writer(result, prefixes).encode("utf-8")


def _check_xml_names(triples: list[ox.Triple]) -> None:
    """RDF/XML writes a predicate as an XML element, so its IRI must end in an XML name (``…/p1``, not ``…/1``);
    pyoxigraph would write a broken element (``<oxprefix:>``) instead of failing."""
    for predicate in {t.predicate.value for t in triples}:
        if not _XML_NAME_END.search(predicate):
            raise FormatError(
                f"RDF/XML cannot write the predicate <{predicate}>: its IRI does not end in an XML name"
                " — ask for Turtle, N-Triples or JSON-LD"
            )


_XML_NAME_END = re.compile(r"[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*$")


# -- the W3C formats ---------------------------------------------------------------


def _json(result: Result, prefixes: dict[str, str]) -> str:
    if result.form == "boolean":
        return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
    bindings = []
    for row in result.rows:
        bindings.append({v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None})
    doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def _xml(result: Result, prefixes: dict[str, str]) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    if result.form == "boolean":
        out += ["</head>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out += ["</head>", "<results>"]
    for row in result.rows:
        out.append("<result>")
        for v, t in zip(result.variables, row, strict=True):
            if t is not None:
                out.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def escape(text: str) -> str:
    """``xml.sax.saxutils.escape``, without its import (it pulls in urllib and email: 0.1 s of every query)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """``xml.sax.saxutils.quoteattr``, the same way: an attribute value in quotes, escaped."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"{}"'.format(text.replace('"', "&quot;"))


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD + "string":
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv(result: Result, prefixes: dict[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # CRLF, as SPARQL 1.1 CSV asks
    if result.form == "boolean":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(
            ["" if t is None else (f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value) for t in row]
        )
    return buffer.getvalue()


def _tsv(result: Result, prefixes: dict[str, str]) -> str:
    if result.form == "boolean":
        return f"?boolean\n{'true' if result.boolean else 'false'}\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        # N-Triples syntax, with tabs escaped too: a raw tab would split the cell.
        lines.append("\t".join("" if t is None else str(t).replace("\t", "\\t") for t in row))
    return "\n".join(lines) + "\n"


# -- the table -------------------------------------------------------------------


def _table(result: Result, prefixes: dict[str, str]) -> str:
    if result.form == "boolean":
        return ("true" if result.boolean else "false") + "\n"
    shorten = _Shortener(prefixes)
    cells = [[_cell(t, shorten) for t in row] for row in result.rows]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(result.variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(result.variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    n = len(result.rows)
    lines.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cell(term: Any, shorten: _Shortener) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        text = shorten(term.value)
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    else:
        text = term.value
    text = " ".join(text.split())  # one line per row
    return text if len(text) <= TABLE_CELL else text[: TABLE_CELL - 1] + "…"


class _Shortener:
    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def __call__(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns) :]}"
        return f"<{iri}>"
