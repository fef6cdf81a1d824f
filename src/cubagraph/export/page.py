"""exports/graph.html as a plan: the template's text, and each share's nodes and edges as items of their own.

Made whole, the page of 1,000 documents took most of a rebuild after one edit
(0.6 s of 2.4 s; 2.5 s at 10,000 documents), though an edit changes one
document's share of it. So the page's node and edge lists are cut into one
item per share (see :class:`cubagraph.export.drawn.Drawing`), each named by
the share's digest and the picture's key; the writer copies the items whose
names are unchanged from the old file (:mod:`cubagraph.export.plan`), and
only the edited share's items are made. The bytes are exactly those of the
page made whole.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from .drawn import Drawing
from .plan import Item, Lazy

EDGE_COLOURS = {"link": "#5f6368", "attribution": "#a0a4a8", "registry": "#188038"}
# The data markers of the template, in the order the page holds them (the template's order is checked).
DATA = ("/*CUBAGRAPH_NODES*/", "/*CUBAGRAPH_EDGES*/", "/*CUBAGRAPH_META*/", "/*CUBAGRAPH_DOCUMENTS*/")


def _key(*parts: str | int) -> str:
    # Plain text joined, not JSON: 20,000 items at 10,000 documents, named on every build.
    return hashlib.sha256("\0".join(map(str, parts)).encode("utf-8")).hexdigest()[:40]


def _digest(value: Any) -> str:
    # Sorted keys: the meta read back from the ranking's memo has its keys in another order than when made.
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def items(
    made: Drawing,
    fill: Callable[[Mapping[str, str]], str],
    documents: Callable[[Drawing], str],
    encode: Callable[[Any], str],
) -> list[Item]:
    """The page's items. ``fill`` puts the given values in for the template's markers (the scripts and styles
    besides), ``documents`` gives the texts block, ``encode`` is the page's JSON encoder."""
    # The template filled with a mark in place of each data block, cut at the marks: what lies between.
    marks = {m: f"\0{i}\0" for i, m in enumerate(DATA)}
    text = fill(marks)
    cuts = [text.index(marks[m]) for m in DATA]
    if cuts != sorted(cuts):
        raise ValueError(f"the viewer template holds its data blocks in another order than {DATA}")
    between, at = [], 0
    for m, cut in zip(DATA, cuts, strict=True):
        between.append(text[at:cut].encode("utf-8"))
        at = cut + len(marks[m])
    tail = text[at:].encode("utf-8")

    key = made.structure_key
    n = len(made.shares)
    nodes: list[Item] = [b"["]
    for i in range(n):
        others = made.order.get(i, [])
        name = _key("nodes", key, i, made.shares[i], *(made.shares[j] for j in others))
        nodes.append(Lazy(name, functools.partial(_nodes, made, i)))
    nodes.append(b"]")
    edges: list[Item] = [b"["]
    for i in range(n):
        edges.append(Lazy(_key("edges", key, i, made.shares[i]), functools.partial(_edges, made, i, encode)))
    edges.append(b"]")
    meta = Lazy(_key("meta", key, _digest(made.meta)), lambda: _meta(made, encode).encode("utf-8"))
    texts = Lazy(
        _key("documents", key, _digest(made.meta), _digest(made.ctx.settings.get("viewer_texts"))),
        lambda: documents(made).encode("utf-8"),
    )
    return [between[0], *nodes, between[1], *edges, between[2], meta, between[3], texts, tail]


def _nodes(made: Drawing, i: int) -> bytes:
    p = made.picture
    start = p.starts[i]
    out = []
    for offset, (iri, data) in enumerate(made.nodes(i)):
        # float() and int() here, where the figures go into the page unescaped: a picture read back from
        # .cubagraph/ that held text instead of numbers fails the build rather than write script.
        x, y = map(float, p.positions[iri])
        hidden = "false" if iri in made.shown else "true"
        head = f'"hidden":{hidden},"id":{start + offset},"x":{x},"y":{y},"size":{float(p.sizes[iri])}'
        if iri in p.overview:
            ox, oy = map(float, p.overview_positions[iri])
            shown = "true" if iri in p.overview_shown else "false"
            rank = int(p.overview_rank[iri])
            size = float(p.overview_sizes[iri])
            head += f',"overview":{{"x":{ox},"y":{oy},"size":{size},"shown":{shown},"rank":{rank}}}'
        out.append(f"{{{head},{data[1:]}")
    # A comma before this share's nodes, unless none came before them.
    return (("," if start and out else "") + ",".join(out)).encode("utf-8")


def _edges(made: Drawing, i: int, encode: Callable[[Any], str]) -> bytes:
    ids = made.ids
    start = made.picture.edge_starts[i]
    out = [
        encode(
            {
                "id": start + k,
                "from": ids[a],
                "to": ids[b],
                "label": label,
                "kind": kind,
                "source": ids.get(source, -1),
                "color": {"color": EDGE_COLOURS[kind], "highlight": "#1a73e8"},
                "dashes": kind != "link",
                "arrows": "to",
            }
        )
        for k, (a, b, label, kind, source) in enumerate(made.edges(i))
    ]
    return (("," if start and out else "") + ",".join(out)).encode("utf-8")


def _meta(made: Drawing, encode: Callable[[Any], str]) -> str:
    ids = made.ids
    # The actor overview's edges: [from, to, how many facts, {kind: count}, the facts, registry labels].
    between = [
        [ids[a], ids[b], d["weight"], d["kinds"], [ids[f] for f in d["facts"]], d["registry"]]
        for a, b, d in made.picture.overview_edges
    ]
    return encode({**made.meta, "overview": between})
