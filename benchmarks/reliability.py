"""Reliability under hostile input, killed builds and abusive clients: runs and reports figures.

Three exercises (and four security families, with --families), each usable from the tests (bounded) and from the command
line (as long as you like):

* fuzz: mutate the real seed mappings (delete or duplicate lines and keys,
  change value types, inject control characters, RTL marks, emoji, NUL and
  1 MB strings, break references, truncate, nest deeply, chain aliases) and
  run `cubagraph check` on each. It must accept the input or report
  `file:line:` problems with exit 1, within a time bound, and never write.
* kills: SIGKILL `cubagraph build` at random moments of a large build; every
  export must then be entirely the old version or entirely the new one.
* soak: hammer `cubagraph serve` with valid and hostile requests; every answer
  must be well-formed, with the right status, and memory must stay flat.

Usage: .venv/bin/python benchmarks/reliability.py [--fuzz N] [--kills N] [--soak-seconds S]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CUBAGRAPH = str(Path(sys.executable).parent / "cubagraph")
LINE = re.compile(r"^[^:\n]+:\d+: \S")
SUMMARY = re.compile(r"^\d+ problems?( and \d+ warnings?)? found; exports/ left unchanged\.$")
EXOTIC = [
    "\x00",
    "\x07",
    "\u202e",
    "\u200f",
    "🇨🇺",
    "💥",
    "\ufeff",
    "\\",
    '"',
    "'",
    "\t",
    "{",
    "[",
    "&a",
    "*a",
    "!!",
    "%",
    "@",
    "`",
]


# -- fuzz -------------------------------------------------------------------------------


def mutate(text: str, rng: random.Random) -> str:
    """One random mutation of a YAML file's text."""
    lines = text.split("\n")
    kind = rng.choice(
        ["delete", "duplicate", "type", "inject", "huge", "reference", "truncate", "nest", "alias", "swap", "indent"]
    )
    i = rng.randrange(len(lines))
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "type":
        m = re.match(r"^(\s*-?\s*[\w-]+:)\s*(.*)$", lines[i])
        if m:
            lines[i] = (
                f"{m[1]} {rng.choice(['[]', '{}', '12', '1.5', 'true', 'null', '[a, b]', '{x: 1}', '-1', '2021-13-45', '0x1F', 'NO', '012345'])}"
            )
    elif kind == "inject":
        at = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:at] + "".join(rng.choices(EXOTIC, k=rng.randint(1, 4))) + lines[i][at:]
    elif kind == "huge":
        m = re.match(r"^(\s*-?\s*[\w-]+:)\s*(.*)$", lines[i])
        if m:
            lines[i] = f'{m[1]} "{"x" * (1 << 20)}"'
    elif kind == "reference":
        lines[i] = re.sub(
            r"\b(actor|speaker|holder|subject|object|via|asserted_by|place|post): [\w-]+",
            lambda m: f"{m[1]}: {rng.choice(['nobody', 'antony-blinkin', 'x' * 200, 'Cuba', ''])}",
            lines[i],
        )
    elif kind == "truncate":
        return text[: rng.randrange(len(text) + 1)]
    elif kind == "nest":
        depth = rng.choice([10, 70, 500])
        lines.insert(i, "deep: " + "[" * depth + "]" * depth)
    elif kind == "alias":
        chain = ["bomb-a: &a [x, x, x, x, x, x, x, x, x]"]
        for n in range(1, rng.randint(2, 9)):
            chain.append(f"bomb-{chr(97 + n)}: &{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}"] * 9) + "]")
        lines[i:i] = chain
    elif kind == "swap":
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:  # indent
        lines[i] = " " * rng.choice([1, 2, 3, 8]) + lines[i]
    return "\n".join(lines)


@dataclass
class FuzzReport:
    cases: int = 0
    accepted: int = 0
    rejected: int = 0
    failures: list[str] = field(default_factory=list)
    slowest: float = 0.0


