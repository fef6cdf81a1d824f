"""What `serve` gives the query page over HTTP: the page and its files under their CSP, the favicon,
the page's settings, and parameters bound as the CLI binds them (`param=NAME=VALUE`, typed by the
query's own `# param:` lines or by the saved query it names with `saved=`)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from support import ROOT, serving

OWN = "# param: who (actor) an actor\nSELECT ?who ?name WHERE { ?who rdfs:label ?name }\n"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving() as url:
        yield url


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def sparql(base: str, query: str, *pairs: tuple[str, str], fmt: str = "csv") -> tuple[int, bytes]:
    args = urllib.parse.urlencode([("query", query), ("format", fmt), *pairs])
    status, _, body = get(f"{base}sparql?{args}")
    return status, body


def rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_the_page_its_files_and_the_favicon(base: str) -> None:
    status, headers, body = get(base)
    assert status == 200 and b'<div id="editor"' in body
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self';" in csp and "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for path in ("static/query.js", "static/vendor/yasqe/yasqe.min.js", "static/vendor/yasqe/yasqe.min.css"):
        status, headers, body = get(base + path)
        assert status == 200 and headers["Content-Security-Policy"] == csp, path
        assert body == (ROOT / "src/cubagraph/sparql" / path).read_bytes()
    for path in ("favicon.ico", "static/favicon.svg"):
        status, headers, body = get(base + path)
        assert status == 200 and headers["Content-Type"].startswith("image/svg+xml") and body.startswith(b"<svg")
    assert get(base + "static/vendor/VENDORED.json")[0] == 404  # only the files named in page.STATIC
    status, _, body = get(base + "page.json")
    page = json.loads(body)
    assert page["prefixes"]["actor"] == "https://cubagraph.example/id/actor/" and page["viewer"] == "/viewer"
    assert page["base"] == "https://cubagraph.example/id/"


def test_a_parameter_is_bound_as_on_the_command_line(base: str) -> None:
    actor = (ROOT / "queries/actor.rq").read_text(encoding="utf-8")
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "cubagraph",
            "query",
            "--name",
            "actor",
            "--param",
            "actor=Antony Blinken",
            "--format",
            "csv",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    status, body = sparql(base, actor, ("param", "actor=Antony Blinken"), ("saved", "actor"))
    assert status == 200 and rows(body) == list(csv.DictReader(io.StringIO(cli))) != []
    # Unbound, the same text runs as it is, as any SPARQL client sends it.
    status, body = sparql(base, actor)
    assert status == 200 and len({r["actor"] for r in rows(body)}) > 1
    # A query of one's own declares its parameter in a `# param:` line; a name resolves to the actor.
    status, body = sparql(base, OWN, ("param", "who=Antony Blinken"))
    assert status == 200 and rows(body) == [
        {"who": "https://cubagraph.example/id/actor/antony-blinken", "name": "Antony Blinken"}
    ]


@pytest.mark.parametrize(
    ("pairs", "words"),
    [
        ([("param", "who")], "is not NAME=VALUE"),
        ([("param", "who=nobody-at-all")], "unknown actor 'nobody-at-all'"),
        ([("param", "who=x"), ("saved", "no-such-query")], "no saved query named 'no-such-query'"),
    ],
)
def test_a_bad_parameter_is_one_plain_error(base: str, pairs: list[tuple[str, str]], words: str) -> None:
    status, body = sparql(base, OWN, *pairs)
    error = json.loads(body)["error"]
    assert status == 400 and words in error["message"], error
    assert "\n" not in error["message"]
