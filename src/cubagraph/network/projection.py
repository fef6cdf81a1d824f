"""The one networkx projection of the RDF graph, shared by the analyses, the exports and the viewer.

Actors, events, statements, figures, claims, attributed relations, role
holdings and demands become nodes; their links become typed, directed edges
that read as sentences: ``Antony Blinken —speaker→ statement —about→
Political prisoners``, ``Cuba —agent→ release —affected→ 553 prisoners``.
Literals are attributes, never nodes. Every edge that comes from an
assertion names it (``source``), so that any path can show the evidence
behind each hop.

Why this module is long: how one graph's nodes become the network's
(kinds, attributes, dates, evidence, edges) is one reading of the same nodes,
and reads best in one place.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..errors import CubagraphError
from ..rdf.namespaces import CG, DCTERMS, OA, ORG, PROV, RDF, RDFS, SKOS
from ..rdf.terms import IRI, Literal, Row, of_quads

if TYPE_CHECKING:  # networkx is slow to import, and the exporters project a graph at a time without it
    import networkx as nx

KINDS = {
    CG + "Actor": "actor",
    CG + "UnnamedSource": "actor",  # "a spokesperson for X": a speaker of its own, affiliated with X
    CG + "Event": "event",
    CG + "Statement": "statement",
    CG + "Figure": "figure",
    CG + "Claim": "claim",
    CG + "AttributedRelation": "relation",
    CG + "RoleHolding": "role",
    CG + "Demand": "demand",
}
_LABEL, _TYPE, _ACTOR, _SUBJECT = RDFS + "label", RDF + "type", CG + "Actor", itemgetter(0)
_DOCUMENT = CG + "Document"
ASSERTIONS = ("event", "statement", "figure", "claim", "relation", "role")

# Predicates whose object is drawn as an edge from the node, and those drawn
# towards it (the actor acts on the event: agent → event).
_OUT = {CG + "about": "about", CG + "place": "place", CG + "target": "target", CG + "affected": "affected"}
_IN = {
    CG + "speaker": "speaker",
    CG + "agent": "agent",
    CG + "organizer": "organizer",
    CG + "participant": "participant",
    CG + "party": "party",
}


# Every predicate that can draw an edge, besides the registry's relations between actors.
_EDGES = {*_OUT, *_IN, CG + "callsFor", CG + "subject", CG + "object", ORG + "member", ORG + "organization"}
_EDGES |= {CG + "assertedBy", CG + "assertedVia"}


class UnknownActor(CubagraphError):
    exit_code = 2


@dataclass
class _Node:
    iri: str
    props: dict[str, list[Any]] = field(default_factory=dict)

    def one(self, predicate: str) -> Any:
        values = self.props.get(predicate)
        return values[0] if values else None


def of(dataset: Any) -> nx.MultiDiGraph:
    """The projection of a built :class:`~cubagraph.graph.dataset.Dataset`, computed once."""
    if "network" not in dataset.cache:
        dataset.cache["network"] = project(dataset.quads)
    graph: nx.MultiDiGraph = dataset.cache["network"]
    return graph


@dataclass(frozen=True)
class Context:
    """What one graph's projection needs from the others: labels of terms and actors, and which nodes are actors.

    A document's graph links only to its own nodes and to actors; the actors
    and the vocabulary live in the registry and ontology graphs. So each
    graph can be projected alone, given this, and the whole projection is the
    union of the graphs' projections. That is what lets a rebuild project only
    the documents that changed.
    """

    labels: dict[str, str]
    actors: frozenset[str]


def context(rows: Iterable[Row]) -> Context:
    """The labels and actors of the graphs ``rows`` come from (the registry's and the ontology's)."""
    labels: dict[str, str] = {}
    actors = set()
    for s, p, o in rows:
        if p == _LABEL and isinstance(o, Literal):
            labels.setdefault(s, o.value)
        elif p == _TYPE and o == _ACTOR and isinstance(o, IRI):
            actors.add(s)
    return Context(labels, frozenset(actors))


@dataclass
class Projection:
    """One graph's share of the network: its nodes, and the edges its assertions draw, in a fixed order."""

    nodes: list[tuple[str, dict[str, Any]]]
    edges: list[tuple[str, str, str, dict[str, Any]]]  # (from, to, key, attributes)
    graph: str
    document: str | None  # the id of the document whose graph this is

    @functools.cached_property
    def flat(self) -> list[dict[str, str | int | float | bool]]:
        """Each node's attributes as scalars (:func:`flat`), for GraphML, GEXF and CSV alike."""
        return [flat(data) for _, data in self.nodes]

    def edge_id(self, i: int) -> str:
        # Unique across graphs without a global counter: a document id has no
        # "/", and any other graph is named by its whole IRI.
        return f"{self.document or self.graph}/{i}"


