"""The ontology declares what the builder emits, loads as OWL, and the build conforms to the shapes."""

from __future__ import annotations

import shutil
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pyshacl
import pytest
import rdflib

from cubagraph.errors import InvalidOntology
from cubagraph.graph.dataset import Dataset
from cubagraph.rdf import ontology
from cubagraph.rdf.namespaces import CG, ONTOLOGY, OWL, RDF, RDFS
from support import ROOT

ONTOLOGY_FILE = ROOT / "ontology" / "cubagraph.ttl"
SHAPES_FILE = ONTOLOGY_FILE.with_name("shapes.ttl")


@pytest.fixture(scope="module")
def onto() -> ontology.Ontology:
    return ontology.load(ONTOLOGY_FILE)


def data_quads(dataset: Dataset) -> list[ox.Quad]:
    return [q for q in dataset.quads if q.graph_name != ox.NamedNode(ONTOLOGY)]


def test_every_term_the_data_uses_is_declared(dataset: Dataset, onto: ontology.Ontology) -> None:
    declared = onto.vocabulary.declared
    used_predicates = {q.predicate.value for q in data_quads(dataset)} - {RDF + "type"}
    used_classes = {q.object.value for q in data_quads(dataset) if q.predicate.value == RDF + "type"}
    assert used_predicates - declared == set()
    assert used_classes - declared == set()
    # Terms of our own namespace used as objects (modalities, units...) are declared too.
    used_cg_objects = {q.object.value for q in data_quads(dataset) if q.object.value.startswith(CG)}
    assert used_cg_objects - declared == set()


def test_a_term_missing_from_the_ontology_would_be_caught(dataset: Dataset, onto: ontology.Ontology) -> None:
    # The check above must be able to fail: take one term out and look again.
    declared = onto.vocabulary.declared - {CG + "speaker"}
    used = {q.predicate.value for q in data_quads(dataset)}
    assert CG + "speaker" in used - declared


def test_every_own_term_has_a_label_and_a_comment(onto: ontology.Ontology) -> None:
    subjects: dict[str, set[str]] = {}
    for q in onto.quads:
        if q.subject.value.startswith(CG):
            subjects.setdefault(q.subject.value, set()).add(q.predicate.value)
    missing = {s for s, preds in subjects.items() if not {RDFS + "label", RDFS + "comment"} <= preds}
    assert missing == set()
    assert len(subjects) > 80


def test_the_ontology_imports_nothing_over_the_network(onto: ontology.Ontology) -> None:
    assert not [q for q in onto.quads if q.predicate.value == OWL + "imports"]


def test_owl_imports_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "cubagraph.ttl"
    shutil.copy(ONTOLOGY_FILE, path)
    with path.open("a", encoding="utf-8") as f:
        f.write(
            "\n<https://cubagraph.example/ns> <http://www.w3.org/2002/07/owl#imports> <http://xmlns.com/foaf/0.1/> .\n"
        )
    with pytest.raises(InvalidOntology, match=r"owl:imports .* is not allowed"):
        ontology.load(path)


def test_vocabularies_come_from_the_ontology(onto: ontology.Ontology) -> None:
    v = onto.vocabulary
    assert v.keys("modality") == ["opinion", "quoted", "recommendation", "reported", "speculation"]
    assert v.keys("comparator") == ["about", "at_least", "exact", "less_than", "more_than", "up_to"]
    assert v.keys("precision") == ["day", "month", "range", "unknown", "year"]
    assert set(v.keys("actor type")) == {"person", "organization", "government_body", "country", "group"}
    assert v.iri("event type", "protest") == CG + "Protest"
    assert v.supers[CG + "Report"] == [CG + "Communication", CG + "Event", CG + "Report"]


def test_the_build_conforms_to_the_shapes(dataset: Dataset) -> None:
    conforms, _, report = pyshacl.validate(_union(dataset), shacl_graph=_shapes(), inference="none")
    assert conforms, report


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        (CG + "evidence", "cg:evidence"),
        (CG + "modality", "cg:modality"),
        (CG + "precision", "cg:precision"),
        ("http://www.w3.org/ns/oa#start", "cgsh:PositionSelector"),
    ],
)
def test_the_shapes_catch_a_broken_graph(dataset: Dataset, predicate: str, expected: str) -> None:
    graph = _union(dataset)
    graph.remove((None, rdflib.URIRef(predicate), None))
    conforms, _, report = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none")
    assert not conforms
    assert predicate in report or expected in report


def test_an_unknown_date_with_a_value_breaks_the_shapes(dataset: Dataset) -> None:
    graph = _union(dataset)
    unknown = rdflib.URIRef(CG + "UnknownPrecision")
    some_date = next(graph.subjects(rdflib.URIRef(CG + "precision"), unknown))
    graph.add((some_date, rdflib.URIRef(CG + "earliest"), rdflib.Literal("2020-01-01", datatype=rdflib.XSD.date)))
    conforms, _, _ = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none")
    assert not conforms


def test_the_ontology_loads_as_owl_in_owlready2_and_hermit_finds_it_consistent(tmp_path: Path) -> None:
    """owlready2 parses the ontology as OWL 2; HermiT (via Java) checks its consistency."""
    triples = [q.triple for q in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)]
    nt = tmp_path / "cubagraph.nt"
    ox.serialize(triples, str(nt), format=ox.RdfFormat.N_TRIPLES)
    world = owlready2.World()
    onto = world.get_ontology(f"file://{nt}").load(format="ntriples")
    classes = {c.iri for c in onto.classes()}
    assert {CG + "Event", CG + "Statement", CG + "Figure", CG + "Claim", CG + "Actor"} <= classes
    props = {p.iri for p in onto.object_properties()}
    assert {CG + "speaker", CG + "assertedBy", CG + "evidence"} <= props
    assert CG + "quote" in {p.iri for p in onto.data_properties()}
    owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []


def _union(dataset: Dataset) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(dataset.triples(), format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def _shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")
