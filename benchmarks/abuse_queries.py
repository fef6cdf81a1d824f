"""Abuse the query paths: generated SERVICE queries against a listener, the memory bomb, deep nesting.

Runs N queries from the grammar strategy (tests/sparql/service_grammar.py) through the endpoint's
worker pool (past the scanner, so only the sandbox stands in the way) and N // 10 through
``cubagraph query``; prints queries generated, outbound connections, signals, hangs, and the peak
RSS of a worker under the memory bomb. Also the cost of the sandbox: worker start and a CLI query,
sandboxed against unsandboxed, in the same run.

    .venv/bin/python benchmarks/abuse_queries.py [N]
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "sparql"))

BOMB = (
    'SELECT (STRLEN(?a40) AS ?n) WHERE { BIND("xxxxxxxxxxxxxxxx" AS ?a0) '
    + " ".join(f"BIND(CONCAT(?a{i},?a{i}) AS ?a{i + 1})" for i in range(40))
    + " }"
)
NESTED = "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"


def _listener() -> tuple[socket.socket, list[str], threading.Event]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.settimeout(0.2)
    seen: list[str] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                conn, addr = sock.accept()
            except OSError:
                continue
            seen.append(str(addr))
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    return sock, seen, done


def _queries(n: int, port: int) -> list[str]:
    from hypothesis import HealthCheck, given, settings
    from service_grammar import query  # type: ignore[import-not-found]

    out: list[str] = []

    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=query(port))
    def collect(text: str) -> None:
        out.append(text)

    collect()
    return out


def _cli(args: list[str]) -> tuple[int, str]:
    from cubagraph import cli

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
        code = cli.main(["query", "--root", str(ROOT), *args])
    return code, err.getvalue()


def run(n: int = 2000) -> dict[str, Any]:
    from cubagraph import project
    from cubagraph.sparql import engine, workers
    from cubagraph.sparql.workers import Pool

    proj = project.find(ROOT)
    sock, seen, done = _listener()
    port = sock.getsockname()[1]
    figures: dict[str, Any] = {}
    texts = _queries(n, port)
    figures["queries generated"] = len(texts)
    signals = hangs = 0
    odd: list[str] = []  # what gave a signal, for the reader
    started = time.perf_counter()
    with Pool(proj.trig, proj.prefixes(), 2) as pool:
        for text in texts:
            try:
                pool.run(engine.Prepared(text, "SELECT"), "json", 1000, 10)
            except engine.QueryMemoryLimit as exc:
                signals += 1
                odd.append(f"pool: {text!r}: {exc}")
            except engine.QueryTimeout:
                hangs += 1
        figures["pool seconds"] = round(time.perf_counter() - started, 1)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        try:
            pool.run(engine.Prepared(BOMB, "SELECT"), "json", 10, 30)
            figures["memory bomb"] = "answered"
        except engine.QueryError as exc:
            figures["memory bomb"] = exc.code
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        figures["worker peak RSS under the memory bomb (MiB)"] = round(max(after, before) / 1024)
    cli_texts = texts[: max(n // 10, 10)]
    started = time.perf_counter()
    for text in cli_texts:
        code, err = _cli([text])
        if code not in (0, 2) or (code != 0 and err.count("\n") != 1):
            signals += 1
            odd.append(f"cli: {text!r}: exit {code}: {err}")
    figures["cli queries"] = len(cli_texts)
    figures["cli seconds"] = round(time.perf_counter() - started, 1)
    time.sleep(0.3)
    done.set()
    sock.close()
    figures["outbound connections"] = len(seen)
    figures["signals"] = signals
    figures["hangs"] = hangs
    if odd:
        figures["what gave a signal (first 3)"] = odd[:3]
    code, err = _cli([NESTED])
    figures["10,000 nested parentheses (CLI)"] = f"exit {code}: {err.strip()[:80]}"
    if os.environ.get("ABUSE_COSTS", "1") == "1":
        figures.update(_costs(proj, workers))
    return figures


def _plain_serve(*args: Any) -> None:
    """A worker's life without the sandbox: what the sandbox costs is measured against it."""
    from cubagraph.sparql import sandbox, workers

    sandbox.enter = lambda max_bytes=0: None
    workers._serve(*args)


