"""The view's first sight: the actor overview of the seeds at 1440×900, in Debian's headless Chromium.

Labels are measured on the page: each drawn label's box comes from the
network's positions and vis-network's own text metrics (its bounding boxes),
and again from the canvas's ``measureText``; no two may meet. The GEXF's
positions are read back with networkx and compared with the page's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from playwright.sync_api import Browser, Page

from cubagraph.network import overview, projection
from support import ROOT

A = "https://cubagraph.example/id/actor/"
QUOTE = "call for the immediate release of all political prisoners"

MEASURE = """() => {
  const v = cubagraphViewer, ids = v.visibleNodes(), at = v.network.getPositions(ids);
  const ctx = document.createElement('canvas').getContext('2d');
  const labels = [], discs = [];
  let actors = 0, actorLabels = 0;
  for (const id of ids) {
    const shown = v.nodes.get(id), info = v.byId.get(id).info, p = at[id];
    if (info.kind === 'actor') actors++;
    discs.push({x: p.x, y: p.y, r: shown.size, label: info.label});
    if (!shown.label || !shown.label.trim()) continue;
    if (info.kind === 'actor') actorLabels++;
    const font = shown.font.size;
    ctx.font = font + 'px system-ui, sans-serif';
    const w = ctx.measureText(shown.label).width;
    const bb = v.network.getBoundingBox(id);  // vis-network's own metrics: disc and label
    labels.push({
      label: info.label,
      measured: {left: p.x - w / 2, right: p.x + w / 2, top: p.y + shown.size + 3, bottom: p.y + shown.size + 3 + font},
      vis: {left: bb.left, right: bb.right, top: p.y + shown.size, bottom: bb.bottom},
    });
  }
  return {labels, discs, actors, actorLabels, scale: v.network.getScale()};
}"""


class Opened:
    def __init__(self, page: Page):
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)


def opened(browser: Browser, path: Path) -> Iterator[Opened]:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    o = Opened(page)
    page.on("console", lambda m: o.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: o.errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        o.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(path.as_uri())
    page.wait_for_function("window.cubagraphViewer && window.cubagraphViewer.drawn !== null")
    page.wait_for_timeout(200)
    yield o
    page.close()


@pytest.fixture
def view(browser: Browser) -> Iterator[Opened]:
    yield from opened(browser, ROOT / "exports" / "graph.html")


def overlapping(boxes: list[dict[str, float]]) -> int:
    return sum(
        1
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]
    )


def test_the_first_view_is_the_overview_one_node_per_actor(view: Opened) -> None:
    g = projection.load(ROOT / "exports" / "cubagraph.trig")
    actors = {n for n, d in g.nodes(data=True) if d["kind"] == "actor"}
    assert set(view.js("cubagraphViewer.iris(cubagraphViewer.visibleNodes())")) == actors
    assert view.js("cubagraphViewer.state.mode") == "overview"
    # One link per pair of actors that facts (or the registry) link, as network/overview.py computes it.
    assert view.js("cubagraphViewer.visibleEdges().length") == overview.overview(g).number_of_edges()
    assert view.errors == []
    view.page.screenshot(path=str(ROOT / "docs" / "view-overview.png"))


def test_labels_drawn_never_overlap_and_most_actor_labels_are_drawn(view: Opened) -> None:
    m = view.js(MEASURE)
    assert overlapping([lab["measured"] for lab in m["labels"]]) == 0
    assert overlapping([lab["vis"] for lab in m["labels"]]) == 0
    assert m["actorLabels"] >= 0.8 * m["actors"], m
    discs = m["discs"]
    touching = [
        (a["label"], b["label"])
        for i, a in enumerate(discs)
        for b in discs[i + 1 :]
        if (a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2 < (a["r"] + b["r"]) ** 2
    ]
    assert touching == []
    # Zoomed out, fewer labels fit: some are hidden, and still none overlap.
    view.js(
        "() => { cubagraphViewer.network.moveTo({scale: cubagraphViewer.network.getScale() / 3}); cubagraphViewer.relabel(); }"
    )
    small = view.js(MEASURE)
    assert small["actorLabels"] < m["actorLabels"]
    assert overlapping([lab["measured"] for lab in small["labels"]]) == 0


def test_clicking_the_blinken_political_prisoners_link_lists_the_statement_and_its_demand(view: Opened) -> None:
    x, y = view.js(
        """([a, b]) => {
            const v = cubagraphViewer, ids = v.allNodes.filter((n) => n.info.iri === a || n.info.iri === b).map((n) => n.id);
            const edge = v.overviewEdges.find((e) => ids.includes(e.from) && ids.includes(e.to));
            const p = v.network.getPositions(ids), mid = {x: (p[ids[0]].x + p[ids[1]].x) / 2, y: (p[ids[0]].y + p[ids[1]].y) / 2};
            v.network.moveTo({position: mid, scale: 2});
            const dom = v.network.canvasToDOM(mid), r = document.getElementById('network').getBoundingClientRect();
            return [r.left + dom.x, r.top + dom.y];
        }""",
        [A + "antony-blinken", A + "political-prisoners"],
    )
    view.page.mouse.click(x, y)
    view.page.wait_for_timeout(200)
    panel = view.page.locator("#panel-body").inner_text()
    assert "Antony Blinken: social media post" in panel
    assert "demand" in panel.lower()
    assert QUOTE in panel
    assert view.errors == []


def test_focus_is_within_reach_lays_the_neighbourhood_out_afresh_and_animates(view: Opened) -> None:
    box = view.page.locator("#focus").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 900  # no scrolling at 1440×900
    cuba = view.js(f"cubagraphViewer.allNodes.find((n) => n.info.iri === '{A}cuba').id")
    before = view.js("(id) => cubagraphViewer.network.getPositions()", cuba)
    view.js("(id) => cubagraphViewer.select(id)", cuba)
    view.page.select_option("#focus-depth", "1")
    view.page.click("#focus")
    view.page.wait_for_timeout(60)
    during = view.js("() => cubagraphViewer.network.getPositions()")
    view.page.wait_for_timeout(900)
    after = view.js("() => cubagraphViewer.network.getPositions()")
    shown = set(view.js("cubagraphViewer.visibleNodes()"))
    moved = [k for k in after if int(k) in shown and after[k] != before[k]]
    assert moved, "the neighbourhood is laid out afresh"
    halfway = [k for k in moved if during[k] != after[k] and during[k] != before[k]]
    assert halfway, "the nodes move there, not jump"
    # The focus sits in the middle of its ring: every neighbour at the same distance.
    c = after[str(cuba)]
    radii = {
        round(((p["x"] - c["x"]) ** 2 + (p["y"] - c["y"]) ** 2) ** 0.5)
        for k, p in after.items()
        if int(k) in shown and int(k) != cuba
    }
    assert len(radii) == 1
    m = view.js(MEASURE)
    assert overlapping([lab["measured"] for lab in m["labels"]]) == 0


def test_search_waits_for_two_characters_and_shows_a_page_of_matches(view: Opened) -> None:
    first = set(view.js("cubagraphViewer.visibleNodes()"))
    view.page.fill("#search", "C")
    view.page.wait_for_timeout(400)
    assert set(view.js("cubagraphViewer.visibleNodes()")) == first
    assert "two characters" in view.page.locator("#search-status").inner_text()
    view.page.fill("#search", "Cu")
    view.page.wait_for_timeout(400)
    hits = view.page.locator("#search-hits li")
    assert 0 < hits.count() <= 50
    assert "Cuba" in hits.all_inner_texts()


def test_the_document_filter_has_its_own_search_and_all_or_none(view: Opened) -> None:
    view.page.fill("#document-search", "553")
    assert view.page.locator("#documents label").all_inner_texts() == ["cuba-releases-553-prisoners"]
    view.page.click("#documents-none")
    assert view.js("Array.from(cubagraphViewer.state.documents)") == ["blinken-political-prisoners"]
    view.page.fill("#document-search", "")
    view.page.click("#documents-all")
    assert len(view.js("Array.from(cubagraphViewer.state.documents)")) == 2


def test_expanding_an_actor_shows_its_facts(view: Opened) -> None:
    blinken = view.js(f"cubagraphViewer.allNodes.find((n) => n.info.iri === '{A}antony-blinken').id")
    view.js("(id) => cubagraphViewer.expand(id)", blinken)
    view.page.wait_for_timeout(700)
    kinds = view.js("() => cubagraphViewer.visibleNodes().map((id) => cubagraphViewer.byId.get(id).info.kind)")
    assert "statement" in kinds and "role" in kinds


def test_gexf_and_graphml_carry_the_pages_positions(view: Opened) -> None:
    view.js("cubagraphViewer.setMode('full', false)")
    page = view.js(
        "() => { const v = cubagraphViewer, p = v.network.getPositions(v.allNodes.map((n) => n.id));"
        " return v.allNodes.map((n) => { const d = v.nodes.get(n.id);"
        " return [n.info.iri, d.x, d.y, d.size, p[n.id].x, p[n.id].y]; }); }"
    )
    gexf = nx.read_gexf(ROOT / "exports" / "cubagraph.gexf")
    graphml = nx.read_graphml(ROOT / "exports" / "cubagraph.graphml")
    assert len(page) == gexf.number_of_nodes()
    for iri, x, y, size, drawn_x, drawn_y in page:
        assert abs(drawn_x - x) < 1 and abs(drawn_y - y) < 1  # where it is drawn (vis-network reports whole units)
        viz = gexf.nodes[iri]["viz"]
        assert (viz["position"]["x"], viz["position"]["y"], viz["size"]) == (x, y, size), iri
        assert set(viz["color"]) >= {"r", "g", "b"}
        data = graphml.nodes[iri]
        assert (data["x"], data["y"], data["size"]) == (x, y, size)
