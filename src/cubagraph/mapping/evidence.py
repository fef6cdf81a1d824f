"""Locate evidence quotes in a document's text.

A quote matches when it equals a passage of the text after both are
normalised the same way: Unicode NFKC, curly quotes and apostrophes as
straight ones, dashes as hyphens, and every run of white space (non-breaking
spaces and line breaks included) as one space. Case, accents and words are
never changed, and a match must start and end on word boundaries, so that
"53 prisoners" does not match inside "553 prisoners".

Offsets are in Unicode code points of the stored text, exactly as the file
decodes, which is what W3C Web Annotation's TextPositionSelector counts.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from dataclasses import dataclass

from . import closest as nearby

CONTEXT = 32  # characters of prefix and suffix kept in a TextQuoteSelector

_FOLD = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
}
# Invisible characters that copy-and-paste adds or drops.
_DROP = set("\u00ad\u200b\u200c\u200d\u2060\ufeff")


@dataclass(frozen=True)
class Span:
    """Where a quote sits in the text."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    line: int  # 1-based line of the text where the quote starts


class Text:
    """A document's text, normalised once (on first use) for matching, with a map back."""

    def __init__(self, raw: str):
        self.raw = raw
        self._norm: str | None = None
        self._index: _Index | None = None
        self._words: nearby.Words | None = None  # made on the first failed quote, for its closest passage

    @property
    def norm(self) -> str:
        if self._norm is None:
            self._norm, self._index = _normalise_fast(self.raw)
        return self._norm

    def _start(self, i: int) -> int:
        assert self._index is not None
        return self._index.start(i)

    def _end(self, i: int) -> int:
        assert self._index is not None
        return self._index.end(i)

    def find(self, quote: str) -> list[tuple[int, int]]:
        """Every place ``quote`` occurs, as (start, end) offsets in the raw text."""
        needle = normalise(quote)
        if not needle:
            return []
        norm = self.norm
        found = []
        at = norm.find(needle)
        while at != -1:
            last = at + len(needle) - 1
            if _boundary(norm, at, last):
                found.append((self._start(at), self._end(last)))
            at = norm.find(needle, at + 1)
        return found

    def span(self, start: int, end: int) -> Span:
        raw = self.raw
        return Span(
            start=start,
            end=end,
            exact=raw[start:end],
            prefix=raw[max(0, start - CONTEXT) : start],
            suffix=raw[end : end + CONTEXT],
            line=raw.count("\n", 0, start) + 1,
        )

    def closest(self, quote: str) -> tuple[str, int, str] | None:
        """The passage most like ``quote``, its line, and the words that differ (see :mod:`.closest`)."""
        needle = normalise(quote)
        if not needle or not self.norm:
            return None
        if self._words is None:
            self._words = nearby.Words(self.norm)
        best = nearby.closest(self.norm, self._words, needle, lambda a, b: (self._word_start(a), self._word_end(b)))
        if best is None:
            return None
        _, start, end = best
        passage = self.norm[start:end].strip()
        line = self.raw.count("\n", 0, self._start(start)) + 1
        return passage, line, word_diff(passage, needle)

    def _word_start(self, start: int) -> int:
        while start > 0 and self.norm[start - 1].isalnum():
            start -= 1
        return start

    def _word_end(self, end: int) -> int:
        norm = self.norm
        while end < len(norm) and norm[end].isalnum():
            end += 1
        # Keep punctuation attached to the last word ("prisoners."), so that
        # of two otherwise equal passages the one that ends like the quote wins.
        while end < len(norm) and not norm[end].isspace() and not norm[end].isalnum():
            end += 1
        return end


def word_diff(expected: str, given: str) -> str:
    """Words of ``given`` that differ from ``expected``, as "'given' where the text has 'expected'".

    Words are compared without the punctuation around them: the passage shown
    is cut at word boundaries, so its edges are not what differs.
    """
    a, b = expected.split(), given.split()
    bare_a = [w.strip(_PUNCT) for w in a]
    bare_b = [w.strip(_PUNCT) for w in b]
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, bare_a, bare_b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        said, text = " ".join(b[j1:j2]), " ".join(a[i1:i2])
        if op == "replace":
            parts.append(f"'{said}' where the text has '{text}'")
        elif op == "delete":
            parts.append(f"missing '{text}'")
        else:
            parts.append(f"extra '{said}'")
    return "; ".join(parts)


