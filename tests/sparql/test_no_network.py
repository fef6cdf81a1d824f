"""No query opens a network connection, whatever its text; every query is bounded.

Queries generated from the grammar (``service_grammar``) call SERVICE on a listener on 127.0.0.1
this test opens, through the endpoint's real worker pool (the text sent to the workers as it is,
past the scanner, so that the sandbox alone stands between it and the network) and through
``cubagraph query`` (its forked, sandboxed child). The listener must see no connection. A control
proves it would: the same engine, unsandboxed, connects.

``CUBAGRAPH_SERVICE_QUERIES`` sets how many queries each path gets (CI: 2,000 for the pool and
as many for the CLI, whose every query forks and loads the graph).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from service_grammar import query

from cubagraph import cli, project
from cubagraph.sparql import engine, sandbox
from cubagraph.sparql.workers import Pool
from support import ROOT, Result, serving

COUNT = int(os.environ.get("CUBAGRAPH_SERVICE_QUERIES", "2000"))


class Listener:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.seen: list[str] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.done.is_set():
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            self.seen.append(str(addr))
            conn.close()

    def close(self) -> None:
        self.done.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def listening() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def pool() -> Iterator[Pool]:
    proj = project.find(ROOT)
    with Pool(proj.trig, proj.prefixes(), 2) as workers:
        yield workers


def test_control_the_engine_unsandboxed_does_connect() -> None:
    """Without the sandbox the same query reaches a listener: the tests below can fail."""
    listening = Listener()
    try:
        with pytest.raises(OSError):
            list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listening.port}/> {{ ?s ?p ?o }} }}"))  # type: ignore[arg-type]
        time.sleep(0.3)
        assert len(listening.seen) == 1
    finally:
        listening.close()


def test_the_filter_refuses_internet_sockets_and_keeps_unix_ones() -> None:
    def probe() -> bytes:
        for end in socket.socketpair():
            end.close()
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        except PermissionError:
            return b"refused"
        return b"opened"

    assert sandbox.run_isolated(probe, sandbox.DEFAULT_MEMORY) == b"refused"
    assert probe() == b"opened"  # the parent is not sandboxed


def test_a_service_past_the_scanner_is_a_clear_refusal_in_the_worker(pool: Pool, listening: Listener) -> None:
    text = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listening.port}/> {{ ?s ?p ?o }} }}"
    answer = pool.run(engine.Prepared(text, "SELECT"), "json", 100, 10)
    assert answer.status == 403 and answer.code == "refused"
    assert b"never fetches from the network" in answer.body
    time.sleep(0.3)
    assert listening.seen == []


def test_generated_service_queries_reach_nothing_through_the_pool(pool: Pool, listening: Listener) -> None:
    store = pool.store()
    prefixes = project.find(ROOT).prefixes()
    outcomes: dict[int, int] = {}

    @settings(max_examples=COUNT, deadline=None, database=None)
    @given(text=query(listening.port))
    def check(text: str) -> None:
        with contextlib.suppress(engine.QueryError):  # the scanner's verdict; the sandbox is tested either way
            engine.prepare(text, store, prefixes)
        answer = pool.run(engine.Prepared(text, "SELECT"), "json", 1000, 10)
        outcomes[answer.status] = outcomes.get(answer.status, 0) + 1
        assert answer.status != 500, answer.body

    check()
    time.sleep(0.3)
    assert listening.seen == []
    assert sum(outcomes.values()) >= min(COUNT, 100)
    assert outcomes.get(403, 0) > 0  # some reached the engine and were refused by the sandbox


def test_generated_service_queries_reach_nothing_through_the_cli(
    listening: Listener, capsys: pytest.CaptureFixture[str]
) -> None:
    codes: dict[int, int] = {}

    @settings(max_examples=COUNT, deadline=None, database=None)
    @given(text=query(listening.port))
    def check(text: str) -> None:
        code = cli.main(["query", "--root", str(ROOT), text])
        err = capsys.readouterr().err
        codes[code] = codes.get(code, 0) + 1
        assert code in (0, 2), err
        if code == 2:
            assert err.count("\n") == 1, err

    check()
    time.sleep(0.3)
    assert listening.seen == []
    assert codes.get(2, 0) > 0


def run_cli(*args: str) -> Result:
    done = subprocess.run(
        [sys.executable, "-m", "cubagraph", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    return Result(done.returncode, done.stdout, done.stderr)


def test_a_real_cli_process_fetches_nothing(listening: Listener) -> None:
    for text in (
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ ?s ?p ?o .SERVICE <http://127.0.0.1:{listening.port}/> {{}} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c SERVICE <http://127.0.0.1:{listening.port}/> {{ ?s ?p ?o }} }}",
        f"ASK {{ BIND(<http://127.0.0.1:{listening.port}/> AS ?x) SERVICE ?x {{ }} }}",
    ):
        result = run_cli("query", text)
        assert result.code in (0, 2) and "Traceback" not in result.err, result.err
    time.sleep(0.3)
    assert listening.seen == []


NESTED = "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"
BOMB = (
    'SELECT (STRLEN(?a40) AS ?n) WHERE { BIND("xxxxxxxxxxxxxxxx" AS ?a0) '
    + " ".join(f"BIND(CONCAT(?a{i},?a{i}) AS ?a{i + 1})" for i in range(40))
    + " }"
)


def test_deep_nesting_is_a_clear_error(run: Callable[..., Result], pool: Pool) -> None:
    result = run_cli("query", NESTED)
    assert result.code == 2 and "nest more than 200 deep" in result.err and result.err.count("\n") == 1
    with pytest.raises(engine.QueryError, match="nest more than 200 deep"):
        engine.prepare(NESTED, pool.store(), {})
    # Past the check, a worker that the parser crashes is replaced, and the query gets an error.
    with pytest.raises(engine.QueryError, match="stopped by SIGSEGV while it ran this query") as caught:
        pool.run(engine.Prepared(NESTED, "SELECT"), "json", 10, 10)
    assert caught.value.status == 400
    assert pool.run(engine.Prepared("ASK {}", "ASK"), "json", 10, 10).status == 200


def test_the_memory_bomb_is_stopped_with_the_limit_named(pool: Pool) -> None:
    with pytest.raises(engine.QueryMemoryLimit, match="1 GiB") as caught:
        pool.run(engine.Prepared(BOMB, "SELECT"), "json", 10, 20)
    assert caught.value.status == 413 and caught.value.code == "memory_limit"
    assert pool.run(engine.Prepared("ASK {}", "ASK"), "json", 10, 10).status == 200  # replaced
    result = run_cli("query", "--max-memory", "300", BOMB)
    assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert "300 MiB" in result.err and "--max-memory" in result.err


def test_result_bytes_are_bounded(pool: Pool) -> None:
    answer = pool.run(engine.Prepared("SELECT * WHERE { ?s ?p ?o }", "SELECT"), "json", 10**9, 10, max_bytes=10_000)
    assert answer.status == 413 and answer.code == "result_too_large" and b"10,000 bytes" in answer.body


def test_a_string_that_says_service_is_answered(tmp_path: Path) -> None:
    result = run_cli("query", 'SELECT ?x WHERE { BIND("\\u0022 . SERVICE <http://127.0.0.1:9/> {}" AS ?x) }')
    assert result.code == 0, result.err
    assert "SERVICE" in result.out


def _asker(base: str) -> Callable[[str], tuple[int, bytes]]:
    def ask(text: str) -> tuple[int, bytes]:
        url = base + "sparql?" + urllib.parse.urlencode({"query": text})
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    return ask


def test_over_http_generated_queries_nesting_and_the_bomb_get_json_errors(listening: Listener) -> None:
    """A handful through the real server: its workers are the Pool's, so the same sandbox holds."""
    with serving("--timeout", "20") as base:
        ask = _asker(base)

        @settings(max_examples=50, deadline=None, database=None)
        @given(text=query(listening.port))
        def check(text: str) -> None:
            status, body = ask(text)
            assert status in (200, 400, 403), body
            if status != 200:
                assert json.loads(body)["error"]["message"]

        check()
        status, body = ask(NESTED)
        assert status == 400 and "nest more than 200 deep" in json.loads(body)["error"]["message"]
        status, body = ask(BOMB)
        error = json.loads(body)["error"]
        assert status == 413 and error["code"] == "memory_limit" and "1 GiB" in error["message"]
        assert ask("ASK {}")[0] == 200
    time.sleep(0.3)
    assert listening.seen == []


def test_serve_takes_its_memory_and_result_limits_from_its_flags() -> None:
    """`serve --max-memory` and `--max-result` reach the workers: the errors name the limits given."""
    with serving("--max-memory", "900", "--max-result", "1") as base:
        ask = _asker(base)
        status, body = ask(BOMB)
        error = json.loads(body)["error"]
        assert status == 413 and error["code"] == "memory_limit"
        assert "900 MiB" in error["message"] and "serve --max-memory" in error["message"]
        # Every quad of the seeds is about 1.5 MB as JSON: over the 1 MiB asked for, under the rows limit.
        status, body = ask("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
        error = json.loads(body)["error"]
        assert status == 413 and error["code"] == "result_too_large" and "1 MiB" in error["message"]
        assert ask("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 10")[0] == 200


def test_a_memory_limit_too_small_to_open_the_store_is_a_clear_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cubagraph", "serve", "--port", "0", "--max-memory", "100"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "raise --max-memory" in result.stderr, result.stderr
    assert "internal error" not in result.stderr
