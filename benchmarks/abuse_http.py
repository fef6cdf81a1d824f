"""`cubagraph serve` as an abusive crowd meets it: the reliability figures of its HTTP layer.

For the server now and, to show the measures can see a failure, the server before issue 15
(``http.server``'s ThreadingHTTPServer, loaded from git by http_load.py), each with 2 workers, a
query timeout of 2 s and a client deadline of 2 s:

- resets among 100 slow clients at once (each sends its request in two parts, 0.5 s apart), and
  among 100 clients at once whose query runs into the timeout
- trickling clients (a byte every 0.5 s) dropped within 12 s, of 20
- the most threads the server process had during all of it
- the status a stalled body gets (Content-Length 100, 5 bytes sent, then nothing)
- tracebacks in the log after all of that, clients that reset their connection before their
  answer, and SIGTERM while a worker is being replaced after a timeout

Usage: .venv/bin/python benchmarks/abuse_http.py
"""

from __future__ import annotations

import re
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_load import Running, read_all, slow_clients, start, stop, threads_of, trickling

SLOW = "/sparql?" + urllib.parse.urlencode(
    {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"}
)
KINDS = ("ours", "http.server")


def slow_queries(port: int, n: int = 100) -> dict[str, int]:
    """``n`` clients at once, each asking a query that runs into the timeout."""
    counts = {"answers": 0, "resets": 0}
    lock = threading.Lock()

    def client() -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
                sock.sendall(f"GET {SLOW} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
                outcome = "answers" if read_all(sock).startswith(b"HTTP/1.") else "resets"
        except OSError:
            outcome = "resets"
        with lock:
            counts[outcome] += 1

    threads = [threading.Thread(target=client) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts


def stalled_body(port: int) -> int:
    """The status a request gets whose body stops coming; 0 when the connection ends without one."""
    head = f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/sparql-query\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            sock.sendall((head + "Content-Length: 100\r\n\r\nASK {").encode())
            m = re.match(rb"HTTP/1\.[01] (\d{3})", read_all(sock))
    except OSError:
        return 0
    return int(m[1]) if m else 0


def leaving_clients(port: int) -> None:
    """Clients that reset their connection before the answer: during a query, an error, a body."""
    for request in (
        f"GET {SLOW} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n",
        f"BREW /pot HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n",
        f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 50\r\n\r\nASK",
    ):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
        sock.sendall(request.encode())
        sock.close()
    time.sleep(3)  # the query's timeout and the body's deadline pass


def sigterm_during_replacement(kind: str, workdir: Path) -> tuple[int, int | None]:
    """Tracebacks in the log, and the exit code, when SIGTERM comes as a timed-out worker is replaced."""
    running = start(kind, workdir / f"{kind}-sigterm.log")
    client = threading.Thread(target=slow_queries, args=(running.port, 1), daemon=True)
    client.start()
    time.sleep(2.05)  # the 2 s query timeout passes: the worker is killed and a new one started
    stop(running)
    return running.log.read_text(errors="replace").count("Traceback"), running.process.returncode


def abuse(kind: str, workdir: Path) -> dict[str, Any]:
    running: Running = start(kind, workdir / f"{kind}.log")
    peak = [threads_of(running)]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], threads_of(running))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        slow = slow_clients(running.port)
        queries = slow_queries(running.port)
        trickle = trickling(running)
        stalled = stalled_body(running.port)
        leaving_clients(running.port)
        up = slow_queries(running.port, 1)["answers"] == 1
    finally:
        done.set()
        watcher.join()
        stop(running)
    tracebacks, code = sigterm_during_replacement(kind, workdir)
    return {
        "resets_100_slow_clients": slow["resets"],
        "non_json_answers_100_slow_clients": slow["other"],
        "resets_100_timed_out_queries": queries["resets"],
        "trickling_dropped": trickle["dropped"],
        "trickling_dropped_with_json_408": trickle["dropped_with_json_408"],
        "trickling_clients": 20,
        "max_threads": peak[0],
        "stalled_body_status": stalled,
        "still_answering": up,
        "tracebacks_in_log": running.log.read_text(errors="replace").count("Traceback") + tracebacks,
        "exit_code_after_sigterm": code,
    }


def run() -> dict[str, Any]:
    """The figures for the server now (top level) and before (under "before")."""
    with tempfile.TemporaryDirectory() as tmp:
        now = abuse("ours", Path(tmp))
        try:
            before: dict[str, Any] | None = abuse("http.server", Path(tmp))
        except Exception as exc:  # outside a git clone there is no "before" to load
            before = {"error": f"{type(exc).__name__}: {exc}"}
    return {**now, "before": before}


def main() -> None:
    figures = run()
    before = figures.pop("before")
    print(f"{'':<40} {'now':>8} {'before (http.server)':>22}")
    for key, value in figures.items():
        print(f"{key:<40} {value!s:>8} {before.get(key, '-')!s:>22}")


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
