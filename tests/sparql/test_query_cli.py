"""`cubagraph query`: formats, parameters, graphs, errors, and what it refuses."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from support import ROOT, Result, edit

PERSONS = "SELECT ?name WHERE { ?a a cg:Person ; rdfs:label ?name } ORDER BY ?name"


def test_list_names_every_saved_query_with_its_question(run: Callable[..., Result], root: Path) -> None:
    result = run("query", "--list", cwd=root)
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) == len(list((root / "queries").glob("*.rq")))
    assert any(line.startswith("actor ") and line.endswith("--param actor=…") for line in lines)
    assert any("How many prisoners did Cuba release" in line for line in lines)


def test_table_is_aligned_and_counts_rows(run: Callable[..., Result], root: Path) -> None:
    result = run("query", PERSONS, cwd=root)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "name"
    assert set(lines[1]) == {"-"}
    assert lines[2:-1] == ["Antony Blinken", "Barack Obama", "Joe Biden", "Mario Díaz-Balart", "Michael McCaul"]
    assert lines[-1] == "(5 rows)"


def test_csv_tsv_json_and_xml_parse_as_sparql_results(run: Callable[..., Result], root: Path) -> None:
    names = ["Antony Blinken", "Barack Obama", "Joe Biden", "Mario Díaz-Balart", "Michael McCaul"]
    out = run("query", PERSONS, "--format", "csv", cwd=root).out
    assert out.startswith("name\r\n")
    assert [row[0] for row in csv.reader(io.StringIO(out))][1:] == names
    for fmt, oxfmt in (
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("tsv", ox.QueryResultsFormat.TSV),
    ):
        out = run("query", PERSONS, "--format", fmt, cwd=root).out
        parsed = ox.parse_query_results(out.encode(), format=oxfmt)
        assert [s["name"].value for s in parsed] == names, fmt  # type: ignore[union-attr]
    doc = json.loads(run("query", PERSONS, "--format", "json", cwd=root).out)
    assert doc["head"]["vars"] == ["name"]


def test_construct_gives_turtle(run: Callable[..., Result], root: Path) -> None:
    result = run("query", "CONSTRUCT WHERE { actor:cuba rdfs:label ?l }", cwd=root)
    assert result.code == 0, result.err
    triples = list(ox.parse(result.out.encode(), format=ox.RdfFormat.TURTLE))
    assert [t.object.value for t in triples] == ["Cuba"]
    result = run("query", "DESCRIBE actor:cuba", "--format", "ntriples", cwd=root)
    assert "<https://cubagraph.example/id/actor/cuba>" in result.out
    result = run("query", "CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv", cwd=root)
    assert result.code == 2
    assert "--format csv does not fit CONSTRUCT" in result.err


def test_ask(run: Callable[..., Result], root: Path) -> None:
    assert run("query", "ASK { actor:cuba a cg:Country }", cwd=root).out == "true\n"
    assert run("query", "ASK { actor:cuba a cg:Person }", cwd=root).out == "false\n"


def test_query_from_a_file(run: Callable[..., Result], root: Path, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(PERSONS, encoding="utf-8")
    assert run("query", "-f", str(path), cwd=root).out.splitlines()[-1] == "(5 rows)"


def test_syntax_error_gives_line_and_column_and_exits_2(run: Callable[..., Result], root: Path) -> None:
    result = run("query", "SELECT ?x\nWHERE {\n  ?x ?y \n}", cwd=root)
    assert result.code == 2
    assert result.err.startswith("cubagraph: syntax error at line 4, column ")
    assert len(result.err.splitlines()) == 1


def test_params_are_bound_as_terms_not_pasted(run: Callable[..., Result], root: Path) -> None:
    query = "SELECT ?a ?name WHERE { ?a rdfs:label ?name }"
    result = run("query", query, "--param", "name=Cuba", cwd=root)
    assert result.out.splitlines()[2].split() == ["actor:cuba", "Cuba"]
    # A value that would change the query if it were pasted in stays one literal.
    hostile = 'Cuba" } UNION { ?a ?p ?o } #'
    result = run("query", query, "--param", f"name={hostile}", cwd=root)
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "(0 rows)"
    result = run("query", "SELECT * WHERE { ?a rdfs:label ?l }", "--param", "a=actor:cuba", cwd=root)
    assert result.out.splitlines()[2].split() == ["actor:cuba", "Cuba"]
    result = run("query", "SELECT ?l WHERE { ?a rdfs:label ?l }", "--param", "a=actor:cuba", cwd=root)
    assert result.code == 2
    assert "parameter ?a must appear in the SELECT clause" in result.err


def test_saved_query_by_name_with_a_parameter(run: Callable[..., Result], root: Path) -> None:
    result = run("query", "--name", "actor", "--param", "actor=Díaz-Balart", "--format", "json", cwd=root)
    assert result.code == 0, result.err
    rows = json.loads(result.out)["results"]["bindings"]
    assert {r["actor"]["value"] for r in rows} == {"https://cubagraph.example/id/actor/mario-diaz-balart"}
    result = run("query", "--name", "timelin", cwd=root)
    assert result.code == 2
    assert "did you mean 'timeline'?" in result.err
    result = run("query", "--name", "actor", "--param", "who=x", cwd=root)
    assert result.code == 2
    assert "unknown parameter 'who' — this query takes: actor" in result.err


def test_graph_restricts_to_one_document(run: Callable[..., Result], root: Path) -> None:
    query = "SELECT DISTINCT ?doc WHERE { ?x prov:wasDerivedFrom ?doc }"
    every = run("query", query, cwd=root).out
    assert "document:blinken-political-prisoners" in every and "document:cuba-releases-553-prisoners" in every
    one = run("query", query, "--graph", "cuba-releases-553-prisoners", cwd=root).out
    assert "document:cuba-releases-553-prisoners" in one and "blinken" not in one
    # The registry stays visible, so actors keep their names.
    named = run(
        "query",
        "SELECT ?n WHERE { ?e cg:agent/rdfs:label ?n } ORDER BY ?n",
        "--graph",
        "cuba-releases-553-prisoners",
        cwd=root,
    )
    assert "Biden administration" in named.out
    wrong = run("query", query, "--graph", "blinken", cwd=root)
    assert wrong.code == 2 and "did you mean 'blinken-political-prisoners'?" in wrong.err


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}", "SERVICE is not allowed"),
        ("select * where {{ service silent <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}", "SERVICE is not allowed"),
        (
            "SELECT * WHERE {{ # a comment\n SeRvIcE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
            "SERVICE is not allowed",
        ),
        # The engine decodes \u escapes inside strings only: here it is a syntax error, and nothing is fetched.
        ("SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}", "syntax error"),
        (
            "PREFIX x: <http://127.0.0.1:{port}/>\nSELECT * WHERE {{ SERVICE x:q {{ ?s ?p ?o }} }}",
            "SERVICE is not allowed",
        ),
        ("LOAD <http://127.0.0.1:{port}/data.ttl>", "LOAD is not allowed"),
        ("INSERT DATA {{ <http://127.0.0.1:{port}/> <urn:p> <urn:o> }}", "INSERT is not allowed"),
        ("DELETE WHERE {{ ?s ?p ?o }}", "DELETE is not allowed"),
        ("DROP ALL", "DROP is not allowed"),
        ("SELECT * FROM <http://127.0.0.1:{port}/g> WHERE {{ ?s ?p ?o }}", "names a graph that is not in this dataset"),
        (
            "SELECT * FROM NAMED <file:///etc/passwd> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            "names a graph that is not in this dataset",
        ),
    ],
)
def test_refused_before_evaluation(
    run: Callable[..., Result], root: Path, listener: tuple[int, list[str]], template: str, message: str
) -> None:
    port, seen = listener
    result = run("query", template.format(port=port), cwd=root)
    assert result.code == 2
    assert message in result.err
    assert seen == []


def test_service_inside_a_string_or_iri_is_not_a_keyword(run: Callable[..., Result], root: Path) -> None:
    result = run("query", 'SELECT ?x WHERE { BIND("SERVICE LOAD DROP" AS ?x) FILTER(?x != <urn:SERVICE>) }', cwd=root)
    assert result.code == 0, result.err
    assert "SERVICE LOAD DROP" in result.out


def test_from_a_graph_in_the_dataset_is_allowed(run: Callable[..., Result], root: Path) -> None:
    result = run(
        "query",
        "SELECT (COUNT(*) AS ?n) FROM <https://cubagraph.example/id/registry> WHERE { ?a a cg:Actor }",
        cwd=root,
    )
    assert result.code == 0, result.err
    assert result.out.splitlines()[2] == "36"


def test_a_stale_build_is_reported(run: Callable[..., Result], workdir: Path) -> None:
    (workdir / "queries").symlink_to(ROOT / "queries")
    assert "changed since the last build" not in run("query", PERSONS, cwd=workdir).err
    edit(workdir / "data/actors.yaml", "    name: Venezuela\n", "    name: Bolivarian Republic of Venezuela\n")
    result = run("query", PERSONS, cwd=workdir)
    assert result.code == 0
    assert "warning: data/ has changed since the last build; run `cubagraph build`" in result.err


def test_a_large_graph_is_queried_from_an_on_disk_copy(
    run: Callable[..., Result], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cubagraph.sparql import engine

    (workdir / "queries").symlink_to(ROOT / "queries")
    monkeypatch.setattr(engine, "SMALL", 0)  # treat the seed graph as large
    first = run("query", PERSONS, cwd=workdir)
    stores = list((workdir / ".cubagraph").glob("store-*"))
    assert len(stores) == 1
    second = run("query", PERSONS, cwd=workdir)
    assert first.out == second.out and first.out.splitlines()[-1] == "(5 rows)"
    # Making the copy takes a while on a large graph: the first query says so, the next does not.
    assert "making the query store from exports/cubagraph.trig" in first.err
    assert "query store" not in second.err
    assert list((workdir / ".cubagraph").glob("store-*")) == stores
    # A new build makes a new copy, and the old one goes.
    assert run("build", cwd=workdir).code == 0
    (workdir / "exports/cubagraph.trig").write_bytes((workdir / "exports/cubagraph.trig").read_bytes() + b"\n")
    run("query", PERSONS, cwd=workdir)
    assert list((workdir / ".cubagraph").glob("store-*")) != stores
    assert len(list((workdir / ".cubagraph").glob("store-*"))) == 1
