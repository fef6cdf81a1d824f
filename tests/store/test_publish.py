"""`cubagraph publish` against a real Oxigraph server started by the test on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import support
from cubagraph import project
from cubagraph.graph.dataset import Dataset
from cubagraph.sparql import engine, queries, results
from cubagraph.store import publish
from cubagraph.store.client import Auth, Client
from support import ROOT, Result, edit, free_port

SECRET = "s3cret-Pa55"


class Oxigraph(support.Oxigraph):
    """The real store, and what it holds, graph by graph."""

    def counts(self) -> dict[str, int]:
        client = Client(Auth(), retries=0)
        res = client.query(
            f"{self.url}/query", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        return {b["g"]["value"]: int(b["n"]["value"]) for b in res["results"]["bindings"]}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Oxigraph]:
    server = Oxigraph(tmp_path / "store")
    yield server
    server.stop()


def local_counts(dataset: Dataset) -> dict[str, int]:
    out: dict[str, int] = {}
    for q in dataset.quads:
        out[q.graph_name.value] = out.get(q.graph_name.value, 0) + 1
    return out


def test_publish_loads_every_graph(run: Callable[..., Result], store: Oxigraph, dataset: Dataset) -> None:
    result = run("publish", "--store", f"{store.url}/store", cwd=ROOT)
    assert result.code == 0, result.err
    expected = local_counts(dataset)
    remote = store.counts()
    assert {g: n for g, n in remote.items() if g in expected} == expected
    lines = result.out.splitlines()
    assert lines[0].split() == ["graph", "triples", "status"]
    assert [line.split()[-1] for line in lines[2:6]] == ["published"] * 4
    assert lines[-1] == f"Published to {store.url}/store: 4 published."
    # The publication record sits in a graph of its own.
    assert "https://cubagraph.example/id/publication" in remote


def test_republishing_is_idempotent(run: Callable[..., Result], store: Oxigraph) -> None:
    run("publish", "--store", f"{store.url}/store", cwd=ROOT)
    before = store.counts()
    result = run("publish", "--store", f"{store.url}/store", cwd=ROOT)
    assert result.code == 0
    assert result.out.splitlines()[-1].endswith(": 4 unchanged.")
    assert store.counts() == before


def test_a_changed_graph_is_replaced_not_duplicated(run: Callable[..., Result], store: Oxigraph, workdir: Path) -> None:
    (workdir / "queries").symlink_to(ROOT / "queries")
    run("publish", "--store", f"{store.url}/store", cwd=workdir)
    edit(workdir / "data/actors.yaml", "    name: Venezuela\n", "    name: Bolivarian Republic of Venezuela\n")
    assert run("build", cwd=workdir).code == 0
    result = run("publish", "--store", f"{store.url}/store", cwd=workdir)
    assert result.code == 0, result.err
    statuses = {line.split()[0]: line.split()[-1] for line in result.out.splitlines()[2:6]}
    assert statuses["https://cubagraph.example/id/registry"] == "published"
    assert statuses["graph:blinken-political-prisoners"] == "unchanged"
    client = Client(Auth(), retries=0)
    names = client.query(
        f"{store.url}/query",
        "SELECT ?n WHERE { GRAPH ?g { <https://cubagraph.example/id/actor/venezuela> <http://www.w3.org/2000/01/rdf-schema#label> ?n } }",
    )
    assert [b["n"]["value"] for b in names["results"]["bindings"]] == ["Bolivarian Republic of Venezuela"]


def test_prune_removes_a_deleted_documents_graph(run: Callable[..., Result], store: Oxigraph, workdir: Path) -> None:
    run("publish", "--store", f"{store.url}/store", cwd=workdir)
    gone = "https://cubagraph.example/id/graph/cuba-releases-553-prisoners"
    assert gone in store.counts()
    (workdir / "data/mappings/cuba-releases-553-prisoners.yaml").unlink()
    (workdir / "data/documents/004_1d5170aace06a04f.txt").unlink()
    assert run("build", cwd=workdir).code == 0
    kept = run("publish", "--store", f"{store.url}/store", cwd=workdir)
    assert "graph:cuba-releases-553-prisoners" in kept.out and "not in the build (use --prune)" in kept.out
    assert gone in store.counts()
    dry = run("publish", "--store", f"{store.url}/store", "--prune", "--dry-run", cwd=workdir)
    assert "would delete" in dry.out and gone in store.counts()
    pruned = run("publish", "--store", f"{store.url}/store", "--prune", cwd=workdir)
    assert pruned.code == 0, pruned.err
    assert "deleted" in pruned.out
    assert gone not in store.counts()


def test_dry_run_changes_nothing(run: Callable[..., Result], store: Oxigraph) -> None:
    result = run("publish", "--store", f"{store.url}/store", "--dry-run", cwd=ROOT)
    assert result.code == 0
    assert [line.split()[-1] for line in result.out.splitlines()[2:6]] == ["publish"] * 4
    assert result.out.splitlines()[-1] == f"Dry run against {store.url}/store: 4 would publish."
    assert store.counts() == {}


def test_saved_queries_answer_the_same_remotely(run: Callable[..., Result], store: Oxigraph, dataset: Dataset) -> None:
    started = time.monotonic()
    assert run("publish", "--store", f"{store.url}/store", cwd=ROOT).code == 0
    proj = project.find(ROOT)
    prefixes = proj.prefixes()
    local = dataset.to_store()
    target = publish.Target.of(f"{store.url}/store", None)
    client = Client(Auth(), retries=0)
    graphs = dataset.graphs()
    for name, saved in queries.library(proj.queries).items():
        params = {"actor": "antony-blinken"} if saved.params else {}
        prepared = engine.prepare(saved.text, local, prefixes, params, saved.params, base=proj.base)
        mine = results.materialise(engine.run(local, prepared, prefixes))
        theirs = publish.run_query(
            client, target, saved.text, prefixes, graphs, {k: v for k, v in prepared.substitutions.items()}
        )
        rows = [{v: b[v]["value"] for v in b} for b in theirs["results"]["bindings"]]
        expected = [
            {v: t.value for v, t in zip(mine.variables, row, strict=True) if t is not None} for row in mine.rows
        ]
        assert sorted(map(sorted_items, rows)) == sorted(map(sorted_items, expected)), name
    print(f"publish and {len(queries.library(proj.queries))} remote queries: {time.monotonic() - started:.2f} s")


# GROUP_CONCAT's order is left to the engine: compare those columns as sets.
CONCATENATED = {"posts": "; ", "quotes": " … ", "ids": " ", "asserted_by": "; "}  # asserted_by: corroboration


def sorted_items(row: dict[str, str]) -> list[tuple[str, str]]:
    return sorted((k, sep.join(sorted(v.split(sep))) if (sep := CONCATENATED.get(k)) else v) for k, v in row.items())


def test_a_store_that_is_down_is_a_clear_error(run: Callable[..., Result]) -> None:
    port = free_port()
    started = time.monotonic()
    result = run("publish", "--store", f"http://127.0.0.1:{port}/store", "--retries", "2", cwd=ROOT)
    assert result.code == 1
    assert result.err.strip() == (
        f"cubagraph: POST http://127.0.0.1:{port}/query: cannot reach the store ([Errno 111] Connection refused)"
        " (after 3 attempts); nothing was changed in the store"
    )
    assert time.monotonic() - started >= 0.5 + 1.0  # two retries with backoff


# -- authentication, through a real proxy in front of the real store -------------------


class AuthProxy:
    """A reverse proxy that demands credentials (basic, bearer or digest) before it forwards."""

    def __init__(
        self,
        upstream: str,
        kind: str,
        user: str = "ana",
        password: str = SECRET,
        token: str = "tok-" + SECRET,
        forbid: bool = False,
    ):
        proxy = self
        self.seen_authorization: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                header = self.headers.get("Authorization", "")
                proxy.seen_authorization.append(header.split(" ")[0])
                if forbid and header:
                    return self._reply(403, b"forbidden")
                if not proxy.authorised(self.command, header):
                    challenge = (
                        'Digest realm="store", nonce="abc123", qop="auth"'
                        if kind == "digest"
                        else f'{kind.title()} realm="store"'
                    )
                    return self._reply(401, b"who are you?", {"WWW-Authenticate": challenge})
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                req = urllib.request.Request(upstream + self.path, data=body, method=self.command)
                for key in ("Content-Type", "Accept"):
                    if self.headers.get(key):
                        req.add_header(key, self.headers[key])
                try:
                    with urllib.request.urlopen(req) as resp:
                        self._reply(resp.status, resp.read(), {"Content-Type": resp.headers.get("Content-Type", "")})
                except urllib.error.HTTPError as exc:
                    self._reply(exc.code, exc.read())

            def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.kind, self.user, self.password, self.token = kind, user, password, token
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def authorised(self, method: str, header: str) -> bool:
        if self.kind == "basic":
            return header == "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if self.kind == "bearer":
            return header == f"Bearer {self.token}"
        if not header.startswith("Digest "):
            return False
        fields = dict(part.strip().split("=", 1) for part in header[7:].split(","))
        f = {k: v.strip('"') for k, v in fields.items()}

        def md5(s: str) -> str:
            return hashlib.md5(s.encode()).hexdigest()

        ha1 = md5(f"{self.user}:store:{self.password}")
        ha2 = md5(f"{method}:{f['uri']}")
        return f.get("response") == md5(f"{ha1}:{f['nonce']}:{f['nc']}:{f['cnonce']}:{f['qop']}:{ha2}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("kind", ["basic", "bearer", "digest"])
def test_authentication_from_the_environment(
    run: Callable[..., Result], store: Oxigraph, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = AuthProxy(store.url, kind)
    try:
        monkeypatch.setenv("CUBAGRAPH_STORE_USER", "ana")
        monkeypatch.setenv("CUBAGRAPH_STORE_PASSWORD", SECRET)
        monkeypatch.setenv("CUBAGRAPH_STORE_TOKEN", "tok-" + SECRET)
        result = run("publish", "--store", f"{proxy.url}/store", "--auth", kind, cwd=ROOT)
        assert result.code == 0, result.err
        assert "4 published" in result.out
        assert SECRET not in result.out + result.err
        monkeypatch.setenv("CUBAGRAPH_STORE_PASSWORD", "wrong-" + SECRET)
        monkeypatch.setenv("CUBAGRAPH_STORE_TOKEN", "wrong-" + SECRET)
        result = run("publish", "--store", f"{proxy.url}/store", "--auth", kind, "--retries", "0", cwd=ROOT)
        assert result.code == 1
        assert "HTTP 401" in result.err and "check the credentials" in result.err
        assert SECRET not in result.out + result.err
    finally:
        proxy.close()


def test_credentials_from_netrc(
    run: Callable[..., Result], store: Oxigraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = AuthProxy(store.url, "basic")
    try:
        netrc = tmp_path / "netrc"
        netrc.write_text(f"machine 127.0.0.1 login ana password {SECRET}\n", encoding="utf-8")
        netrc.chmod(0o600)
        monkeypatch.setenv("NETRC", str(netrc))
        monkeypatch.delenv("CUBAGRAPH_STORE_USER", raising=False)
        monkeypatch.delenv("CUBAGRAPH_STORE_PASSWORD", raising=False)
        result = run("publish", "--store", f"{proxy.url}/store", "--auth", "basic", cwd=ROOT)
        assert result.code == 0, result.err
        assert SECRET not in result.out + result.err
    finally:
        proxy.close()


def test_forbidden_is_a_clear_error(
    run: Callable[..., Result], store: Oxigraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = AuthProxy(store.url, "bearer", forbid=True)
    try:
        monkeypatch.setenv("CUBAGRAPH_STORE_TOKEN", "tok-" + SECRET)
        result = run("publish", "--store", f"{proxy.url}/store", "--auth", "bearer", cwd=ROOT)
        assert result.code == 1
        assert "HTTP 403" in result.err and "lack the right" in result.err
        assert SECRET not in result.err
    finally:
        proxy.close()


def test_missing_credentials_are_asked_for(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CUBAGRAPH_STORE_TOKEN", raising=False)
    monkeypatch.delenv("CUBAGRAPH_STORE_USER", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    result = run("publish", "--store", "http://127.0.0.1:9/store", "--auth", "bearer", cwd=ROOT)
    assert result.code == 1 and "$CUBAGRAPH_STORE_TOKEN" in result.err
    result = run("publish", "--store", "http://127.0.0.1:9/store", "--auth", "digest", cwd=ROOT)
    assert result.code == 1 and "netrc" in result.err
    result = run("publish", "--store", f"http://ana:{SECRET}@127.0.0.1:9/store", cwd=ROOT)
    assert result.code == 1 and "carries credentials in the URL" in result.err
    assert SECRET not in result.err


# -- stores that fail ---------------------------------------------------------------


class Broken:
    """A store that answers every request badly, in one chosen way."""

    def __init__(self, mode: str, failures: int = 10**9):
        broken = self
        self.calls = 0

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                broken.calls += 1
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if broken.calls > failures:
                    body = b'{"head":{"vars":["g","n"]},"results":{"bindings":[]}}'
                    self.send_response(200)
                    self.send_header("Content-Type", "application/sparql-results+json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif mode == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/sparql-results+json")
                    self.send_header("Content-Length", "5000")
                    self.end_headers()
                    self.wfile.write(b'{"head":{"vars":["g"]},"results":{"bindings":[{"g":')
                    self.close_connection = True
                elif mode == "half-json":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/sparql-results+json")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(b'{"head":{"vars":["g"]},"results":{"bindings":[{"g":{"type":"uri","value":"x"')
                    self.close_connection = True
                else:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_truncated_response_is_an_error_not_an_answer(run: Callable[..., Result]) -> None:
    for mode, message in (("truncated", "truncated response"), ("half-json", "not complete SPARQL JSON")):
        broken = Broken(mode)
        try:
            result = run("publish", "--store", f"{broken.url}/store", "--retries", "1", cwd=ROOT)
            assert result.code == 1, mode
            assert message in result.err, result.err
        finally:
            broken.close()


def test_transient_failures_are_retried(run: Callable[..., Result]) -> None:
    broken = Broken("503", failures=2)
    try:
        result = run("publish", "--store", f"{broken.url}/store", "--retries", "3", "--dry-run", cwd=ROOT)
        assert result.code == 0, result.err
        assert broken.calls >= 3
    finally:
        broken.close()


def test_a_failed_upload_ends_with_a_summary(run: Callable[..., Result], store: Oxigraph) -> None:
    """The store accepts the queries but refuses one graph's upload."""

    class Picky(AuthProxy):
        def authorised(self, method: str, header: str) -> bool:
            return True

    proxy = Picky(store.url, "basic")
    original = proxy.server.RequestHandlerClass.do_PUT  # type: ignore[attr-defined]

    def refuse_registry(handler: Any) -> None:
        if "registry" in handler.path:
            handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
            handler._reply(500, b"disk full")
        else:
            original(handler)

    proxy.server.RequestHandlerClass.do_PUT = refuse_registry  # type: ignore[attr-defined]
    try:
        result = run("publish", "--store", f"{proxy.url}/store", "--retries", "1", cwd=ROOT)
        assert result.code == 1
        lines = result.out.splitlines()
        assert any(
            line.startswith("https://cubagraph.example/id/registry") and line.endswith("failed") for line in lines
        )
        assert any("published" in line for line in lines)
        assert "failed: https://cubagraph.example/id/registry: PUT " in result.out
        assert "HTTP 500" in result.out and "(after 2 attempts)" in result.out
        assert "3 of 4 graphs are in the store as built" in result.out
    finally:
        proxy.close()


