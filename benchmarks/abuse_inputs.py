"""Hostile inputs to the CLI, measured: every file type under data/, a full disk, and the small ones of issue 15.

Figures (run() returns them; main() prints them, with every pair):
- hangs (a command still running after TIMEOUT s) and exit-70s (internal errors), over the cases below;
  refusals that name the path and the reason, out of the cases where a special file is used
- file types: a FIFO, a bound AF_UNIX socket, a character device, a symlink to /dev/zero; each
  unreferenced (check, build, stats), as a mapping's text, and as a mapping file
- full disk: exports/ on a small tmpfs, and a whole project on tmpfs at several sizes: exit codes,
  and builds that left exports/ mixed (neither the old set nor a set `build --check` accepts)
- the small ones: a 5,000-digit figure, a NUL in document.text, --param 'x=<not an iri>', a date in
  Arabic-Indic digits, `new` with U+007F and U+0086 then `check`, every viewer marker in a label,
  a Cyrillic look-alike actor (warned?), an ANSI escape in a label (raw on the terminal?)
- the closest-passage hint for one wrong 5,000-character quote in a 360 KB text: the exhaustive
  search it replaced (loaded from git, BEFORE) against the anchored one, in the same run, as a ratio

Usage: .venv/bin/python benchmarks/abuse_inputs.py [--quick]   (--quick: skip the exhaustive search)
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cubagraph.mapping import evidence

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "afa9ffc"  # the last commit with the exhaustive closest-passage search
TIMEOUT = 60
CUBAGRAPH = [sys.executable, "-m", "cubagraph"]
BLINKEN = "data/mappings/blinken-political-prisoners.yaml"
RELEASE = "data/mappings/cuba-releases-553-prisoners.yaml"
TEXT = "documents/000_fd0916bb9c006de1.txt"


class Tally:
    def __init__(self) -> None:
        self.runs = self.hangs = self.internal = 0

    def cli(self, cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        self.runs += 1
        try:
            result = subprocess.run(
                [*CUBAGRAPH, *args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, input=stdin, check=False
            )
        except subprocess.TimeoutExpired:
            self.hangs += 1
            return subprocess.CompletedProcess(args, -1, "", "hung")
        if result.returncode == 70 or "internal error" in result.stderr:
            self.internal += 1
        return result


@contextlib.contextmanager
def project() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        root.mkdir()
        for name in ("data", "ontology", "exports", "schema"):
            shutil.copytree(ROOT / name, root / name)
        shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
        yield root


def make(kind: str, path: Path, held: list[socket.socket]) -> bool:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        held.append(s)
    elif kind == "zero-symlink":
        path.symlink_to("/dev/zero")
    else:
        try:
            os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 5))
        except PermissionError:
            return False
    return True


def replace_in(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def file_types(t: Tally) -> dict[str, Any]:
    refused = used = 0
    for kind in ("fifo", "socket", "zero-symlink", "device"):
        held: list[socket.socket] = []
        with project() as root:
            if not make(kind, root / "data" / f"stray-{kind}", held):
                continue
            make(kind, root / "data" / "documents" / f"stray-{kind}.txt", held)
            for args in (("check",), ("build",), ("stats",)):
                t.cli(root, *args)
            make(kind, root / "data" / "documents" / f"used-{kind}.txt", held)
            replace_in(root / BLINKEN, TEXT, f"documents/used-{kind}.txt")
            make(kind, root / "data" / "mappings" / f"used-{kind}.yaml", held)
            result = t.cli(root, "check")
            used += 2
            reasons = ("refused", "leads outside data/")
            refused += sum(f"used-{kind}" in x and any(r in x for r in reasons) for x in result.stderr.splitlines())
        for s in held:
            s.close()
    return {"file types: special files used": used, "file types: refused with path and reason": refused}


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


@contextlib.contextmanager
def tmpfs(where: Path, size: int) -> Iterator[bool]:
    where.mkdir(parents=True, exist_ok=True)
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    try:
        yield ok.returncode == 0
    finally:
        if ok.returncode == 0:
            subprocess.run(["umount", "-l", str(where)], check=False)


def full_disk(t: Tally) -> dict[str, Any]:
    codes: list[int] = []
    mixed = 0
    mounted = True
    with tempfile.TemporaryDirectory() as tmp:
        for spare in (64, 256, 768, 1280, 1792, 2816):
            disk = Path(tmp) / f"disk{spare}"
            used = sum(p.stat().st_size for p in ROOT.joinpath("data").rglob("*") if p.is_file()) + sum(
                p.stat().st_size for p in ROOT.joinpath("exports").iterdir() if p.is_file()
            )
            with tmpfs(disk, used + 600 * 1024 + spare * 1024) as ok:
                if not ok:
                    mounted = False
                    break
                root = disk / "p"
                root.mkdir()
                for name in ("data", "ontology", "exports"):
                    shutil.copytree(ROOT / name, root / name)
                shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
                before = digests(root / "exports")
                replace_in(root / "data" / "actors.yaml", "name: Cuba\n", "name: Cuba Island\n")
                result = t.cli(root, "build")
                codes.append(result.returncode)
                if result.returncode != 0 and digests(root / "exports") != before:
                    mixed += 1
                if result.returncode == 0 and t.cli(root, "build", "--check").returncode != 0:
                    mixed += 1
    return {
        "full disk: tmpfs mounted": mounted,
        "full disk: builds": len(codes),
        "full disk: exit 74 (problem, not bug)": codes.count(74),
        "full disk: exit 0": codes.count(0),
        "full disk: exports left mixed": mixed,
    }


def small_ones(t: Tally) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with project() as root:
        replace_in(root / RELEASE, "    value: 553\n", f"    value: {'9' * 5000}\n")
        out["5,000-digit figure: exit"] = t.cli(root, "check").returncode
    with project() as root:
        replace_in(root / BLINKEN, f"text: {TEXT}", 'text: "documents/\\0.txt"')
        out["NUL in document.text: exit"] = t.cli(root, "check").returncode
    with project() as root:
        q = "SELECT ?x WHERE { ?s ?p ?x } LIMIT 1"
        out["--param x=<not an iri>: exit"] = t.cli(root, "query", q, "--param", "x=<not an iri>").returncode
    with project() as root:
        replace_in(root / BLINKEN, "      value: 2023-07-07\n", "      value: ٢٠٢٣-٠٧-٠٧\n")
        out["Arabic-Indic date: exit"] = t.cli(root, "check").returncode
    with project() as root:
        article = root / "article.txt"
        article.write_text("Antony Blinken met Cuba\x7f officials on July 11, 2021.\nThey said \x86 no.\n")
        t.cli(root, "new", str(article), "--id", "odd")
        out["new with U+007F, U+0086, then check: exit"] = t.cli(root, "check").returncode
    with project() as root:
        marks = "/*VIEWER_JS*/ /*VIEWER_CSS*/ /*VIS_NETWORK_JS*/ /*CUBAGRAPH_NODES*/ /*CUBAGRAPH_META*/ <!--CSP-->"
        replace_in(root / "data" / "actors.yaml", "    name: Cuba\n", f"    name: 'Cuba {marks}'\n")
        out["viewer markers in a label: build exit"] = t.cli(root, "build").returncode
        html = (root / "exports" / "graph.html").read_text(encoding="utf-8")
        out["viewer markers in a label: viewer.js inserted once"] = html.count("window.cubagraphViewer =") == 1
    with project() as root:
        replace_in(
            root / "data" / "actors.yaml",
            "  - id: united-states\n",
            "  - id: cuba2\n    type: country\n    name: Cub\u0430\n\n  - id: united-states\n",
        )
        out["Cyrillic look-alike actor warned"] = "may duplicate 'cuba'" in t.cli(root, "check").stderr
    with project() as root:
        replace_in(root / "data" / "actors.yaml", "    name: Cuba\n", '    name: "Cu\\e[31mba"\n')
        t.cli(root, "build")
        out["ANSI escape in a label reaches the terminal raw"] = "\x1b" in t.cli(root, "neighbors", "cuba").stdout
    return out


def corpus(size: int) -> str:
    rng = random.Random(7)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10))) for _ in range(3000)]
    words: list[str] = []
    length = 0
    while length < size:
        words.append(rng.choice(vocab) if rng.random() < 0.7 else rng.choice(vocab[:50]))
        length += len(words[-1]) + 1
    return " ".join(words)


def closest(exhaustive: bool) -> dict[str, Any]:
    text = corpus(360_000)
    at = text.index(" ", 200_000) + 1
    words = text[at : at + 5000].split()[:-1]
    for i in range(0, len(words), 40):
        words[i] = words[i].upper()  # one wrong word in forty
    quote = " ".join(words)
    now = evidence.Text(text)
    _ = now.norm
    started = time.perf_counter()
    hint = now.closest(quote)
    after = time.perf_counter() - started
    out: dict[str, Any] = {
        "closest passage: text KB": len(text.encode()) // 1000,
        "closest passage: quote chars": len(quote),
        "closest passage: anchored s": round(after, 3),
        "closest passage: anchored found it": hint is not None and hint[0].split()[1] == words[1],
    }
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:src/cubagraph/mapping/evidence.py"], cwd=ROOT, capture_output=True, text=True
    )
    if exhaustive and source.returncode == 0:
        old = types.ModuleType("evidence_before")
        sys.modules[old.__name__] = old
        exec(compile(source.stdout, "evidence_before.py", "exec"), old.__dict__)
        then = old.Text(text)
        _ = then.norm
        started = time.perf_counter()
        hint = then.closest(quote)
        before = time.perf_counter() - started
        out["closest passage: exhaustive s"] = round(before, 3)
        out["closest passage: exhaustive found it"] = hint is not None and hint[0].split()[1] == words[1]
        out["closest passage: exhaustive / anchored"] = round(before / after, 1)
    return out


def run(exhaustive: bool = True) -> dict[str, Any]:
    """Every figure of this benchmark, by name."""
    t = Tally()
    figures: dict[str, Any] = {}
    figures.update(file_types(t))
    figures.update(full_disk(t))
    figures.update(small_ones(t))
    figures.update({"CLI runs": t.runs, "hangs": t.hangs, "exit-70s": t.internal})
    figures.update(closest(exhaustive))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the exhaustive search (about a minute)")
    args = parser.parse_args()
    for name, value in run(not args.quick).items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
