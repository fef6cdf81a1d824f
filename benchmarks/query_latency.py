"""p50 and p95 of every saved query on the seed graph, in-process and over HTTP.

Usage: .venv/bin/python benchmarks/query_latency.py [--runs N]
       .venv/bin/python benchmarks/query_latency.py --root DIR [--cache DIR] [--param NAME=VALUE ...] [--no-http]

Each run prepares the query (parameters bound), runs it, reads every row and writes the JSON
results, as `cubagraph query` does. In-process, the graph is the store `cubagraph query` opens
(`engine.open_store`): in memory for a small TriG file, else a read-only on-disk copy made once
under --cache (default: the project's .cubagraph/). --root measures another built project, such
as a corpus from benchmarks/corpus.py, with this repository's saved queries (--queries to
change). A --param repeated with other values measures the query once per value: give a busy
actor and a typical one. --both-forms times each saved query's portable SPARQL 1.1 form
(queries/NAME.rq) beside the Oxigraph form cubagraph runs (queries/oxigraph/NAME.rq), in-process.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from cubagraph import project
from cubagraph.sparql import engine, queries, results

ROOT = Path(__file__).resolve().parent.parent
PARAMS = {"actor": ["antony-blinken"]}


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def parse_params(items: list[str]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise SystemExit(f"--param {item!r} is not NAME=VALUE")
        params.setdefault(name, []).append(value)
    return params


def runs_of(saved: queries.SavedQuery, params: dict[str, list[str]]) -> list[dict[str, str]]:
    """One binding per value given for the query's parameters (the first value of the others)."""
    if not saved.params:
        return [{}]
    missing = [p.name for p in saved.params if p.name not in params]
    if missing:
        raise SystemExit(f"{saved.name} needs --param {missing[0]}=VALUE")
    first = {p.name: params[p.name][0] for p in saved.params}
    out = []
    for p in saved.params:
        for value in params[p.name] if len(params[p.name]) > 1 else []:
            out.append({**first, p.name: value})
    return out or [first]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--root", type=Path, default=ROOT, help="a built project (default: this repository)")
    parser.add_argument("--cache", type=Path, help="where the on-disk store goes (default: ROOT/.cubagraph)")
    parser.add_argument("--queries", type=Path, default=ROOT / "queries", help="the saved queries to time")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter value")
    parser.add_argument("--no-http", action="store_true", help="time in-process only")
    parser.add_argument(
        "--both-forms",
        action="store_true",
        help="time each query's portable SPARQL 1.1 form beside its Oxigraph form, in-process (queries/oxigraph/)",
    )
    args = parser.parse_args()
    proj = project.find(args.root.resolve())
    prefixes = proj.prefixes()
    params = parse_params(args.param) if args.param else PARAMS
    started = time.perf_counter()
    store = engine.open_store(proj.trig, args.cache or proj.root / ".cubagraph")
    print(f"{proj.trig}: store opened in {time.perf_counter() - started:.2f} s")
    library = queries.library(args.queries)
    if args.both_forms:
        both_forms(library, store, prefixes, params, proj.base, args.runs)
        return

    served = None
    if not args.no_http:
        served = subprocess.Popen(
            [str(Path(sys.executable).parent / "cubagraph"), "serve", "--port", "0"],
            cwd=proj.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert served.stdout is not None
        port = re.search(r":(\d+)/", served.stdout.readline())[1]  # type: ignore[index]
    try:
        print(f"{'query':44} {'rows':>6} {'p50 ms':>8} {'p95 ms':>8} {'HTTP p50':>9} {'HTTP p95':>9}")
        for name, saved in library.items():
            for bound in runs_of(saved, params):
                local: list[float] = []
                rows = 0
                for _ in range(args.runs):
                    started = time.perf_counter()
                    prepared = engine.prepare(saved.text, store, prefixes, bound, saved.params, base=proj.base)
                    result = results.materialise(engine.run(store, prepared, prefixes))
                    results.render(result, "json", prefixes)
                    local.append((time.perf_counter() - started) * 1000)
                    rows = len(result.rows)
                remote: list[float] = []
                if served is not None and not bound:
                    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": saved.text})
                    for _ in range(args.runs):
                        started = time.perf_counter()
                        with urllib.request.urlopen(url) as resp:
                            resp.read()
                        remote.append((time.perf_counter() - started) * 1000)
                http = (
                    f"{statistics.median(remote):9.1f} {percentile(remote, 95):9.1f}"
                    if remote
                    else f"{'-':>9} {'-':>9}"
                )
                label = name + "".join(f" {k}={v}" for k, v in bound.items())
                print(f"{label:44} {rows:6d} {statistics.median(local):8.1f} {percentile(local, 95):8.1f} {http}")
    finally:
        if served is not None:
            served.terminate()
            served.wait()


def both_forms(
    library: dict[str, queries.SavedQuery],
    store: ox.Store,
    prefixes: dict[str, str],
    params: dict[str, list[str]],
    base: str,
    runs: int,
) -> None:
    """p50 of the portable form and of the Oxigraph form of each query that has both, and their ratio."""
    print(f"{'query':44} {'rows':>6} {'Oxigraph ms':>12} {'portable ms':>12} {'portable/Oxigraph':>18}")
    for name, saved in library.items():
        for bound in runs_of(saved, params):
            medians, rows = [], 0
            for text in (saved.text, saved.portable):
                samples = []
                for _ in range(runs):
                    started = time.perf_counter()
                    prepared = engine.prepare(text, store, prefixes, bound, saved.params, base=base)
                    result = results.materialise(engine.run(store, prepared, prefixes))
                    results.render(result, "json", prefixes)
                    samples.append((time.perf_counter() - started) * 1000)
                    rows = len(result.rows)
                medians.append(statistics.median(samples))
            label = (
                name
                + "".join(f" {k}={v}" for k, v in bound.items())
                + ("" if saved.has_oxigraph_form else " (one form)")
            )
            ratio = medians[1] / medians[0] if medians[0] else float("nan")
            print(f"{label:44} {rows:6d} {medians[0]:12.1f} {medians[1]:12.1f} {ratio:18.1f}")


if __name__ == "__main__":
    main()
