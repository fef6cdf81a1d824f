"""What the view's reading side costs on a corpus: the page with the documents' texts against the page without.

Builds the corpus twice in copies (the reader's texts within the default
viewer_texts, and viewer_texts = 1, which holds none), then opens each page
in headless Chromium and times the first draw, opening the reader on the
document with most quotes, and brushing the timeline. Every pair is printed
with its ratio; nothing is asserted.

    .venv/bin/python benchmarks/viewer_reading.py /tmp/c_corpus/c1000
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from support import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402


def build(corpus: Path, texts: int | None, where: Path) -> tuple[Path, float]:
    for name in ("data", "ontology"):
        shutil.copytree(corpus / name, where / name)
    settings = "" if texts is None else f"viewer_texts = {texts}\n"
    (where / "pyproject.toml").write_text(f"[tool.cubagraph]\n{settings}", encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cubagraph", "build"], cwd=where, check=True, capture_output=True)
    return where / "exports" / "graph.html", time.perf_counter() - started


def browse(page_path: Path) -> dict[str, float]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        started = time.perf_counter()
        page.goto(page_path.as_uri())
        page.wait_for_function("window.cubagraphViewer && window.cubagraphViewer.drawn !== null", timeout=120_000)
        first = time.perf_counter() - started
        doc = page.evaluate(
            """() => { const c = {}; for (const n of cubagraphViewer.allNodes) for (const q of n.info.evidence || [])
                 c[q.document] = (c[q.document] || 0) + 1;
               return Object.entries(c).sort((a, b) => b[1] - a[1])[0][0]; }"""
        )
        started = time.perf_counter()
        page.evaluate("(d) => cubagraphViewer.openReader(d)", doc)
        reader = time.perf_counter() - started
        marks = page.evaluate("document.querySelectorAll('#reader .text mark.quote').length")
        started = time.perf_counter()
        page.evaluate("cubagraphViewer.timeline.brush('2021-01-01', '2021-12-31')")
        brush = time.perf_counter() - started
        browser.close()
    return {"first draw s": first, "open reader s": reader, "reader marks": marks, "brush s": brush}


def main() -> None:
    corpus = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        rows = {}
        for label, texts in (("with texts", None), ("without texts", 1)):
            where = Path(tmp) / label.replace(" ", "-")
            page, seconds = build(corpus, texts, where)
            html = page.read_text(encoding="utf-8")
            block = re.search(r'id="cubagraph-documents">(.*?)</script>', html, re.S)
            rows[label] = {
                "build s": seconds,
                "graph.html MiB": page.stat().st_size / 2**20,
                "texts block MiB": len(block[1].encode()) / 2**20 if block else 0.0,
                **browse(page),
            }
    keys = list(rows["with texts"])
    print(f"{'':18}{'with texts':>14}{'without texts':>16}{'ratio':>9}")
    for key in keys:
        a, b = rows["with texts"][key], rows["without texts"][key]
        ratio = f"{a / b:.2f}" if b > 0.01 else "-"  # the page without texts holds an empty block
        print(f"{key:18}{a:>14.3f}{b:>16.3f}{ratio:>9}")


if __name__ == "__main__":
    main()
