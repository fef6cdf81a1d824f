"""A quote inside its sentence, for the viewer's provenance panel: text before it, the quote, text after it.

Sentences are found by punctuation, with the usual abbreviations ("Mr.",
"U.S.") not taken for ends; a very long "sentence" (a list, a table) is cut
to 400 characters each side of the quote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_BOUNDARY = re.compile(r"[.!?][\"'’”)]*\s+(?=[\"'‘“(]?[A-Z0-9])|\n")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.)+$|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Sen|Rep|Gov|Lt|Col|No|vs|Inc|Co)\.$")


# Characters before a quote's window that its sentence search may skip: a boundary ending more than 400
# before the quote is cut to 400 anyway, so any boundary that counts ends within 401 of it (was 1,000).
_SKIP = 401
_PLAIN = re.compile(r"[^.!?\"'’”)\s]")  # a character no sentence boundary can end at or run through


def _scan_from(text: str, start: int) -> int:
    """Where to look for the sentence before ``start`` so that the answer is what a scan from 0 gives.

    A boundary ending more than 400 characters before the quote is cut to 400 anyway, so
    a long text need not be scanned from its start. A boundary cannot run through a plain
    character, so matches found from just after one are the matches a scan from 0 finds.
    """
    at = start - _SKIP
    while at > 0 and not _PLAIN.match(text, at - 1):
        at -= 1
    return max(at, 0)


def in_context(quote: dict[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
    """The quote inside its sentence: text before it, the quote, text after it."""
    text = texts.get(quote["document"])
    start, end = quote.get("start"), quote.get("end")
    out = {k: v for k, v in quote.items() if k not in ("prefix", "suffix")}
    if text is None or start is None or end is None:
        out["before"], out["after"] = quote.get("prefix", ""), quote.get("suffix", "")
        return out
    first = 0
    # The boundary's lookahead reads the quote's first characters ('. "We'): let it, but take no boundary past the quote's start.
    for m in _BOUNDARY.finditer(text, _scan_from(text, start), start + 2):
        if m.end() > start:
            break
        if not _ABBREVIATION.search(text[max(0, m.start() - 12) : m.start() + 1]):
            first = m.end()
    last = len(text)
    for m in _BOUNDARY.finditer(text, end):
        if not _ABBREVIATION.search(text[max(0, m.start() - 12) : m.start() + 1]):
            last = m.start() + 1
            break
    # A very long "sentence" (a list, a table) is cut to 400 characters each side.
    cut_before, cut_after = first < start - 400, last > end + 400
    first, last = max(first, start - 400), min(last, end + 400)
    out["before"] = ("…" if cut_before else "") + text[first:start]
    out["after"] = text[end:last] + ("…" if cut_after else "")
    return out


def split(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as (start, end) offsets, by the boundaries :func:`in_context` uses.

    A line break always ends a sentence (headings, list items and table rows are lines);
    white space around a sentence is left out, and a stretch with no letter or digit in it
    (a table rule, a row of dashes) is no sentence.
    """
    spans: list[tuple[int, int]] = []
    first = 0
    for m in _BOUNDARY.finditer(text):
        if text[m.start()] != "\n" and _ABBREVIATION.search(text[max(0, m.start() - 12) : m.start() + 1]):
            continue
        end = m.start() if text[m.start()] == "\n" else m.end()
        spans.append((first, end))
        first = m.end()
    spans.append((first, len(text)))
    out = []
    for start, end in spans:
        piece = text[start:end]
        if not any(c.isalnum() for c in piece):
            continue
        lead = len(piece) - len(piece.lstrip())
        out.append((start + lead, start + len(piece.rstrip())))
    return out