_PUNCT = "\"'.,;:!?()[]{}-"


def normalise(text: str) -> str:
    """``text`` as matching sees it (see the module docstring)."""
    return _normalise_fast(text)[0].strip()


class _Index:
    """Maps positions in the normalised text back to the raw text."""

    def __init__(self, starts: list[int] | None, ends: list[int] | None, breaks: list[tuple[int, int, int]] | None):
        self._starts, self._ends = starts, ends
        # For the fast path: (normalised position, raw start, raw end) of each collapsed run.
        self._breaks = breaks or []
        self._keys = [b[0] for b in self._breaks]

    def start(self, i: int) -> int:
        if self._starts is not None:
            return self._starts[i]
        k = bisect.bisect_right(self._keys, i) - 1
        if k < 0:
            return i
        pos, raw_start, raw_end = self._breaks[k]
        return raw_start if i == pos else raw_end + (i - pos - 1)

    def end(self, i: int) -> int:
        if self._ends is not None:
            return self._ends[i]
        k = bisect.bisect_right(self._keys, i) - 1
        if k >= 0 and self._breaks[k][0] == i:
            return self._breaks[k][2]
        return self.start(i) + 1


_SPACE = re.compile(r"\s+")
# A run of white space other than one plain space: what the fast path must record. Most runs are
# the single spaces between words; matching only the others spares a Python step for each word.
_RUN = re.compile(r"[^\S ]\s*| \s+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SPECIAL = re.compile("[" + re.escape("".join(sorted(_DROP))) + "]")
_FOLD_TABLE = str.maketrans(_FOLD)


def _normalise_fast(raw: str) -> tuple[str, _Index]:
    """The common case in C speed: text already in NFKC with nothing to drop.

    Folding quotes and dashes keeps lengths, so only collapsed white space
    moves positions; those runs are recorded and looked up by bisection.
    Anything else takes the careful path, character by character.
    """
    if not raw.isascii() and (
        # White space of any kind becomes one space on both paths, so only the rest must be in NFKC:
        # a non-breaking space (common in news text) no longer sends a document down the slow path.
        not unicodedata.is_normalized("NFKC", _SPACE.sub(" ", raw))
        or _SPECIAL.search(raw)
        # A combining mark belongs with its base character, which only the careful path groups.
        or any(unicodedata.combining(c) for c in set(_NON_ASCII.findall(raw)))
    ):
        norm, starts, ends = _normalise(raw)
        return norm, _Index(starts, ends, None)
    folded = raw.translate(_FOLD_TABLE)
    parts: list[str] = []
    breaks: list[tuple[int, int, int]] = []
    last = 0
    length = 0
    for m in _RUN.finditer(folded):  # a single space stays as it is: nothing moves
        parts.append(folded[last : m.start()])
        length += m.start() - last
        parts.append(" ")
        breaks.append((length, m.start(), m.end()))
        length += 1
        last = m.end()
    parts.append(folded[last:])
    return "".join(parts), _Index(None, None, breaks)


def _boundary(norm: str, first: int, last: int) -> bool:
    if norm[first].isalnum() and first > 0 and norm[first - 1].isalnum():
        return False
    after = last + 1
    return not (norm[last].isalnum() and after < len(norm) and norm[after].isalnum())


def _normalise(raw: str) -> tuple[str, list[int], list[int]]:
    """Normalise ``raw``; for each output character, the raw span it came from."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        # A base character with its combining marks normalises as one unit,
        # so that "i" + U+0301 and "í" compare equal.
        j = i + 1
        while j < n and unicodedata.combining(raw[j]):
            j += 1
        cluster = raw[i:j]
        if cluster.isspace():
            if out and out[-1] == " ":
                ends[-1] = j
            else:
                out.append(" ")
                starts.append(i)
                ends.append(j)
        else:
            for ch in unicodedata.normalize("NFKC", cluster):
                if ch in _DROP:
                    continue
                ch = _FOLD.get(ch, ch)
                if ch.isspace():
                    ch = " "
                    if out and out[-1] == " ":
                        ends[-1] = j
                        continue
                out.append(ch)
                starts.append(i)
                ends.append(j)
        i = j
    return "".join(out), starts, ends
