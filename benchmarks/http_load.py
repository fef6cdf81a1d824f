"""The endpoint's HTTP layer under the same load, three ways: http.server as it was, ours, and uvicorn.

- ``http.server``: the server before issue 15 (``ThreadingHTTPServer``, a thread a connection, listen
  backlog 5, a timeout a read), loaded from git (``git show BEFORE:src/cubagraph/sparql/server.py``).
- ``ours``: ``cubagraph serve`` now (http.server's parsing on ``sparql.connection.BoundedServer``).
- ``uvicorn``: uvicorn with its pure-Python h11 protocol, serving the same ``Endpoint.answer`` through a
  small ASGI app, in its best configuration for this: ``limit_concurrency``, ``backlog=1024``,
  ``timeout_keep_alive``.

Each runs in its own process with 2 query workers and a client deadline of 2 s; throughput alternates
between the three, round by round. Figures, for each:
- throughput: requests a second, 8 keep-alive clients, on /sparql (an ASK through a worker) and on
  /queries.json (no worker: the HTTP layer alone); ratio to http.server, measured in the same run
- 100 slow clients at once (each sends its request in two parts 0.5 s apart): JSON answers,
  other answers, resets
- 20 trickling clients (a byte every 0.5 s): how many the server dropped within 12 s, the peak
  number of threads of the server process, and whether the drop came with a JSON 408

Usage: .venv/bin/python benchmarks/http_load.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import types
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "f5dbb48"  # the last commit with the ThreadingHTTPServer endpoint
KINDS = ("http.server", "ours", "uvicorn")
DEADLINE = 2.0
MAX_CONNECTIONS = 32
ASK = "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the servers, each in a child process ------------------------------------------------------


def old_server() -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:src/cubagraph/sparql/server.py"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    module = types.ModuleType("cubagraph.sparql.server_before")
    module.__package__ = "cubagraph.sparql"
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(source, "server_before.py", "exec"), module.__dict__)
    return module


def saved_queries(endpoint: Any) -> bytes:
    from cubagraph.sparql import queries

    library = queries.library(endpoint.project.queries)
    body = [
        {"name": q.name, "question": q.question, "text": q.text, "params": [p.__dict__ for p in q.params]}
        for q in library.values()
    ]
    return json.dumps(body, ensure_ascii=False).encode()


def asgi_app(endpoint: Any, error_body: Callable[[int, str, str], bytes], http_error: type[Exception]) -> Any:
    """The endpoint's GET /sparql and /queries.json as an ASGI app, the query run on a thread."""
    import anyio.to_thread

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        params = urllib.parse.parse_qs(scope["query_string"].decode(), keep_blank_values=True)
        accept = dict(scope["headers"]).get(b"accept", b"").decode()
        status, ctype = 200, "application/json; charset=utf-8"
        try:
            if scope["path"] == "/sparql" and params.get("query"):
                ctype, body = await anyio.to_thread.run_sync(endpoint.answer, params["query"][0], accept, params)
            elif scope["path"] == "/queries.json":  # the same work as server.Handler's, on a thread
                body = await anyio.to_thread.run_sync(saved_queries, endpoint)
            else:
                raise http_error(404, "not_found", "nothing here")
        except http_error as exc:
            status, body = exc.status, error_body(exc.status, exc.code, str(exc))  # type: ignore[attr-defined]
        headers = [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def serve(kind: str, port: int) -> None:
    """Run one server in this process until SIGTERM."""
    from cubagraph import project
    from cubagraph.sparql import connection, server

    proj = project.find(ROOT)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if kind == "http.server":
        module = old_server()
        settings = module.Settings(port=port, timeout=2.0, workers=2, client_timeout=DEADLINE)
        httpd, endpoint = module.make_server(proj, settings)
        print(f"Serving http://127.0.0.1:{port}/", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
            endpoint.close()
    else:
        import uvicorn

        endpoint = server.Endpoint(proj, server.Settings(timeout=2.0, workers=2))
        app = asgi_app(endpoint, connection.error_body, server.HTTPError)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            http="h11",
            lifespan="off",
            limit_concurrency=MAX_CONNECTIONS,
            backlog=1024,
            timeout_keep_alive=int(DEADLINE),
            log_level="warning",
            access_log=False,
        )
        print(f"Serving http://127.0.0.1:{port}/", flush=True)
        try:
            uvicorn.Server(config).run()
        except KeyboardInterrupt:
            pass
        finally:
            endpoint.close()


@dataclass
class Running:
    kind: str
    port: int
    process: subprocess.Popen[str]
    log: Path


def start(kind: str, log: Path) -> Running:
    port = free_port()
    if kind == "ours":
        command = [str(Path(sys.executable).parent / "cubagraph"), "serve", "--port", str(port), "--timeout", "2"]
        command += ["--workers", "2", "--client-timeout", str(DEADLINE), "--max-connections", str(MAX_CONNECTIONS)]
    else:
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", kind, "--port", str(port)]
    with log.open("w") as err:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "Serving" in line, f"{kind} did not start: {line!r} {log.read_text()[-2000:]}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # uvicorn prints before it listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return Running(kind, port, process, log)


def stop(running: Running) -> None:
    running.process.send_signal(signal.SIGTERM)
    try:
        running.process.wait(15)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()
    if running.process.stdout:
        running.process.stdout.close()


def threads_of(running: Running) -> int:
    try:
        return len(list(Path(f"/proc/{running.process.pid}/task").iterdir()))
    except OSError:
        return 0


# -- the load --------------------------------------------------------------------------------------


def throughput(port: int, path: str, clients: int = 8, each: int = 100) -> float:
    """Requests a second, ``clients`` keep-alive connections sending ``each`` requests one after another."""
    failures = [0]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(each):
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures[0] += 1
            except (OSError, http.client.HTTPException):
                failures[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return (clients * each - failures[0]) / elapsed


def read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def is_json_answer(data: bytes) -> bool:
    """A status line, and for an error the JSON shape: {"error": {"status", "code", "message"}}."""
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    if not m:
        return False
    if int(m[1]) < 400:
        return True
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    return isinstance(doc, dict) and set(doc) == {"error"} and set(doc["error"]) == {"status", "code", "message"}


def slow_clients(port: int, n: int = 100, pause: float = 0.5) -> dict[str, int]:
    """``n`` clients at once, each sending its request in two parts ``pause`` seconds apart."""
    counts = {"json": 0, "other": 0, "resets": 0}
    lock = threading.Lock()

    def client() -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(f"GET {ASK} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
                time.sleep(pause)
                sock.sendall(b"Connection: close\r\n\r\n")
                data = read_all(sock)
            outcome = "json" if is_json_answer(data) else "other" if data else "resets"
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


def trickling(running: Running, n: int = 20, interval: float = 0.5, window: float = 12.0) -> dict[str, float]:
    """``n`` clients sending a request a byte every ``interval`` s; which the server drops within ``window``."""
    dropped: list[float] = []
    with_408 = [0]
    lock = threading.Lock()
    request = f"GET /queries.json HTTP/1.1\r\nHost: 127.0.0.1:{running.port}\r\nX-Pad: {'a' * 200}\r\n\r\n".encode()

    def client() -> None:
        started = time.monotonic()
        sock = socket.create_connection(("127.0.0.1", running.port), timeout=window + 5)
        try:
            sock.setblocking(True)
            for byte in request:
                if time.monotonic() - started > window:
                    return  # never dropped
                sock.sendall(bytes([byte]))
                readable, _, _ = __import__("select").select([sock], [], [], interval)
                if readable:
                    data = read_all(sock)
                    with lock:
                        dropped.append(time.monotonic() - started)
                        with_408[0] += b" 408 " in data[:20] and is_json_answer(data)
                    return
        except OSError:
            with lock:
                dropped.append(time.monotonic() - started)
        finally:
            sock.close()

    before = threads_of(running)
    threads = [threading.Thread(target=client) for _ in range(n)]
    for t in threads:
        t.start()
    peak = before
    while any(t.is_alive() for t in threads):
        peak = max(peak, threads_of(running))
        time.sleep(0.1)
    return {
        "dropped": len(dropped),
        "dropped_with_json_408": with_408[0],
        "median_seconds_to_drop": statistics.median(dropped) if dropped else float("nan"),
        "threads_before": before,
        "threads_peak": peak,
    }


def run(rounds: int = 5) -> dict[str, Any]:
    """All three servers up at once; throughput alternates between them round by round, so that
    load from elsewhere on the machine falls on each alike. Then each meets the slow and the
    trickling clients in turn, the others idle."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        servers = {kind: start(kind, Path(tmp) / f"{kind}.log") for kind in KINDS}
        try:
            samples: dict[str, dict[str, list[float]]] = {k: {"sparql": [], "static": []} for k in KINDS}
            for running in servers.values():
                throughput(running.port, ASK, 2, 10)  # warm up
            for _ in range(rounds):
                for kind, running in servers.items():
                    samples[kind]["sparql"].append(throughput(running.port, ASK))
                    samples[kind]["static"].append(throughput(running.port, "/queries.json"))
            results: dict[str, Any] = {
                kind: {
                    "sparql_rps": statistics.median(samples[kind]["sparql"]),
                    "static_rps": statistics.median(samples[kind]["static"]),
                    "slow_clients": slow_clients(servers[kind].port),
                    "trickling": trickling(servers[kind]),
                }
                for kind in KINDS
            }
        finally:
            for running in servers.values():
                stop(running)
        for kind, running in servers.items():
            results[kind]["tracebacks"] = running.log.read_text(errors="replace").count("Traceback")
    base = results["http.server"]
    for kind in KINDS:
        results[kind]["sparql_ratio"] = results[kind]["sparql_rps"] / base["sparql_rps"]
        results[kind]["static_ratio"] = results[kind]["static_rps"] / base["static_rps"]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serve", choices=KINDS[::2], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    results = run(args.rounds)
    print(f"{'':<12} {'/sparql rps':>12} {'ratio':>6} {'static rps':>11} {'ratio':>6}")
    for kind, r in results.items():
        print(
            f"{kind:<12} {r['sparql_rps']:>12.0f} {r['sparql_ratio']:>6.2f} {r['static_rps']:>11.0f} {r['static_ratio']:>6.2f}"
        )
    ours, uv = results["ours"], results["uvicorn"]
    print(
        f"ours / uvicorn: /sparql {ours['sparql_rps'] / uv['sparql_rps']:.2f}, static {ours['static_rps'] / uv['static_rps']:.2f}"
    )
    print("\n100 slow clients at once (JSON answers / other answers / resets):")
    for kind, r in results.items():
        s = r["slow_clients"]
        print(f"  {kind:<12} {s['json']:>3} / {s['other']:>3} / {s['resets']:>3}")
    print(f"\n20 trickling clients, a byte every 0.5 s, deadline {DEADLINE:g} s, watched 12 s:")
    for kind, r in results.items():
        t = r["trickling"]
        print(
            f"  {kind:<12} dropped {t['dropped']:>2}/20 (with a JSON 408: {t['dropped_with_json_408']:>2}),"
            f" median {t['median_seconds_to_drop']:.1f} s; threads {t['threads_before']} -> {t['threads_peak']};"
            f" tracebacks in the log {r['tracebacks']}"
        )


if __name__ == "__main__":
    main()
