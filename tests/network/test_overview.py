"""The actor overview on the seeds: one node per actor, edges that carry the facts behind them."""

from __future__ import annotations

import networkx as nx
import pytest

from cubagraph.graph.dataset import Dataset
from cubagraph.network import overview, projection
from cubagraph.network.projection import context, project_graph
from cubagraph.rdf.terms import of_quads

A = "https://cubagraph.example/id/actor/"
S = "https://cubagraph.example/id/statement/blinken-political-prisoners.blinken-twitter-post"


@pytest.fixture(scope="module")
def g(dataset: Dataset) -> nx.MultiDiGraph:
    return projection.of(dataset)


@pytest.fixture(scope="module")
def o(g: nx.MultiDiGraph) -> nx.Graph:
    return overview.overview(g)


def test_one_node_per_actor(g: nx.MultiDiGraph, o: nx.Graph) -> None:
    actors = sorted(n for n, d in g.nodes(data=True) if d["kind"] == "actor")
    assert sorted(o.nodes) == actors
    assert all(d["kind"] == "actor" and d["label"] for _, d in o.nodes(data=True))


def test_blinken_and_political_prisoners_are_linked_by_the_statement_and_its_demand(o: nx.Graph) -> None:
    edge = o.edges[A + "antony-blinken", A + "political-prisoners"]
    assert edge["facts"] == [S, S + ".demand.1"]
    assert edge["kinds"] == {"demand": 1, "statement": 1}
    assert edge["weight"] == 2
    assert overview.describe(edge["kinds"]) == "1 demand, 1 statement"


def test_every_fact_on_an_edge_names_both_actors(g: nx.MultiDiGraph, o: nx.Graph) -> None:
    for a, b, d in o.edges(data=True):
        assert d["weight"] == len(d["facts"]) == sum(d["kinds"].values())
        assert d["weight"] or d["registry"]
        for fact in d["facts"]:
            near = set(nx.all_neighbors(g, fact))
            statement = fact.rsplit(".demand.", 1)[0]  # a demand names its statement's speaker
            near |= set(nx.all_neighbors(g, statement))
            assert {a, b} <= near, (a, b, fact)


def test_registry_structure_is_kept_apart(o: nx.Graph) -> None:
    registry = [d for _, _, d in o.edges(data=True) if d["registry"]]
    assert registry
    assert all(isinstance(label, str) for d in registry for label in d["registry"])


def test_per_document_shares_add_up_to_the_whole(dataset: Dataset, o: nx.Graph) -> None:
    graphs = of_quads(dataset.quads)
    ctx = context(row for rows in graphs.values() for row in rows)
    parts = [project_graph(graphs[name], ctx, name) for name in sorted(graphs)]
    shares = [overview.contributions(p.nodes, p.edges, ctx.actors) for p in parts]
    combined = overview.combine(reversed(shares))
    assert nx.utils.nodes_equal(combined.nodes(data=True), o.nodes(data=True))
    assert nx.utils.edges_equal(combined.edges(data=True), o.edges(data=True))
    assert list(combined.edges) == list(o.edges)  # deterministic order whatever the order of the shares
