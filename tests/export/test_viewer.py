"""The network view in a real headless Chromium (Debian's), driven by Playwright.

The browser may load file: URLs only; every other request is blocked and
counted. Console errors, page errors and dialogs are collected and must stay
empty.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from playwright.sync_api import Browser, Page

from cubagraph.graph.dataset import Dataset
from cubagraph.network import projection
from support import ROOT

ARTIFACTS = ROOT / ".artifacts"


@dataclass
class Opened:
    page: Page
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def visible(self) -> set[str]:
        return set(self.js("cubagraphViewer.iris(cubagraphViewer.visibleNodes())"))

    def click_node(self, label: str) -> None:
        x, y = self.js(
            """(label) => {
                const v = cubagraphViewer, n = v.nodeByLabel(label), at = v.network.getPosition(n.id);
                v.network.moveTo({position: at, scale: 3});
                const p = v.network.canvasToDOM(at), r = document.getElementById('network').getBoundingClientRect();
                return [r.left + p.x, r.top + p.y];
            }""",
            label,
        )
        self.page.mouse.click(x, y)

    def panel(self) -> str:
        return str(self.page.locator("#panel-body").inner_text())


def open_page(browser: Browser, url: str, allow: str = "file:", mode: str = "full") -> Iterator[Opened]:
    """The page, switched to ``mode``: these tests are about the full view of every fact; the actor overview,
    which the page opens on, has its own (test_view_overview.py)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    opened = Opened(page)
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def route(r: Any) -> None:
        if r.request.url.startswith(allow):
            r.continue_()
        else:
            opened.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url)
    page.wait_for_function("window.cubagraphViewer && window.cubagraphViewer.drawn !== null")
    page.evaluate("(mode) => cubagraphViewer.setMode(mode, false)", mode)
    yield opened
    page.close()


@pytest.fixture
def view(browser: Browser) -> Iterator[Opened]:
    yield from open_page(browser, (ROOT / "exports" / "graph.html").as_uri())


@pytest.fixture(scope="module")
def g(dataset: Dataset) -> nx.MultiDiGraph:
    return projection.of(dataset)


def test_loads_offline_with_no_errors_and_no_requests(view: Opened) -> None:
    assert view.errors == []
    assert view.blocked == []
    assert view.dialogs == []
    html = (ROOT / "exports/graph.html").read_text(encoding="utf-8")
    # Nothing but data: URLs (the favicon is one, so that the browser asks for no /favicon.ico).
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(?!data:)", html), (
        "the page must reference no file or URL"
    )


def test_renders_every_node_and_edge_of_the_graph(view: Opened, g: nx.MultiDiGraph) -> None:
    counts = view.js(
        "[cubagraphViewer.visibleNodes().length, cubagraphViewer.visibleEdges().length, Object.keys(cubagraphViewer.network.body.nodes).length]"
    )
    assert counts[0] == g.number_of_nodes() == counts[2]
    assert counts[1] == g.number_of_edges()
    assert (
        view.page.locator("#counts").inner_text()
        == f"Showing {g.number_of_nodes()} of {g.number_of_nodes()} nodes and {g.number_of_edges()} of {g.number_of_edges()} links."
    )


def test_clicking_blinkens_statement_shows_its_quote_and_document(view: Opened) -> None:
    view.click_node("Antony Blinken: social media post")
    panel = view.panel()
    assert "Antony Blinken: social media post" in panel
    assert "call for the immediate release of all political prisoners" in panel
    assert "blinken-political-prisoners, characters" in panel
    # The quote is highlighted inside its sentence.
    marks = view.page.locator("#panel mark").all_inner_texts()
    assert any("call for the immediate release of all political prisoners" in m for m in marks)
    assert "social media post (Twitter)" in panel
    ARTIFACTS.mkdir(exist_ok=True)
    view.page.screenshot(path=str(ARTIFACTS / "viewer.png"))
    assert (ARTIFACTS / "viewer.png").stat().st_size > 10_000


def test_a_figure_shows_value_comparator_as_of_and_what_it_counts(view: Opened) -> None:
    view.click_node(
        "more than 700 individuals: individuals who remain in jail for exercising their freedoms of expression and peaceful assembly"
    )
    panel = view.panel()
    assert "700 persons" in panel
    assert "more than" in panel
    assert "2023-07 (month, approximate" in panel  # "two years after the July 11 protests": about July 2023
    assert "individuals who remain in jail" in panel
    assert "Antony Blinken" in panel and "quoted claim" in panel


