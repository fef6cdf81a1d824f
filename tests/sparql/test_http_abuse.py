"""`cubagraph serve` under abuse, over real sockets: many slow clients, trickling and stalled ones,
clients that leave, forged Host headers, and requests generated from the HTTP grammar."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import ROOT

CUBAGRAPH = str(Path(sys.executable).parent / "cubagraph")
DEADLINE = 2.0  # --client-timeout: seconds for a whole request
MAX_CONNECTIONS = 8
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIMITS = ["--client-timeout", str(DEADLINE), "--max-connections", str(MAX_CONNECTIONS)]
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S+ .* (\d{3}|[a-z].*) ")


@dataclass
class Live:
    port: int
    process: subprocess.Popen[str]
    log: Path


def start(log: Path, *extra: str) -> Live:
    with log.open("w") as err:
        process = subprocess.Popen(
            [CUBAGRAPH, "serve", "--port", "0", "--timeout", "2", "--workers", "1", *LIMITS, *extra],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    assert process.stdout is not None
    line = process.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert m, f"no address in {line!r}; log: {log.read_text()}"
    return Live(int(m[1]), process, log)


def stop(live: Live) -> None:
    live.process.send_signal(signal.SIGTERM)
    assert live.process.wait(15) == 0
    if live.process.stdout:
        live.process.stdout.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    served = start(tmp_path_factory.mktemp("serve") / "serve.log", "--allow-host", "cuba.example")
    yield served
    stop(served)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def parse(data: bytes) -> Reply:
    """A reply must be well-formed HTTP/1.x with a Content-Length that matches its body."""
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, f"no end of headers in {data[:200]!r}"
    lines = head.decode("latin-1").split("\r\n")
    m = re.fullmatch(r"HTTP/1\.[01] (\d{3}) .*", lines[0])
    assert m, f"bad status line {lines[0]!r}"
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        assert colon and re.fullmatch(r"[A-Za-z0-9-]+", name), f"bad header line {line!r}"
        headers[name.lower()] = value.strip()
    return Reply(int(m[1]), headers, body)


def error_of(reply: Reply) -> dict[str, object]:
    assert reply.headers["content-type"].startswith("application/json"), reply.headers
    assert int(reply.headers["content-length"]) == len(reply.body)
    doc = json.loads(reply.body)
    assert set(doc) == {"error"} and set(doc["error"]) == {"status", "code", "message"}
    assert doc["error"]["status"] == reply.status
    return doc["error"]  # type: ignore[no-any-return]


def exchange(port: int, *parts: bytes, pause: float = 0.0, timeout: float = 15.0) -> bytes:
    """Send ``parts`` with ``pause`` seconds between them, then read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        for i, part in enumerate(parts):
            if i and pause:
                time.sleep(pause)
            sock.sendall(part)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def get(path: str, host: str | None = "127.0.0.1") -> bytes:
    head = f"GET {path} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "")
    return (head + "Connection: close\r\n\r\n").encode()


def threads_of(process: subprocess.Popen[str]) -> int:
    return len(list(Path(f"/proc/{process.pid}/task").iterdir()))


def assert_quiet_log(live: Live) -> None:
    text = live.log.read_text()
    assert "Traceback" not in text, text[-3000:]
    for line in text.splitlines():
        if line.startswith(("Serving", "cubagraph:")):
            continue
        assert LOG_LINE.match(line), f"log line without time, method, path and status: {line!r}"


# -- many clients at once --------------------------------------------------------------------


def test_a_hundred_slow_clients_each_get_a_json_answer_and_none_a_reset(live: Live) -> None:
    before = threads_of(live.process)
    replies: list[Reply] = []
    failures: list[str] = []
    peak = [0]

    def client() -> None:
        query = "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
        try:
            data = exchange(
                live.port,
                f"GET {query} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode(),
                b"Connection: close\r\n\r\n",
                pause=0.5,
            )
            replies.append(parse(data))
        except OSError as exc:  # a reset would land here
            failures.append(repr(exc))

    clients = [threading.Thread(target=client) for _ in range(100)]
    for t in clients:
        t.start()
    while any(t.is_alive() for t in clients):
        peak[0] = max(peak[0], threads_of(live.process))
        time.sleep(0.05)
    assert failures == []
    assert len(replies) == 100
    for reply in replies:
        assert reply.status in (200, 503), reply
        if reply.status == 503:
            assert error_of(reply)["code"] in ("busy", "timeout")
    assert any(r.status == 200 for r in replies)
    # Threads: at most one a connection allowed, plus the refuser.
    assert peak[0] <= before + MAX_CONNECTIONS + 2, (before, peak[0])


