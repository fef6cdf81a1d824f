"""The network commands and the query store at scale, as whole processes, against a saved query in the same run.

For each size it takes a corpus (benchmarks/corpus.py; made once, and kept
under ``--keep`` as ``cubagraph-corpus-N``), builds it, and times as whole
processes, with each one's peak RSS:

- ``cubagraph query --name timeline`` (the yardstick), and ``timeline``,
  ``path actor-0 actor-50``, ``neighbors actor-0`` and ``stats``, each as a
  ratio to the yardstick (``stats`` also its first run after a build, which
  computes the betweenness that later runs read back);
- ``cubagraph build`` with nothing changed (median of 5), then five edits of
  one document, each followed by ``cubagraph build`` and the first query: the
  rebuild as a ratio to the no-change build, the first query as a ratio to a
  warm one.

The cold build against the floor, and the saved queries' p50, are
benchmarks/build_scale.py's (``--pairs 5``).

Usage: .venv/bin/python benchmarks/analysis_scale.py [--sizes 1000 10000] [--keep /tmp] [--runs 5]
"""

from __future__ import annotations

import argparse
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
EXE = str(Path(sys.executable).parent / "cubagraph")


def process(args: list[str], cwd: Path) -> tuple[float, float]:
    """One `cubagraph` process: its wall time in seconds and its peak RSS in MiB."""
    # stderr to a file, not a pipe: a long build writes its progress there, and a full pipe would stop it.
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen([EXE, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    if child.returncode not in (0, 1):  # 1: path found no connection, still an answer
        raise SystemExit(f"cubagraph {' '.join(args)} failed ({child.returncode}): {err}")
    return seconds, usage.ru_maxrss / 1024


def median(args: list[str], cwd: Path, runs: int) -> tuple[float, float, list[float]]:
    got = [process(args, cwd) for _ in range(runs)]
    times = [t for t, _ in got]
    return statistics.median(times), max(r for _, r in got), times


def edit(directory: Path, n: int, k: int) -> None:
    """Change one document's claim label (back and forth, so that every run edits)."""
    mapping = directory / "data" / "mappings" / f"doc-{(n // 2 + k * n // 7) % n:05d}.yaml"
    text = mapping.read_text(encoding="utf-8")
    if 'summary: "Edited claim 0' in text:
        text = text.replace('summary: "Edited claim 0', 'summary: "Claim 0', 1)
    else:
        text = text.replace('summary: "Claim 0', 'summary: "Edited claim 0', 1)
    mapping.write_text(text, encoding="utf-8")


def corpus_at(base: Path, n: int) -> Path:
    import corpus

    directory = base / f"cubagraph-corpus-{n}"
    mappings = directory / "data" / "mappings"
    if not (mappings.is_dir() and len(list(mappings.glob("*.yaml"))) == n):
        started = time.perf_counter()
        corpus.generate(directory, n)
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    # The saved queries as they are now (stats runs one of them): a kept corpus may have older ones.
    shutil.copytree(HERE.parent / "queries", directory / "queries", dirs_exist_ok=True)
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, default=Path("/tmp"), help="where the corpora are kept")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (the median is given)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; load {os.getloadavg()[0]:.1f}")
    # As an installed package has them: compiled modules, even where PYTHONDONTWRITEBYTECODE is set.
    import compileall

    import cubagraph

    compileall.compile_dir(Path(cubagraph.__file__).parent, quiet=1)
    for n in args.sizes:
        print(f"\n== {n:,} documents")
        directory = corpus_at(args.keep, n)
        seconds, rss = process(["build"], directory)
        print(f"  cubagraph build (to start from)        {seconds:7.2f} s  {rss:6.0f} MiB")
        seconds, rss = process(["query", "--name", "timeline"], directory)
        print(f"  first query after it (store made/followed) {seconds:7.2f} s  {rss:6.0f} MiB")
        forget_betweenness(directory)
        first_stats = process(["stats"], directory)
        yard, yard_rss, yard_all = median(["query", "--name", "timeline"], directory, args.runs)
        print(f"  query --name timeline (yardstick)      {yard:7.2f} s  {yard_rss:6.0f} MiB   runs {_each(yard_all)}")
        print(f"  {'command':<36} {'median':>7}    {'peak':>6}   {'÷ yardstick':>11}   runs")
        for command in (
            ["timeline"],
            ["path", "actor-0", "actor-50"],
            ["neighbors", "actor-0"],
            ["stats"],
        ):
            t, r, each = median(command, directory, args.runs)
            print(f"  {' '.join(command):<36} {t:7.2f} s  {r:6.0f} MiB   {t / yard:9.2f} ×   {_each(each)}")
        print(
            f"  {'stats, computing the betweenness':<36} {first_stats[0]:7.2f} s  {first_stats[1]:6.0f} MiB   {first_stats[0] / yard:9.2f} ×   (as after a build that changed the actor overview)"
        )
        nothing, _, each = median(["build"], directory, 5)
        print(f"  build, nothing changed                 {nothing:7.2f} s   (median of 5: {_each(each)})")
        floors = [write_floor(directory / "exports") for _ in range(3)]
        floor = statistics.median(floors)
        print(
            f"  write floor: every export copied and renamed over itself {floor:5.2f} s   (median of 3: {_each(floors)}; what an atomic rewrite of exports/ costs on this file system)"
        )
        rebuilds, firsts, rss_first = [], [], 0.0
        for k in range(5):
            edit(directory, n, k)
            rebuilds.append(process(["build"], directory)[0])
            t, r = process(["query", "--name", "timeline"], directory)
            firsts.append(t)
            rss_first = max(rss_first, r)
        warm = median(["query", "--name", "timeline"], directory, args.runs)[0]
        rebuild, first = statistics.median(rebuilds), statistics.median(firsts)
        print(
            f"  rebuild after one edit                 {rebuild:7.2f} s   {rebuild / nothing:5.2f} × the no-change build (median of 5: {_each(rebuilds)}); {rebuild / (nothing + floor):4.2f} × the no-change build plus the write floor"
        )
        print(
            f"  first query after edit + rebuild       {first:7.2f} s   {first / warm:5.2f} × a warm query of {warm:.2f} s (median of 5: {_each(firsts)}; peak {rss_first:.0f} MiB)"
        )


def forget_betweenness(directory: Path) -> None:
    """Empty the kept projection's memo, so that the next `stats` computes the betweenness, as after a build
    that changed the actor overview (a label edit keeps it)."""
    import sqlite3

    with sqlite3.connect(directory / ".cubagraph" / "network.sqlite") as con:
        con.execute("DELETE FROM memo")


def write_floor(exports: Path) -> float:
    """A copy of exports/ beside it (not timed), then each file copied in the kernel to a temporary (its blocks
    set aside first) and renamed over itself, the old file linked aside and deleted: the least a build that
    changes every export must do."""
    scratch = Path(tempfile.mkdtemp(prefix=".floor-", dir=exports.parent))
    try:
        files = []
        for path in sorted(p for p in exports.iterdir() if p.is_file() and not p.name.startswith(".")):
            shutil.copyfile(path, scratch / path.name)
            files.append(scratch / path.name)
        os.sync()  # the copies on disk before the clock starts, as old exports are
        started = time.perf_counter()
        for path in files:
            tmp, aside = path.with_name(f".{path.name}.tmp"), path.with_name(f".{path.name}.aside")
            with open(path, "rb") as src, open(tmp, "wb") as dst:
                size, at = os.fstat(src.fileno()).st_size, 0
                os.posix_fallocate(dst.fileno(), 0, size)  # as the build does (export/ranges.py)
                while at < size:
                    at += os.copy_file_range(src.fileno(), dst.fileno(), size - at, at, at)
            os.link(path, aside)
            os.replace(tmp, path)
            os.unlink(aside)
        return time.perf_counter() - started
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _each(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