def _start(directory: str, prefixes: dict[str, str], plain: bool) -> float:
    from cubagraph.sparql import sandbox, workers

    t = time.perf_counter()
    conn, child = workers._CTX.Pipe()
    target = _plain_serve if plain else workers._serve
    process = workers._CTX.Process(target=target, args=(directory, prefixes, child, sandbox.DEFAULT_MEMORY))
    process.start()
    child.close()
    assert conn.recv() == "ready"
    elapsed = time.perf_counter() - t
    conn.send(None)
    process.join(5)
    conn.close()
    return elapsed


def _costs(proj: Any, workers: Any, rounds: int = 15) -> dict[str, Any]:
    """Worker start and a CLI query, sandboxed against unsandboxed, alternated in this run (medians)."""
    import statistics

    from cubagraph.sparql import sandbox

    directory = workers.build_store(proj.trig)
    prefixes = proj.prefixes()
    query = ["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]
    times: dict[str, list[float]] = {"start": [], "start plain": [], "cli": [], "cli plain": []}
    real = (sandbox.run_isolated, sandbox.limit_memory, sandbox.quiet_stderr)
    in_process = (lambda work, max_bytes: work(), lambda max_bytes: None, lambda: None)

    def use(parts: tuple[Any, Any, Any]) -> None:
        sandbox.run_isolated, sandbox.limit_memory, sandbox.quiet_stderr = parts

    try:
        for _ in range(rounds):
            times["start"].append(_start(str(directory), prefixes, plain=False))
            times["start plain"].append(_start(str(directory), prefixes, plain=True))
            t = time.perf_counter()
            _cli(query)
            times["cli"].append(time.perf_counter() - t)
            use(in_process)  # as the CLI was before: evaluated in its own process, unsandboxed
            t = time.perf_counter()
            _cli(query)
            times["cli plain"].append(time.perf_counter() - t)
            use(real)
    finally:
        use(real)
        import shutil

        shutil.rmtree(directory, ignore_errors=True)
    ms = {k: statistics.median(v) * 1000 for k, v in times.items()}
    installs = _install_costs()
    return {
        "worker start ms, median (sandboxed / not)": f"{ms['start']:.0f} / {ms['start plain']:.0f}",
        "worker start ratio": round(ms["start"] / ms["start plain"], 2),
        "cli query ms, median (sandboxed child / in-process, unsandboxed)": f"{ms['cli']:.0f} / {ms['cli plain']:.0f}",
        "cli query ratio": round(ms["cli"] / ms["cli plain"], 2),
        **installs,
    }


def _install_costs(rounds: int = 200) -> dict[str, Any]:
    """Median time to enter each kind of sandbox, measured inside a fresh forked child.

    pyseccomp (over libseccomp2) is measured when it can be imported (`pip install pyseccomp`); a
    network namespace when this process may unshare one (root, or user namespaces allowed).
    """
    import ctypes
    import errno
    import statistics
    import struct

    from cubagraph.sparql import sandbox

    def library() -> None:
        import pyseccomp as seccomp  # type: ignore[import-not-found]

        f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        f.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        f.add_rule(seccomp.ERRNO(errno.EPERM), "io_uring_setup")
        f.load()

    def namespace() -> None:
        if ctypes.CDLL(None, use_errno=True).unshare(0x40000000) != 0:  # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "unshare")

    def timed(install: Any) -> float | None:
        samples = []
        for _ in range(rounds):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                try:
                    t = time.perf_counter()
                    install()
                    elapsed = time.perf_counter() - t
                    os.write(write, struct.pack("d", elapsed))
                finally:
                    os._exit(0)
            os.close(write)
            data = os.read(read, 8)
            os.close(read)
            os.waitpid(pid, 0)
            if len(data) != 8:
                return None
            samples.append(struct.unpack("d", data)[0])
        return float(statistics.median(samples)) * 1e6

    out: dict[str, Any] = {}
    for name, install in (
        ("ours (ctypes BPF)", sandbox.deny_network),
        ("pyseccomp over libseccomp", library),
        ("network namespace (unshare)", namespace),
    ):
        cost = timed(install)
        out[f"enter the sandbox, median µs: {name}"] = "unavailable here" if cost is None else round(cost)
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    for name, value in run(n).items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
