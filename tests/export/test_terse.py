"""The build's own RDF writing (terms.py, export/terse.py) against pyoxigraph's, the independent reference."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cubagraph import pipeline, project
from cubagraph.export import terse
from cubagraph.graph.dataset import Dataset
from cubagraph.rdf import terms
from cubagraph.rdf.namespaces import RDF, RDFS, XSD
from support import ROOT

PREFIXES = project.find(ROOT).prefixes()
FIRST = {RDF + "type": "0", RDFS + "label": "1"}  # then every other predicate, by IRI


def _theirs(graph: str, rows: list[terms.Row], prefixes: dict[str, str]) -> str:
    data = (ox.serialize(terms.to_quads(graph, rows), format=ox.RdfFormat.TRIG, prefixes=prefixes) or b"").decode()
    return "".join(line + "\n" for line in data.split("\n")[:-1] if not line.startswith("@prefix "))


def _mine(graph: str, rows: list[terms.Row], prefixes: dict[str, str]) -> str:
    return terse.trig_block(graph, terse.turtle(rows, prefixes), prefixes)


def test_every_seed_graph_is_written_byte_for_byte_as_pyoxigraph_writes_it(dataset: Dataset) -> None:
    graphs = terms.of_quads(dataset.quads)
    assert len(graphs) == 4  # the ontology, the registry and two documents
    for graph, rows in graphs.items():
        assert _mine(graph, rows, PREFIXES) == _theirs(graph, rows, PREFIXES), graph


def test_rows_sort_as_pyoxigraph_terms_do(dataset: Dataset) -> None:
    for graph, rows in terms.of_quads(dataset.quads).items():
        shuffled = rows[::-1] + rows[:5]  # reversed, with duplicates
        quads = sorted(
            set(terms.to_quads(graph, shuffled)),
            key=lambda q: (
                q.subject.value,
                {terms.RDF + "type": "0"}.get(q.predicate.value, "")
                or ("1" if q.predicate.value == terms.RDFS + "label" else "2" + q.predicate.value),
                str(q.object),
            ),  # type: ignore[union-attr]
        )
        assert terms.to_quads(graph, terms.sort_rows(shuffled)) == quads


@given(st.text(alphabet=st.characters(max_codepoint=0x2FFF, exclude_categories=("Cs",)), max_size=40))
@settings(max_examples=500, deadline=None)
def test_literals_are_quoted_as_n_triples_quotes_them(value: str) -> None:
    assert terms.quoted(value) == str(ox.Literal(value))


def test_every_control_character_is_quoted_as_pyoxigraph_quotes_it() -> None:
    for code in (*range(0x00, 0xA0), 0x2028, 0x2029, 0xFEFF):
        assert terms.quoted(chr(code)) == str(ox.Literal(chr(code))), hex(code)


HOSTILE_IRIS = [
    "https://e.example/a/x.",  # a trailing dot would end the statement
    "https://e.example/a/-x",  # a hyphen may not start a local name
    "https://e.example/a/x~y",
    "https://e.example/a/x%20y",
    "https://e.example/a/é",
    "https://e.example/a/",  # an empty local name
    "https://e.example/a/b/c",  # a slash inside the local name
    "https://e.example/other",  # no prefix at all
    "urn:x-cubagraph:thing",
]
HOSTILE_LITERALS = [
    terms.Literal('say "hi"\\ \n\r\t\x00\x08\x0c\x1f\x7f\x85\u2028 done'),
    terms.Literal(""),
    terms.Literal("12", XSD + "integer"),
    terms.Literal("012", XSD + "integer"),
    terms.Literal("-1.50", XSD + "decimal"),
    terms.Literal("1", XSD + "decimal"),  # not Turtle's decimal form: written with its datatype
    terms.Literal("1e5", XSD + "double"),
    terms.Literal("1", XSD + "boolean"),  # not Turtle's boolean form
    terms.Literal("true", XSD + "boolean"),
    terms.Literal("x", RDF + "langString", "es"),
    terms.Literal("2021-07", XSD + "gYearMonth"),
    terms.Literal("x", "https://e.example/dt/odd.x"),
]


def test_hostile_terms_parse_back_as_written() -> None:
    prefixes = {"a": "https://e.example/a/", "b": "https://e.example/a/b", "xsd": XSD}
    rows: list[terms.Row] = [("https://e.example/a/s", "https://e.example/p", terms.IRI(i)) for i in HOSTILE_IRIS]
    rows += [("https://e.example/a/s", "https://e.example/q", lit) for lit in HOSTILE_LITERALS]
    rows += [(i, "https://e.example/p", terms.Literal("x")) for i in HOSTILE_IRIS if i != "https://e.example/a/"]
    rows = terms.sort_rows(rows)
    graph = "https://e.example/g"
    text = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()) + _mine(graph, rows, prefixes)
    back = terms.of_quads(ox.parse(text.encode(), format=ox.RdfFormat.TRIG))
    assert list(back) == [graph]
    assert terms.sort_rows(back[graph]) == rows
    turtle = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()) + terse.turtle(rows, prefixes)
    assert sorted(map(str, ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))) == sorted(
        str(q.triple) for q in terms.to_quads(graph, rows)
    )


def test_the_longest_namespace_gives_the_prefixed_name() -> None:
    names = terse.Names({"id": "https://e.example/id/", "claim": "https://e.example/id/claim/"})
    assert names("https://e.example/id/claim/x.evidence.1") == "claim:x.evidence.1"
    assert names("https://e.example/id/actor") == "id:actor"
    assert names("https://e.example/elsewhere") == "<https://e.example/elsewhere>"


def test_blank_nodes_are_refused_with_a_reason() -> None:
    quad = ox.Quad(ox.BlankNode(), ox.NamedNode("https://e.example/p"), ox.Literal("x"))
    with pytest.raises(TypeError, match="no blank nodes"):
        terms.of_quads([quad])


def test_a_generated_corpus_is_written_byte_for_byte_as_pyoxigraph_writes_it(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.generate(tmp_path, 20)
    proj = project.find(tmp_path)
    graphs = terms.of_quads(pipeline.build_dataset(proj).quads)
    assert len(graphs) == 22  # twenty documents, the registry and the ontology
    for graph, rows in graphs.items():
        assert _mine(graph, rows, proj.prefixes()) == _theirs(graph, rows, proj.prefixes()), graph
