"""Every result format a SPARQL client asks for, through SPARQLWrapper against a real `cubagraph serve`.

SPARQLWrapper sends an Accept header and a ``format`` parameter for each of its return formats, and
parses what comes back with its default converter (``.convert()``): a dict for JSON, a DOM for XML,
an rdflib graph for RDF/XML and JSON-LD, bytes for Turtle, N3, CSV and TSV. Every pair of query form
and return format must give an answer that converter reads, with the right content.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from support import Result, serving

PREFIXES = "PREFIX cg: <https://cubagraph.example/ns#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
NAMES = ["Antony Blinken", "Barack Obama", "Joe Biden", "Mario Díaz-Balart", "Michael McCaul"]
QUERIES = {
    "SELECT": "SELECT ?name WHERE { ?a a cg:Person ; rdfs:label ?name } ORDER BY ?name",
    "ASK": "ASK { ?a a cg:Person }",
    "CONSTRUCT": "CONSTRUCT { ?a rdfs:label ?name } WHERE { ?a a cg:Person ; rdfs:label ?name }",
    "DESCRIBE": "DESCRIBE ?a WHERE { ?a a cg:Person ; rdfs:label 'Antony Blinken' }",
}
FORMATS = [JSON, XML, TURTLE, N3, RDFXML, JSONLD, CSV, TSV, None]  # None: SPARQLWrapper's default (XML)
# What a client gets, by its return format, where it differs from what it asked for. SPARQLWrapper
# sends `*/*` for a return format that does not fit the query form (and warns that it does), and the
# endpoint answers that with the form's first format: JSON results, or Turtle.
ANSWERED = {
    "solutions": {JSON: JSON, XML: XML, CSV: CSV, TSV: TSV, None: XML},
    "graph": {TURTLE: TURTLE, N3: TURTLE, RDFXML: RDFXML, XML: RDFXML, JSONLD: JSONLD, JSON: JSONLD, None: RDFXML},
}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serving() as base:
        yield f"{base}sparql"


def ask(url: str, form: str, fmt: str | None, method: str = "GET") -> tuple[str, Any]:
    wrapper = SPARQLWrapper(url)
    wrapper.setQuery(PREFIXES + QUERIES[form])
    wrapper.setMethod(method)
    if fmt is not None:
        wrapper.setReturnFormat(fmt)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = wrapper.query()
        converted = result.convert()
    # The only warnings allowed are SPARQLWrapper's own, about a format that does not fit the form, and
    # rdflib's, about the ConjunctiveGraph that SPARQLWrapper's JSON-LD converter still makes.
    for w in caught:
        ours = issubclass(w.category, RuntimeWarning) and "format" in str(w.message).lower()
        rdflibs = issubclass(w.category, DeprecationWarning) and "ConjunctiveGraph" in str(w.message)
        assert ours or rdflibs, str(w.message)
    return result.info()["content-type"], converted


@pytest.mark.parametrize("fmt", FORMATS, ids=[str(f) for f in FORMATS])
@pytest.mark.parametrize("form", ["SELECT", "ASK"])
def test_select_and_ask_in_every_return_format(url: str, form: str, fmt: str | None) -> None:
    ctype, doc = ask(url, form, fmt)
    answered = ANSWERED["solutions"].get(fmt, JSON)
    if answered == JSON:
        assert ctype.startswith("application/sparql-results+json")
        assert isinstance(doc, dict)
        if form == "ASK":
            assert doc["boolean"] is True
        else:
            assert [b["name"]["value"] for b in doc["results"]["bindings"]] == NAMES
    elif answered == XML:
        assert ctype.startswith("application/sparql-results+xml")
        if form == "ASK":
            assert doc.getElementsByTagName("boolean")[0].firstChild.data == "true"
        else:
            assert [n.firstChild.data for n in doc.getElementsByTagName("literal")] == NAMES
    else:
        assert isinstance(doc, bytes)
        text = doc.decode("utf-8")
        if answered == CSV:
            assert ctype.startswith("text/csv")
            rows = list(csv.reader(io.StringIO(text)))
            assert rows == ([["boolean"], ["true"]] if form == "ASK" else [["name"], *([n] for n in NAMES)])
        else:
            assert ctype.startswith("text/tab-separated-values")
            if form == "ASK":
                assert text.split() == ["?boolean", "true"]
            else:
                parsed = ox.parse_query_results(doc, format=ox.QueryResultsFormat.TSV)
                assert [s["name"].value for s in parsed] == NAMES  # type: ignore[union-attr]


def _expected(url: str, form: str) -> rdflib.Graph:
    """The same query's answer in N-Triples, read by rdflib: what every other format must be isomorphic to."""
    query = urllib.parse.urlencode({"query": PREFIXES + QUERIES[form]})
    req = urllib.request.Request(f"{url}?{query}", headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.headers["Content-Type"].startswith("application/n-triples")
        return rdflib.Graph().parse(data=resp.read(), format="nt")


@pytest.mark.parametrize("fmt", FORMATS, ids=[str(f) for f in FORMATS])
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_construct_and_describe_in_every_return_format(url: str, form: str, fmt: str | None) -> None:
    expected = _expected(url, form)
    assert len(expected) >= (5 if form == "CONSTRUCT" else 3)
    ctype, doc = ask(url, form, fmt)
    answered = ANSWERED["graph"].get(fmt, TURTLE)
    if answered == TURTLE:
        assert ctype.startswith("text/turtle") and isinstance(doc, bytes)
        graph = rdflib.Graph().parse(data=doc, format="turtle")
    else:
        assert ctype.startswith({RDFXML: "application/rdf+xml", JSONLD: "application/ld+json"}[answered])
        assert isinstance(doc, rdflib.Graph)
        graph = _triples(doc)
    assert rdflib.compare.isomorphic(graph, expected)


@pytest.mark.parametrize(
    ("accept", "ctype", "parse"),
    [
        ("application/trig", "application/trig", "trig"),
        ("application/n-quads", "application/n-quads", "nquads"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("text/turtle;q=0.2, application/trig;q=0.9", "application/trig", "trig"),
        ("image/*, application/*;q=0.1, application/ld+json;q=0.5", "application/ld+json", "json-ld"),
        ("text/*;q=0.9, text/turtle;q=0, text/n3;q=0, text/rdf+n3;q=0", "text/plain", "nt"),  # N-Triples
    ],
)
def test_construct_in_trig_nquads_and_by_weight(url: str, accept: str, ctype: str, parse: str) -> None:
    query = urllib.parse.urlencode({"query": PREFIXES + QUERIES["CONSTRUCT"]})
    req = urllib.request.Request(f"{url}?{query}", headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.headers["Content-Type"].startswith(ctype)
        body = resp.read()
    if parse in ("trig", "nquads"):
        triples = _triples(rdflib.Dataset().parse(data=body, format=parse))
    else:
        triples = rdflib.Graph().parse(data=body, format=parse)
    assert rdflib.compare.isomorphic(triples, _expected(url, "CONSTRUCT"))


def _triples(graph: rdflib.Graph) -> rdflib.Graph:
    """The triples of every graph in ``graph`` (a dataset, or the ConjunctiveGraph of SPARQLWrapper's JSON-LD)."""
    out = rdflib.Graph()
    for s, p, o, *_ in graph.quads((None, None, None, None)) if hasattr(graph, "quads") else graph:
        out.add((s, p, o))
    return out


def test_nothing_acceptable_is_406_with_the_offered_types(url: str) -> None:
    query = urllib.parse.urlencode({"query": PREFIXES + QUERIES["CONSTRUCT"]})
    req = urllib.request.Request(f"{url}?{query}", headers={"Accept": "text/turtle;q=0, image/*, text/csv"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(req, timeout=30)
    assert caught.value.code == 406
    error = json.loads(caught.value.read())["error"]
    assert error["code"] == "not_acceptable"
    for offered in ("text/turtle", "application/rdf+xml", "application/ld+json", "application/trig"):
        assert offered in error["message"]


@pytest.mark.parametrize(
    ("fmt", "parse"), [("rdfxml", "xml"), ("jsonld", "json-ld"), ("trig", "trig"), ("nquads", "nquads")]
)
def test_the_cli_writes_construct_in_every_rdf_format(
    fmt: str, parse: str, run: Callable[..., Result], root: Path, url: str
) -> None:
    result = run("query", "--format", fmt, QUERIES["CONSTRUCT"], cwd=root)
    assert result.code == 0, result.err
    data = result.out.encode("utf-8")
    graph = _triples(rdflib.Dataset().parse(data=data, format=parse)) if parse in ("trig", "nquads") else None
    graph = graph if graph is not None else rdflib.Graph().parse(data=data, format=parse)
    assert rdflib.compare.isomorphic(graph, _expected(url, "CONSTRUCT"))
