"""Read the ontology, and the vocabularies that mapping files may use.

The model is data: event types, participant roles, relation types, modalities,
units and the rest are declared in ``ontology/cubagraph.ttl`` with a
``cg:key``. Python code never lists them, so adding an event type is a
one-file change to the ontology.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import InvalidOntology
from .namespaces import CG, ONTOLOGY, OWL, PREFIXES

# family -> SPARQL pattern selecting ?term, in the ontology graph
_FAMILIES = {
    "actor type": "?term rdfs:subClassOf+ cg:Actor",
    "event type": "?term rdfs:subClassOf+ cg:Event",
    "role": "?term rdfs:subPropertyOf* cg:participant",
    "relation": "?term rdfs:subPropertyOf+ cg:actorRelation",
    "modality": "?term skos:inScheme cg:Modalities",
    "precision": "?term skos:inScheme cg:DatePrecisions",
    "medium": "?term skos:inScheme cg:Media",
    "unit": "?term skos:inScheme cg:Units",
    "measure": "?term skos:inScheme cg:Measures",
    "unnamed": "?term skos:inScheme cg:UnnamedRoles",
    "comparator": "?term skos:inScheme cg:Comparators",
    "post role": "?term skos:inScheme cg:PostRoles",
}

_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


@dataclass
class Vocabulary:
    """The keys mapping files may use, per family, with their IRIs and labels."""

    terms: dict[str, dict[str, str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    # Every cg: class or property declared in the ontology, for term checks.
    declared: set[str] = field(default_factory=set)
    # Superclasses of each keyed class up to cg:Event or cg:Actor, so that
    # instances carry every type and queries need no reasoner.
    supers: dict[str, list[str]] = field(default_factory=dict)

    def keys(self, family: str) -> list[str]:
        return sorted(self.terms.get(family, {}))

    def iri(self, family: str, key: str) -> str | None:
        return self.terms.get(family, {}).get(key)

    def label(self, iri: str) -> str:
        return self.labels.get(iri, iri.rsplit("#", 1)[-1])


@dataclass
class Ontology:
    path: Path
    quads: list[ox.Quad]
    vocabulary: Vocabulary


def load(path: Path) -> Ontology:
    """Parse ``path`` into the ontology graph and extract its vocabularies."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidOntology(f"{path}: cannot read the ontology ({exc.strerror})") from exc
    graph = ox.NamedNode(ONTOLOGY)
    try:
        triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=ONTOLOGY))
    except SyntaxError as exc:
        raise InvalidOntology(f"{path}: {exc} — fix the Turtle syntax") from exc
    imports = ox.NamedNode(OWL + "imports")
    for t in triples:
        if t.predicate == imports:
            # Imports would make loading the ontology fetch from the network.
            raise InvalidOntology(
                f"{path}: owl:imports {t.object} is not allowed — declare the external terms you use locally instead"
            )
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    store = ox.Store()
    store.bulk_extend(quads)
    return Ontology(path, quads, _vocabulary(store, path))


def _select(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    return list(store.query(_PROLOGUE + query, use_default_graph_as_union=True))  # type: ignore[arg-type]


def _vocabulary(store: ox.Store, path: Path) -> Vocabulary:
    vocab = Vocabulary()
    for family, pattern in _FAMILIES.items():
        found: dict[str, str] = {}
        for row in _select(store, f"SELECT ?term ?key WHERE {{ {pattern} . ?term cg:key ?key }}"):
            key, term = row["key"].value, row["term"].value
            if key in found and found[key] != term:
                raise InvalidOntology(
                    f"{path}: the {family} key {key!r} is used by both <{found[key]}> and "
                    f"<{term}> — give each term its own cg:key"
                )
            found[key] = term
        vocab.terms[family] = found
    for row in _select(store, "SELECT ?term ?label WHERE { ?term rdfs:label ?label }"):
        vocab.labels[row["term"].value] = row["label"].value
    for row in _select(
        store,
        "SELECT DISTINCT ?term WHERE { ?term a ?kind . "
        "VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty "
        "skos:Concept skos:ConceptScheme } }",
    ):
        vocab.declared.add(row["term"].value)
    for row in _select(
        store,
        "SELECT ?type ?super WHERE { VALUES ?root { cg:Event cg:Actor } ?type cg:key [] ; "
        "rdfs:subClassOf* ?super . ?super rdfs:subClassOf* ?root } ORDER BY ?type ?super",
    ):
        vocab.supers.setdefault(row["type"].value, []).append(row["super"].value)
    for key in ("Actor", "Event", "participant", "actorRelation"):
        if CG + key not in vocab.declared:
            raise InvalidOntology(f"{path}: cg:{key} is not declared — restore it")
    return vocab
