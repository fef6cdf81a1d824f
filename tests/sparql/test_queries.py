"""Every saved query answers its question on the seed graph."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest

from cubagraph import project
from cubagraph.graph.dataset import Dataset
from cubagraph.sparql import engine, queries, results
from support import ROOT

LIBRARY = queries.library(ROOT / "queries")
B = "https://cubagraph.example/id/document/blinken-political-prisoners"
R = "https://cubagraph.example/id/document/cuba-releases-553-prisoners"


@pytest.fixture(scope="module")
def store(dataset: Dataset) -> ox.Store:
    return dataset.to_store()


def ask(store: ox.Store, name: str, **params: str) -> list[dict[str, Any]]:
    saved = LIBRARY[name]
    proj = project.find(ROOT)
    prepared = engine.prepare(saved.text, store, proj.prefixes(), params, saved.params, base=proj.base)
    result = results.materialise(engine.run(store, prepared, proj.prefixes()))
    return [
        {v: (t.value if t is not None else None) for v, t in zip(result.variables, row, strict=True)}
        for row in result.rows
    ]


def test_every_saved_query_states_its_question_and_has_a_test() -> None:
    tested = {name.removeprefix("test_").replace("_", "-") for name in globals() if name.startswith("test_")}
    assert len(LIBRARY) >= 10
    for name, saved in LIBRARY.items():
        assert saved.question.endswith("?") or saved.question.endswith("."), name
        assert name in tested, f"queries/{name}.rq has no test named test_{name.replace('-', '_')}"


def test_calls_for_release(store: ox.Store) -> None:
    (row,) = ask(store, "calls-for-release")
    assert row["speaker"] == "Antony Blinken"
    assert (row["date"], row["precision"], row["approximate"]) == ("2023-07", "month", "true")
    assert (row["medium"], row["platform"]) == ("social media post", "Twitter")
    assert row["words"] == "call for the immediate release of all political prisoners."
    assert row["document"] == B


def test_prisoners_released(store: ox.Store) -> None:
    (row,) = ask(store, "prisoners-released")
    assert (row["value"], row["comparator"], row["as_of"]) == ("553", "exactly", "unknown")
    assert row["asserted_by"] == "the document itself"
    assert row["quote"] == "has finalized the release of 553 prisoners"
    assert row["document"] == R


def test_people_figures(store: ox.Store) -> None:
    rows = ask(store, "people-figures")
    got = [(r["value"], r["comparator"], r["as_of"], r["asserted_by"], r["modality"], r["document"]) for r in rows]
    assert got == [
        ("700", "more than", "2023-07", "Antony Blinken", "quoted claim", B),
        ("553", "exactly", None, "the document itself", "reported", R),
        ("380", "more than", None, "Human Rights Watch", "reported", B),
    ]
    assert [r["as_of_precision"] for r in rows] == ["month", "unknown", "unknown"]


def test_timeline(store: ox.Store) -> None:
    rows = ask(store, "timeline")
    dated = [(r["date"], r["what"]) for r in rows if r["dated"] == "dated"]
    assert dated == [
        ("1959", "1959 Cuban revolution"),
        ("2019-11", "November 2019 State Department release"),
        ("2021-07-11", "July 11, 2021 protests in Cuba"),
        # "Two years after the July 11 protests": about July 2023, which begins before July 7.
        ("2023-07", "Antony Blinken: social media post"),
        ("2023-07-07", "Bipartisan roundtable with Cuban pro-democracy activists"),
    ]
    undated = [r for r in rows if r["dated"] == "undated"]
    assert "Cuba releases 553 prisoners" in {r["what"] for r in undated}
    assert all(r["date"] is None and r["precision"] == "unknown" for r in undated)
    # Undated events come after every dated one: listed apart, never given a date.
    assert rows.index(undated[0]) == len(dated)
    kinds = {r["what"]: r["kind"] for r in rows}
    assert kinds["July 11, 2021 protests in Cuba"] == "Protest"
    assert kinds["Human Rights Watch report on the July 11 protests"] == "Report"


def test_human_rights_reporting(store: ox.Store) -> None:
    rows = ask(store, "human-rights-reporting")
    orgs = {r["organization"] for r in rows}
    assert orgs == {"Amnesty International", "Human Rights Watch"}
    said = {(r["organization"], r["said"]) for r in rows}
    assert ("Human Rights Watch", "Cuban courts uphold the convictions of protesters and bystanders") in said
    assert any(org == "Amnesty International" and "refuses to let" in what for org, what in said)
    assert {r["act"] for r in rows} == {"Report", "Expression of concern"}
    assert all(r["words"] for r in rows)


def test_roundtable(store: ox.Store) -> None:
    rows = ask(store, "roundtable")
    assert [(r["organizer"], r["with"], r["date"], r["approximate"]) for r in rows] == [
        ("Mario Díaz-Balart", "Cuban pro-democracy activists", "2023-07-07", "true"),
        ("Michael McCaul", "Cuban pro-democracy activists", "2023-07-07", "true"),
    ]
    posts = {r["organizer"]: set(r["posts"].split("; ")) for r in rows}
    assert posts["Mario Díaz-Balart"] == {
        "Chairman of the State, Foreign Operations and Related Programs Subcommittee",
        "Member of the U.S. House of Representatives",
    }
    assert "Chairman of the House Foreign Affairs Committee" in posts["Michael McCaul"]


def test_actor(store: ox.Store) -> None:
    rows = ask(store, "actor", actor="antony-blinken")
    assert {(r["kind"], r["how"]) for r in rows} == {
        ("Statement", "speaker"),
        ("Figure", "asserted by"),
        ("Claim", "asserted by"),
        ("Role holding", "member"),
    }
    assert all(r["quotes"] and r["document"] == B for r in rows)
    # A name or an alias finds the same actor.
    assert ask(store, "actor", actor="Blinken") == rows
    cuba = ask(store, "actor", actor="Cuba")
    assert {r["document"] for r in cuba} == {B, R}
    assert ("Event", "agent") in {(r["kind"], r["how"]) for r in cuba}


def test_actor_needs_its_parameter(store: ox.Store) -> None:
    with pytest.raises(engine.QueryError, match="missing parameter 'actor'"):
        ask(store, "actor")
    with pytest.raises(engine.QueryError, match="unknown actor 'blinkn' — did you mean"):
        ask(store, "actor", actor="blinkn")


def test_not_reported_fact(store: ox.Store) -> None:
    rows = ask(store, "not-reported-fact")
    by_modality: dict[str, set[str]] = {}
    for r in rows:
        by_modality.setdefault(r["modality"], set()).add(r["claim"])
    assert set(by_modality) == {"opinion", "speculation", "recommendation"}
    assert "Cuba may bolster ties with Venezuela, a country that opposes U.S. sanctions" in by_modality["speculation"]
    assert (
        "Skill development programs: vocational training tailored to local job markets" in by_modality["recommendation"]
    )
    assert "The Cuban regime is brutal" in by_modality["opinion"]
    assert not any(r["modality"] in ("reported", "quoted claim") for r in rows)


def test_shared_actors(store: ox.Store) -> None:
    rows = ask(store, "shared-actors")
    # By name; each with how many documents it appears in (the actor query lists which).
    assert [(r["name"], r["documents"]) for r in rows] == [
        ("Cuba", "2"),
        ("Cuban government", "2"),
        ("United States", "2"),
    ]
    assert all(set(r) == {"actor", "name", "documents"} for r in rows)


def test_corroboration(store: ox.Store) -> None:
    rows = ask(store, "corroboration")
    # The seeds' sanctions: one event, told by two documents, on two sources; every other fact rests on one.
    assert (rows[0]["label"], rows[0]["sources"], rows[0]["documents"], rows[0]["kind"]) == (
        "U.S. sanctions on Cuba",
        "2",
        "2",
        "event",
    )
    assert all(r["sources"] == "1" and r["one_source"] == "true" for r in rows[1:])


def test_trade_figures(store: ox.Store) -> None:
    rows = ask(store, "trade-figures")
    found = [
        (r["year"], r["value"], r["unit"], r["comparator"], r["stated"], r["stated_to"], r["measure"]) for r in rows
    ]
    assert found == [
        ("2017", "3500000000", "USD", "about", "$3.5 billion", "100000000", "value of supplies provided"),
        ("2018", "275900000", "USD", "exactly", "$275.9 million", "100000", "value of exports"),
    ]
    assert [r["asserted_by"] for r in rows] == ["U.S. Department of State", "the document itself"]


# -- the bounds, on a corpus larger than a page -------------------------------------
#
# The queries that grow with the corpus answer a page: the first rows in their stated order.
# With the page cut to a few rows (the sizes are in the query text), each must give exactly
# the first rows of its plain, unbounded answer on a generated corpus.

# The unbounded answers, as the saved queries asked them before they were bounded.
PLAIN = {
    "timeline": """