def project(quads: Iterable[ox.Quad]) -> nx.MultiDiGraph:
    """The whole projection: each graph's, in graph order. Deterministic."""
    import networkx as nx

    graphs = of_quads(quads)
    ctx = context(row for rows in graphs.values() for row in rows)
    parts = [project_graph(graphs[name], ctx, name) for name in sorted(graphs)]
    g = nx.MultiDiGraph()
    for part in parts:
        g.add_nodes_from(part.nodes)
    for part in parts:
        for a, b, key, data in part.edges:
            g.add_edge(a, b, key=key, **data)
    return g


def project_graph(rows: Iterable[Row], ctx: Context, graph: str = "") -> Projection:
    """Project one named graph, given what it needs from the others."""
    nodes: dict[str, _Node] = {}
    for s, same in groupby(rows, _SUBJECT):  # rows come sorted by subject: one lookup a node, not one a row
        node = nodes.get(s)
        if node is None:
            node = nodes[s] = _Node(s)
        props = node.props
        for _, p, o in same:
            if p in props:
                props[p].append(o)
            else:
                props[p] = [o]
    own = {}
    typed: dict[str, tuple[str | None, frozenset[str]]] = {}
    for iri, n in nodes.items():
        names = n.props.get(_LABEL)
        if names:
            own[iri] = str(names[0].value)
        typed[iri] = _kind(n.props.get(_TYPE, ()))
    labels = _Labels(own, ctx.labels)
    documents = _documents(nodes, typed)

    out: list[tuple[str, dict[str, Any]]] = []
    kinds: dict[str, str] = {}
    for iri in sorted(nodes):
        kind, types = typed[iri]
        if kind is None:
            continue
        node = nodes[iri]
        kinds[iri] = kind
        out.append((iri, _attributes(node, kind, types, nodes, labels, documents)))

    links: list[tuple[str, str, str, dict[str, Any]]] = []
    for iri in sorted(kinds):
        node, kind = nodes[iri], kinds[iri]
        source = iri if kind in ASSERTIONS or kind == "demand" else ""
        edges: list[tuple[str, str, str, str]] = []  # (from, to, label, kind)
        for predicate, values in node.props.items():
            if predicate not in _EDGES and not (kind == "actor" and predicate.startswith(CG)):
                continue  # a literal's predicate, or one that draws no edge: most of them
            for obj in values:
                target = obj if isinstance(obj, IRI) else None
                if target is None or (target not in kinds and target not in ctx.actors):
                    continue
                if predicate in _OUT:
                    edges.append((iri, target, _OUT[predicate], "link"))
                elif predicate in _IN:
                    edges.append((target, iri, _IN[predicate], "link"))
                elif predicate == CG + "callsFor":
                    edges.append((iri, target, "calls for", "link"))
                elif predicate == CG + "subject":
                    edges.append((target, iri, "subject", "link"))
                elif predicate == CG + "object":
                    relation = node.one(CG + "relation")
                    edges.append((iri, target, labels.get(relation.value, "object") if relation else "object", "link"))
                elif predicate == ORG + "member":
                    edges.append((target, iri, "holds", "link"))
                elif predicate == ORG + "organization":
                    edges.append((iri, target, "in", "link"))
                elif predicate == CG + "assertedBy":
                    edges.append((iri, target, "asserted by", "attribution"))
                elif predicate == CG + "assertedVia":
                    edges.append((iri, target, "via", "attribution"))
                elif kind == "actor" and predicate.startswith(CG):
                    # Structure the registry curates: governs, part of, ...
                    edges.append((iri, target, labels.get(predicate, predicate.rsplit("#", 1)[-1]), "registry"))
        for a, b, label, edge_kind in sorted(set(edges)):
            attributes = {"label": label, "kind": edge_kind, "source": source if edge_kind != "registry" else ""}
            links.append((a, b, f"{label}|{edge_kind}", attributes))
    document = next(iter(documents.values()))["id"] if len(documents) == 1 else None
    return Projection(out, links, graph, document)


class _Labels:
    """ChainMap(own, shared).get at a tenth of its cost: a cold build asks it 50 times a document."""

    def __init__(self, own: dict[str, str], shared: dict[str, str]):
        self.own, self.shared = own, shared

    def get(self, key: str, default: str = "") -> str:
        return self.own[key] if key in self.own else self.shared.get(key, default)


