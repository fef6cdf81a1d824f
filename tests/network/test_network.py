"""The networkx projection, its analyses and its exports, on the seed graph."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from cubagraph.graph.dataset import Dataset
from cubagraph.network import analysis, projection
from cubagraph.rdf.namespaces import CG, RDF
from support import Result

A = "https://cubagraph.example/id/actor/"


@pytest.fixture(scope="module")
def g(dataset: Dataset) -> nx.MultiDiGraph:
    return projection.of(dataset)


def test_nodes_are_the_graphs_things_never_literals(g: nx.MultiDiGraph, dataset: Dataset) -> None:
    typed = Counter()
    for q in dataset.quads:
        if q.predicate.value == RDF + "type" and q.object.value in projection.KINDS:
            typed[projection.KINDS[q.object.value]] += 1
    assert Counter(d["kind"] for _, d in g.nodes(data=True)) == typed
    assert all(n.startswith("https://cubagraph.example/id/") for n in g.nodes)


def test_the_owners_chains_read_naturally(g: nx.MultiDiGraph) -> None:
    def follow(start: str, *labels: str) -> set[str]:
        frontier = {start}
        for label in labels:
            frontier = {b for a in frontier for _, b, d in g.out_edges(a, data=True) if d["label"] == label}
        return frontier

    assert A + "political-prisoners" in follow(A + "antony-blinken", "speaker", "about")
    assert A + "released-prisoners-553" in follow(A + "cuba", "agent", "affected")
    assert A + "cuba" in follow(A + "united-states", "subject", "supplies")


def test_every_non_registry_edge_names_the_assertion_behind_it(g: nx.MultiDiGraph) -> None:
    for _, _, d in g.edges(data=True):
        if d["kind"] == "registry":
            assert d["source"] == ""
        else:
            assert g.nodes[d["source"]]["evidence"], d


@pytest.mark.parametrize("target", ["Cuban courts", "Cuban government"])
def test_path_from_blinken_with_a_quote_on_every_hop(run: Callable[..., Result], root: Path, target: str) -> None:
    result = run("path", "Blinken", target, "--max", "3", cwd=root)
    assert result.code == 0, result.err
    first = result.out.split("Path 2")[0]
    lines = first.splitlines()
    assert lines[1].strip() == "Antony Blinken  [actor]"
    hops = [i for i, line in enumerate(lines) if line.startswith(("    —", "    ←"))]  # a hop, either way
    assert lines[hops[-1]].endswith(f"{target}  [actor]")
    for i in hops:
        following = lines[i + 1]
        assert following.strip().startswith(('"', "(registry", "(the same evidence")), following
    # Every quote is followed by its document and offsets.
    quotes = [i for i, line in enumerate(lines) if line.strip().startswith('"')]
    assert quotes
    assert all("blinken-political-prisoners, characters" in lines[i + 1] for i in quotes)
    assert result.out.count("Path ") == 3


def test_paths_api_gives_alternatives_shortest_first(g: nx.MultiDiGraph) -> None:
    found = analysis.paths(g, A + "antony-blinken", A + "cuban-government", limit=5)
    assert len(found) == 5
    lengths = [len(p.hops) for p in found]
    assert lengths == sorted(lengths)
    assert analysis.paths(g, A + "antony-blinken", A + "antony-blinken", 1)[0].hops == []


def test_unknown_actor_gets_suggestions(run: Callable[..., Result], root: Path) -> None:
    result = run("path", "Blinkn", "Cuba", cwd=root)
    assert result.code == 2
    assert result.err.startswith("cubagraph: unknown actor 'Blinkn' — did you mean 'blinken'")


def test_neighbors(run: Callable[..., Result], root: Path) -> None:
    result = run("neighbors", "antony-blinken", cwd=root)
    lines = result.out.splitlines()
    assert lines[0] == "Antony Blinken  [actor]"
    assert len(lines) == 5
    assert any("—speaker→ Antony Blinken: social media post  [statement]" in line for line in lines)
    deeper = run("neighbors", "antony-blinken", "--depth", "2", cwd=root).out.splitlines()
    assert len(deeper) > len(lines)
    assert any("Political prisoners in Cuba" in line for line in deeper)


def test_timeline_order_and_undated_last(g: nx.MultiDiGraph) -> None:
    entries, hidden = analysis.timeline(g)
    assert hidden == 0
    labels = [e.label for e in entries]
    protests = labels.index("July 11, 2021 protests in Cuba")
    roundtable = labels.index("Bipartisan roundtable with Cuban pro-democracy activists")
    statement = labels.index("Antony Blinken: social media post")
    release = labels.index("Cuba releases 553 prisoners")
    # The post is "two years after the July 11 protests": about July 2023, which begins before July 7.
    assert protests < statement < roundtable < release
    assert not entries[release].dated
    assert all(not e.dated for e in entries[release:])
    assert entries[statement].date["value"] == "2023-07" and entries[statement].date["approximate"]
    # When it happened beside when it was reported.
    assert entries[protests].reported == "2023-07 (approx.)"
    assert entries[release].reported == "unknown"


def test_timeline_filters(run: Callable[..., Result], root: Path) -> None:
    result = run("timeline", "--from", "2021", "--to", "2023-07-08", cwd=root)
    rows = [line.split("  ")[0].strip() for line in result.out.splitlines()[2:-2]]
    assert rows == ["2021-07-11", "2023-07 ~", "2023-07-07 ~"]  # about July 2023 overlaps the range
    assert result.out.splitlines()[-1] == "13 undated items not shown: a date range cannot place them."
    result = run("timeline", "--actor", "Blinken", cwd=root)
    assert "Antony Blinken: social media post" in result.out
    assert "Cuba releases 553 prisoners" not in result.out
    result = run("timeline", "--from", "2021-02-30", cwd=root)
    assert result.code == 1 and "does not exist" in result.err


def test_stats_top_actors_and_counts(run: Callable[..., Result], root: Path, g: nx.MultiDiGraph) -> None:
    result = run("stats", "--format", "json", cwd=root)
    report = json.loads(result.out)
    assert [r["actor"] for r in report["degree"]["top"][:3]] == ["cuba", "united-states", "released-prisoners-553"]
    assert report["betweenness"]["top"][0]["actor"] == "cuba"
    assert report["degree"]["explanation"] and report["betweenness"]["explanation"]
    assert report["by_document"] == {"blinken-political-prisoners": 34, "cuba-releases-553-prisoners": 50}
    assert report["by_modality"]["recommendation"] == 9
    assert sum(report["by_kind"].values()) == g.number_of_nodes()
    table = run("stats", cwd=root).out
    assert "Most central actors by degree" in table and "Most central actors by betweenness" in table


def test_graphml_and_gexf_read_back_with_the_same_counts(root: Path, g: nx.MultiDiGraph) -> None:
    for reader, name in ((nx.read_graphml, "cubagraph.graphml"), (nx.read_gexf, "cubagraph.gexf")):
        back = reader(root / "exports" / name)
        assert back.number_of_nodes() == g.number_of_nodes(), name
        assert back.number_of_edges() == g.number_of_edges(), name
    gexf = nx.read_gexf(root / "exports/cubagraph.gexf")
    protests = next(d for _, d in gexf.nodes(data=True) if d["label"] == "July 11, 2021 protests in Cuba")
    assert (protests["start"], protests["end"]) == ("2021-07-11", "2021-07-11")
    assert (protests["class"], protests["documents"]) == ("Protest", "blinken-political-prisoners")
    graphml = nx.read_graphml(root / "exports/cubagraph.graphml")
    assert graphml.nodes[A + "cuba"]["wikidata"] == "Q241"


def test_csv_tables_match_the_graph(root: Path, g: nx.MultiDiGraph) -> None:
    with (root / "exports/nodes.csv").open(encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with (root / "exports/edges.csv").open(encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    assert len(nodes) == g.number_of_nodes() and len(edges) == g.number_of_edges()
    assert {n["Id"] for n in nodes} == set(g.nodes)
    assert all(e["Source"] in g and e["Target"] in g and e["Type"] == "Directed" for e in edges)
    figure = next(n for n in nodes if n["kind"] == "figure" and n["value"] == "553")
    assert (figure["comparator"], figure["unit"], figure["date_precision"]) == ("exactly", "persons", "unknown")


def test_gexf_carries_no_date_of_its_own(root: Path) -> None:
    assert b"lastmodifieddate" not in (root / "exports/cubagraph.gexf").read_bytes()


def test_cg_classes_used_by_the_projection_exist(dataset: Dataset) -> None:
    classes = {q.subject.value for q in dataset.quads if q.object.value == "http://www.w3.org/2002/07/owl#Class"}
    assert set(projection.KINDS) <= classes | {CG + "Actor"}


def test_a_demand_is_asserted_as_the_statement_that_makes_it(g: nx.MultiDiGraph, dataset: Dataset) -> None:
    import pyoxigraph as ox

    statement = "https://cubagraph.example/id/statement/blinken-political-prisoners.blinken-twitter-post"
    demand = statement + ".demand.1"
    assert g.nodes[demand]["modality"] == g.nodes[statement]["modality"] == "reported"
    # Made speculative, the statement takes its demand with it (so "speculation" filters hide both).
    speculative = ox.NamedNode(CG + "Speculation")
    quads = [
        ox.Quad(q.subject, q.predicate, speculative, q.graph_name)
        if q.subject.value == statement and q.predicate.value == CG + "modality"
        else q
        for q in dataset.quads
    ]
    assert projection.project(quads).nodes[demand]["modality"] == "speculation"
