"""`cubagraph query --timeout`, and syntax errors in plain words (in the CLI and over HTTP).

The syntax errors are tested on queries made by breaking the saved ones: a token deleted, or one
inserted, anywhere. Whatever pyoxigraph's parser says about them, the message must name a line and
a column and must not show the parser's Rust notation (``'0' ..= '9'``, ``'\\u{00B7}'``, ``[_]``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cubagraph import project
from cubagraph.sparql import engine
from support import ROOT, serving

SAVED = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}
PREFIXES = project.find(ROOT).prefixes()
INSERTED = ["{", "}", ".", ";", ",", "(", ")", "[", "]", "?x", "<", ">", '"', "'", "1", "foo:bar", "cg:", "SELECT",
            "WHERE", "FILTER", "OPTIONAL", "GROUP", "BY", "LIMIT", "AS", "=", "&&", "a", "|", "^", "<http://x/ y>",
            "_:b", "#", "@en", "^^", "*", "VALUES", "UNION", "BIND", "COUNT("]  # fmt: skip
RUST = re.compile(r"\.\.=|\\u\{|\[_\]|\['[^']+'(?:\]| \|)")  # ranges, escapes, any-char, classes
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def syntax_error(text: str) -> str | None:
    """The message a broken query gets, or None if it parses."""
    try:
        engine.run(ox.Store(), engine.Prepared(text, "SELECT"), PREFIXES)
    except engine.QuerySyntaxError as exc:
        return str(exc)
    except engine.QueryError:
        return None  # parsed, and failed later: not a syntax error
    return None


@st.composite
def broken(draw: st.DrawFn) -> str:
    text = SAVED[draw(st.sampled_from(sorted(SAVED)))]
    toks = list(engine.tokens(text))
    _, value, at = toks[draw(st.integers(0, len(toks) - 1))]
    if draw(st.booleans()):
        return text[:at] + text[at + len(value) :]
    return text[:at] + draw(st.sampled_from(INSERTED)) + " " + text[at:]


@settings(max_examples=400, deadline=None)
@given(text=broken())
def test_a_broken_saved_query_gets_a_plain_line_with_line_and_column(text: str) -> None:
    message = syntax_error(text)
    if message is None:
        return  # the change left a valid query
    m = re.match(r"syntax error at line (\d+), column (\d+): \S", message)
    assert m, message
    assert 1 <= int(m[1]) <= text.count("\n") + 1, message
    assert "\n" not in message
    assert not RUST.search(message), message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("SELECT ?x WHERE { ?x ?y ?z } LIMIT x", "line 1, column 36: expected a number, 'HAVING', 'OFFSET' or"),
        ("SELEC ?x WHERE {}", "line 1, column 1: expected SELECT, CONSTRUCT, ASK or DESCRIBE, found 'SELEC'"),
        (
            "SELECT ?x WHERE {\n  ?x foo:bar ?z }",
            "line 2, column 6: unknown prefix 'foo:' — declare it with PREFIX foo:",
        ),
        ("SELECT ?x WHERE { ?x <a b> ?z }", "line 1, column 22: '<a b>' is not a valid IRI"),
        ('SELECT ?x WHERE {\n ?x ?y "abc }', 'line 2, column 8: this string is not closed — end it with "'),
        (
            "SELECT ?x WHERE { ?x ?y ?z ",
            "line 1, column 27: expected ',', '.', ';', '{' or '}' at the end of the query",
        ),
        ("SELECT ?x\nWHERE {\n  ?x ?y \n}", "line 4, column 1: unexpected '}' after '?x ?y'"),
        (
            "SELECT * WHERE { ?x ?y ?z } GROUP BY",
            "expected a variable, a prefixed name, an IRI or '(' at the end of the query, after 'GROUP BY'",
        ),
    ],
)
def test_examples_in_plain_words(text: str, said: str) -> None:
    message = syntax_error(text)
    assert message is not None and said in message, message


def test_a_syntax_error_over_http_is_in_plain_words_too() -> None:
    with serving() as base:
        url = f"{base}sparql?" + urllib.parse.urlencode({"query": "SELECT ?x WHERE { ?x ?y ?z } LIMIT x"})
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(url, timeout=30)
    assert caught.value.code == 400
    error = json.loads(caught.value.read())["error"]
    assert error["code"] == "syntax_error"
    assert error["message"].startswith("syntax error at line 1, column 36: expected a number")
    assert not RUST.search(error["message"])


def test_timeout_stops_a_runaway_query_with_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "cubagraph", "query", "--timeout", "2", CROSS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    took = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert took < 3.0, f"took {took:.2f} s"
    lines = [line for line in done.stderr.splitlines() if "warning:" not in line]
    assert lines == [
        "cubagraph: the query ran longer than 2 s and was stopped — narrow it, add a LIMIT,"
        " or give it longer with --timeout SECONDS"
    ]
    assert done.stdout == ""


def test_timeout_must_be_a_positive_number_of_seconds() -> None:
    for bad in ("0", "-1", "soon", "inf"):
        done = subprocess.run(
            [sys.executable, "-m", "cubagraph", "query", "--timeout", bad, "ASK {}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2 and "--timeout" in done.stderr and "seconds" in done.stderr, done.stderr


def test_the_check_for_rust_notation_would_catch_the_engines_own_words() -> None:
    with pytest.raises(SyntaxError) as caught:
        ox.Store().query("SELECT * WHERE { ?x ?y ?z } GROUP BY")
    assert RUST.search(str(caught.value)), str(caught.value)
