"""The build at scale: every phase timed, peak memory, the floor, queries, start-up.

For each size it generates a synthetic corpus (benchmarks/corpus.py), then
runs a cold build in a fresh process, phase by phase; the floor (the same
YAML files loaded with PyYAML's C loader, plus a bulk load of the same quads
into pyoxigraph and a dump of them); a rebuild after one edited document, and
after one added;
the saved queries' p50 and p95; and `cubagraph --help`.

Usage: .venv/bin/python benchmarks/build_scale.py [--sizes 100 1000 10000] [--keep DIR] [--pairs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def one(directory: Path, jobs: int) -> dict[str, object]:
    """A cold build of ``directory`` in this (fresh) process, phase by phase: what `cubagraph build --no-cache` does.

    With ``jobs`` 1 every phase is timed apart; with more, new documents are
    built by worker processes, timed as one phase. The cycle collector is
    paused for the whole build, as `cubagraph build` pauses it (cli.commands.build).
    """
    from cubagraph import export, pipeline, project

    out: dict[str, float] = {}
    proj = project.find(directory)
    proj.settings["jobs"] = jobs  # how a build runs; it changes no export
    with pipeline.paused_gc(freeze=True):
        t = time.perf_counter()
        built = pipeline.build_exports(proj, use_cache=False, timings=out)
        out["everything else"] = time.perf_counter() - t - sum(out.values())
        t = time.perf_counter()
        written = export.write_all(
            directory / "exports", built.plans, built.graphs, manifest=directory / ".cubagraph" / "exports.json"
        )
        out["write files"] = time.perf_counter() - t
        t = time.perf_counter()
        pipeline.keep_network(proj, built)
        out["kept projection"] = time.perf_counter() - t
    return {
        "phases": out,
        "quads": built.counts["quads"],
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "bytes": sum(path.stat().st_size for path, _ in written),
    }


def floor(directory: Path) -> dict[str, float]:
    import pyoxigraph as ox
    import yaml

    t = time.perf_counter()
    for path in sorted((directory / "data" / "mappings").glob("*.yaml")):
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    yaml.load((directory / "data" / "actors.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    load = time.perf_counter() - t
    quads = list(ox.parse(path=str(directory / "exports" / "cubagraph.trig"), format=ox.RdfFormat.TRIG))
    t = time.perf_counter()
    store = ox.Store()
    store.bulk_extend(quads)
    bulk = time.perf_counter() - t
    t = time.perf_counter()
    store.dump(format=ox.RdfFormat.TRIG)
    dump = time.perf_counter() - t
    return {"yaml C loader": load, "pyoxigraph bulk load": bulk, "pyoxigraph dump": dump}


def queries(directory: Path, runs: int) -> dict[str, tuple[float, float]]:
    from cubagraph import project
    from cubagraph.sparql import engine, queries, results

    proj = project.find(directory)
    # What `cubagraph query` opens: a read-only on-disk store for a large graph (made on first use, not timed).
    store = engine.open_store(proj.trig, proj.root / ".cubagraph")
    prefixes = proj.prefixes()
    out = {}
    for name, saved in queries.library(proj.queries).items():
        params = {"actor": "actor-0"} if saved.params else {}
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            prepared = engine.prepare(saved.text, store, prefixes, params, saved.params, base=proj.base)
            results.materialise(engine.run(store, prepared, prefixes))
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out[name] = (statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))])
    return out


def cli_seconds(args: list[str], cwd: Path, runs: int = 1) -> float:
    exe = str(Path(sys.executable).parent / "cubagraph")
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([exe, *args], cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def cold_build(directory: Path, jobs: int) -> dict[str, Any]:
    """:func:`one` in a fresh process, so that nothing this process imported or holds counts."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", str(directory), "--jobs", str(jobs)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=10, help="runs per saved query")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help="generate the corpora here and keep them")
    parser.add_argument(
        "--pairs", type=int, default=1, help="cold builds with workers, each followed by the floor (the ratio's median)"
    )
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.jobs)))
        return
    import corpus

    base = args.keep or Path(tempfile.mkdtemp(prefix="cubagraph-bench-"))
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    print(f"--help: {cli_seconds(['--help'], HERE, 5):.3f} s (median of 5)")
    for n in args.sizes:
        directory = base / f"corpus-{n}"
        t = time.perf_counter()
        corpus.generate(directory, n)
        print(f"\n== {n:,} documents (generated in {time.perf_counter() - t:.1f} s)")
        result = cold_build(directory, 1)
        phases: dict[str, float] = result["phases"]
        width = max(len(k) for k in phases)
        for name, seconds in phases.items():
            print(f"  {name.ljust(width)}  {seconds:8.2f} s")
        total = sum(phases.values())
        print(
            f"  {'total, one process'.ljust(width)}  {total:8.2f} s   ({result['quads']:,} quads, {result['bytes'] / 2**20:,.0f} MiB of exports, peak RSS {result['rss_mib']:,.0f} MiB)"
        )
        shutil.rmtree(directory / ".cubagraph")
        jobs = os.cpu_count() or 1
        cold = time.perf_counter()
        fanned = cold_build(directory, jobs)
        cold = time.perf_counter() - cold
        parallel = sum(fanned["phases"].values())
        print(
            f"  {f'total, {jobs} worker processes'.ljust(width)}  {parallel:8.2f} s   (as a process {cold:.2f} s; peak RSS {fanned['rss_mib']:,.0f} MiB, and {fanned['worker_rss_mib']:,.0f} MiB in the largest worker)"
        )
        fl = floor(directory)
        for name, seconds in fl.items():
            print(f"  floor: {name.ljust(width - 7)}  {seconds:8.2f} s")
        print(
            f"  {'floor total'.ljust(width)}  {sum(fl.values()):8.2f} s   → build / floor = {total / sum(fl.values()):.1f}× in one process, {parallel / sum(fl.values()):.1f}× in {jobs}"
        )
        # The machine's speed drifts from minute to minute, the floor's too: more pairs of a cold
        # build and the floor right after it give the ratio as a median rather than one draw.
        pairs = [(parallel, sum(fl.values()))]
        for _ in range(args.pairs - 1):
            shutil.rmtree(directory / ".cubagraph")
            again = cold_build(directory, jobs)
            pairs.append((sum(again["phases"].values()), sum(floor(directory).values())))
        if len(pairs) > 1:
            ratios = sorted(b / f for b, f in pairs)
            print(
                f"  {f'build / floor, {len(pairs)} pairs'.ljust(width)}  {statistics.median(ratios):8.2f} ×   (median; {ratios[0]:.2f}–{ratios[-1]:.2f}×; builds {min(b for b, _ in pairs):.1f}–{max(b for b, _ in pairs):.1f} s, floors {min(f for _, f in pairs):.1f}–{max(f for _, f in pairs):.1f} s)"
            )
            each = ", ".join(f"{b:.1f}/{f:.1f}" for b, f in pairs)
            print(f"  {'each pair, build/floor s'.ljust(width)}  {each}")
        # From nothing: with .cubagraph/ left by the pairs, `build --no-cache` still read the viewer's
        # memos and updated the kept projection in place (54.8 s against 73-84 s at 10,000 documents).
        shutil.rmtree(directory / ".cubagraph")
        print(f"  {'cold build, CLI, from nothing'.ljust(width)}  {cli_seconds(['build'], directory):8.2f} s")
        unchanged = [cli_seconds(["build"], directory) for _ in range(3)]
        print(f"  {'build, CLI, nothing changed'.ljust(width)}  {statistics.median(unchanged):8.2f} s   (median of 3)")
        edits = []
        # Five edits, each to another document's claim label, each followed by a build.
        for k in range(5):
            mapping = directory / "data" / "mappings" / f"doc-{(n // 2 + k * n // 7) % n:05d}.yaml"
            mapping.write_text(
                mapping.read_text(encoding="utf-8").replace('summary: "Claim 0', 'summary: "Edited claim 0', 1),
                encoding="utf-8",
            )
            edits.append(cli_seconds(["build"], directory))
        print(
            f"  {'rebuild after one edit'.ljust(width)}  {statistics.median(edits):8.2f} s   (median of 5; {min(edits):.2f}–{max(edits):.2f} s)"
        )
        # Three new documents, each added and built on its own: the page's structure changes each time.
        added = []
        for k in range(3):
            corpus.another(directory, n, n + k)
            added.append(cli_seconds(["build"], directory))
        still = cli_seconds(["build"], directory)
        print(
            f"  {'rebuild after adding a document'.ljust(width)}  {statistics.median(added):8.2f} s   (median of 3; {min(added):.2f}–{max(added):.2f} s; ÷ nothing changed {statistics.median(added) / statistics.median(unchanged):.2f}×, and nothing changed after them {still:.2f} s)"
        )
        print("  saved queries, p50 / p95 ms:")
        for name, (p50, p95) in queries(directory, args.runs).items():
            print(f"    {name.ljust(24)} {p50:8.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
