"""graphml.with_viz finds the nodes' lines in the bytes: the same output as cutting the part into lines."""

from __future__ import annotations

import html
import random
import re

from cubagraph.export import gexf, graphml

_NODE_ID = re.compile(r"""^ *<node id=(?:"([^"]*)"|'([^']*)')""")


def by_lines(part: bytes, viz: dict[str, tuple[float, float, float, str]], lines) -> bytes:  # type: ignore[no-untyped-def]
    """with_viz as it was: every line decoded and matched."""
    out = []
    for line in part.decode("utf-8").split("\n"):
        out.append(line)
        m = _NODE_ID.match(line)
        if m is not None:
            found = viz.get(html.unescape(m.group(1) if m.group(1) is not None else m.group(2)))
            if found is not None:
                x, y, size, colour = found
                r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
                out.append(lines(x, y, size, r, g, b))
    return "\n".join(out).encode("utf-8")


IDS = ["https://x/a", "https://x/b&amp;c", 'it"s', "it's", "é\u2028", "", "https://x/<n>"]


def _part(rng: random.Random) -> bytes:
    rows = []
    for _ in range(rng.randrange(0, 6)):
        iri = rng.choice(IDS)
        quoted = f"'{iri}'" if '"' in iri else f'"{iri}"'
        end = rng.choice((">", ' label="x">', ""))
        rows.append(f"{' ' * rng.choice((0, 4, 6))}<node id={quoted}{end}")
        rows += rng.sample(
            [
                '      <data key="n-label">a <node id="x"> b</data>',
                "      <data key=\"n-quote\">line\n    <node id='https://x/a'> inside a value</data>",
                'x <node id="https://x/a">',
                "    </node>",
                "\r",
            ],
            k=rng.randrange(0, 4),
        )
    return ("\n".join(rows) + rng.choice(("\n", ""))).encode("utf-8")


def test_the_same_bytes_as_line_by_line() -> None:
    rng = random.Random(20)
    viz = {iri: (1.5, -2.0, 10.0, "#1a73e8") for iri in IDS[::2]}
    for _ in range(3000):
        part = _part(rng)
        for lines in (graphml._lines, gexf._viz):
            assert graphml.with_viz(part, viz, lines) == by_lines(part, viz, lines), part
    assert graphml.with_viz(b'    <node id="https://x/a">', {}, graphml._lines) == b'    <node id="https://x/a">'