def test_search_shows_matches_and_their_neighbours(view: Opened, g: nx.MultiDiGraph) -> None:
    view.page.fill("#search", "blinken")
    view.page.wait_for_timeout(400)
    blinken = "https://cubagraph.example/id/actor/antony-blinken"
    expected = {blinken, *nx.all_neighbors(g, blinken)}
    # "Blinken" also matches the statement's label, and brings its neighbours.
    statement = "https://cubagraph.example/id/statement/blinken-political-prisoners.blinken-twitter-post"
    statement_role = "https://cubagraph.example/id/role/blinken-political-prisoners.blinken-secretary-of-state"
    for hit in (statement, statement_role):
        expected |= {hit, *nx.all_neighbors(g, hit)}
    assert view.visible() == expected
    view.page.fill("#search", "Cuban regime")  # an alias
    view.page.wait_for_timeout(400)
    assert "https://cubagraph.example/id/actor/cuban-government" in view.visible()
    view.page.fill("#search", "")
    view.page.wait_for_timeout(400)
    assert len(view.visible()) == g.number_of_nodes()


def test_class_filter(view: Opened, g: nx.MultiDiGraph) -> None:
    view.page.locator("#classes label", has_text="Claim").locator("input").uncheck()
    claims = {n for n, d in g.nodes(data=True) if d["kind"] == "claim"}
    assert view.visible() == set(g.nodes) - claims


def test_document_filter(view: Opened, g: nx.MultiDiGraph) -> None:
    view.page.locator("#documents label", has_text="cuba-releases-553-prisoners").locator("input").uncheck()
    visible = view.visible()
    only_004 = {
        n
        for n, d in g.nodes(data=True)
        if d["kind"] != "actor" and d.get("documents") == ["cuba-releases-553-prisoners"]
    }
    assert only_004 and not (visible & only_004)
    assert "https://cubagraph.example/id/actor/venezuela" not in visible  # only seed 004 mentions it
    assert "https://cubagraph.example/id/actor/antony-blinken" in visible


def test_date_filter(view: Opened) -> None:
    view.page.fill("#date-from", "2021-01-01")
    view.page.fill("#date-to", "2021-12-31")
    view.page.locator("#undated").uncheck()
    visible = view.visible()
    event = "https://cubagraph.example/id/event/"
    assert event + "blinken-political-prisoners.july-11-protests" in visible
    assert event + "blinken-political-prisoners.roundtable-with-activists" not in visible
    assert event + "cuba-releases-553-prisoners.release-of-553-prisoners" not in visible
    view.page.locator("#undated").check()
    assert event + "cuba-releases-553-prisoners.release-of-553-prisoners" in view.visible()


def test_modality_filter(view: Opened, g: nx.MultiDiGraph) -> None:
    view.page.locator("#modalities label", has_text="speculation").locator("input").uncheck()
    speculative = {n for n, d in g.nodes(data=True) if d.get("modality") == "speculation"}
    assert len(speculative) == 14
    assert not (view.visible() & speculative)


def test_focus_on_a_neighbourhood_and_back(view: Opened, g: nx.MultiDiGraph) -> None:
    view.click_node("Antony Blinken")
    view.page.select_option("#focus-depth", "1")
    view.page.click("#focus")
    blinken = "https://cubagraph.example/id/actor/antony-blinken"
    assert view.visible() == {blinken, *nx.all_neighbors(g, blinken)}
    view.page.click("#unfocus")
    assert len(view.visible()) == g.number_of_nodes()


def test_physics_toggle(view: Opened) -> None:
    assert view.js("cubagraphViewer.network.physics.options.enabled") is False
    view.page.locator("#physics").check()
    assert view.js("cubagraphViewer.network.physics.options.enabled") is True


