"""rdflib's SPARQL engine against pyoxigraph on ~1M triples shaped like our graph.

The corpus is the seed dataset copied N times under new document ids: the
ontology and the actor registry are shared, as they would be in a real corpus
of N×2 documents. Every saved query runs on both engines, pyoxigraph in the form cubagraph
runs, rdflib in its SPARQL 1.1 form (queries/NAME.rq); rdflib gets at most --cap seconds a query.

Usage: .venv/bin/python benchmarks/sparql_engines.py [--copies 400] [--cap 120]
"""

from __future__ import annotations

import argparse
import resource
import signal
import statistics
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from cubagraph import pipeline, project
from cubagraph.sparql import engine, queries

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("blinken-political-prisoners", "cuba-releases-553-prisoners")
PARAMS = {"actor": {"actor": "https://cubagraph.example/id/actor/antony-blinken"}}


class Timeout(Exception):
    pass


def replicate(quads: list[ox.Quad], copies: int) -> list[ox.Quad]:
    def rename(term: Any, k: int) -> Any:
        if isinstance(term, ox.NamedNode):
            value = term.value
            for doc in DOCS:
                if doc in value:
                    return ox.NamedNode(value.replace(doc, f"{doc}-{k}"))
        return term

    shared = [q for q in quads if not any(d in q.graph_name.value for d in DOCS)]
    per_doc = [q for q in quads if any(d in q.graph_name.value for d in DOCS)]
    out = list(shared)
    for k in range(copies):
        out += [
            ox.Quad(rename(q.subject, k), q.predicate, rename(q.object, k), rename(q.graph_name, k)) for q in per_doc
        ]
    return out


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Any, cap: float | None = None) -> tuple[float, Any]:
    if cap:
        signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(Timeout()))
        signal.alarm(int(cap))
    started = time.perf_counter()
    try:
        value = fn()
    finally:
        if cap:
            signal.alarm(0)
    return time.perf_counter() - started, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=400)
    parser.add_argument("--cap", type=int, default=120, help="seconds an rdflib query may take")
    parser.add_argument("--runs", type=int, default=5, help="runs a pyoxigraph query (median reported)")
    args = parser.parse_args()
    proj = project.find(ROOT)
    prefixes = proj.prefixes()
    quads = replicate(pipeline.build_dataset(proj).quads, args.copies)
    print(f"{len(quads):,} quads ({args.copies * 2:,} documents); peak RSS before loading {rss_mib():,.0f} MiB")

    seconds, store = timed(lambda: _ox_store(quads))
    print(f"pyoxigraph: load {seconds:.1f} s; peak RSS {rss_mib():,.0f} MiB")
    nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    seconds, ds = timed(lambda: _rdflib_dataset(nquads))
    print(f"rdflib:     load {seconds:.1f} s; peak RSS {rss_mib():,.0f} MiB")

    library = queries.library(proj.queries)
    ns = {p: rdflib.Namespace(iri) for p, iri in prefixes.items()}
    print(f"\n{'query':24} {'rows':>6} {'pyoxigraph':>11} {'rdflib':>10} {'ratio':>7}")
    for name, saved in library.items():
        params = PARAMS.get(name, {})
        prepared = engine.prepare(
            saved.text,
            store,
            prefixes,
            {k: f"<{v}>" for k, v in params.items()},
            saved.params if not params else (),
            base=proj.base,
        )
        ox_times = []
        rows = 0
        for _ in range(args.runs):
            seconds, rows = timed(lambda p=prepared: len(list(engine.run(store, p, prefixes))))
            ox_times.append(seconds)
        ox_s = statistics.median(ox_times)
        bindings = {k: rdflib.URIRef(v) for k, v in params.items()}
        try:
            rdf_s, rdf_rows = timed(
                lambda t=saved.portable, b=bindings: len(list(ds.query(t, initNs=ns, initBindings=b))), args.cap
            )
            rdf = f"{rdf_s:9.2f}s"
            ratio = f"{rdf_s / ox_s:6.0f}×"
            if rdf_rows != rows:
                ratio += f" (rdflib gave {rdf_rows} rows)"
        except Timeout:
            rdf, ratio = f">{args.cap}s".rjust(10), "   n/a"
        except Exception as exc:  # a query rdflib cannot parse or evaluate
            rdf, ratio = "cannot".rjust(10), f"   n/a ({type(exc).__name__})"
        print(f"{name:24} {rows:6d} {ox_s * 1000:9.0f}ms {rdf} {ratio}")


def _ox_store(quads: list[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(quads)
    return store


def _rdflib_dataset(data: bytes) -> rdflib.Dataset:
    ds = rdflib.Dataset(default_union=True)
    ds.parse(data=data, format="nquads")
    return ds


if __name__ == "__main__":
    main()