def fuzz(cases: int, seed: int = 0, bound: float = 20.0) -> FuzzReport:
    """Run `cubagraph check` in-process on ``cases`` mutated copies of the seed files."""
    from cubagraph import cli

    report = FuzzReport()
    rng = random.Random(seed)
    targets = [ROOT / "data" / "actors.yaml", *sorted((ROOT / "data" / "mappings").glob("*.yaml"))]
    with tempfile.TemporaryDirectory(prefix="cubagraph-fuzz-") as tmp:
        project = Path(tmp)
        for name in ("data", "ontology", "exports"):
            shutil.copytree(ROOT / name, project / name)
        shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
        before = _digest(project / "exports")
        originals = {t: t.read_text(encoding="utf-8") for t in targets}
        for case in range(cases):
            target = rng.choice(targets)
            text = originals[target]
            for _ in range(rng.randint(1, 3)):
                text = mutate(text, rng)
            copy = project / target.relative_to(ROOT)
            copy.write_text(text, encoding="utf-8", errors="surrogatepass")
            started = time.perf_counter()
            code, _out, err = _in_process(cli.main, ["check", "--root", str(project)], bound)
            elapsed = time.perf_counter() - started
            report.slowest = max(report.slowest, elapsed)
            report.cases += 1
            problem = _judge(code, err, elapsed, bound)
            if problem:
                report.failures.append(f"case {case} ({target.name}): {problem}")
                (project.parent / f"fuzz-failure-{case}.yaml").write_text(
                    text, encoding="utf-8", errors="surrogatepass"
                )
            elif code == 0:
                report.accepted += 1
            else:
                report.rejected += 1
            copy.write_text(originals[target], encoding="utf-8")
        if _digest(project / "exports") != before:
            report.failures.append("exports/ changed during fuzzing")
    return report


def _judge(code: int | None, err: str, elapsed: float, bound: float) -> str:
    if code is None:
        return f"did not finish within {bound} s"
    if "Traceback" in err:
        return "printed a traceback"
    if code == 0:
        return ""
    if code != 1:
        return f"exit {code}: {err.strip()[:300]}"
    lines = err.strip().splitlines()
    if not lines:
        return "exit 1 with no message"
    body = lines[:-1] if SUMMARY.match(lines[-1]) else lines
    if not SUMMARY.match(lines[-1]) and not (len(lines) == 1 and lines[0].startswith("cubagraph: ")):
        return f"unexpected last line: {lines[-1][:200]!r}"
    for line in body:
        if not LINE.match(line):
            return f"not a file:line: message: {line[:200]!r}"
    return ""


def _in_process(main: Callable[[list[str]], int], argv: list[str], bound: float) -> tuple[int | None, str, str]:
    """Run the CLI in this process with its output captured, stopped by SIGALRM after ``bound``."""

    class Timeout(BaseException):
        pass

    def alarm(signum: int, frame: object) -> None:
        raise Timeout

    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, bound)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code: int | None = main(argv)
    except Timeout:
        code = None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue()


# -- kills ------------------------------------------------------------------------------


@dataclass
class KillReport:
    kills: int = 0
    survived: int = 0
    failures: list[str] = field(default_factory=list)
    build_seconds: float = 0.0


def _digest(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file() and p.name != ".lock"
    }