PAYLOADS = {
    "img": "<img src=x onerror=alert(1)>",
    "script": "</script><script>alert(2)</script>",
    "quote": '" onmouseover="alert(3)" x="',
    "href": '<a href="javascript:alert(4)">href</a>',
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose names, aliases, labels and quotes are all attacks."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(ROOT / "ontology", root / "ontology")
    (root / "data/documents").mkdir(parents=True)
    (root / "data/mappings").mkdir()
    text = (
        f"Breaking: {PAYLOADS['img']} met {PAYLOADS['script']} today.\n"
        f"They said {PAYLOADS['quote']} and {PAYLOADS['href']} there.\n"
    )
    (root / "data/documents/x.txt").write_text(text, encoding="utf-8")

    def q(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    (root / "data/actors.yaml").write_text(
        "actors:\n"
        f"  - {{id: attacker, type: person, name: {q(PAYLOADS['img'])}, aliases: [{q(PAYLOADS['script'])}, {q(PAYLOADS['href'])}]}}\n"
        f"  - {{id: other, type: group, name: {q(PAYLOADS['quote'])}}}\n",
        encoding="utf-8",
    )
    (root / "data/mappings/hostile.yaml").write_text(
        "document: {id: hostile, text: documents/x.txt, title: "
        + q(PAYLOADS["script"])
        + ", language: en, published: unknown}\n"
        "events:\n"
        f"  - id: meeting\n    type: meeting\n    label: {q(PAYLOADS['href'])}\n    date: unknown\n"
        "    participants: [{actor: attacker, role: agent}, {actor: other, role: participant}]\n"
        f"    evidence: [{q(PAYLOADS['img'] + ' met ' + PAYLOADS['script'])}]\n"
        "claims:\n"
        f"  - id: said\n    summary: {q(PAYLOADS['quote'])}\n    about: [other]\n    asserted_by: attacker\n"
        f"    evidence: [{q('They said ' + PAYLOADS['quote'] + ' and ' + PAYLOADS['href'])}]\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cubagraph"), "build"], cwd=root, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return root


def test_hostile_text_renders_as_text(browser: Browser, hostile: Path) -> None:
    for opened in open_page(browser, (hostile / "exports/graph.html").as_uri()):
        page = opened.page
        assert opened.errors == [] and opened.blocked == []
        for label in (PAYLOADS["img"], PAYLOADS["href"], PAYLOADS["quote"]):
            opened.click_node(label)
            assert label in opened.panel()
        opened.page.fill("#search", "alert(2)")  # the alias
        opened.page.wait_for_timeout(400)
        assert "https://cubagraph.example/id/actor/attacker" in opened.visible()
        page.mouse.move(700, 450)
        page.wait_for_timeout(300)
        # The actor overview too: hover text on every node and link, the facts listed for a link.
        opened.js("cubagraphViewer.setMode('overview', false)")
        for x, y in opened.js(
            "() => { const v = cubagraphViewer, r = document.getElementById('network').getBoundingClientRect();"
            " return Object.values(v.network.getPositions(v.visibleNodes())).map((p) => {"
            " const d = v.network.canvasToDOM(p); return [r.left + d.x, r.top + d.y]; }); }"
        ):
            page.mouse.move(x, y)
            page.wait_for_timeout(20)
        opened.js("cubagraphViewer.showFacts(cubagraphViewer.overviewEdge(cubagraphViewer.overviewEdges[0].id), 'x')")
        assert opened.errors == []
        assert opened.dialogs == []
        injected = page.evaluate(
            """() => [document.querySelectorAll('img').length,
                       document.querySelectorAll('a[href^="javascript"]').length,
                       document.querySelectorAll('[onerror],[onmouseover]').length,
                       document.querySelectorAll('script').length]"""
        )
        assert injected == [0, 0, 0, 7]  # the page's own seven script elements (five of data), no more
        assert PAYLOADS["img"] in opened.panel() or PAYLOADS["quote"] in opened.panel()


def test_the_served_viewer_works_too(browser: Browser) -> None:
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "cubagraph"), "serve", "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = re.search(r"http://127\.0\.0\.1:\d+/", process.stdout.readline())
        assert url
        for opened in open_page(browser, url[0] + "viewer", allow=url[0]):
            assert opened.errors == [] and opened.blocked == []
            assert opened.js("cubagraphViewer.visibleNodes().length") > 100
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout:
            process.stdout.close()


def test_a_large_graph_opens_on_its_best_connected_part(
    browser: Browser, g: nx.MultiDiGraph, dataset: Dataset, tmp_path: Path
) -> None:
    from cubagraph.export import html

    path = tmp_path / "capped.html"
    path.write_bytes(html.page(g, dataset.texts, cap=40))
    for opened in open_page(browser, path.as_uri()):
        assert opened.errors == []
        visible = opened.visible()
        assert len(visible) == 40
        degree = dict(analysis_degree(g))
        assert min(degree[n] for n in visible) >= max(degree[n] for n in set(g.nodes) - visible)
        notice = opened.page.locator("#notice")
        assert notice.is_visible()
        assert "Search for a name, or select a node and focus on it, to see the rest" in notice.inner_text()
        # Search reaches nodes outside the first view.
        hidden = next(d["label"] for n, d in g.nodes(data=True) if n not in visible and d["kind"] == "actor")
        opened.page.fill("#search", hidden)
        opened.page.wait_for_timeout(400)
        assert any(g.nodes[n]["label"] == hidden for n in opened.visible())
        assert not notice.is_visible()


def test_a_page_holds_at_most_viewer_limit_nodes_the_best_connected(
    browser: Browser, g: nx.MultiDiGraph, dataset: Dataset, tmp_path: Path
) -> None:
    from cubagraph.export import html

    path = tmp_path / "limited.html"
    path.write_bytes(html.page(g, dataset.texts, cap=20, limit=60))
    for opened in open_page(browser, path.as_uri()):
        assert opened.errors == []
        held = set(opened.js("cubagraphViewer.iris(cubagraphViewer.nodes.getIds())"))
        assert len(held) == 60
        degree = dict(analysis_degree(g))
        assert min(degree[n] for n in held) >= max(degree[n] for n in set(g.nodes) - held)
        # Every edge between two held nodes is on the page, and no other.
        expected = sum(1 for a, b in g.edges() if a in held and b in held)
        assert opened.js("cubagraphViewer.allEdges.length") == expected
        notice = opened.page.locator("#notice").inner_text()
        assert f"This page holds the 60 best-connected of {g.number_of_nodes()} nodes" in notice
        assert "viewer_limit" in notice


def analysis_degree(g: nx.MultiDiGraph) -> Any:
    from cubagraph.network.analysis import undirected

    return undirected(g).degree()
