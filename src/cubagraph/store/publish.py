"""Publish the built graph to a shared triple store, with the SPARQL 1.1 Graph Store Protocol.

Each named graph (every document, the actor registry, the ontology) is sent
with ``PUT``, which replaces the graph in the store: republishing never
duplicates anything. A publication record, in a graph of its own, keeps each
graph's digest and triple count. The next publish compares against it, and
uploads only what changed. Afterwards every graph's triple count is checked
through SPARQL.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..errors import CubagraphError
from ..project import Project
from ..rdf.namespaces import CG, RDF
from .client import Client, StoreError, check_url, safe_url

# How the query endpoint sits beside the Graph Store endpoint, per store.
_QUERY_BESIDE = (
    ("/store", "/query"),  # Oxigraph server
    ("/data", "/query"),  # Apache Jena Fuseki
    ("/rdf-graphs/service", ""),  # GraphDB: /repositories/REPO
    ("/sparql-graph-crud-auth", "/sparql"),  # Virtuoso
    ("/sparql-graph-crud", "/sparql"),  # Virtuoso
)


@dataclass
class Target:
    store: str
    query: str
    graph_param: str = "graph"

    @classmethod
    def of(cls, store: str, query: str | None, graph_param: str = "graph") -> Target:
        check_url(store, "--store")
        if query is None:
            path = urllib.parse.urlsplit(store).path.rstrip("/")
            for suffix, replacement in _QUERY_BESIDE:
                if path.endswith(suffix):
                    query = store.split("?")[0].rstrip("/")[: -len(suffix)] + replacement
                    break
            else:
                raise CubagraphError(
                    f"cannot tell the query endpoint of {safe_url(store)} — pass --query-endpoint URL "
                    "(see the README's 'Working with a team')"
                )
        check_url(query, "--query-endpoint")
        return cls(store, query, graph_param)

    def graph_url(self, graph: str) -> str:
        sep = "&" if "?" in self.store else "?"
        return f"{self.store}{sep}{urllib.parse.urlencode({self.graph_param: graph})}"


@dataclass
class Graph:
    iri: str
    payload: bytes
    triples: int
    digest: str
    status: str = ""
    detail: str = ""


@dataclass
class Report:
    graphs: list[Graph] = field(default_factory=list)
    extra: list[Graph] = field(default_factory=list)  # in the store, not in the build

    @property
    def failed(self) -> list[Graph]:
        return [g for g in [*self.graphs, *self.extra] if g.status == "failed"]


def local_graphs(quads: list[ox.Quad]) -> list[Graph]:
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    for q in quads:
        if isinstance(q.graph_name, ox.NamedNode):
            by_graph[q.graph_name.value].append(q.triple)
    graphs = []
    for iri, triples in sorted(by_graph.items()):
        payload = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES) or b""
        graphs.append(Graph(iri, payload, len(triples), hashlib.sha256(payload).hexdigest()))
    return graphs


def remote_state(client: Client, target: Target, record: str) -> tuple[dict[str, tuple[str, int]], dict[str, int]]:
    """The last publication record, and the triple count of every graph in the store."""
    recorded = client.query(
        target.query,
        f"SELECT ?g ?sha ?n WHERE {{ GRAPH <{record}> {{ ?g <{CG}sha256> ?sha ; <{CG}triples> ?n }} }}",
    )
    manifest = {
        b["g"]["value"]: (b["sha"]["value"], int(b["n"]["value"]))
        for b in recorded["results"]["bindings"]
        if {"g", "sha", "n"} <= set(b)
    }
    counted = client.query(target.query, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {b["g"]["value"]: int(b["n"]["value"]) for b in counted["results"]["bindings"] if "g" in b and "n" in b}
    return manifest, counts


def publish(
    project: Project, quads: list[ox.Quad], target: Target, client: Client, prune: bool, dry_run: bool
) -> Report:
    record = f"{project.base}publication"
    graphs = local_graphs(quads)
    manifest, counts = remote_state(client, target, record)
    ours = {g.iri for g in graphs}
    report = Report(graphs)
    for g in graphs:
        same = manifest.get(g.iri) == (g.digest, g.triples) and counts.get(g.iri) == g.triples
        g.status = "unchanged" if same else ("would publish" if dry_run else "")
    # Document graphs in the store that the build no longer has: a document was removed.
    documents = f"{project.base}graph/"
    for iri in sorted(set(counts) | set(manifest)):
        if iri.startswith(documents) and iri not in ours:
            status = ("would delete" if dry_run else "") if prune else "not in the build (use --prune)"
            report.extra.append(Graph(iri, b"", counts.get(iri, 0), "", status))
    if dry_run:
        return report
    for g in graphs:
        if g.status == "unchanged":
            continue
        try:
            client.request("PUT", target.graph_url(g.iri), g.payload, {"Content-Type": "application/n-triples"})
            g.status = "published"
        except StoreError as exc:
            g.status, g.detail = "failed", str(exc)
    for g in report.extra:
        if g.status:
            continue
        try:
            client.request("DELETE", target.graph_url(g.iri))
            g.status = "deleted"
        except StoreError as exc:
            g.status, g.detail = "failed", str(exc)
    _write_record(client, target, record, [g for g in graphs if g.status in ("published", "unchanged")], report)
    _verify(client, target, record, report)
    return report


def _write_record(client: Client, target: Target, record: str, graphs: list[Graph], report: Report) -> None:
    pub = ox.NamedNode(record)
    triples = [ox.Triple(pub, ox.NamedNode(RDF + "type"), ox.NamedNode(CG + "Publication"))]
    for g in graphs:
        node = ox.NamedNode(g.iri)
        triples.append(ox.Triple(pub, ox.NamedNode(CG + "publishedGraph"), node))
        triples.append(ox.Triple(node, ox.NamedNode(CG + "sha256"), ox.Literal(g.digest)))
        triples.append(
            ox.Triple(
                node,
                ox.NamedNode(CG + "triples"),
                ox.Literal(str(g.triples), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            )
        )
    payload = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    try:
        client.request("PUT", target.graph_url(record), payload, {"Content-Type": "application/n-triples"})
    except StoreError as exc:
        # Without the record the next publish uploads everything again: slower, never wrong.
        report.extra.append(Graph(record, b"", len(triples), "", "failed", f"the publication record: {exc}"))


def _verify(client: Client, target: Target, record: str, report: Report) -> None:
    _, counts = remote_state(client, target, record)
    for g in report.graphs:
        if g.status in ("published", "unchanged") and counts.get(g.iri, 0) != g.triples:
            g.status, g.detail = "failed", f"the store holds {counts.get(g.iri, 0)} triples, not {g.triples}"
    for g in report.extra:
        if g.status == "deleted" and counts.get(g.iri, 0):
            g.status, g.detail = "failed", f"still in the store, with {counts[g.iri]} triples"


def table(report: Report, prefixes: dict[str, str]) -> str:
    def short(iri: str) -> str:
        for p, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{p}:{iri[len(ns) :]}"
        return iri

    rows = [("graph", "triples", "status")]
    rows += [(short(g.iri), f"{g.triples:,}", g.status) for g in [*report.graphs, *report.extra]]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{r[0].ljust(widths[0])}  {r[1].rjust(widths[1])}  {r[2]}" for r in rows]
    lines.insert(1, f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * widths[2]}")
    return "\n".join(lines) + "\n"


def summary(report: Report, target: Target, dry_run: bool) -> str:
    counted: dict[str, int] = defaultdict(int)
    for g in [*report.graphs, *report.extra]:
        counted[g.status] += 1
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counted.items()))
    verb = "Dry run against" if dry_run else "Published to"
    lines = [f"{verb} {safe_url(target.store)}: {parts}."]
    for g in report.failed:
        lines.append(f"failed: {g.iri}: {g.detail}")
    if report.failed:
        done = [g.iri for g in report.graphs if g.status in ("published", "unchanged")]
        lines.append(
            f"{len(done)} of {len(report.graphs)} graphs are in the store as built; the failed ones hold what they held "
            "before (or nothing). Publishing again retries only what is not done."
        )
    return "\n".join(lines) + "\n"


def run_query(
    client: Client,
    target: Target,
    text: str,
    prefixes: dict[str, str],
    graphs: list[str],
    params: dict[str, str] | None = None,
) -> Any:
    """A saved query against the store, as `cubagraph query` would run it locally.

    The store knows neither our prefixes nor our union default graph, so the
    query gets PREFIX lines, and the dataset is given in the protocol: every
    graph as both default and named graph. Parameters become a VALUES block.
    """
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(prefixes.items()))
    if params:
        values = " ".join(f"?{k}" for k in params)
        row = " ".join(params.values())
        text = f"{text}\nVALUES ({values}) {{ ({row}) }}"
    return client.query(target.query, prologue + text, {"default-graph-uri": graphs, "named-graph-uri": graphs})