_KIND_OF: dict[tuple[Any, ...], tuple[str | None, frozenset[str]]] = {}


def _kind(types: Iterable[Any]) -> tuple[str | None, frozenset[str]]:
    """A node's kind (None: no node of the network) and its types' IRIs, by the objects of its rdf:type.

    A graph's 70 nodes have a handful of combinations of types, the same in every
    graph: each is worked out once a process, not once a node.
    """
    key = tuple(types)
    found = _KIND_OF.get(key)
    if found is None:
        names = frozenset(t.value for t in key)
        found = (next((KINDS[t] for t in KINDS if t in names), None), names)
        if len(_KIND_OF) >= 10_000:  # a dataset of many made-up types: start afresh
            _KIND_OF.clear()
        _KIND_OF[key] = found
    return found


def _documents(
    nodes: dict[str, _Node], typed: dict[str, tuple[str | None, frozenset[str]]]
) -> dict[str, dict[str, str]]:
    """Document IRI -> its id, title and graph, and when it was published."""
    out = {}
    for iri, node in nodes.items():
        if _DOCUMENT in typed[iri][1]:
            published = _date(node.one(CG + "published"), nodes)
            when = published.get("value", "unknown")
            if published.get("approximate"):
                when += " (approx.)"
            out[iri] = {
                "id": iri.rsplit("/", 1)[-1],
                "title": str(node.one(DCTERMS + "title").value),
                "graph": node.one(CG + "namedGraph").value,
                "published": when,
            }
    return out


_DATE_KEYS = [("value", CG + "dateValue")] + [(key, CG + key) for key in ("start", "end", "earliest", "latest")]
_PRECISION, _APPROXIMATE = CG + "precision", CG + "approximate"
# A quote's selectors' predicates, made once: a graph has a dozen quotes with two selectors each.
_SELECTED = [(key, OA + key) for key in ("exact", "prefix", "suffix")]
_OFFSETS = [(key, OA + key) for key in ("start", "end")]
_EVIDENCE, _TARGET, _SOURCE, _SELECTOR = CG + "evidence", OA + "hasTarget", OA + "hasSource", OA + "hasSelector"


def _date(ref: Any, nodes: dict[str, _Node]) -> dict[str, Any]:
    if ref is None or ref.value not in nodes:
        return {}
    d = nodes[ref.value]
    props = d.props  # read directly, not by _Node.one: a graph has two dozen dates
    out: dict[str, Any] = {"precision": d.one(_PRECISION).value.rsplit("#", 1)[-1].removesuffix("Precision").lower()}
    for key, predicate in _DATE_KEYS:
        values = props.get(predicate)
        if values:
            out[key] = values[0].value
    if "value" not in out and "start" in out:
        out["value"] = f"{out['start']}/{out['end']}"
    approximate = props.get(_APPROXIMATE)
    if approximate:  # an unknown date is neither approximate nor exact
        out["approximate"] = approximate[0].value == "true"
    return out


