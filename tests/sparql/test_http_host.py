"""`cubagraph serve` answers only for the names it was started for (no DNS rebinding), and logs one
line a request: when, method, path, status, duration; never a traceback."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import ROOT

CUBAGRAPH = str(Path(sys.executable).parent / "cubagraph")
ASK = "/sparql?query=ASK%7B%7D"


def start(*extra: str, log: Path | None = None) -> tuple[subprocess.Popen[str], int]:
    if log:
        with log.open("w") as stderr:
            process = subprocess.Popen(
                [CUBAGRAPH, "serve", "--port", "0", *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True
            )
    else:
        process = subprocess.Popen(
            [CUBAGRAPH, "serve", "--port", "0", *extra],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
    assert process.stdout is not None
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
    assert m, "the server did not say where it listens"
    return process, int(m[1])


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0
    if process.stdout:
        process.stdout.close()


@pytest.fixture(scope="module")
def served() -> Iterator[int]:
    process, port = start("--allow-host", "sparql.example", "--allow-host", "Data.Example")
    yield port
    stop(process)


def raw(port: int, head: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """Send ``head`` (CRLF-terminated lines, no blank line) as written; return status, headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + b"Connection: close\r\n\r\n" + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    top, _, rest = data.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, rest


GOOD = ["127.0.0.1:{port}", "127.0.0.1", "localhost:{port}", "LocalHost:{port}", "localhost", "[::1]:{port}", "[::1]"]
ALLOWED = ["sparql.example", "sparql.example:{port}", "data.example:{port}", "DATA.EXAMPLE"]
BAD = [
    "evil.example",
    "evil.example:{port}",
    "127.0.0.1.evil.example:{port}",
    "localhost.evil.example",
    "attacker.localhost:{port}",
    "127.0.0.2:{port}",
    "0.0.0.0:{port}",
    "localhost:1",
    "127.0.0.1:{port}@evil.example",
    "[::1].evil.example",
    "sparql.example.evil.example",
    "",
    " ",
    "localhost:{port}\tx",
]


@pytest.mark.parametrize("host", GOOD + ALLOWED)
def test_the_names_it_was_started_for_are_answered(served: int, host: str) -> None:
    status, _, body = raw(served, f"GET {ASK} HTTP/1.1\r\nHost: {host.format(port=served)}\r\n")
    assert status == 200 and json.loads(body)["boolean"] is True


@pytest.mark.parametrize("host", BAD)
@pytest.mark.parametrize("method", ["GET", "POST", "OPTIONS", "PUT"])
def test_other_names_get_a_json_421_naming_the_flag(served: int, host: str, method: str) -> None:
    body = b"ASK {}" if method in ("POST", "PUT") else b""
    extra = f"Content-Type: application/sparql-query\r\nContent-Length: {len(body)}\r\n" if body else ""
    status, headers, answer = raw(
        served,
        f"{method} {ASK if method != 'POST' else '/sparql'} HTTP/1.1\r\nHost: {host.format(port=served)}\r\n{extra}",
        body,
    )
    assert status == 421
    assert headers["Content-Type"].startswith("application/json")
    error = json.loads(answer)["error"]
    assert set(error) == {"status", "code", "message"} and error["status"] == 421
    assert error["code"] == "unknown_host" and "--allow-host" in error["message"]
    assert b"true" not in answer


@pytest.mark.parametrize(
    "head",
    [
        "GET {ask} HTTP/1.1\r\n",  # no Host
        "GET {ask} HTTP/1.0\r\n",  # HTTP/1.0, no Host: a rebinding page's browser always sends one
        "GET {ask} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n",
        "GET {ask} HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1:{port}\r\n",
        "GET http://127.0.0.1:{port}{ask} HTTP/1.1\r\nHost: evil.example\r\n",  # the target's authority is not trusted
    ],
)
def test_a_missing_or_doubled_host_is_refused(served: int, head: str) -> None:
    status, _, answer = raw(served, head.format(ask=ASK, port=served))
    assert status == 421 and json.loads(answer)["error"]["code"] == "unknown_host"


def test_the_bound_name_is_answered_and_others_are_not() -> None:
    process, port = start("--host", "localhost")
    try:
        assert raw(port, f"GET {ASK} HTTP/1.1\r\nHost: localhost:{port}\r\n")[0] == 200
        assert raw(port, f"GET {ASK} HTTP/1.1\r\nHost: cubagraph.example:{port}\r\n")[0] == 421
    finally:
        stop(process)


def test_one_log_line_a_request_with_time_method_path_status_and_duration() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "serve.log"
        process, port = start("--client-timeout", "1", log=log)
        try:
            raw(port, f"GET {ASK} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n")
            raw(port, f"GET /nowhere?secret=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n")
            raw(port, f"GET {ASK} HTTP/1.1\r\nHost: evil.example\r\n")
            body = b"ASK {}"
            raw(
                port,
                f"POST /sparql HTTP/1.1\r\nHost: localhost:{port}\r\nContent-Type: application/sparql-query\r\n"
                f"Content-Length: {len(body)}\r\n",
                body,
            )
            # A body that stalls: 408 at the deadline, and one line for it.
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(
                    f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/sparql-query\r\n"
                    "Content-Length: 100\r\n\r\nASK".encode()
                )
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
                assert answer.startswith(b"HTTP/1.1 408 ") and b'"code": "timeout"' in answer
            # A client that leaves before its error answer.
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(f"GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        finally:
            stop(process)
        lines = log.read_text().splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert re.fullmatch(rf"{stamp} GET /sparql 200 \d+\.\dms", lines[0]), lines
    assert re.fullmatch(rf"{stamp} GET /nowhere 404 \d+\.\dms", lines[1]), lines
    assert re.fullmatch(rf"{stamp} GET /sparql 421 \d+\.\dms", lines[2]), lines
    assert re.fullmatch(rf"{stamp} POST /sparql 200 \d+\.\dms", lines[3]), lines
    assert re.fullmatch(rf"{stamp} POST /sparql 408 (\d+)\.\dms", lines[4]), lines
    assert 900 <= float(lines[4].split()[-1][:-2]) < 3000, "the 408 comes at the deadline"
    assert all("secret" not in line and "Traceback" not in line for line in lines), lines


def test_a_silent_new_connection_gets_408_and_an_idle_keep_alive_one_is_closed_quietly() -> None:
    process, port = start("--client-timeout", "1")
    try:

        def answer_of(sock: socket.socket) -> bytes:
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
            return data

        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            data = answer_of(sock)
        assert data.startswith(b"HTTP/1.1 408 ")
        assert json.loads(data.partition(b"\r\n\r\n")[2])["error"]["code"] == "timeout"
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(f"GET {ASK} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            data = answer_of(sock)
        assert data.count(b"HTTP/1.1 ") == 1 and data.startswith(b"HTTP/1.1 200 ")
    finally:
        stop(process)