def test_trickling_clients_are_dropped_at_the_deadline_with_408(live: Live) -> None:
    before = threads_of(live.process)
    results: list[tuple[float, Reply | str]] = []

    def trickle() -> None:
        request = get("/queries.json")
        started = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
                for byte in request:  # one byte every 0.2 s: each read is quick, the request never ends in time
                    sock.sendall(bytes([byte]))
                    time.sleep(0.2)
                    if time.monotonic() - started > DEADLINE + 5:
                        break
        except OSError:
            pass  # the server closed: read what it said below
        results.append((time.monotonic() - started, "sent"))

    def trickle_and_read() -> None:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
            data = b""
            try:
                for byte in get("/queries.json"):
                    sock.sendall(bytes([byte]))
                    time.sleep(0.2)
            except OSError:
                pass
            try:
                while chunk := sock.recv(65536):
                    data += chunk
            except OSError:
                pass
        results.append((time.monotonic() - started, parse(data)))

    threads = [threading.Thread(target=trickle_and_read) for _ in range(MAX_CONNECTIONS - 2)]
    for t in threads:
        t.start()
    time.sleep(DEADLINE / 2)
    during = threads_of(live.process)
    for t in threads:
        t.join(20)
    assert len(results) == MAX_CONNECTIONS - 2
    for elapsed, reply in results:
        assert isinstance(reply, Reply)
        assert reply.status == 408 and error_of(reply)["code"] == "timeout"
        assert elapsed < DEADLINE + 1.5, elapsed
    assert during <= before + MAX_CONNECTIONS + 1


def test_a_stalled_body_gets_408(live: Live) -> None:
    started = time.monotonic()
    head = b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\n"
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(head + b"ASK {")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    reply = parse(data)
    assert reply.status == 408 and error_of(reply)["code"] == "timeout"
    assert time.monotonic() - started < DEADLINE + 1


def test_a_silent_connection_is_dropped_too(live: Live) -> None:
    started = time.monotonic()
    data = exchange(live.port)
    # Closed without a word (nothing was asked) or with a 408; either way, at the deadline.
    if data:
        reply = parse(data)
        assert reply.status == 408 and error_of(reply)["code"] == "timeout"
    assert time.monotonic() - started < DEADLINE + 1


def test_clients_that_leave_early_leave_no_traceback(live: Live) -> None:
    # Leaves while its query runs; leaves with a reset before an error answer; leaves mid-body.
    for request in (
        get("/sparql?query=" + CROSS.replace(" ", "%20").replace("{", "%7B").replace("}", "%7D").replace("?", "%3F")),
        b"BREW /coffee HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 50\r\nContent-Type: application/sparql-query\r\n\r\nASK",
    ):
        sock = socket.create_connection(("127.0.0.1", live.port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.sendall(request)
        sock.close()  # with SO_LINGER 0: a reset
    time.sleep(3)  # the query's timeout and the body's deadline pass
    assert parse(exchange(live.port, get("/queries.json"))).status == 200
    assert_quiet_log(live)


# -- Host ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.0.0.1:{port}", "localhost", "LOCALHOST:{port}", "[::1]", "[::1]:{port}", "cuba.example:{port}"],
)
def test_the_names_the_server_was_started_for_are_answered(live: Live, host: str) -> None:
    assert parse(exchange(live.port, get("/queries.json", host.format(port=live.port)))).status == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.evil.example",
        "localhost.evil.example:{port}",
        "127.0.0.2",
        "attacker.127.0.0.1.nip.io:{port}",
        "0.0.0.0",
        "",
        None,
        "127.0.0.1@evil.example",
        "localhost\tevil.example",
    ],
)
def test_other_host_headers_get_a_json_421_that_names_the_flag(live: Live, host: str | None) -> None:
    reply = parse(
        exchange(live.port, get("/sparql?query=ASK%7B%7D", None if host is None else host.format(port=live.port)))
    )
    assert reply.status in (421, 403, 400), reply
    error = error_of(reply)
    if reply.status != 400:
        assert "--allow-host" in str(error["message"])


# -- requests from the grammar ---------------------------------------------------------------