def test_publishing_a_stale_build_is_refused(run: Callable[..., Result], workdir: Path) -> None:
    edit(workdir / "data/actors.yaml", "    name: Venezuela\n", "    name: Venezuela!\n")
    result = run("publish", "--store", "http://127.0.0.1:9/store", cwd=workdir)
    assert result.code == 1
    assert "run `cubagraph build`, then publish" in result.err


def test_query_endpoint_is_found_for_known_stores() -> None:
    cases = {
        "http://h:7878/store": "http://h:7878/query",
        "http://h:3030/ds/data": "http://h:3030/ds/query",
        "http://h:7200/repositories/cuba/rdf-graphs/service": "http://h:7200/repositories/cuba",
        "http://h:8890/sparql-graph-crud-auth": "http://h:8890/sparql",
    }
    for store, query in cases.items():
        assert publish.Target.of(store, None).query == query
    with pytest.raises(Exception, match="pass --query-endpoint"):
        publish.Target.of("http://h/elsewhere", None)
    assert (
        publish.Target.of("http://h:8890/sparql-graph-crud-auth", None, "graph-uri").graph_url("urn:g")
        == "http://h:8890/sparql-graph-crud-auth?graph-uri=urn%3Ag"
    )


def test_oxigraph_binary_is_used_directly() -> None:
    assert os.access(support.BIN / "oxigraph", os.X_OK)