def kills(count: int, documents: int = 300, seed: int = 1) -> KillReport:
    """SIGKILL builds of a synthetic corpus at random moments; check every export after each kill."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import corpus

    report = KillReport()
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="cubagraph-kill-") as tmp:
        project = Path(tmp) / "project"
        corpus.generate(project, documents)
        subprocess.run([CUBAGRAPH, "build"], cwd=project, check=True, capture_output=True)
        old = _digest(project / "exports")
        old_exports = Path(tmp) / "old-exports"
        shutil.copytree(project / "exports", old_exports)
        # The new version: one edited label changes every export.
        mapping = project / "data" / "mappings" / "doc-00000.yaml"
        mapping.write_text(
            mapping.read_text(encoding="utf-8").replace('label: "Event 0-0"', 'label: "Event zero"'), encoding="utf-8"
        )
        reference = Path(tmp) / "reference"
        shutil.copytree(project, reference)
        started = time.perf_counter()
        subprocess.run([CUBAGRAPH, "build"], cwd=reference, check=True, capture_output=True)
        report.build_seconds = time.perf_counter() - started
        new = _digest(reference / "exports")
        changed = [name for name in new if new[name] != old.get(name)]
        if len(changed) < 3:
            report.failures.append(f"the edit changed only {changed}: the kill test would prove little")
        for _ in range(count):
            process = subprocess.Popen(
                [CUBAGRAPH, "build"], cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0.05, report.build_seconds * 1.1))
            process.send_signal(signal.SIGKILL)
            process.wait()
            report.kills += 1
            now = _digest(project / "exports")
            bad = [name for name in new if now.get(name) not in (old.get(name), new[name])]
            if bad:
                report.failures.append(f"after a kill, {bad} are neither the old nor the new version")
                continue
            unparsable = _unparsable(project / "exports")
            if unparsable:
                report.failures.append(f"after a kill, {unparsable} do not parse")
                continue
            report.survived += 1
            # Back to the old version, so that the next kill can again catch a write in progress.
            for name in new:
                shutil.copy(old_exports / name, project / "exports" / name)
        # The next build finishes the job and clears what the killed ones left.
        subprocess.run([CUBAGRAPH, "build"], cwd=project, check=True, capture_output=True)
        if _digest(project / "exports") != new:
            report.failures.append("a build after the kills did not produce the new exports")
        leftovers = [p.name for p in (project / "exports").glob(".*.tmp")]
        if leftovers:
            report.failures.append(f"temporary files left after a clean build: {leftovers}")
    return report


def _unparsable(directory: Path) -> list[str]:
    import pyoxigraph as ox

    bad = []
    for name, fmt in (
        ("cubagraph.ttl", ox.RdfFormat.TURTLE),
        ("cubagraph.trig", ox.RdfFormat.TRIG),
        ("cubagraph.jsonld", ox.RdfFormat.JSON_LD),
    ):
        try:
            for _ in ox.parse(path=str(directory / name), format=fmt):
                pass
        except (SyntaxError, OSError, ValueError):
            bad.append(name)
    for name in ("cubagraph.graphml", "cubagraph.gexf"):
        import xml.etree.ElementTree as ET

        try:
            ET.parse(directory / name)
        except ET.ParseError:
            bad.append(name)
    return bad


# -- soak -------------------------------------------------------------------------------


@dataclass
class SoakReport:
    requests: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    rss_start_mib: float = 0.0
    rss_end_mib: float = 0.0
    slow_clients: int = 0


def _rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (the query workers), in MiB."""
    total = 0
    pids = [pid]
    with contextlib.suppress(FileNotFoundError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    for p in pids:
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


@contextlib.contextmanager
def served(*extra: str) -> Iterator[tuple[str, int, subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [CUBAGRAPH, "serve", "--port", "0", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
    assert m, "the server did not start"
    try:
        yield "127.0.0.1", int(m[1]), process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)
        process.stdout.close()


def _raw(host: str, port: int, request: bytes, timeout: float = 20.0) -> tuple[int | None, dict[str, str], bytes]:
    """Send raw bytes; parse the answer's status, headers and body (or None if there was none)."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)  # a server may answer, and close, before it has read everything
        data = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := sock.recv(65536):
                data += chunk
    if not data:
        return None, {}, b""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def _get(path: str, accept: str = "application/sparql-results+json") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\nConnection: close\r\n\r\n".encode()


def _post(body: bytes, ctype: str = "application/sparql-query", length: int | None = None) -> bytes:
    n = len(body) if length is None else length
    return (
        f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {ctype}\r\nContent-Length: {n}\r\nConnection: close\r\n\r\n".encode()
        + body
    )


def _cases(rng: random.Random) -> list[tuple[str, bytes, set[int], str]]:
    """(name, request, acceptable statuses, expected JSON error code or '') for one round."""
    saved = [
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "queries").glob("*.rq"))
        if "param:" not in p.read_text(encoding="utf-8")
    ]
    q = urllib.parse.quote
    return [
        ("saved query", _get("/sparql?query=" + q(rng.choice(saved))), {200}, ""),
        ("saved query, POST", _post(rng.choice(saved).encode()), {200}, ""),
        ("csv", _get("/sparql?query=" + q(saved[0]), "text/csv"), {200}, ""),
        (
            "malformed",
            _get("/sparql?query=" + q("SELECT ?x WHERE { ?x " + "".join(rng.choices("{}()?<>.;", k=8)))),
            {400},
            "syntax_error",
        ),
        ("garbage bytes", _post(bytes(rng.randrange(256) for _ in range(200))), {400}, ""),
        ("oversized body", _post(b"x" * (1 << 20 + 1)), {413}, "body_too_large"),
        ("lying length", _post(b"SELECT", length=10**9), {413}, "body_too_large"),
        (
            "no length",
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\nConnection: close\r\n\r\n",
            {411},
            "length_required",
        ),
        (
            "unsupported method",
            b"PATCH /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            {405},
            "method_not_allowed",
        ),
        ("unsupported content type", _post(b"SELECT * {}", "text/plain"), {415}, "unsupported_media_type"),
        ("unacceptable", _get("/sparql?query=" + q(saved[0]), "image/png"), {406}, "not_acceptable"),
        (
            "traversal",
            _get(
                rng.choice(
                    [
                        "/exports/../../etc/passwd",
                        "/exports/..%2F..%2Fetc%2Fpasswd",
                        "/exports/%2e%2e/%2e%2e/etc/passwd",
                        "/exports/..%252f..%252fpyproject.toml",
                        "/exports/.lock",
                        "/static/../../../etc/passwd",
                        "/exports/cubagraph.ttl/../../pyproject.toml",
                    ]
                )
            ),
            {404},
            "not_found",
        ),
        (
            "service",
            _get("/sparql?query=" + q("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")),
            {403},
            "refused",
        ),
        ("load", _post(b"LOAD <http://127.0.0.1:9/x.ttl>"), {403}, "refused"),
        ("update", _post(b"DELETE WHERE { ?s ?p ?o }", "application/sparql-update"), {403}, "refused"),
        ("update form", _post(b"update=DROP%20ALL", "application/x-www-form-urlencoded"), {403}, "refused"),
        ("bad request line", b"GARBAGE\r\n\r\n", {400}, ""),
    ]


def soak(seconds: float, max_requests: int, seed: int = 3) -> SoakReport:
    report = SoakReport()
    rng = random.Random(seed)
    with served("--client-timeout", "2") as (host, port, process):
        time.sleep(0.5)
        report.rss_start_mib = _rss_mib(process.pid)
        stop = time.monotonic() + seconds
        slow: list[socket.socket] = []
        # Slow clients: connect, send half a request, and stall. The server must drop them.
        for _ in range(8):
            sock = socket.create_connection((host, port))
            sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(sock)
            report.slow_clients += 1
        while time.monotonic() < stop and report.requests < max_requests:
            for name, request, statuses, code in _cases(rng):
                status, _headers, body = _raw(host, port, request)
                report.requests += 1
                report.by_status[status or 0] += 1
                if status not in statuses:
                    report.failures.append(f"{name}: status {status}, wanted {sorted(statuses)}: {body[:200]!r}")
                    continue
                if status and status >= 400:
                    try:
                        error = json.loads(body)["error"]
                        assert set(error) == {"status", "code", "message"} and error["status"] == status
                        assert not code or error["code"] == code, error
                    except (ValueError, KeyError, AssertionError) as exc:
                        report.failures.append(f"{name}: not the JSON error shape: {exc!r} {body[:200]!r}")
                if b"root:" in body:
                    report.failures.append(f"{name}: served a file outside exports/")
        for sock in slow:
            # A stalled client is told 408 (the JSON error) and then dropped: read to the end.
            sock.settimeout(5)
            said, dropped = b"", False
            try:
                while chunk := sock.recv(65536):
                    said += chunk
                dropped = True
            except ConnectionResetError:
                dropped = True
            except TimeoutError:
                pass
            if not dropped:
                report.failures.append("a stalled client was not dropped")
            elif said and not said.startswith((b"HTTP/1.1 408", b"HTTP/1.0 408")):
                report.failures.append(f"a stalled client was dropped with {said[:40]!r}, not a 408")
            sock.close()
        status, _, body = _raw(host, port, _get("/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }")))
        if status != 200 or json.loads(body) != {"head": {}, "boolean": True}:
            report.failures.append(f"after the soak, a simple query got {status}")
        report.rss_end_mib = _rss_mib(process.pid)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=300, help="fuzz cases")
    parser.add_argument("--kills", type=int, default=8, help="builds to kill")
    parser.add_argument("--documents", type=int, default=300, help="documents in the corpus the kill test builds")
    parser.add_argument("--soak-seconds", type=float, default=20)
    parser.add_argument("--soak-requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--families",
        nargs="*",
        choices=sorted(MUST_BE_ZERO),
        default=[],
        help="also run these security families (benchmarks/abuse_*.py); with no name, all of them",
    )
    parser.add_argument(
        "--service-queries", type=int, default=2000, help="generated SERVICE queries (family 'queries')"
    )
    args = parser.parse_args()
    if args.families == [] and "--families" in sys.argv:
        args.families = sorted(MUST_BE_ZERO)
    f = fuzz(args.fuzz, args.seed)
    print(
        f"fuzz: {f.cases} cases, {f.accepted} accepted, {f.rejected} rejected with file:line problems, {len(f.failures)} failures; slowest {f.slowest:.2f} s"
    )
    for failure in f.failures[:20]:
        print(f"  {failure}")
    k = kills(args.kills, args.documents, args.seed + 1)
    print(
        f"kills: {k.survived} of {k.kills} SIGKILLs survived (a full build takes {k.build_seconds:.1f} s), {len(k.failures)} failures"
    )
    for failure in k.failures[:20]:
        print(f"  {failure}")
    s = soak(args.soak_seconds, args.soak_requests, args.seed + 2)
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(s.by_status.items()))
    print(
        f"soak: {s.requests} requests ({statuses}), {s.slow_clients} stalled clients dropped, {len(s.failures)} failures; RSS {s.rss_start_mib:.0f} MiB at start, {s.rss_end_mib:.0f} MiB at end"
    )
    for failure in s.failures[:20]:
        print(f"  {failure}")
    broken = families(args.service_queries, args.families) if args.families else []
    for problem in broken:
        print(f"  {problem}")
    sys.exit(1 if f.failures or k.failures or s.failures or broken else 0)


# What each security family must show: a figure that must be zero, by family.
MUST_BE_ZERO = {
    "queries": ("outbound connections", "signals", "hangs"),
    "http": ("resets_100_slow_clients", "non_json_answers_100_slow_clients", "tracebacks_in_log"),
    "publish": ("credentials sent across origins", "secrets printed"),
    "inputs": ("hangs", "exit-70s"),
}


def families(service_queries: int, which: list[str]) -> list[str]:
    """Run the security families (benchmarks/abuse_*.py), print every figure, return what broke."""
    import abuse_http
    import abuse_inputs
    import abuse_publish
    import abuse_queries

    runs: dict[str, Callable[[], dict[str, Any]]] = {
        "queries": lambda: abuse_queries.run(service_queries),
        "http": abuse_http.run,
        "publish": abuse_publish.run,
        "inputs": lambda: abuse_inputs.run(exhaustive=False),
    }
    broken = []
    for name in which:
        figures = runs[name]()
        figures.pop("before", None)
        for key, value in figures.items():
            print(f"{name}: {key}: {value}")
        broken += [f"{name}: {key} is {figures.get(key)}, not 0" for key in MUST_BE_ZERO[name] if figures.get(key) != 0]
    return broken


if __name__ == "__main__":
    main()
