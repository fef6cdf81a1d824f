"""Models → RDF: one named graph per document, one for the registry, one for the ontology.

There are no blank nodes: every node, down to each evidence selector, gets an
IRI derived from mapping ids and positions, so that exports are byte-stable
and two builds can be compared triple by triple.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from ..mapping import dates, figures, model
from ..mapping.evidence import Span
from ..mapping.load import RegistryFile, Source
from ..mapping.validate import ARTICLE
from ..mapping.yamlfile import Path as Loc
from ..rdf.namespaces import CG, DCTERMS, OA, ORG, PROV, RDF, RDFS, SCHEMA, SKOS, WD, XSD, Minter
from ..rdf.ontology import Ontology, Vocabulary
from ..rdf.terms import IRI, Literal, Row, Term, of_quads, sort_rows, to_quads
from .dataset import Dataset

part = Minter.part


TYPE = RDF + "type"
LABEL = RDFS + "label"


# An evidence's predicates and classes, made once (see Builder._evidence).
_EVIDENCE, _EVIDENCE_CLASS = CG + "evidence", IRI(CG + "Evidence")
_ANNOTATION, _SPECIFIC_RESOURCE = IRI(OA + "Annotation"), IRI(OA + "SpecificResource")
_QUOTE_SELECTOR, _POSITION_SELECTOR = IRI(OA + "TextQuoteSelector"), IRI(OA + "TextPositionSelector")
_HAS_BODY, _HAS_TARGET, _HAS_SOURCE, _HAS_SELECTOR = (
    OA + "hasBody",
    OA + "hasTarget",
    OA + "hasSource",
    OA + "hasSelector",
)
_EXACT, _PREFIX, _SUFFIX, _START, _END = OA + "exact", OA + "prefix", OA + "suffix", OA + "start", OA + "end"
_COUNT = XSD + "nonNegativeInteger"


def cg(name: str) -> str:
    return CG + name


def literal(value: Any) -> Literal:
    if isinstance(value, bool):
        return Literal("true" if value else "false", XSD + "boolean")
    if isinstance(value, int):
        return Literal(str(value), XSD + "integer")
    if isinstance(value, Decimal):
        return Literal(format(value, "f"), XSD + "decimal")
    return Literal(str(value))


def typed(value: str, xsd_type: str) -> Literal:
    return Literal(value, XSD + xsd_type)


class _Graph:
    def __init__(self, name: str, sink: list[Row]):
        self.name = name
        self.sink = sink
        # Each node is the object of several triples: make its IRI once.
        self.nodes: dict[str, IRI] = {}

    def node(self, iri: str) -> IRI:
        found = self.nodes.get(iri)
        if found is None:
            found = self.nodes[iri] = IRI(iri)
        return found

    def add(self, s: str, p: str, o: Term | str) -> None:
        self.sink.append((s, p, o if isinstance(o, tuple) else self.node(o)))

    def text(self, s: str, p: str, value: str | None) -> None:
        if value is not None:
            self.sink.append((s, p, Literal(value)))


class Builder:
    def __init__(self, minter: Minter, ontology: Ontology, registry: RegistryFile, shared: bool = True):
        """``shared``: start with the ontology's and the registry's graphs (False when they come from the cache)."""
        self.mint = minter
        self.vocab: Vocabulary = ontology.vocabulary
        # Each graph's rows, by graph name, as built (unsorted).
        self.graphs: dict[str, list[Row]] = of_quads(ontology.quads) if shared else {}
        self.counts: Counter[str] = Counter()
        self.actors = {a.id: a for _, a in registry.actors}
        self.posts = {p.id: p for _, p in registry.posts}
        if shared:
            self._registry(registry)

    def term(self, family: str, key: str) -> str:
        iri = self.vocab.iri(family, key)
        assert iri is not None, f"{family} {key!r} passed validation but is not in the ontology"
        return iri

    # -- registry -----------------------------------------------------------

    def _registry(self, registry: RegistryFile) -> None:
        g = self._graph(self.mint.registry_graph())
        for _, actor in registry.actors:
            iri = self.mint.actor(actor.id)
            for cls in self.vocab.supers[self.term("actor type", actor.type)]:
                g.add(iri, TYPE, cls)
            g.text(iri, LABEL, actor.name)
            for alias in actor.aliases:
                g.text(iri, SKOS + "altLabel", alias)
            if actor.wikidata:
                g.add(iri, SKOS + "exactMatch", WD + actor.wikidata)
            g.text(iri, DCTERMS + "description", actor.description)
            for rel in actor.relations:
                g.add(iri, self.term("relation", rel.type), self.mint.actor(rel.object))
            self.counts["actors"] += 1
        for _, event in registry.events:
            # A well-known event: its names here. It asserts nothing itself, so it is no cg:Event (an assertion,
            # with evidence); each document's telling of it is, in that document's graph, with cg:sameEventAs.
            iri = self.mint.shared_event(event.id)
            g.add(iri, TYPE, cg("WellKnownEvent"))
            g.add(iri, cg("eventType"), self.term("event type", event.type))
            g.text(iri, LABEL, event.name)
            for alias in event.aliases:
                g.text(iri, SKOS + "altLabel", alias)
            if event.wikidata:
                g.add(iri, SKOS + "exactMatch", WD + event.wikidata)
            g.text(iri, DCTERMS + "description", event.description)
            self.counts["shared events"] += 1
        for _, post in registry.posts:
            iri = self.mint.post(post.id)
            g.add(iri, TYPE, cg("Post"))
            g.text(iri, LABEL, post.name)
            g.add(iri, ORG + "postIn", self.mint.actor(post.organization))
            g.add(iri, ORG + "role", self.term("post role", post.role))
            self.counts["posts"] += 1

    # -- documents ----------------------------------------------------------

    def document(self, source: Source) -> None:
        doc = source.document
        g = self._graph(self.mint.document_graph(doc.id))
        self.source, self.g = source, g
        self.doc_iri = self.mint.document(doc.id)
        # Suggested items stay out of the graph until the mapper confirms them.
        confirmed = [(loc, item) for loc, item in source.items if not item.suggested]
        self.iris = {item.id: self.mint.item(doc.id, model.SINGULAR[str(loc[0])], item.id) for loc, item in confirmed}
        d = self.doc_iri
        g.add(d, TYPE, cg("Document"))
        g.text(d, DCTERMS + "title", doc.title)
        g.text(d, DCTERMS + "language", doc.language)
        g.text(d, cg("textFile"), source.text_file)
        g.text(d, cg("sha256"), source.sha256)
        g.add(d, cg("characters"), literal(len(source.text.raw)))
        g.add(d, cg("namedGraph"), g.name)
        self._date(d, "published", cg("published"), ("document", "published"), doc.published)
        if doc.publisher:
            g.add(d, DCTERMS + "publisher", self.mint.actor(doc.publisher))
        if doc.url:
            g.add(d, SCHEMA + "url", typed(doc.url, "anyURI"))
        g.text(d, SKOS + "editorialNote", doc.note)
        self.counts["documents"] += 1
        for loc, item in confirmed:
            self._assertion(loc, item)

    def agent(self, who: str | model.Unnamed) -> str:
        """An actor's IRI; or, for an unnamed source, its node in this document's graph, made on first use."""
        if isinstance(who, str):
            return self.mint.actor(who)
        iri = part(self.doc_iri, "unnamed", who.unnamed, who.of)
        if iri not in self.g.nodes:
            g = self.g
            g.add(iri, TYPE, cg("UnnamedSource"))
            g.text(iri, LABEL, self._name(who))
            g.add(iri, cg("unnamedRole"), self.term("unnamed", who.unnamed))
            g.add(iri, cg("affiliatedWith"), self.mint.actor(who.of))
        return iri

    def _name(self, who: str | model.Unnamed) -> str:
        """'Antony Blinken'; 'an unnamed spokesperson of U.S. Department of State', never the actor's own name."""
        if isinstance(who, str):
            return self.actors[who].name
        return f"{self.vocab.label(self.term('unnamed', who.unnamed))} {self.actors[who.of].name}"

    def ref(self, ref: str) -> str:
        return self.iris[ref] if ref in self.iris else self.mint.actor(ref)

    def _assertion(self, loc: Loc, item: model.Assertion) -> None:
        g, iri = self.g, self.iris[item.id]
        section = str(loc[0])
        self.counts[section] += 1
        g.text(iri, LABEL, self._label(item))
        g.add(iri, cg("modality"), self.term("modality", item.modality))
        by = self.doc_iri if item.asserted_by == ARTICLE else self.agent(item.asserted_by)
        g.add(iri, cg("assertedBy"), by)
        if item.via:
            g.add(iri, cg("assertedVia"), self.iris[item.via])
        g.add(iri, PROV + "wasDerivedFrom", self.doc_iri)
        g.text(iri, SKOS + "editorialNote", item.note)
        for i, _ in enumerate(item.evidence):
            self._evidence(iri, part(iri, "evidence", i + 1), (*loc, "evidence", i))
        for ref in getattr(item, "about", []):
            g.add(iri, cg("about"), self.ref(ref))
        if isinstance(item, model.Event):
            for cls in self.vocab.supers[self.term("event type", item.type)]:
                g.add(iri, TYPE, cls)
            self._date(iri, "date", cg("date"), (*loc, "date"), item.date)
            if item.same_as is not None:
                # The one event that other sources tell too. Each document's telling stays a node of its own
                # graph, with its evidence, attribution and date; no node is described in two graphs.
                doc, _, event = item.same_as.partition("/")
                one = self.mint.item(doc, "event", event) if event else self.mint.shared_event(doc)
                g.add(iri, cg("sameEventAs"), one)
            if item.place:
                g.add(iri, cg("place"), self.mint.actor(item.place))
            for p in item.participants:
                g.add(iri, self.term("role", p.role), self.mint.actor(p.actor))
        elif isinstance(item, model.Statement):
            g.add(iri, TYPE, cg("Statement"))
            g.add(iri, cg("speaker"), self.agent(item.speaker))
            g.add(iri, cg("medium"), self.term("medium", item.medium))
            g.text(iri, cg("platform"), item.platform)
            self._date(iri, "date", cg("date"), (*loc, "date"), item.date)
            for i, _ in enumerate(item.quote):
                span = self._evidence(iri, part(iri, "quote", i + 1), (*loc, "quote", i))
                g.text(iri, cg("quote"), span.exact)
            for i, demand in enumerate(item.calls_for):
                self._demand(iri, part(iri, "demand", i + 1), (*loc, "calls_for", i), demand)
        elif isinstance(item, model.Figure):
            g.add(iri, TYPE, cg("Figure"))
            g.add(iri, cg("value"), literal(figures.quantity(item)))
            g.add(iri, cg("valuePrecision"), literal(figures.step(item)))
            g.text(iri, cg("stated"), item.stated)
            g.add(iri, cg("unit"), self.term("unit", item.unit))
            g.add(iri, cg("comparator"), self.term("comparator", item.comparator))
            if item.measures is not None:
                g.add(iri, cg("measures"), self.term("measure", item.measures))
            g.text(iri, cg("counts"), item.counts)
            self._date(iri, "as-of", cg("asOf"), (*loc, "as_of"), item.as_of)
        elif isinstance(item, model.Claim):
            g.add(iri, TYPE, cg("Claim"))
        elif isinstance(item, model.Relation):
            g.add(iri, TYPE, cg("AttributedRelation"))
            g.add(iri, cg("subject"), self.mint.actor(item.subject))
            g.add(iri, cg("relation"), self.term("relation", item.type))
            g.add(iri, cg("object"), self.ref(item.object))
        elif isinstance(item, model.RoleHolding):
            post = self.posts[item.post]
            g.add(iri, TYPE, cg("RoleHolding"))
            g.add(iri, ORG + "member", self.mint.actor(item.holder))
            g.add(iri, ORG + "organization", self.mint.actor(post.organization))
            g.add(iri, ORG + "role", self.term("post role", post.role))
            g.add(iri, cg("post"), self.mint.post(item.post))
            self._date(iri, "as-of", cg("asOf"), (*loc, "as_of"), item.as_of)

    def _label(self, item: model.Assertion) -> str:
        if isinstance(item, model.Event):
            return item.label
        if isinstance(item, (model.Claim, model.Relation)) and item.summary:
            return item.summary
        if isinstance(item, model.Statement):
            medium = self.vocab.label(self.term("medium", item.medium))
            return f"{self._name(item.speaker)}: {medium}"
        if isinstance(item, model.Figure):
            comparator = self.vocab.label(self.term("comparator", item.comparator))
            return figures.label(item, comparator, self.vocab.label(self.term("unit", item.unit)))
        if isinstance(item, model.Relation):
            relation = self.vocab.label(self.term("relation", item.type))
            obj = self.actors[item.object].name if item.object in self.actors else item.object
            return f"{self.actors[item.subject].name} {relation} {obj}"
        if isinstance(item, model.RoleHolding):
            return f"{self.actors[item.holder].name}: {self.posts[item.post].name}"
        raise TypeError(item)

    def _demand(self, stmt: str, iri: str, loc: Loc, demand: model.Demand) -> None:
        g = self.g
        g.add(stmt, cg("callsFor"), iri)
        g.add(iri, TYPE, cg("Demand"))
        g.text(iri, LABEL, demand.summary)
        g.add(iri, PROV + "wasDerivedFrom", self.doc_iri)
        for ref in demand.about:
            g.add(iri, cg("about"), self.ref(ref))
        for i, _ in enumerate(demand.evidence):
            self._evidence(iri, part(iri, "evidence", i + 1), (*loc, "evidence", i))

    def _evidence(self, body: str, iri: str, loc: Loc) -> Span:
        # Two rows in three are evidence: its rows are made here directly, with its terms made once a process.
        g, span = self.g, self.source.spans[loc]
        node = g.node
        target, quote, position = f"{iri}.target", f"{iri}.quote", f"{iri}.position"  # part(iri, "target"), ...
        g.sink += (
            (body, _EVIDENCE, node(iri)),
            (iri, TYPE, _ANNOTATION),
            (iri, TYPE, _EVIDENCE_CLASS),
            (iri, _HAS_BODY, node(body)),
            (iri, _HAS_TARGET, node(target)),
            (target, TYPE, _SPECIFIC_RESOURCE),
            (target, _HAS_SOURCE, node(self.doc_iri)),
            (target, _HAS_SELECTOR, node(quote)),
            (target, _HAS_SELECTOR, node(position)),
            (quote, TYPE, _QUOTE_SELECTOR),
        )
        g.text(quote, _EXACT, span.exact)
        g.text(quote, _PREFIX, span.prefix)
        g.text(quote, _SUFFIX, span.suffix)
        g.sink += (
            (position, TYPE, _POSITION_SELECTOR),
            (position, _START, Literal(str(span.start), _COUNT)),
            (position, _END, Literal(str(span.end), _COUNT)),
        )
        self.counts["quotes"] += 1
        return span

    def _date(self, owner: str, segment: str, prop: str, loc: Loc, date: model.DateSpec) -> None:
        g, iri = self.g, part(owner, segment)
        g.add(owner, prop, iri)
        g.add(iri, TYPE, cg("DateSpec"))
        g.add(iri, cg("precision"), self.term("precision", date.precision))
        first: dates.PartialDate | None = None
        last: dates.PartialDate | None = None
        if date.value is not None and not date.unknown:
            day = dates.parse(date.value)
            g.add(iri, cg("dateValue"), typed(str(day), day.xsd_type))
            first = last = day
        elif date.start and date.end:
            first, last = dates.parse(date.start), dates.parse(date.end)
            g.add(iri, cg("start"), typed(str(first), first.xsd_type))
            g.add(iri, cg("end"), typed(str(last), last.xsd_type))
        if first is not None and last is not None:
            g.add(iri, cg("earliest"), typed(first.earliest.isoformat(), "date"))
            g.add(iri, cg("latest"), typed(last.latest.isoformat(), "date"))
            g.add(iri, cg("approximate"), literal(date.approximate))
        if date.derived_from:
            evidence = part(iri, "evidence")
            self._evidence(iri, evidence, (*loc, "derived_from"))
            g.add(iri, cg("derivedFrom"), evidence)
        g.text(iri, SKOS + "editorialNote", date.note)

    def _graph(self, name: str) -> _Graph:
        return _Graph(name, self.graphs.setdefault(name, []))

    def take(self, name: str) -> list[Row]:
        """One graph's rows, sorted, let go by the builder (a document's, once built)."""
        return sort_rows(self.graphs.pop(name, []))

    def dataset(self) -> Dataset:
        quads = [q for name in sorted(self.graphs) for q in to_quads(name, self.take(name))]
        counts = Counter(self.counts)
        dataset = Dataset(quads, counts)
        counts["triples"] = dataset.triple_count()
        counts["quads"] = len(quads)
        return dataset


def build(minter: Minter, ontology: Ontology, registry: RegistryFile, sources: list[Source]) -> Dataset:
    builder = Builder(minter, ontology, registry)
    for source in sources:
        builder.document(source)
    return builder.dataset()
