"""docs/view.png, the README's picture of the network view, and the one function that draws it.

The test draws the picture again, into a temporary directory, from the committed
exports/graph.html, and checks that it is a PNG of the size the README promises. To refresh the
committed picture after a change to the view, run this file with CUBAGRAPH_REFRESH_PICTURE=1
(docs/view.md says so too): the test then writes docs/view.png itself.
"""

from __future__ import annotations

import base64
import os
import struct
import zlib
from pathlib import Path

from playwright.sync_api import Browser, Route, sync_playwright

from support import CHROMIUM, CHROMIUM_FLAGS, ROOT

PICTURE = ROOT / "docs" / "view.png"
SIZE = (1440, 900)
LIMIT = 300 * 1024  # bytes: the picture is committed, and every reader of the README loads it

# Chromium's screenshot is a true-colour PNG of about 370 KB, most of it the anti-aliased edges of
# labels. Mapping every pixel to one of the 256 most common colours (after dropping each channel's
# low four bits) looks the same and makes an indexed PNG of about 100 KB. The browser does the
# counting and mapping, which would take seconds in pure Python; Python writes the PNG.
QUANTIZE = """async (data) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + data;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width;
  canvas.height = img.height;
  const g = canvas.getContext('2d');
  g.drawImage(img, 0, 0);
  const a = g.getImageData(0, 0, img.width, img.height).data, n = a.length / 4;
  const key = (i) => ((a[4 * i] >> 4) << 8) | ((a[4 * i + 1] >> 4) << 4) | (a[4 * i + 2] >> 4);
  const rgb = (k) => [((k >> 8) & 15) * 17, ((k >> 4) & 15) * 17, (k & 15) * 17];
  const counts = new Map();
  for (let i = 0; i < n; i++) counts.set(key(i), (counts.get(key(i)) || 0) + 1);
  const palette = [...counts.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 256).map((e) => rgb(e[0]));
  const nearest = new Map(), pixels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = key(i);
    if (!nearest.has(k)) {
      const [r, gr, b] = rgb(k);
      let best = Infinity, at = 0;
      palette.forEach(([pr, pg, pb], j) => {
        const d = (pr - r) ** 2 + (pg - gr) ** 2 + (pb - b) ** 2;
        if (d < best) { best = d; at = j; }
      });
      nearest.set(k, at);
    }
    pixels[i] = nearest.get(k);
  }
  let text = '';
  for (let i = 0; i < n; i += 8192) text += String.fromCharCode.apply(null, pixels.subarray(i, i + 8192));
  return {width: img.width, height: img.height, palette: palette.flat(), pixels: btoa(text)};
}"""


def draw(page_file: Path, picture: Path) -> None:
    """Screenshot ``page_file`` (a graph.html) once its network has been drawn, into ``picture``."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            shot = screenshot(browser, page_file)
            picture.write_bytes(indexed_png(browser, shot))
        finally:
            browser.close()


def screenshot(browser: Browser, page_file: Path) -> bytes:
    page = browser.new_page(viewport={"width": SIZE[0], "height": SIZE[1]})

    def only_files(route: Route) -> None:
        # The page is self-contained: a request for anything else is a fault, and must not leave the machine.
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_files)
    page.goto(page_file.resolve().as_uri())
    page.wait_for_function("window.cubagraphViewer && window.cubagraphViewer.drawn !== null", timeout=60_000)
    return page.screenshot()


def indexed_png(browser: Browser, shot: bytes) -> bytes:
    image = browser.new_page().evaluate(QUANTIZE, base64.b64encode(shot).decode("ascii"))
    width, height = image["width"], image["height"]
    pixels = base64.b64decode(image["pixels"])
    rows = b"".join(b"\0" + pixels[y * width : (y + 1) * width] for y in range(height))  # filter 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8-bit indexed colour
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"PLTE", bytes(image["palette"]))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature and the data's CRCs."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    at, kinds = 8, []
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + body), f"{path}: bad CRC in its {kind!r} chunk"
        kinds.append(kind)
        at += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds, f"{path}: chunks {kinds}"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_picture_can_be_drawn_again(tmp_path: Path) -> None:
    target = PICTURE if os.environ.get("CUBAGRAPH_REFRESH_PICTURE") == "1" else tmp_path / "view.png"
    draw(ROOT / "exports" / "graph.html", target)
    assert png_size(target) == SIZE
    assert target.stat().st_size < LIMIT, f"{target} is {target.stat().st_size:,} bytes"


def test_the_committed_picture_is_a_png_of_the_right_size() -> None:
    assert png_size(PICTURE) == SIZE, "refresh docs/view.png: see docs/view.md"
    assert PICTURE.stat().st_size < LIMIT


def test_the_readme_shows_the_picture() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/view.png)" in readme
