"""engine.prepare: what it reads from the store to check a query and bind its parameters.

At 10,000 documents, listing every named graph or reading every actor's names takes tens to
hundreds of milliseconds: more than a saved query takes to answer. Preparing a query does
neither unless it has to.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest

from cubagraph import project
from cubagraph.graph.dataset import Dataset
from cubagraph.rdf.namespaces import CG, RDF, RDFS, SKOS
from cubagraph.sparql import engine
from support import ROOT

ACTOR = "https://cubagraph.example/id/actor/"


class Unlisted:
    """A store that fails the test if anything lists its named graphs or reads every actor's names."""

    def __init__(self, store: ox.Store):
        self.store = store

    def named_graphs(self) -> Any:
        raise AssertionError("prepare listed every named graph")

    def query(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("prepare ran a query over the store")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.fixture(scope="module")
def store(dataset: Dataset) -> ox.Store:
    return dataset.to_store()


def test_prepare_asks_about_the_graphs_a_query_names_and_lists_none(store: ox.Store) -> None:
    proj = project.find(ROOT)
    quiet: Any = Unlisted(store)
    registry = "SELECT ?a FROM <https://cubagraph.example/id/registry> WHERE { ?a a cg:Actor }"
    assert engine.prepare(registry, quiet, proj.prefixes()).form == "SELECT"
    with pytest.raises(engine.QueryRefused, match="not in this dataset"):
        engine.prepare("SELECT * FROM <https://elsewhere.example/g> WHERE { ?s ?p ?o }", quiet, proj.prefixes())
    with pytest.raises(engine.QueryRefused, match="not in this dataset"):
        engine.prepare("SELECT * FROM NAMED graph:nowhere WHERE { ?s ?p ?o }", quiet, proj.prefixes())
    # --graph needs the list: the registry and the ontology go with the document.
    with pytest.raises(AssertionError, match="listed every named graph"):
        engine.prepare("SELECT * WHERE { ?s ?p ?o }", quiet, proj.prefixes(), graph="blinken-political-prisoners")


@pytest.mark.parametrize("value", ["antony-blinken", "Antony Blinken", "Blinken"])
def test_an_exact_id_name_or_alias_is_found_through_the_index(store: ox.Store, value: str) -> None:
    quiet: Any = Unlisted(store)
    assert engine.resolve_actor(value, quiet, ACTOR) == ox.NamedNode(ACTOR + "antony-blinken")


@pytest.mark.parametrize("value", ["ANTONY-BLINKEN", "antony blinken", "BLINKEN"])
def test_another_case_reads_every_name_and_finds_the_same_actor(store: ox.Store, value: str) -> None:
    assert engine.resolve_actor(value, store, ACTOR) == ox.NamedNode(ACTOR + "antony-blinken")


def test_an_unknown_actor_gets_suggestions(store: ox.Store) -> None:
    with pytest.raises(engine.QueryError, match="unknown actor 'blinkn' — did you mean"):
        engine.resolve_actor("blinkn", store, ACTOR)


def test_a_name_two_actors_share_is_left_to_the_full_read() -> None:
    store = ox.Store()
    graph = ox.NamedNode("urn:registry")
    for local in ("a", "b"):
        node = ox.NamedNode(ACTOR + local)
        store.add(ox.Quad(node, ox.NamedNode(RDF + "type"), ox.NamedNode(CG + "Actor"), graph))
        store.add(ox.Quad(node, ox.NamedNode(RDFS + "label"), ox.Literal(f"Actor {local}"), graph))
        store.add(ox.Quad(node, ox.NamedNode(SKOS + "altLabel"), ox.Literal("Twin"), graph))
    assert engine._exact_actor("Twin", store, ACTOR) is None
    assert engine.resolve_actor("Twin", store, ACTOR) in {ox.NamedNode(ACTOR + "a"), ox.NamedNode(ACTOR + "b")}
    # An id beats a name.
    store.add(ox.Quad(ox.NamedNode(ACTOR + "b"), ox.NamedNode(SKOS + "altLabel"), ox.Literal("a"), graph))
    assert engine.resolve_actor("a", store, ACTOR) == ox.NamedNode(ACTOR + "a")
