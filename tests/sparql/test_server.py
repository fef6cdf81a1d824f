"""`cubagraph serve`, tested over real HTTP: a SPARQL client, concurrency, timeouts and refusals."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, JSON, N3, TSV, TURTLE, XML, SPARQLWrapper

from support import ROOT

CUBAGRAPH = str(Path(sys.executable).parent / "cubagraph")
PERSONS = "SELECT ?name WHERE { ?a a cg:Person ; rdfs:label ?name } ORDER BY ?name"
NAMES = ["Antony Blinken", "Barack Obama", "Joe Biden", "Mario Díaz-Balart", "Michael McCaul"]
TIMEOUT = 2.0


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]


def start(*extra: str) -> Served:
    process = subprocess.Popen(
        [CUBAGRAPH, "serve", "--port", "0", "--timeout", str(TIMEOUT), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    m = re.search(r"http://(127\.0\.0\.1):(\d+)/", line)
    assert m, f"no address in {line!r}"
    return Served(f"http://127.0.0.1:{m[2]}", process)


def stop(served: Served) -> None:
    served.process.send_signal(signal.SIGTERM)
    code = served.process.wait(10)
    if served.process.stdout:
        served.process.stdout.close()
    assert code == 0


@pytest.fixture(scope="module")
def server() -> Iterator[Served]:
    served = start()
    yield served
    stop(served)


def request(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def sparql(server: Served, query: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return request(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": query}), headers=headers)


def error_of(body: bytes) -> dict[str, object]:
    doc = json.loads(body)
    assert set(doc) == {"error"} and set(doc["error"]) == {"status", "code", "message"}
    return doc["error"]  # type: ignore[no-any-return]


# -- a real SPARQL client ---------------------------------------------------------


def client(server: Served, query: str, fmt: str, method: str = "GET") -> object:
    wrapper = SPARQLWrapper(f"{server.url}/sparql")
    wrapper.setQuery(
        "PREFIX cg: <https://cubagraph.example/ns#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + query
    )
    wrapper.setReturnFormat(fmt)
    wrapper.setMethod(method)
    return wrapper.query().convert()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_gets_every_select_format(server: Served, method: str) -> None:
    doc = client(server, PERSONS, JSON, method)
    assert [b["name"]["value"] for b in doc["results"]["bindings"]] == NAMES  # type: ignore[index]
    xml = client(server, PERSONS, XML, method)
    assert [n.firstChild.data for n in xml.getElementsByTagName("literal")] == NAMES  # type: ignore[attr-defined]
    raw = client(server, PERSONS, CSV, method)
    assert [row[0] for row in csv.reader(io.StringIO(raw.decode()))] == ["name", *NAMES]  # type: ignore[attr-defined]
    raw = client(server, PERSONS, TSV, method)
    parsed = ox.parse_query_results(raw, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    assert [s["name"].value for s in parsed] == NAMES  # type: ignore[union-attr]


def test_sparqlwrapper_ask_and_construct(server: Served) -> None:
    assert client(server, "ASK { ?a a cg:Country }", JSON) == {"head": {}, "boolean": True}
    xml = client(server, "ASK { ?a a cg:Planet }", XML)
    assert xml.getElementsByTagName("boolean")[0].firstChild.data == "false"  # type: ignore[attr-defined]
    for fmt in (TURTLE, N3):
        graph = client(server, "CONSTRUCT WHERE { ?a a cg:Person ; rdfs:label ?name }", fmt)
        triples = list(
            ox.parse(
                graph if isinstance(graph, bytes) else graph.serialize(format="nt").encode(), format=ox.RdfFormat.TURTLE
            )
        )  # type: ignore[attr-defined]
        assert sorted(t.object.value for t in triples if t.predicate.value.endswith("label")) == NAMES


def test_content_negotiation(server: Served) -> None:
    status, headers, body = sparql(server, PERSONS, Accept="text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    status, headers, body = sparql(server, "CONSTRUCT WHERE { ?a a cg:Person }", Accept="application/n-triples")
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    status, headers, body = sparql(server, PERSONS, Accept="image/png")
    assert status == 406 and error_of(body)["code"] == "not_acceptable"
    status, _, body = sparql(server, PERSONS, Accept="text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 200 and json.loads(body)["head"]["vars"] == ["name"]


def test_post_bodies(server: Served) -> None:
    status, _, body = request(f"{server.url}/sparql", PERSONS.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5
    form = urllib.parse.urlencode({"query": PERSONS}).encode()
    status, _, body = request(f"{server.url}/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5


# -- load, timeouts, refusals -------------------------------------------------------


def test_eight_clients_a_hundred_queries_each_without_an_error(server: Served) -> None:
    saved = [
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "queries").glob("*.rq"))
        if "param:" not in p.read_text(encoding="utf-8")
    ]

    def one_client(n: int) -> list[int]:
        statuses = []
        for i in range(100):
            status, _, body = sparql(server, saved[(n + i) % len(saved)])
            json.loads(body)
            statuses.append(status)
        return statuses

    with ThreadPoolExecutor(8) as pool:
        statuses = [s for batch in pool.map(one_client, range(8)) for s in batch]
    assert len(statuses) == 800
    assert statuses == [200] * 800


def test_a_pathological_query_times_out_and_the_server_keeps_answering(server: Served) -> None:
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    status, _, body = sparql(server, cross)
    elapsed = time.monotonic() - started
    assert status == 503
    assert error_of(body)["code"] == "timeout"
    assert elapsed < TIMEOUT + 1
    status, _, body = sparql(server, PERSONS)
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5


def test_a_huge_result_is_refused_not_truncated() -> None:
    served = start("--max-rows", "100")
    try:
        status, _, body = sparql(served, "SELECT * WHERE { ?s ?p ?o }")
        assert status == 413
        err = error_of(body)
        assert err["code"] == "result_too_large" and "more than 100 rows" in str(err["message"])
    finally:
        stop(served)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}", "SERVICE is not allowed"),
        ("SELECT * WHERE {{ ?a ?b ?c .SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}", "SERVICE is not allowed"),
        ("SELECT * WHERE {{ FILTER(true)sErViCeSILENT<http://127.0.0.1:{port}/> {{ }} }}", "SERVICE is not allowed"),
        ("SELECT * FROM <http://127.0.0.1:{port}/g> WHERE {{ ?s ?p ?o }}", "not in this dataset"),
        ("LOAD <http://127.0.0.1:{port}/x.ttl>", "LOAD is not allowed"),
        ("INSERT DATA {{ <urn:a> <urn:b> <http://127.0.0.1:{port}/> }}", "INSERT is not allowed"),
    ],
)
def test_refused_before_evaluation_with_no_outbound_connection(
    server: Served, listener: tuple[int, list[str]], query: str, message: str
) -> None:
    port, seen = listener
    status, _, body = sparql(server, query.format(port=port))
    assert status == 403
    err = error_of(body)
    assert err["code"] == "refused" and message in str(err["message"])
    time.sleep(0.3)
    assert seen == []


def test_updates_and_foreign_graphs_are_refused(server: Served) -> None:
    status, _, body = request(f"{server.url}/sparql", b"DROP ALL", {"Content-Type": "application/sparql-update"})
    assert status == 403 and error_of(body)["code"] == "refused"
    form = urllib.parse.urlencode({"update": "DROP ALL"}).encode()
    status, _, body = request(f"{server.url}/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    query = urllib.parse.urlencode({"query": PERSONS, "default-graph-uri": "http://example.org/elsewhere"})
    status, _, body = request(f"{server.url}/sparql?{query}")
    assert status == 403 and "not in this dataset" in str(error_of(body)["message"])


def test_protocol_errors_have_one_shape(server: Served) -> None:
    cases = [
        (request(f"{server.url}/sparql", method="PUT", data=b"x", headers={"Content-Type": "text/plain"}), 405),
        (request(f"{server.url}/sparql", method="DELETE"), 405),
        (request(f"{server.url}/sparql", PERSONS.encode(), {"Content-Type": "text/plain"}), 415),
        (request(f"{server.url}/sparql", b"x" * (1 << 20 + 1), {"Content-Type": "application/sparql-query"}), 413),
        (request(f"{server.url}/sparql"), 400),
        (sparql(server, "SELECT ?x WHERE { ?x ?y }"), 400),
        (request(f"{server.url}/nowhere"), 404),
    ]
    for (status, headers, body), expected in cases:
        assert status == expected, body
        assert headers["Content-Type"].startswith("application/json")
        assert error_of(body)["status"] == expected
    status, _, body = sparql(server, "SELECT ?x WHERE {\n ?x ?y }")
    assert "syntax error at line 2" in str(error_of(body)["message"])


@pytest.mark.parametrize(
    "path",
    [
        "/exports/../../etc/passwd",
        "/exports/..%2F..%2Fetc%2Fpasswd",
        "/exports/%2e%2e/%2e%2e/etc/passwd",
        "/exports/%252e%252e%252fetc%252fpasswd",
        "/exports/....//....//etc/passwd",
        "/exports/%2Fetc%2Fpasswd",
        "/exports//etc/passwd",
        "/exports/.gitignore",
        "/exports/cubagraph.ttl%00.html",
        "/exports/..\\..\\pyproject.toml",
        "/static/../server.py",
    ],
)
def test_no_file_outside_exports_is_served(server: Served, path: str) -> None:
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1]))) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.split()[1] == b"404", head
    assert b"root:" not in body and b"[project]" not in body


def test_static_pages_and_exports(server: Served) -> None:
    status, headers, body = request(f"{server.url}/")
    assert status == 200 and b'<div id="editor"' in body  # the query page with its editor (test_query_page*.py)
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert not re.search(rb"(src|href)=\"(https?:)?//", body), "the query page must load nothing from elsewhere"
    status, headers, body = request(f"{server.url}/static/query.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"innerHTML" not in body
    status, _, body = request(f"{server.url}/queries.json")
    assert {q["name"] for q in json.loads(body)} >= {"timeline", "actor"}
    status, headers, body = request(f"{server.url}/exports/cubagraph.ttl")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert body == (ROOT / "exports/cubagraph.ttl").read_bytes()


def test_no_cors_unless_asked(server: Served) -> None:
    _, headers, _ = sparql(server, PERSONS, Origin="http://evil.example")
    assert "Access-Control-Allow-Origin" not in headers
    served = start("--cors", "https://tools.example")
    try:
        _, headers, _ = sparql(served, PERSONS, Origin="https://tools.example")
        assert headers["Access-Control-Allow-Origin"] == "https://tools.example"
    finally:
        stop(served)


def test_binds_loopback_and_cleans_up_its_store() -> None:
    served = start()
    assert served.url.startswith("http://127.0.0.1:")
    # The store is the one this server holds open (other servers may be running meanwhile).
    during = set()
    for fd in Path(f"/proc/{served.process.pid}/fd").iterdir():
        try:
            m = re.match(r"(.*/cubagraph-store-[^/]+)", os.readlink(fd))
        except OSError:  # closed meanwhile
            continue
        if m:
            during.add(Path(m[1]))
    assert len(during) == 1
    stop(served)
    assert not any(p.exists() for p in during)