def _evidence(node: _Node, nodes: dict[str, _Node], documents: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    out = []
    for ref in node.props.get(_EVIDENCE, ()):
        ev = nodes.get(ref.value)
        target = nodes.get(ev.one(_TARGET).value) if ev else None
        if target is None:
            continue
        quote: dict[str, Any] = {"document": documents.get(target.one(_SOURCE).value, {}).get("id", "")}
        for sel in target.props.get(_SELECTOR, ()):
            props = nodes[sel.value].props
            for key, predicate in _SELECTED:
                values = props.get(predicate)
                if values:
                    quote[key] = values[0].value
            for key, predicate in _OFFSETS:
                values = props.get(predicate)
                if values:
                    quote[key] = int(values[0].value)
        out.append(quote)
    return sorted(out, key=lambda q: (q["document"], q.get("start", 0)))


def _attributes(
    node: _Node,
    kind: str,
    types: frozenset[str],
    nodes: dict[str, _Node],
    labels: _Labels,
    documents: dict[str, dict[str, str]],
) -> dict[str, Any]:
    own = sorted(t for t in types if t.startswith(CG))
    # The most specific class: cg:Protest rather than cg:Event.
    generic = {CG + "Actor", CG + "Event", CG + "Communication"}
    specific = [t for t in own if t not in generic] or own
    attrs: dict[str, Any] = {
        "kind": kind,
        "class": labels.get(specific[0], specific[0].rsplit("#", 1)[-1]) if specific else kind,
        "label": labels.get(node.iri, node.iri.rsplit("/", 1)[-1]),
    }
    derived = node.one(PROV + "wasDerivedFrom")
    if derived is not None and derived.value in documents:
        attrs["documents"] = [documents[derived.value]["id"]]
        attrs["reported"] = documents[derived.value]["published"]
    if kind == "actor":
        attrs["aliases"] = sorted(str(a.value) for a in node.props.get(SKOS + "altLabel", []))
        match = node.one(SKOS + "exactMatch")
        if match is not None:
            attrs["wikidata"] = match.value.rsplit("/", 1)[-1]
    modality = node.one(CG + "modality")
    if modality is None and kind == "demand":  # a demand is asserted as the statement that makes it is
        modality = next(
            (n.one(CG + "modality") for n in nodes.values() if node.iri in n.props.get(CG + "callsFor", [])), None
        )
    if modality is not None:
        attrs["modality"] = labels.get(modality.value, modality.value.rsplit("#", 1)[-1]).lower()
    by = node.one(CG + "assertedBy")
    if by is not None:
        attrs["asserted_by"] = labels.get(by.value) or (
            documents[by.value]["title"] if by.value in documents else by.value
        )
        attrs["asserted_by_document"] = by.value in documents
    for key in ("date", "asOf"):
        date = _date(node.one(CG + key), nodes)
        if date:
            attrs["date" if key == "date" else "as_of"] = date
    if kind == "figure":
        value = node.one(CG + "value")
        attrs["value"] = value.value
        attrs["unit"] = labels.get(node.one(CG + "unit").value, "")
        attrs["comparator"] = labels.get(node.one(CG + "comparator").value, "")
        attrs["counts"] = node.one(CG + "counts").value
    if kind == "statement":
        attrs["quotes"] = sorted(str(q.value) for q in node.props.get(CG + "quote", []))
        attrs["medium"] = labels.get(node.one(CG + "medium").value, "")
        platform = node.one(CG + "platform")
        if platform is not None:
            attrs["platform"] = platform.value
    same = node.one(CG + "sameEventAs")  # one event that other documents tell too
    if same is not None:
        attrs["same_as"], attrs["same_as_label"] = same.value, labels.get(same.value, same.value)
    note = node.one(SKOS + "editorialNote")
    if note is not None:
        attrs["note"] = note.value
    evidence = _evidence(node, nodes, documents)
    if evidence:
        attrs["evidence"] = evidence
        attrs.setdefault("documents", sorted({q["document"] for q in evidence}))
    return attrs


def flat(data: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """A node's attributes as scalars, for GraphML, GEXF and CSV."""
    out: dict[str, str | int | float | bool] = {}
    keys = ("kind", "class", "label", "modality", "asserted_by", "reported", "value", "unit", "comparator")
    for key in (*keys, "counts", "medium", "platform", "wikidata"):
        if key in data:
            out[key] = data[key]
    for key in ("documents", "aliases"):
        if data.get(key):
            out[key] = "; ".join(data[key])
    date = data.get("date") or data.get("as_of") or {}
    for key in ("value", "precision", "earliest", "latest"):
        if key in date:
            out[f"date_{key}"] = date[key]
    if "approximate" in date:
        out["date_approximate"] = date["approximate"]
    if data.get("evidence"):
        out["quote"] = data["evidence"][0]["exact"]
        out["quotes"] = len(data["evidence"])
    return out


def load(trig: Any) -> nx.MultiDiGraph:
    """The projection of a built graph read from ``exports/cubagraph.trig``."""
    if not trig.is_file():
        raise CubagraphError(f"{trig} does not exist — run `cubagraph build` first")
    return project(list(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG)))


def resolve(g: nx.MultiDiGraph, name: str) -> str:
    """An actor's node by id, name or alias; unknown names get the closest suggestions."""
    return resolve_among(((n, d) for n, d in g.nodes(data=True) if d["kind"] == "actor"), name)


def resolve_among(actors: Iterable[tuple[str, Mapping[str, Any]]], name: str) -> str:
    """:func:`resolve` among ``actors`` (node, attributes), as a kept projection lists them."""
    index: dict[str, str] = {}
    for node, data in actors:
        for key in (node.rsplit("/", 1)[-1], data["label"], *data.get("aliases", [])):
            index.setdefault(key.lower(), node)
    if name.lower() in index:
        return index[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(index), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else "see data/actors.yaml"
    raise UnknownActor(f"unknown actor {name!r} — {hint}")
