"""The reading side of the network view in real headless Chromium: the panel, the document reader, the
timeline, shared links and exports (export/viewer/panel.js, reader.js, timeline.js, share.js).

Each test that draws a picture for the README saves it under docs/ at 1440×900.
"""

from __future__ import annotations

import csv
import io
import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from playwright.sync_api import Browser
from test_viewer import PAYLOADS, Opened, hostile, open_page

from cubagraph.export import coverage, documents
from cubagraph.graph.dataset import Dataset
from cubagraph.network import projection
from support import ROOT, serving

__all__ = ["hostile"]  # a fixture, used by name below

ID = "https://cubagraph.example/id/"
STATEMENT = ID + "statement/blinken-political-prisoners.blinken-twitter-post"
DEMAND = STATEMENT + ".demand.1"
PROTESTS = ID + "event/blinken-political-prisoners.july-11-protests"
QUOTE = "call for the immediate release of all political prisoners"
PAGE = ROOT / "exports" / "graph.html"
# The README's pictures are refreshed with CUBAGRAPH_REFRESH_PICTURE=1; other runs leave docs/ alone.
PICTURES = ROOT / ("docs" if os.environ.get("CUBAGRAPH_REFRESH_PICTURE") else ".artifacts")


@pytest.fixture
def view(browser: Browser) -> Iterator[Opened]:
    for opened in open_page(browser, PAGE.as_uri()):
        opened.page.set_viewport_size({"width": 1440, "height": 900})
        yield opened


@pytest.fixture(scope="module")
def g(dataset: Dataset) -> nx.MultiDiGraph:
    return projection.of(dataset)


def node_id(view: Opened, iri: str) -> int:
    return int(view.js("(iri) => cubagraphViewer.allNodes.find((n) => n.info.iri === iri).id", iri))


def select(view: Opened, iri: str) -> None:
    view.js("(id) => cubagraphViewer.select(id)", node_id(view, iri))


def full_view(view: Opened) -> None:
    if view.page.locator("#mode-full").count():
        view.page.check("#mode-full")


def test_the_reader_shows_the_document_with_every_quote_at_its_stored_offsets(
    view: Opened, g: nx.MultiDiGraph, dataset: Dataset
) -> None:
    select(view, DEMAND)
    block = view.page.locator("#panel blockquote", has_text=QUOTE)
    block.locator("button.read").click()
    reader = view.page.locator("#reader")
    assert reader.is_visible()
    text = (ROOT / "data/documents/000_fd0916bb9c006de1.txt").read_text(encoding="utf-8")
    assert view.js("document.querySelector('#reader .text').textContent") == text
    assert "Blinken: 'We share the Cuban people's dream" in reader.locator("h2").inner_text()
    # The demand's quote: the marks that name its node cover exactly its stored span, and are the current ones.
    (quote,) = g.nodes[DEMAND]["evidence"]
    demand = node_id(view, DEMAND)
    marks = view.js(
        """(id) => Array.from(document.querySelectorAll('#reader .text mark.quote'))
            .filter((m) => m.dataset.nodes.split(' ').includes(String(id)))
            .map((m) => [Number(m.dataset.start), Number(m.dataset.end), m.textContent, m.classList.contains('current')])""",
        demand,
    )
    assert marks[0][0] == quote["start"] and marks[-1][1] == quote["end"]
    assert "".join(m[2] for m in marks) == text[quote["start"] : quote["end"]] == quote["exact"]
    assert all(m[3] for m in marks)
    # Every quote of every node of the document is marked at its own offsets, and nothing else is.
    spans = {
        (q["start"], q["end"])
        for _, d in g.nodes(data=True)
        for q in d.get("evidence", [])
        if q["document"] == "blinken-political-prisoners"
    }
    marked = view.js(
        "Array.from(document.querySelectorAll('#reader .text mark.quote')).map((m) => [Number(m.dataset.start), Number(m.dataset.end)])"
    )
    covered = {i for a, b in marked for i in range(a, b)}
    assert covered == {i for a, b in spans for i in range(a, b)}
    # The passages no fact cites are the sentences `cubagraph coverage` reports, marked as such.
    graph = next(q.graph_name.value for q in dataset.quads if q.object.value == quote["exact"])
    uncited = coverage.of_document("", "", text, coverage.spans(list(dataset.quads))[graph]).uncited
    assert uncited
    shown = view.js("Array.from(document.querySelectorAll('#reader .text span.uncited')).map((s) => s.textContent)")
    assert "".join(shown) == "".join(s.text for s in uncited)
    # A mark selects its fact.
    view.page.locator("#reader .text mark.quote.current").first.click()
    assert view.js("cubagraphViewer.state.selected") == demand
    view.page.locator("#reader .text mark.quote.current").first.scroll_into_view_if_needed()
    view.page.screenshot(path=str(PICTURES / "view-reader.png"))
    assert view.errors == [] and view.blocked == []


