"""Template markers in the data cannot break the viewer: the page is filled structurally, not by str.replace.

Every marker the viewer's template holds goes into labels (an actor's name,
an alias, an event's label); the page is built by the real CLI and opened in
headless Chromium, which must draw every node with no error, and show the
markers as text.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

MARKERS = [
    "/*VIEWER_JS*/",
    "/*VIEWER_CSS*/",
    "/*VIS_NETWORK_JS*/",
    "/*CUBAGRAPH_NODES*/",
    "/*CUBAGRAPH_EDGES*/",
    "/*CUBAGRAPH_META*/",
    "<!--CSP-->",
]
NAME = "Cuba " + " ".join(MARKERS)


def build(root: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "cubagraph", "build"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def opened(browser: Browser, page_path: Path) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(page_path.as_uri())
    page.wait_for_function("window.cubagraphViewer && window.cubagraphViewer.drawn !== null", timeout=30_000)
    return page, errors


def test_a_label_holding_every_marker_leaves_the_page_whole(browser: Browser, workdir: Path) -> None:
    clean, _ = opened(browser, workdir / "exports" / "graph.html")
    nodes = clean.evaluate("cubagraphViewer.network.body.data.nodes.length")
    clean.close()
    registry = workdir / "data" / "actors.yaml"
    text = registry.read_text(encoding="utf-8")
    quoted = "'" + NAME + "'"
    text = text.replace("    name: Cuba\n", f"    name: {quoted}\n", 1)
    text = text.replace("aliases: [Republic of Cuba,", f"aliases: ['{MARKERS[0]}', Republic of Cuba,", 1)
    registry.write_text(text, encoding="utf-8")
    build(workdir)
    html = (workdir / "exports" / "graph.html").read_text(encoding="utf-8")
    assert html.count('<meta http-equiv="Content-Security-Policy"') == 1
    page, errors = opened(browser, workdir / "exports" / "graph.html")
    try:
        assert errors == []
        assert page.evaluate("cubagraphViewer.network.body.data.nodes.length") == nodes
        assert page.evaluate("document.querySelectorAll('script').length") == 7
        labels = page.evaluate(
            "JSON.parse(document.getElementById('cubagraph-nodes').textContent).map(n => n.info.label)"
        )
        assert NAME in labels
        page.fill("#search", "VIEWER_JS")  # found by its alias too: the marker is data, and searchable
        page.wait_for_timeout(400)
        assert "https://cubagraph.example/id/actor/cuba" in page.evaluate(
            "cubagraphViewer.iris(cubagraphViewer.visibleNodes())"
        )
    finally:
        page.close()
