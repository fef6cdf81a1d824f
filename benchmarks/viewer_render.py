"""The network view's first sight in headless Chromium, at 1,000, 5,000 and 10,000 documents' worth of nodes.

The graphs are synthetic but shaped like benchmarks/corpus.py's (and the
seeds'): about 12.4 nodes a document, 0.4 actors a document with a few in
many documents and most in few, six actors cast per document, each fact
naming one to three of them, every fact with one evidence quote. The page is
made by the same code as a build's (export.html.page, default viewer_cap and
viewer_limit), so the page holds at most 20,000 nodes.

Reported, per size: the build of graph.html (layouts included) and its
size; the first draw (navigation to vis-network's first afterDrawing); what
the first view shows (the actor overview); and its labels measured on the
page — how many actor labels are drawn, and how many pairs of drawn labels
overlap (by the canvas's measureText; must be 0) — and pairs of node discs
that overlap. Then the same page switched to the full fact view, and the
time that switch takes.

Usage: .venv/bin/python benchmarks/viewer_render.py [--documents 1000 5000 10000]
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
FACTS = ["event", "event", "statement", "figure", "claim", "claim", "claim", "claim", "relation", "role", "claim"]
CLASSES = ["Person", "Organization", "Government body", "Country", "Group"]

MEASURE = """() => {
  const v = cubagraphViewer, ids = v.visibleNodes(), at = v.network.getPositions(ids);
  const ctx = document.createElement('canvas').getContext('2d');
  const boxes = [], discs = [];
  let actors = 0, actorLabels = 0;
  for (const id of ids) {
    const shown = v.nodes.get(id), p = at[id], actor = v.byId.get(id).info.kind === 'actor';
    if (actor) actors++;
    discs.push([p.x, p.y, shown.size]);
    if (!shown.label || !shown.label.trim()) continue;
    if (actor) actorLabels++;
    ctx.font = shown.font.size + 'px system-ui, sans-serif';
    const w = ctx.measureText(shown.label).width, top = p.y + shown.size + 3;
    boxes.push([p.x - w / 2, p.x + w / 2, top, top + shown.font.size]);
  }
  // Pairs by a grid of cells as large as the largest box: linear in practice.
  const pairs = (items, bounds, hit) => {
    let cell = 1;
    for (const it of items) { const [l, r, t, b] = bounds(it); cell = Math.max(cell, r - l, b - t); }
    const grid = new Map();
    items.forEach((it, i) => { const [l, , t] = bounds(it); const k = Math.floor(l / cell) + ',' + Math.floor(t / cell); if (!grid.has(k)) grid.set(k, []); grid.get(k).push(i); });
    let n = 0;
    items.forEach((it, i) => {
      const [l, , t] = bounds(it), cx = Math.floor(l / cell), cy = Math.floor(t / cell);
      for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++)
        for (const j of grid.get((cx + dx) + ',' + (cy + dy)) || []) if (j > i && hit(it, items[j])) n++;
    });
    return n;
  };
  const labelPairs = pairs(boxes, (b) => b, (a, b) => a[0] < b[1] && b[0] < a[1] && a[2] < b[3] && b[2] < a[3]);
  const discPairs = pairs(discs, ([x, y, r]) => [x - r, x + r, y - r, y + r], (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]) < a[2] + b[2]);
  return {shown: ids.length, actors, actorLabels, labels: boxes.length, labelPairs, discPairs};
}"""


def synthetic(documents: int, seed: int = 1) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    n_actors = max(60, documents * 40 // 100)
    names = ["Rivera", "Castro", "Ministry", "Council", "Observers", "Union", "Court", "Press", "Front", "League"]
    for i in range(n_actors):
        label = f"{rng.choice(names)} {rng.choice(names)} {i}"
        g.add_node(f"a{i:05d}", kind="actor", label=label, aliases=[], **{"class": CLASSES[i % len(CLASSES)]})
    weights = [1 / (i + 1) ** 0.9 for i in range(n_actors)]
    for d in range(documents):
        doc = f"doc-{d:05d}"
        cast = rng.choices(range(n_actors), weights=weights, k=6)
        for j, kind in enumerate(FACTS):
            node = f"x{d:05d}-{j}"
            g.add_node(
                node, kind=kind, label=f"{kind} {j} of {doc}", documents=[doc], modality="reported",
                asserted_by="the document", asserted_by_document=True,
                evidence=[{"document": doc, "start": 0, "end": 10, "exact": f"quote {j}", "prefix": "", "suffix": ""}],
                **{"class": kind.title()},
            )  # fmt: skip
            for a in sorted(set(rng.sample(cast, rng.randint(1, 3)))):
                g.add_edge(f"a{a:05d}", node, label="agent", kind="link", source=node)
        # A little over 12 nodes a document: its demand, on one document in three... and so on.
        if d % 3 == 0:
            g.add_node(f"x{d:05d}-d", kind="demand", label=f"demand of {doc}", documents=[doc], **{"class": "Demand"})
            g.add_edge(f"x{d:05d}-2", f"x{d:05d}-d", label="calls for", kind="link", source=f"x{d:05d}-2")
    return g


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[1000, 5000, 10000])
    args = parser.parse_args()
    head = f"{'docs':>6} {'nodes':>7} {'on page':>7} {'build s':>8} {'MiB':>5} {'first draw s':>12}"
    head += f" {'shown':>5} {'actor labels':>12} {'label pairs':>11} {'disc pairs':>10} {'full view s':>11} {'full shown':>10}"
    print(head)
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=FLAGS)
        for n in args.documents:
            g = synthetic(n)
            started = time.perf_counter()
            data = html.page(g, {})
            build = time.perf_counter() - started
            path = Path(tmp) / f"graph-{n}.html"
            path.write_bytes(data)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page.goto(path.as_uri(), timeout=600_000)
            page.wait_for_function("window.cubagraphViewer && window.cubagraphViewer.drawn !== null", timeout=300_000)
            drawn = page.evaluate("cubagraphViewer.drawn") / 1000
            held = page.evaluate("cubagraphViewer.allNodes.length")
            m = page.evaluate(MEASURE)
            switch = page.evaluate(
                "() => { const t = performance.now(); cubagraphViewer.setMode('full', false); return (performance.now() - t) / 1000; }"
            )
            full = page.evaluate("cubagraphViewer.visibleNodes().length")
            print(
                f"{n:6d} {g.number_of_nodes():7d} {held:7d} {build:8.2f} {len(data) / 2**20:5.1f} {drawn:12.2f}"
                f" {m['shown']:5d} {m['actorLabels']:>5d} of {m['actors']:<4d} {m['labelPairs']:11d} {m['discPairs']:10d}"
                f" {switch:11.2f} {full:10d}",
                flush=True,
            )
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
