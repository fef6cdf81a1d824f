"""Every IRI prefix, once, and the one place where IRIs are minted.

IRIs are minted from mapping ids, never from labels: a label can be corrected
without changing the identity of what it names. The base under which data
IRIs are minted is configurable (see :mod:`cubagraph.project`); the ontology
namespace is not, because other people's queries depend on it.
"""

from __future__ import annotations

import re

# The .example domain (RFC 2606) is reserved and never resolves: it is an
# honest default until the team owns a domain it can promise to keep.
CG = "https://cubagraph.example/ns#"
ONTOLOGY = "https://cubagraph.example/ns"
DEFAULT_BASE = "https://cubagraph.example/id/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
OA = "http://www.w3.org/ns/oa#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
WD = "http://www.wikidata.org/entity/"

PREFIXES: dict[str, str] = {
    "cg": CG,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "oa": OA,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "sem": SEM,
    "skos": SKOS,
    "wd": WD,
    "xsd": XSD,
}

# Lowercase letters and digits in words joined by single hyphens: safe in
# IRIs, in file names on every platform, and in shells. Lowercase only, so
# that two ids never differ by case alone.
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ID_MAX = 100
ID_RULE = "use lowercase letters, digits and single hyphens, e.g. 'antony-blinken'"


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be an id, or None when it can."""
    if len(value) > ID_MAX:
        return f"id is longer than {ID_MAX} characters"
    if not ID_PATTERN.fullmatch(value):
        return f"id {value!r} cannot form a safe IRI"
    return None


class Minter:
    """Mints every data IRI under one base.

    Each kind of node has a namespace of its own (``actor/``, ``event/``...),
    so that exports read as ``actor:cuba`` and ``event:doc-id.protests``. The
    parts of a local name are joined with dots, which ids never contain, so
    that prefixed names need no escaping.
    """

    KINDS = ("actor", "post", "document", "graph", "event", "statement", "figure", "claim", "relation", "role")

    def __init__(self, base: str = DEFAULT_BASE):
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+/", base):
            raise ValueError(f"base IRI {base!r} must be an http(s) IRI ending in '/', e.g. {DEFAULT_BASE!r}")
        self.base = base

    def prefixes(self) -> dict[str, str]:
        """Prefixes for data IRIs, for readable exports."""
        return {kind: f"{self.base}{kind}/" for kind in self.KINDS}

    def actor(self, actor_id: str) -> str:
        return f"{self.base}actor/{actor_id}"

    def post(self, post_id: str) -> str:
        return f"{self.base}post/{post_id}"

    def document(self, doc_id: str) -> str:
        return f"{self.base}document/{doc_id}"

    def shared_event(self, event_id: str) -> str:
        """A well-known event of the registry: no document in its IRI, no dot in its local name."""
        return f"{self.base}event/{event_id}"

    def item(self, doc_id: str, kind: str, item_id: str) -> str:
        """An event, statement, figure, claim, relation or role of one document."""
        return f"{self.base}{kind}/{doc_id}.{item_id}"

    @staticmethod
    def part(iri: str, *parts: str | int) -> str:
        """A node that belongs to another: its evidence, a selector, a date."""
        return ".".join((iri, *map(str, parts)))

    def document_graph(self, doc_id: str) -> str:
        return f"{self.base}graph/{doc_id}"

    def registry_graph(self) -> str:
        return f"{self.base}registry"

    @staticmethod
    def ontology_graph() -> str:
        return ONTOLOGY
