"""The documents the viewer's reader shows: each one's text, title, and where its graph cites it.

A document's graph carries every quote's offsets (its ``oa:TextPositionSelector``),
so the reader highlights them where they are stored, and nothing is searched
again in the browser. The sentences that no quote touches are found here, by
the same split and overlap rule as ``cubagraph coverage``, and shipped as
offsets too. Offsets count Unicode code points, as Python's do; the page
converts them to its UTF-16 positions.

A page holds the texts of the documents it draws from, the ones with most
nodes on the page first, up to ``viewer_texts`` characters (set in
``[tool.cubagraph]``): 10,000 documents' texts are 40 MB, more than a page can
carry. The reader names a document whose text was left out, and its file.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..rdf.namespaces import CG, DCTERMS, OA, RDF
from ..rdf.terms import Literal, Row
from .coverage import uncited

DOCUMENT = "html:document"  # the part of a graph's piece that holds its document's text, one document a line
TEXTS = 8_000_000  # characters of documents' texts a page holds at most (viewer_texts)
# The predicates :func:`part` reads: the quotes' offsets, the documents' type, title, text file and date.
_READ = {OA + "start", OA + "end", RDF + "type", DCTERMS + "title", CG + "published", CG + "textFile"}
_READ |= {CG + "dateValue", CG + "start", CG + "end", CG + "approximate"}
_TYPE, _DOCUMENT = RDF + "type", CG + "Document"


def part(rows: Iterable[Row], texts: Mapping[str, str], encode: Any) -> tuple[bytes, dict[str, Any]]:
    """The document part of a graph's piece, and what the page's index says of it (title, when, digest).

    ``encode`` makes JSON safe inside ``<script>`` (export.html's).
    """
    table = rows if isinstance(rows, Sequence) else list(rows)
    props: dict[str, dict[str, list[Any]]] = {}
    documents, typed = set(), set()
    for s, p, o in table:
        if p in _READ:  # the rest of the rows (most of them) are never looked at here
            if p == _TYPE:  # a type only says which nodes are documents: skipping the rest spares a dict per node
                typed.add(s)
                if o == _DOCUMENT:
                    documents.add(s)
                continue
            node = props.get(s)
            if node is None:
                node = props[s] = {}
            if p in node:
                node[p].append(o)
            else:
                node[p] = [o]
    spans: list[tuple[int, int]] = []
    for node in props.values():
        start, end = node.get(OA + "start"), node.get(OA + "end")
        if start and end:
            spans.append((int(start[0].value), int(end[0].value)))
    lines, titles = [], {}
    for iri in sorted(documents):
        node = props.get(iri, {})
        doc = iri.rsplit("/", 1)[-1]
        title = _text(node.get(DCTERMS + "title"))
        published = _published(node.get(CG + "published"), props, typed, table)
        titles[doc] = [title, published]
        text = texts.get(doc)
        if text is None:
            continue
        file = _text(node.get(CG + "textFile"))
        data = {
            "title": title,
            "published": published,
            "file": file,
            "text": text,
            "cited": _merged(sorted(spans)),
            "uncited": uncited(text, sorted(spans)),
        }
        lines.append(f"{doc}\t{encode(data)}\n")
    data_bytes = "".join(lines).encode("utf-8")
    index = {"titles": titles, "digest": hashlib.sha256(data_bytes).hexdigest()[:32]} if titles else {}
    return data_bytes, index


def of_texts(texts: Mapping[str, str], quotes: Iterable[dict[str, Any]], encode: Any) -> bytes:
    """The document part for documents known only by their texts (a projection in memory, as tests draw)."""
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for q in quotes:
        if q.get("start") is not None:
            spans[q["document"]].append((q["start"], q["end"]))
    lines = []
    for doc in sorted(texts):
        cited = sorted(spans.get(doc, []))
        left = uncited(texts[doc], cited)
        data = {"title": doc, "published": "", "file": "", "text": texts[doc], "cited": _merged(cited)}
        data["uncited"] = left
        lines.append(f"{doc}\t{encode(data)}\n")
    return "".join(lines).encode("utf-8")


def choose(held: Sequence[tuple[int, str, int]], budget: int) -> set[str]:
    """Which documents' texts a page holds: (nodes on the page, id, size) each; most nodes first, within ``budget``."""
    chosen, used = set(), 0
    for count, doc, size in sorted(held, key=lambda h: (-h[0], h[1])):
        if count and used + size <= budget:
            chosen.add(doc)
            used += size
    return chosen


def _merged(spans: list[tuple[int, int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for start, end in spans:
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def _text(values: list[Any] | None) -> str:
    return str(values[0].value) if values and isinstance(values[0], Literal) else ""


def _published(
    ref: list[Any] | None, props: Mapping[str, Mapping[str, list[Any]]], typed: set[str], rows: Sequence[Row]
) -> str:
    # A date that is no subject of the graph is no date; one with none of the rows read here is "unknown".
    # Every node cubagraph builds has a type: the rows are searched only for one that has none.
    if not ref or (ref[0] not in props and ref[0] not in typed and not any(s == ref[0] for s, _, _ in rows)):
        return ""
    date = props.get(ref[0], {})
    for key in ("dateValue", "start"):
        if date.get(CG + key):
            value = _text(date[CG + key])
            if key == "start" and date.get(CG + "end"):
                value += "/" + _text(date[CG + "end"])
            approximate = date.get(CG + "approximate")
            return value + (" (approx.)" if approximate and _text(approximate) == "true" else "")
    return "unknown"


def block(parts: Sequence[bytes], chosen: set[str], encode: Any) -> str:
    """The page's JSON of documents' texts: ``{id: {...}}`` for the chosen documents."""
    entries = []
    for data in parts:
        for line in data.decode("utf-8").split("\n")[:-1]:
            doc, _, body = line.partition("\t")
            if doc in chosen:
                entries.append(f"{encode(doc)}:{body}")
    return "{" + ",".join(entries) + "}"


def digest(indexes: Iterable[Mapping[str, Any]]) -> str:
    """One name for every document part behind a page: the page is made again when any text changes."""
    h = hashlib.sha256()
    for ix in indexes:
        h.update(json.dumps(ix.get("reader", {}).get("digest", "")).encode())
    return h.hexdigest()[:32]
