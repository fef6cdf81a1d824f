"""How much of each document its mapping cites: the share of sentences that some evidence quote touches.

A sentence counts as cited when any evidence of the built graph overlaps it
(an event's, a statement's words or attribution, a figure's, a claim's, a date's
``derived_from``): the graph stores every quote's offsets in its
``oa:TextPositionSelector``, so nothing is located again here. Suggested items
are not in the graph, so they do not count until they are confirmed.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from ..rdf.namespaces import CG, OA
from .sentences import split


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    line: int  # 1-based line of the text where the sentence starts
    text: str
    cited: bool


@dataclass(frozen=True)
class Coverage:
    """One document's sentences, each marked cited or not."""

    document: str
    text_file: str
    sentences: list[Sentence]

    @property
    def cited(self) -> int:
        return sum(s.cited for s in self.sentences)

    @property
    def share(self) -> float:
        return self.cited / len(self.sentences) if self.sentences else 1.0

    @property
    def uncited(self) -> list[Sentence]:
        return [s for s in self.sentences if not s.cited]


def spans(quads: list[ox.Quad]) -> dict[str, list[tuple[int, int]]]:
    """Every evidence span in each named graph, as (start, end) offsets, sorted."""
    start, end = ox.NamedNode(OA + "start"), ox.NamedNode(OA + "end")
    found: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for q in quads:
        if q.predicate == start or q.predicate == end:
            pair = found[(q.graph_name.value, q.subject.value)]  # type: ignore[union-attr]  # the builder names every node
            pair[0 if q.predicate == start else 1] = int(q.object.value)  # type: ignore[union-attr]
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for (graph, _), (first, last) in found.items():
        out[graph].append((first, last))
    return {graph: sorted(pairs) for graph, pairs in out.items()}


def text_files(quads: list[ox.Quad]) -> dict[str, str]:
    """Each document graph's stored text file (``cg:textFile``), by graph name."""
    prop = ox.NamedNode(CG + "textFile")
    return {q.graph_name.value: q.object.value for q in quads if q.predicate == prop}  # type: ignore[union-attr]


def of_document(document: str, text_file: str, text: str, cited: list[tuple[int, int]]) -> Coverage:
    """``text`` split into sentences, each marked cited when a span of ``cited`` overlaps it."""
    sentences = [
        Sentence(first, last, text.count("\n", 0, first) + 1, text[first:last], hit)
        for first, last, hit in _marked(text, cited)
    ]
    return Coverage(document, text_file, sentences)


def uncited(text: str, cited: list[tuple[int, int]]) -> list[list[int]]:
    """``of_document(...).uncited`` as [start, end] offsets: what the viewer's reader needs, without each
    sentence's line and words (a cold build asks this of every document)."""
    return [[first, last] for first, last, hit in _marked(text, cited) if not hit]


def _marked(text: str, cited: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Each sentence of ``text`` as (start, end, whether a span of ``cited``, sorted, overlaps it)."""
    starts = [s for s, _ in cited]
    reach = _reach(cited)
    out = []
    for first, last in split(text):
        # The spans that start before this sentence ends; one of them reaches into it if the furthest does.
        n = bisect.bisect_left(starts, last)
        out.append((first, last, n > 0 and reach[n - 1] > first))
    return out


def _reach(cited: list[tuple[int, int]]) -> list[int]:
    """For each span (sorted by start), the furthest end among it and those before it."""
    out, furthest = [], -1
    for _, end in cited:
        furthest = max(furthest, end)
        out.append(furthest)
    return out


def of_dataset(quads: list[ox.Quad], texts: Mapping[str, str], graphs: Mapping[str, str]) -> list[Coverage]:
    """Coverage of each document in ``graphs`` (graph name → document id), in document order."""
    found, files = spans(quads), text_files(quads)
    return [
        of_document(doc, files.get(graph, ""), texts.get(doc, ""), found.get(graph, []))
        for graph, doc in sorted(graphs.items(), key=lambda gd: gd[1])
    ]
