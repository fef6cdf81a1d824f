"""Two checkouts of cubagraph timed alternately on one corpus: is a change within noise?

A machine of this kind drifts by tens of percent from one minute to the
next, so "before" measured in the morning and "after" in the afternoon say
little. This script runs both checkouts in turns, A then B, then B then A, on
copies of the same generated corpus (each its own cache), and prints every
pair and the median of the ratios B / A for:

- a cold build (no `.cubagraph/`) through the CLI, with worker processes;
- a build with nothing changed;
- a rebuild after one edit (the same edit in both copies);
- each saved query's p50 in-process (20 runs), timed by the checkout's own
  `benchmarks/query_latency.py`, after a first query has made the store.

It also checks that both checkouts wrote byte-identical exports.

Usage: .venv/bin/python benchmarks/compare.py OLD_CHECKOUT NEW_CHECKOUT [--documents 1000] [--rounds 5]

Each checkout is run from its own ``src/`` with this interpreter, so both
use the same libraries.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


class Side:
    def __init__(self, name: str, checkout: Path, corpus: Path):
        self.name, self.checkout, self.corpus = name, checkout, corpus
        self.env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
        self.times: dict[str, list[float]] = {}

    def run(self, *args: str) -> float:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cubagraph", *args],
            cwd=self.corpus,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - started

    def timed(self, what: str, *args: str) -> None:
        self.times.setdefault(f"{what}, s", []).append(self.run(*args))

    def queries(self) -> None:
        """Each saved query's p50 in-process, by the checkout's own benchmarks/query_latency.py."""
        script = self.checkout / "benchmarks" / "query_latency.py"
        out = subprocess.run(
            [
                sys.executable,
                str(script),
                "--root",
                str(self.corpus),
                "--no-http",
                "--runs",
                "20",
                "--param",
                "actor=actor-0",
            ],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for line in out.splitlines()[2:]:  # after the store's line and the header
            fields = line.split()  # the query's name, [its parameters,] rows, p50, p95, "-", "-"
            name, p50 = fields[0], fields[-4]
            self.times.setdefault(f"query {name}, p50 ms", []).append(float(p50))

    def exports_digest(self) -> str:
        h = hashlib.sha256()
        for path in sorted((self.corpus / "exports").iterdir()):
            if path.is_file() and not path.name.startswith("."):
                h.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        return h.hexdigest()


def edit(corpus: Path, documents: int, k: int) -> None:
    """The k-th edit: one claim's summary in one document, as benchmarks/build_scale.py makes it."""
    mapping = corpus / "data" / "mappings" / f"doc-{(documents // 2 + k * documents // 7) % documents:05d}.yaml"
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(text.replace('summary: "Claim 0', f'summary: "Edited {k} claim 0', 1), encoding="utf-8")


def round_(side: Side, documents: int, k: int) -> None:
    shutil.rmtree(side.corpus / ".cubagraph", ignore_errors=True)
    side.timed("cold build", "build")
    side.timed("nothing changed", "build")
    edit(side.corpus, documents, k)
    side.timed("rebuild after one edit", "build")
    side.queries()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import corpus

    base = Path(tempfile.mkdtemp(prefix="cubagraph-compare-"))
    try:
        source = base / "corpus"
        corpus.generate(source, args.documents)
        sides = []
        for name, checkout in (("A", args.old.resolve()), ("B", args.new.resolve())):
            copy = base / name
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns(".cubagraph"))
            sides.append(Side(name, checkout, copy))
        print(f"A = {sides[0].checkout}\nB = {sides[1].checkout}")
        print(f"{args.documents:,} documents, {args.rounds} rounds, alternating; Python {sys.version.split()[0]}")
        for r in range(args.rounds):
            for side in sides if r % 2 == 0 else reversed(sides):
                round_(side, args.documents, r)
            digests = {side.exports_digest() for side in sides}
            print(f"  round {r + 1}: exports {'identical' if len(digests) == 1 else 'DIFFERENT'}", flush=True)
        a, b = sides
        width = max(len(w) for w in a.times)
        print(f"\n{'':{width}}  {'A median':>9} {'B median':>9} {'B/A':>6}   each pair, A/B")
        for what in a.times:
            ratios = [y / x for x, y in zip(a.times[what], b.times[what], strict=True)]
            pairs = ", ".join(f"{x:.3g}/{y:.3g}" for x, y in zip(a.times[what], b.times[what], strict=True))
            print(
                f"{what:{width}}  {statistics.median(a.times[what]):9.3g} {statistics.median(b.times[what]):9.3g}"
                f" {statistics.median(ratios):6.3f}   {pairs}"
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
