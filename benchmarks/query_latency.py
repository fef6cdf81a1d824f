"""p50 and p95 of every saved query on the seed graph, in-process and over HTTP.

Usage: .venv/bin/python benchmarks/query_latency.py [--runs N]
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

from cubagraph import project, queries, results, sparql

ROOT = Path(__file__).resolve().parent.parent
PARAMS = {"actor": {"actor": "antony-blinken"}}


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    proj = project.find(ROOT)
    prefixes = proj.prefixes()
    store = sparql.load_store(proj.trig)
    library = queries.library(proj.queries)

    served = subprocess.Popen(
        [str(Path(sys.executable).parent / "cubagraph"), "serve", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert served.stdout is not None
    port = re.search(r":(\d+)/", served.stdout.readline())[1]  # type: ignore[index]
    try:
        print(f"{'query':24} {'rows':>5} {'p50 ms':>8} {'p95 ms':>8} {'HTTP p50':>9} {'HTTP p95':>9}")
        for name, saved in library.items():
            params = PARAMS.get(name, {})
            local: list[float] = []
            rows = 0
            for _ in range(args.runs):
                started = time.perf_counter()
                prepared = sparql.prepare(saved.text, store, prefixes, params, saved.params, base=proj.base)
                result = results.materialise(sparql.run(store, prepared, prefixes))
                results.render(result, "json", prefixes)
                local.append((time.perf_counter() - started) * 1000)
                rows = len(result.rows)
            remote: list[float] = []
            if not params:
                url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": saved.text})
                for _ in range(args.runs):
                    started = time.perf_counter()
                    with urllib.request.urlopen(url) as resp:
                        resp.read()
                    remote.append((time.perf_counter() - started) * 1000)
            http = f"{statistics.median(remote):9.1f} {percentile(remote, 95):9.1f}" if remote else f"{'-':>9} {'-':>9}"
            print(f"{name:24} {rows:5d} {statistics.median(local):8.1f} {percentile(local, 95):8.1f} {http}")
    finally:
        served.terminate()
        served.wait()


if __name__ == "__main__":
    main()
