"""Time to a stable first render of the network view in headless Chromium, at 1,000 and 5,000 nodes.

The graphs are synthetic but shaped like ours: actors linked to events,
statements, figures and claims, every assertion with one evidence quote.
Layout is computed at build time and physics is off, so the first draw is
the stable render. Reported: the build of graph.html (layout included), the
file size, and the time from navigation to vis-network's first
afterDrawing event.

Usage: .venv/bin/python benchmarks/viewer_render.py [--sizes 1000 5000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import networkx as nx
from playwright.sync_api import sync_playwright

from cubagraph.export import html

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
KINDS = ["event", "statement", "figure", "claim"]


def synthetic(n: int, seed: int = 1) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    actors = max(10, n // 6)
    for i in range(actors):
        g.add_node(
            f"a{i}",
            kind="actor",
            **{"class": rng.choice(["Person", "Group", "Country", "Government body"])},
            label=f"Actor {i}",
            aliases=[],
        )
    for i in range(n - actors):
        kind = rng.choice(KINDS)
        doc = f"doc-{i // 60}"
        g.add_node(
            f"x{i}", kind=kind, **{"class": kind.title()}, label=f"{kind} {i} in {doc}", documents=[doc],
            modality=rng.choice(["reported", "opinion", "speculation"]), asserted_by="the document", asserted_by_document=True,
            evidence=[{"document": doc, "start": 0, "end": 10, "exact": f"quote {i}", "prefix": "", "suffix": ""}],
        )  # fmt: skip
        for _ in range(2):
            a = f"a{int(rng.paretovariate(1.2)) % actors}"
            g.add_edge(a, f"x{i}", label="agent", kind="link", source=f"x{i}")
    return g


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    print(f"{'nodes':>6} {'edges':>6} {'build s':>8} {'MiB':>5} {'first draw s':>13}")
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=FLAGS)
        for n in args.sizes:
            g = synthetic(n)
            started = time.perf_counter()
            data = html.page(g, {}, cap=max(n, html.CAP), limit=max(n, html.LIMIT))
            build = time.perf_counter() - started
            path = Path(tmp) / f"graph-{n}.html"
            path.write_bytes(data)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page.goto(path.as_uri())
            page.wait_for_function("window.cubagraphViewer && window.cubagraphViewer.drawn !== null", timeout=120_000)
            drawn = page.evaluate("cubagraphViewer.drawn") / 1000
            shown = page.evaluate("cubagraphViewer.visibleNodes().length")
            assert shown == g.number_of_nodes()
            print(f"{n:6d} {g.number_of_edges():6d} {build:8.2f} {len(data) / 2**20:5.1f} {drawn:13.2f}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