SELECT ?dated ?what ?document WHERE {
  { ?item a cg:Event } UNION { ?item a cg:Statement }
  ?item rdfs:label ?what ; cg:date ?when ; prov:wasDerivedFrom ?document .
  ?when cg:precision ?p .
  OPTIONAL { ?when cg:earliest ?earliest }
  BIND(IF(?p = cg:UnknownPrecision, "undated", "dated") AS ?dated)
}
ORDER BY ?dated ?earliest ?what""",
    "people-figures": """
SELECT ?value ?document WHERE {
  ?figure a cg:Figure ; cg:unit cg:Persons ; cg:value ?value ; prov:wasDerivedFrom ?document .
}
ORDER BY DESC(?value) ?document""",
    "not-reported-fact": """
SELECT ?modality ?document ?claim WHERE {
  ?item cg:modality ?m ; rdfs:label ?claim ; prov:wasDerivedFrom ?document .
  VALUES ?m { cg:Speculation cg:Opinion cg:Recommendation }
  ?m rdfs:label ?modality .
}
ORDER BY ?modality ?document ?claim""",
    "human-rights-reporting": """
SELECT ?organization ?said WHERE {
  ?communication a cg:Communication , ?type ; cg:agent ?org .
  ?org a cg:Organization ; rdfs:label ?organization .
  ?type rdfs:subClassOf cg:Communication .
  { ?assertion cg:assertedVia ?communication }
  UNION
  { ?assertion a cg:Communication . BIND(?assertion AS ?communication) }
  ?assertion rdfs:label ?said .
}
ORDER BY ?organization ?said""",
    "shared-actors": """
