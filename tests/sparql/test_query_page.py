"""The query page in a real headless Chromium (Debian's), against a real `cubagraph serve` on the seeds.

A user runs the saved `actor` query with its parameter from the page, follows a result's link into
the network view, downloads the results as CSV and JSON, and reopens a permalink. Every request the
browser makes is routed through the test: anything not to the server is refused and counted, and
console errors, page errors and dialogs are collected. All must stay empty.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route

from support import ROOT, serving

BLINKEN = "https://cubagraph.example/id/actor/antony-blinken"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving() as url:
        yield url


@dataclass
class Opened:
    page: Page
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def clean(self, refused: int = 0) -> None:
        # Chromium logs every 4xx answer to a fetch as a console error: a test that makes the server refuse
        # a query says how many times, and no other error may appear.
        seen = [e for e in self.errors if "the server responded with a status of 400" in e]
        assert len(seen) == refused, f"{len(seen)} refusals logged, not {refused}"
        others = [e for e in self.errors if e not in seen]
        assert others == [], f"console errors: {others}"
        assert self.outside == [], f"requests outside the server: {self.outside}"
        assert self.dialogs == [], f"dialogs: {self.dialogs}"


@pytest.fixture
def opened(browser: Browser, base: str) -> Iterator[Opened]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)

    def on_dialog(dialog: Any) -> None:
        got.dialogs.append(dialog.message)
        dialog.dismiss()

    def watch(page: Page) -> None:
        # Every page of the context, the permalinks' new pages too.
        page.on("console", lambda m: got.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: got.errors.append(str(e)))
        page.on("dialog", on_dialog)

    context.on("page", watch)
    got = Opened(context.new_page())

    def route(r: Route) -> None:
        got.requests.append(r.request.url)
        if r.request.url.startswith(base):
            r.continue_()
        else:
            got.outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    yield got
    context.close()


def load(o: Opened, url: str) -> None:
    o.page.goto(url)
    o.page.wait_for_selector("body[data-ready=true]")


def editor_text(page: Page) -> str:
    return str(page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()"))


def set_editor(page: Page, text: str) -> None:
    page.evaluate("(t) => document.querySelector('.CodeMirror').CodeMirror.setValue(t)", text)


def run(page: Page) -> None:
    page.click("#run")
    page.wait_for_function("() => !document.getElementById('status').textContent.startsWith('running')")


def column(page: Page, var: str) -> list[str]:
    heads = page.locator("#results th").all_inner_texts()
    at = heads.index("?" + var) + 1
    return page.locator(f"#results tbody tr td:nth-child({at})").all_inner_texts()


def cli_rows(*args: str) -> list[dict[str, str]]:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "cubagraph", "query", *args, "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return list(csv.DictReader(io.StringIO(out)))


def test_a_saved_query_with_its_parameter_a_link_downloads_and_a_permalink(
    opened: Opened, base: str, tmp_path: Path
) -> None:
    page = opened.page
    load(opened, base)
    names = page.locator("#saved button").evaluate_all("(bs) => bs.map((b) => b.dataset.name)")
    assert {"actor", "timeline", "shared-actors"} <= set(names)

    # The actor query gets a field for its parameter; a name (not only an id) fills it, as on the CLI.
    page.click("#saved button[data-name=actor]")
    field_ = page.locator("input[data-param=actor]")
    assert field_.count() == 1 and field_.get_attribute("list") == "actors"
    assert page.locator("#actors option[value=antony-blinken]").count() == 1  # suggestions from the graph
    field_.fill("Antony Blinken")
    run(page)
    actors = column(page, "actor")
    assert actors and set(actors) == {"actor:antony-blinken"}, actors  # the parameter was bound: one actor
    expected = cli_rows("--name", "actor", "--param", "actor=antony-blinken")
    assert len(actors) == len(expected)
    assert page.locator("#status").inner_text().startswith(f"{len(expected)} rows")
    # The picture for the README, the same at every run: the time the query took is left out of it.
    page.evaluate("(n) => { document.getElementById('status').textContent = n + ' rows'; }", len(expected))
    # Written over the committed one only when asked (CUBAGRAPH_REFRESH_PICTURE=1, as tests/docs/test_picture.py):
    # a test run leaves the checkout as it found it.
    refresh = os.environ.get("CUBAGRAPH_REFRESH_PICTURE") == "1"
    page.screenshot(path=str(ROOT / "docs/query-page.png" if refresh else tmp_path / "query-page.png"))

    # CSV: the downloaded file holds the same rows as the CLI's CSV, with the parameter bound.
    with page.expect_download() as info:
        page.click("#csv")
    download = info.value
    assert download.suggested_filename == "results.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows == expected
    assert {r["actor"] for r in rows} == {BLINKEN}
    with page.expect_download() as info:
        page.click("#json")
    assert info.value.suggested_filename == "results.json"
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert len(data["results"]["bindings"]) == len(expected)

    # The SPARQL 1.1 form, for any store, gives the same rows with the same field.
    page.click("#form-switch")
    portable = editor_text(page)
    assert "LATERAL" not in portable and portable == (ROOT / "queries/actor.rq").read_text(encoding="utf-8")
    shown = page.locator("#results table").inner_text()
    run(page)
    assert page.locator("#results table").inner_text() == shown
    page.click("#form-switch")
    assert "LATERAL" in editor_text(page)

    # A download follows the field as it is now, without a run first.
    field_.fill("Human Rights Watch")
    with page.expect_download() as info:
        page.click("#csv")
    other = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert other and {r["actor"] for r in other} == {"https://cubagraph.example/id/actor/human-rights-watch"}
    field_.fill("Antony Blinken")

    # A permalink holds the query and its parameter: reopened in a new page, the same text and value come
    # back and run.
    page.click("#permalink")
    link = page.url
    assert "#" in link and "name=actor" in link
    text = editor_text(page)
    again = opened.page.context.new_page()
    again.goto(link)
    again.wait_for_selector("body[data-ready=true]")
    again.wait_for_selector("#results table")
    assert editor_text(again) == text
    assert again.locator("input[data-param=actor]").input_value() == "Antony Blinken"
    assert column(again, "actor") == actors
    again.close()

    # A query of one's own, edited, is held whole.
    own = "SELECT ?who ?name WHERE {\n  ?who a cg:Person ; rdfs:label ?name .\n}\nORDER BY ?name\n"
    page.click("#blank")
    set_editor(page, own)
    page.click("#permalink")
    again = opened.page.context.new_page()
    again.goto(page.url)
    again.wait_for_selector("#results table")
    assert editor_text(again) == own
    assert "actor:antony-blinken" in column(again, "who")
    again.close()

    # A result IRI is a link that opens that node in the network view.
    page.click("#saved button[data-name=actor]")
    page.locator("input[data-param=actor]").fill("antony-blinken")
    run(page)
    link_ = page.locator("#results a", has_text="actor:antony-blinken").first
    assert link_.get_attribute("title", timeout=5000).startswith(BLINKEN)
    link_.click()
    page.wait_for_url("**/viewer#select=*")
    assert page.url.endswith("/viewer#select=" + urllib.request.quote(BLINKEN, safe=""))
    page.wait_for_function("() => window.cubagraphViewer && cubagraphViewer.state.selected !== null", timeout=15000)
    selected = page.evaluate("() => cubagraphViewer.byId.get(cubagraphViewer.state.selected).info.iri")
    assert selected == BLINKEN
    # A document's IRI opens it in the view's reader.
    load(opened, base)
    page.click("#saved button[data-name=actor]")
    page.locator("input[data-param=actor]").fill("antony-blinken")
    run(page)
    doc = page.locator("#results a", has_text="document:blinken-political-prisoners").first
    assert doc.get_attribute("href") == "/viewer#read=blinken-political-prisoners"
    doc.click()
    page.wait_for_function("() => window.cubagraphViewer && cubagraphViewer.reading === 'blinken-political-prisoners'")
    opened.clean()
    assert any(u.endswith("/favicon.ico") or u.endswith("/favicon.svg") for u in opened.requests)


def test_prefixes_autocomplete_and_errors_name_their_line(opened: Opened, base: str) -> None:
    page = opened.page
    load(opened, base)
    set_editor(page, "\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n")
    page.click(".CodeMirror-line >> nth=1")
    page.keyboard.press("Control+Home")
    page.keyboard.type("PREFIX c")
    hints = page.locator(".CodeMirror-hints")
    hints.wait_for()
    assert "cg: <https://cubagraph.example/ns#>" in hints.inner_text()
    page.keyboard.press("Escape")

    # Classes and properties complete from the project's ontology (not from lov.linkeddata.es).
    set_editor(page, "SELECT ?x WHERE {\n  \n}\n")
    page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.setCursor({line: 1, ch: 2})")
    page.keyboard.type("?x a cg:Pe")
    assert "cg:Person" in hints.inner_text()
    page.keyboard.press("Escape")
    page.keyboard.type(" ; cg:spe")
    assert "cg:speaker" in hints.inner_text()
    page.keyboard.press("Escape")

    # A prefixed name needs no PREFIX line: the server predeclares the project's prefixes.
    set_editor(page, "SELECT ?name WHERE {\n  \n}\n")
    page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.setCursor({line: 1, ch: 2})")
    page.keyboard.type("actor:antony-blinken rdfs:label ?name .")
    page.keyboard.press("Escape")
    assert "PREFIX" not in editor_text(page)
    page.click(".CodeMirror-line >> nth=0")
    page.keyboard.press("Control+Enter")  # runs, as the Run button does
    page.wait_for_selector("#results table")
    assert column(page, "name") == ["Antony Blinken"]

    # The editor's own check knows the predeclared prefixes, and leaves the queries that use LATERAL to the
    # server, so no saved query is marked invalid; a broken query is.
    flagged = """() => { const cm = document.querySelector('.CodeMirror').CodeMirror, out = [];
        cm.eachLine((l) => { const m = cm.lineInfo(l).gutterMarkers; if (m && m.gutterErrorBar) out.push(cm.getLineNumber(l)); });
        return out; }"""
    for name in page.locator("#saved button").evaluate_all("(bs) => bs.map((b) => b.dataset.name)"):
        page.click(f"#saved button[data-name={name}]")
        assert page.evaluate(flagged) == [], name
    set_editor(page, "SELECT ?x WHERE {\n  ?x rdfs:label ?y ?z\n}\n")
    assert page.evaluate(flagged) == [1]
    page.hover(".parseErrorIcon")  # its tooltip's one inline style is allowed by hash (page.CSP)
    assert "This line is invalid" in page.locator(".yasqe_tooltip").inner_text()

    # A CONSTRUCT shows its Turtle, and downloads as JSON-LD (no CSV for a graph).
    set_editor(page, "CONSTRUCT { ?a rdfs:label ?n } WHERE { ?a a cg:Person ; rdfs:label ?n }\n")
    run(page)
    assert "Antony Blinken" in page.locator("#results pre").inner_text()
    assert page.locator("#csv").is_hidden() and page.locator("#json").inner_text() == "JSON-LD"
    with page.expect_download() as info:
        page.click("#json")
    graph = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert "Antony Blinken" in json.dumps(graph) and info.value.suggested_filename == "results.jsonld"

    # An error from the server is shown in its words, and its line and column are marked in the editor.
    set_editor(page, "SELECT ?x WHERE {\n  ?x rdfs:label ?y\n  FILTER(?y = )\n}\n")
    run(page)
    message = page.locator("#error").inner_text()
    where = re.search(r"line (\d+), column (\d+)", message)
    assert page.locator("#error").is_visible() and where, message
    assert "\\u{" not in message and "..=" not in message, message  # not Rust's notation
    lines = page.locator(".CodeMirror-code > div")
    assert "cg-error-line" in (
        lines.nth(int(where[1]) - 1).locator(".CodeMirror-linebackground").get_attribute("class") or ""
    )
    assert page.locator(".cg-error-mark").count() == 1
    cursor = page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getCursor()")
    assert (cursor["line"] + 1, cursor["ch"] + 1) == (int(where[1]), int(where[2]))
    opened.clean(refused=1)


HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    '"><svg onload=alert(3)>',
    "javascript:alert(4)",
]


def test_hostile_text_is_shown_as_text(opened: Opened, base: str) -> None:
    page = opened.page
    load(opened, base)
    values = " ".join(json.dumps(h) for h in HOSTILE)
    set_editor(page, f'SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} BIND(STRLANG(?x, "en") AS ?l) }}')
    run(page)
    assert column(page, "x") == HOSTILE
    assert column(page, "l") == [h + " @en" for h in HOSTILE]
    # An IRI is a link only into the view, for the graph's own IRIs: a javascript: IRI stays text.
    set_editor(page, "SELECT ?i WHERE { VALUES ?i { <javascript:alert(6)> } }")
    run(page)
    assert column(page, "i") == ["<javascript:alert(6)>"]
    assert page.locator("#results a").count() == 0
    # A parameter, a permalink and an error message that carry markup stay text too.
    page.click("#saved button[data-name=actor]")
    page.locator("input[data-param=actor]").fill(HOSTILE[0])
    run(page)
    assert HOSTILE[0] in page.locator("#error").inner_text()
    hostile = "SELECT * WHERE { ?s ?p '<img src=x onerror=alert(5)>' }"
    page.goto(base + "#query=" + urllib.request.quote(hostile))  # the same page: its fragment changes
    page.wait_for_function("(t) => document.querySelector('.CodeMirror').CodeMirror.getValue() === t", arg=hostile)
    page.wait_for_function("() => !document.getElementById('status').textContent.startsWith('running')")
    for box in ("#results", "#error", "#params", "#question", ".CodeMirror-code"):
        assert page.locator(f"{box} img, {box} script, {box} svg").count() == 0, box
    assert page.evaluate("() => document.querySelectorAll('[onerror], [onload]').length") == 0
    opened.clean(refused=1)