TOKEN = st.text(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12
)
METHODS = st.one_of(
    st.sampled_from(["GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT"]), TOKEN
)
TARGETS = st.one_of(
    st.sampled_from(["/", "/sparql", "/sparql?query=ASK%7B%7D", "/queries.json", "/viewer", "/exports/", "*"]),
    st.sampled_from(["/exports/", "/sparql?query=", "/static/", "http://127.0.0.1/", "/%"]).flatmap(
        lambda p: st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30).map(lambda s: p + s)
    ),
)
VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
FIELDS = st.lists(
    st.one_of(
        st.tuples(
            st.one_of(
                st.sampled_from(["Accept", "Content-Type", "Expect", "Upgrade", "Range", "Cookie", "Origin"]), TOKEN
            ),
            VALUES,
        ).map(lambda kv: f"{kv[0]}: {kv[1]}"),
        # Lines the grammar forbids: no colon, space before the colon, an obsolete fold, a NUL, a huge one.
        st.sampled_from(
            ["NoColonHere", "Accept : */*", " folded continuation", "X-Nul: a\x00b", "X-Big: " + "b" * 70000]
        ),
    ),
    max_size=5,
)
BODIES = st.one_of(
    st.just(b""), st.binary(max_size=64), st.just(b"query=ASK%7B%7D"), st.just(b"ASK {}"), st.just(b"\xff\xfe")
)
FRAMING = st.sampled_from(["none", "length", "short-length", "bad-length", "chunked", "chunked+length", "two-lengths"])


def frame(body: bytes, framing: str) -> tuple[list[str], bytes]:
    """Headers and payload for one of the ways a body can be framed, well or badly (never longer than sent)."""
    if framing == "length":
        return [f"Content-Length: {len(body)}"], body
    if framing == "short-length":
        return [f"Content-Length: {len(body) // 2}"], body
    if framing == "bad-length":
        return ["Content-Length: 1e3"], body
    chunked = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
    if framing == "chunked":
        return ["Transfer-Encoding: chunked"], chunked
    if framing == "chunked+length":
        return ["Transfer-Encoding: chunked", f"Content-Length: {len(chunked)}"], chunked
    if framing == "two-lengths":
        return [f"Content-Length: {len(body)}", f"Content-Length: {len(body) + 1}"], body
    return [], body


@settings(
    max_examples=int(os.environ.get("CUBAGRAPH_HTTP_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(METHODS, TARGETS, st.sampled_from(["HTTP/1.1", "HTTP/1.0"]), FIELDS, BODIES, FRAMING)
def test_every_generated_request_gets_well_formed_http(
    live: Live, method: str, target: str, version: str, fields: list[str], body: bytes, framing: str
) -> None:
    framed, payload = frame(body, framing)
    lines = [f"{method} {target} {version}", "Host: 127.0.0.1", *fields, *framed]
    lines.append("Connection: close")
    data = exchange(live.port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload, timeout=DEADLINE + 5)
    reply = parse(data)
    if reply.status >= 400 and method != "HEAD":
        error_of(reply)
    assert reply.status != 500, reply


@pytest.mark.parametrize(
    "framing", ["Transfer-Encoding: chunked", "Content-Length: {n}", "NoColonHere\r\nTransfer-Encoding: chunked"]
)
def test_a_body_the_server_does_not_read_is_never_taken_for_a_second_request(live: Live, framing: str) -> None:
    # Found by the generated requests: a GET with a chunked body after a header line with no colon
    # got two answers, the second to its body. Behind a proxy, that is request smuggling.
    smuggled = "GET /exports/cubagraph.ttl HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    head = f"GET /queries.json HTTP/1.1\r\nHost: 127.0.0.1\r\n{framing.format(n=len(smuggled))}\r\n\r\n"
    data = exchange(live.port, (head + smuggled).encode())
    assert data.count(b"HTTP/1.1 ") == 1, data[:300]
    parse(data)


def test_the_server_is_still_up_and_the_log_is_quiet_after_all_that(live: Live) -> None:
    assert parse(exchange(live.port, get("/queries.json"))).status == 200
    assert_quiet_log(live)


# -- stopping ------------------------------------------------------------------------------


def test_sigterm_while_a_worker_is_replaced_leaves_no_traceback(tmp_path: Path) -> None:
    served = start(tmp_path / "serve.log")
    query = CROSS.replace(" ", "%20").replace("{", "%7B").replace("}", "%7D").replace("?", "%3F")
    client = threading.Thread(target=lambda: exchange(served.port, get("/sparql?query=" + query)), daemon=True)
    client.start()
    time.sleep(2.05)  # the query's --timeout of 2 s passes: its worker is killed and replaced
    stop(served)
    assert_quiet_log(served)