SELECT ?name (COUNT(DISTINCT ?doc) AS ?documents) WHERE {
  ?actor a cg:Actor ; rdfs:label ?name .
  GRAPH ?graph { ?item ?link ?actor }
  ?doc cg:namedGraph ?graph .
}
GROUP BY ?actor ?name
HAVING (COUNT(DISTINCT ?doc) > 1)
ORDER BY LCASE(?name) ?name""",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[ox.Store, dict[str, str]]:
    """A generated corpus of 120 documents and 180 actors, built in memory."""
    import importlib.util

    from cubagraph import pipeline

    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    directory = tmp_path_factory.mktemp("generated") / "corpus"
    bench.generate(directory, 120, actors_per_100=150)
    proj = project.find(directory)
    return pipeline.build_dataset(proj, use_cache=False).to_store(), proj.prefixes()


def answer(store: ox.Store, prefixes: dict[str, str], text: str, **params: str) -> list[dict[str, Any]]:
    declared = LIBRARY["actor"].params if params else ()
    prepared = engine.prepare(text, store, prefixes, params or None, declared)
    result = results.materialise(engine.run(store, prepared, prefixes))
    rows = [
        {v: (t.value if t is not None else None) for v, t in zip(result.variables, row, strict=True)}
        for row in result.rows
    ]
    for row in rows:  # GROUP_CONCAT's order is the engine's
        if row.get("quotes"):
            row["quotes"] = " … ".join(sorted(row["quotes"].split(" … ")))
    return rows


# The columns that order each answer; rows that tie on them may come in any order.
ORDER = {"timeline": ("dated", "what")}


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_a_bounded_query_answers_the_first_rows_of_the_plain_answer(
    name: str, generated: tuple[ox.Store, dict[str, str]]
) -> None:
    store, prefixes = generated
    text = LIBRARY[name].text
    assert text.count("LIMIT 100") >= 1, name
    plain = answer(store, prefixes, PLAIN[name])
    n = 5
    assert len(plain) > n, f"{name}: the corpus is too small to cut a page"
    bounded = answer(store, prefixes, text.replace("< 100", f"< {n}").replace("LIMIT 100", f"LIMIT {n}"))
    keys = [k for k in plain[0] if k in bounded[0]]
    order = ORDER.get(name, keys)
    assert [[r[k] for k in order] for r in bounded] == [[r[k] for k in order] for r in plain[:n]]
    # With the page as large as the answer, the whole answer comes back.
    whole = answer(store, prefixes, text.replace("< 100", "< 100000").replace("LIMIT 100", "LIMIT 100000"))
    assert [[r[k] for k in order] for r in whole] == [[r[k] for k in order] for r in plain]
    assert sorted(tuple(r[k] for k in keys) for r in whole) == sorted(tuple(r[k] for k in keys) for r in plain)


def test_actor_pages_by_document(generated: tuple[ox.Store, dict[str, str]]) -> None:
    store, prefixes = generated
    text = LIBRARY["actor"].text
    assert "LIMIT 25" in text
    busy = "actor-0"
    whole = answer(store, prefixes, text.replace("LIMIT 25", "LIMIT 100000"), actor=busy)
    documents = sorted({r["document"] for r in whole})
    assert len(documents) > 4
    page = answer(store, prefixes, text.replace("LIMIT 25", "LIMIT 4"), actor=busy)
    assert {r["document"] for r in page} == set(documents[:4])
    assert page == [r for r in whole if r["document"] in documents[:4]]