def test_the_document_list_opens_each_document(view: Opened) -> None:
    view.page.click("#open-documents")
    items = view.page.locator("#reader ul.documents li")
    assert items.count() == 2
    view.page.fill("#reader input[type=search]", "553")
    assert items.count() == 1
    items.locator("button").click()
    text = (ROOT / "data/documents/004_1d5170aace06a04f.txt").read_text(encoding="utf-8")
    assert view.js("document.querySelector('#reader .text').textContent") == text
    assert view.errors == []


def test_the_panel_names_every_role_and_styles_words_apart_from_attribution(view: Opened) -> None:
    select(view, STATEMENT)
    panel = view.page.locator("#panel-body")
    roles = view.js(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('#panel dl.roles dt')).map((dt) =>
            [dt.textContent, Array.from(dt.nextElementSibling.querySelectorAll('button')).map((b) => b.textContent)]))"""
    )
    assert roles["speaker"] == ["Antony Blinken"]
    assert roles["calls for"] == ["The immediate release of all political prisoners"]
    assert "Political prisoners in Cuba" in roles["about"] and "July 11, 2021 protests in Cuba" in roles["about"]
    words = panel.locator("mark.words").all_inner_texts()
    attribution = panel.locator("mark.attribution").all_inner_texts()
    assert any("We share the Cuban people" in w for w in words)
    assert "Blinken said in a Twitter post" in attribution
    assert not any("Blinken said" in w for w in words)
    # One sentence, shown once, with both of its spans.
    sentence = panel.locator("blockquote", has_text="Blinken said in a Twitter post")
    assert sentence.count() == 1
    assert sentence.locator("mark").count() == 2
    # The document by its title; it opens in the reader.
    title = "Blinken: 'We share the Cuban people's dream of democracy"
    panel.locator("dd button.link", has_text=title).first.click()
    assert view.page.locator("#reader h2").inner_text().startswith(title)
    view.js("cubagraphViewer.closeReader()")
    view.page.screenshot(path=str(PICTURES / "view-panel.png"))
    # A role is a link that selects its node.
    panel.locator("dl.roles button", has_text="Antony Blinken").click()
    assert view.js("cubagraphViewer.state.selected") == node_id(view, ID + "actor/antony-blinken")
    # A QID is a link to Wikidata, opened in a new tab without opener or referrer, and only when clicked.
    select(view, ID + "actor/cuba")
    link = panel.locator("a", has_text="Q241")
    assert link.get_attribute("href") == "https://www.wikidata.org/wiki/Q241"
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("rel") == "noopener noreferrer"
    # One event several documents tell: the panel names it.
    select(view, ID + "event/blinken-political-prisoners.sanctions-on-cuba")
    assert "same event as" in view.panel() and "U.S. sanctions on Cuba" in view.panel()
    assert view.blocked == [] and view.errors == []


def test_brushing_the_timeline_leaves_the_july_11_protests_and_their_neighbourhood(
    view: Opened, g: nx.MultiDiGraph
) -> None:
    full_view(view)
    everything = view.visible()
    expected = {PROTESTS, *nx.all_neighbors(g, PROTESTS)}
    # Undated events and statements are counted, never placed.
    dated = {
        n for n, d in g.nodes(data=True) if d["kind"] in ("event", "statement") and d.get("date", {}).get("earliest")
    }
    undated = {n for n, d in g.nodes(data=True) if d["kind"] in ("event", "statement")} - dated
    assert undated
    counts = view.page.locator("#timeline .counts").inner_text()
    assert counts == f"{len(dated)} placed · {len(undated)} undated (not placed)"
    placed = view.js("Array.from(document.querySelectorAll('#timeline .item')).map((r) => Number(r.dataset.id))")
    assert set(view.js("(ids) => cubagraphViewer.iris(ids)", placed)) == dated
    # A drag across 2021 with the mouse (the strip spans decades: a few weeks a pixel) ...
    y = view.js(
        "(() => { const r = document.querySelector('#timeline svg').getBoundingClientRect(); return r.top + 10; })()"
    )
    x0, x1 = view.js("[cubagraphViewer.timeline.x('2021-01-01'), cubagraphViewer.timeline.x('2022-01-01')]")
    view.page.mouse.move(x0, y)
    view.page.mouse.down()
    view.page.mouse.move((x0 + x1) / 2, y)
    view.page.mouse.move(x1, y)
    view.page.mouse.up()
    assert view.visible() == expected
    # ... and the exact range, July 2021, typed.
    view.page.fill("#timeline input[aria-label='Range from']", "2021-07-01")
    view.page.fill("#timeline input[aria-label='Range to']", "2021-07-31")
    assert view.js("cubagraphViewer.timeline.range") == ["2021-07-01", "2021-07-31"]
    assert view.visible() == expected
    view.page.screenshot(path=str(PICTURES / "view-timeline.png"))
    view.page.click("#timeline button:has-text('Clear range')")
    assert view.visible() == everything
    assert view.errors == []


def test_a_copied_url_restores_selection_focus_and_filters(browser: Browser, view: Opened) -> None:
    full_view(view)
    view.page.locator("#modalities label", has_text="speculation").locator("input").uncheck()
    view.page.locator("#classes label", has_text="Claim").locator("input").uncheck()
    select(view, ID + "actor/antony-blinken")
    view.page.select_option("#focus-depth", "1")
    view.page.click("#focus")
    select(view, STATEMENT)
    if view.js("cubagraphViewer.state.overviewLimit !== undefined"):
        view.js("cubagraphViewer.state.overviewLimit += 7")
        view.js("cubagraphViewer.apply()")
    url = view.page.url
    assert "#" in url and "select=" in url and "focus=" in url
    before = view.js(
        """() => { const s = cubagraphViewer.state; return [s.selected, s.focus, Array.from(s.classes).sort(),
            Array.from(s.modalities).sort(), s.mode || null, cubagraphViewer.visibleNodes().sort((a, b) => a - b),
            s.overviewLimit || null]; }"""
    )
    for again in open_page(browser, url):
        after = again.js(
            """() => { const s = cubagraphViewer.state; return [s.selected, s.focus, Array.from(s.classes).sort(),
                Array.from(s.modalities).sort(), s.mode || null, cubagraphViewer.visibleNodes().sort((a, b) => a - b),
                s.overviewLimit || null]; }"""
        )
        assert after == before
        assert again.page.locator("#panel-body h2").inner_text() == "Antony Blinken: social media post"
        assert not again.page.locator("#modalities label", has_text="speculation").locator("input").is_checked()
        assert again.errors == []


def test_a_link_from_the_query_page_selects_its_node(browser: Browser) -> None:
    url = PAGE.as_uri() + "#select=" + urllib.parse.quote(STATEMENT, safe="")
    for opened in open_page(browser, url):
        assert opened.js("cubagraphViewer.iris([cubagraphViewer.state.selected])") == [STATEMENT]
        assert "Antony Blinken: social media post" in opened.panel()
        # A later link in the same page (the hash changes) selects again.
        opened.js("(h) => { location.hash = h; }", "select=" + urllib.parse.quote(ID + "actor/cuba", safe=""))
        for _ in range(50):  # hashchange is asynchronous
            if opened.js("document.querySelector('#panel-body h2').textContent") == "Cuba":
                break
            opened.page.wait_for_timeout(50)
        assert opened.js("cubagraphViewer.iris([cubagraphViewer.state.selected])") == [ID + "actor/cuba"]
        assert opened.errors == []


def test_export_saves_the_view_as_png_and_the_visible_subgraph_as_csv(view: Opened, tmp_path: Path) -> None:
    full_view(view)
    with view.page.expect_download() as png:
        view.page.click("#export-png")
    data = Path(png.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    view.page.locator("#classes label", has_text="Claim").locator("input").uncheck()
    with view.page.expect_download() as table:
        view.page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(Path(table.value.path()).read_text(encoding="utf-8"))))
    nodes = {r["iri"] for r in rows if r["element"] == "node"}
    assert nodes == view.visible()
    assert sum(r["element"] == "edge" for r in rows) == len(view.js("cubagraphViewer.visibleEdges()"))
    assert not any(r["kind"] == "claim" for r in rows)
    assert view.errors == []


def test_hostile_text_stays_text_in_the_reader_and_the_timeline(browser: Browser, hostile: Path) -> None:
    for opened in open_page(browser, (hostile / "exports/graph.html").as_uri()):
        page = opened.page
        page.click("#open-documents")
        page.locator("#reader ul.documents button").first.click()
        text = (hostile / "data/documents/x.txt").read_text(encoding="utf-8")
        assert opened.js("document.querySelector('#reader .text').textContent") == text
        assert page.locator("#reader h2").inner_text() == PAYLOADS["script"]  # the title, as text
        page.locator("#reader .text mark.quote").first.click()
        opened.js("cubagraphViewer.timeline.draw()")
        for item in page.locator("#timeline .item").all():
            item.hover()
        page.mouse.move(700, 450)
        page.wait_for_timeout(300)
        assert opened.dialogs == [] and opened.errors == [] and opened.blocked == []
        injected = page.evaluate(
            """() => [document.querySelectorAll('img').length,
                       document.querySelectorAll('a[href^="javascript"]').length,
                       document.querySelectorAll('[onerror],[onmouseover]').length,
                       document.querySelectorAll('script').length]"""
        )
        assert injected == [0, 0, 0, 7]  # the page's own seven script elements, no more


def test_the_served_view_asks_for_no_favicon(browser: Browser) -> None:
    with serving() as base:
        for opened in open_page(browser, base + "viewer", allow=base):
            requested = opened.js("performance.getEntriesByType('resource').map((e) => e.name)")
            assert not [r for r in requested if "favicon" in r]
            assert opened.errors == [] and opened.blocked == []


def test_a_page_holds_the_texts_of_the_documents_with_most_nodes_within_its_budget() -> None:
    held = [(30, "b", 500), (30, "a", 500), (2, "c", 100), (0, "d", 10)]
    assert documents.choose(held, 1100) == {"a", "b", "c"}
    assert documents.choose(held, 1000) == {"a", "b"}
    assert documents.choose(held, 600) == {"a", "c"}  # a fits first; b no longer does; c still does
    assert documents.choose(held, 10**9) == {"a", "b", "c"}  # a document with no node on the page is left out


def test_a_crowded_timeline_becomes_a_histogram_that_counts_every_item(browser: Browser, tmp_path: Path) -> None:
    from cubagraph.export import html

    g = nx.MultiDiGraph()
    actor = ID + "actor/a"
    g.add_node(actor, kind="actor", label="A", aliases=[], **{"class": "Person"})
    march = set()
    for i in range(2000):
        d = f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}"
        n = f"{ID}event/e{i}"
        date = {"value": d, "earliest": d, "latest": d, "precision": "day", "approximate": False}
        g.add_node(n, kind="event", label=f"event {i}", date=date, **{"class": "Protest"})
        g.add_edge(actor, n, key="agent|link", label="agent", kind="link", source=n)
        if d.startswith("2021-03"):
            march.add(n)
    for i in range(50):
        g.add_node(
            f"{ID}event/u{i}", kind="event", label=f"undated {i}", date={"precision": "unknown"}, **{"class": "Protest"}
        )
    path = tmp_path / "crowded.html"
    path.write_bytes(html.page(g, {}, cap=5000))
    for opened in open_page(browser, path.as_uri()):
        full_view(opened)
        assert opened.page.locator("#timeline .counts").inner_text() == "2000 placed · 50 undated (not placed)"
        assert opened.page.locator("#timeline .item").count() == 0  # 2,000 lanes would not fit: a histogram
        counted = opened.js(
            """Array.from(document.querySelectorAll('#timeline title')).map((t) => t.textContent)
                .map((t) => t.split(' from ')[0].split(', ').reduce((s, part) => s + parseInt(part, 10), 0))
                .reduce((a, b) => a + b, 0)"""
        )
        assert counted == 2000
        opened.js("cubagraphViewer.timeline.brush('2021-03-01', '2021-03-31')")
        assert opened.visible() == march | {actor}
        assert opened.errors == []
