"""The passage of a text most like a quote that was not found in it: a hint, bounded in time.

Comparing the quote with every passage of the text is quadratic: one wrong
5,000-character quote in a 360 KB text took 165 s. Here the comparison is
anchored on the quote's rarest words: each place in the text where one of
them occurs proposes where the quote would start. The places most anchors
agree on are compared with the quote, at most ``CANDIDATES`` of them, and a
long quote is compared word by word rather than character by character. A
quote none of whose words occurs in the text has no closest passage (and
gets none, which is the truth: nothing in the text is like it).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable

WORD = re.compile(r"\w+")
ANCHORS = 12  # the quote's rarest words that propose a place
PER_ANCHOR = 64  # occurrences of one anchor word looked at: a word more common than this is no anchor
CANDIDATES = 8  # places compared in full
BUCKET = 24  # characters: proposals this close together count as one place
BY_WORDS = 300  # characters: a longer quote is compared as a sequence of words
GOOD_ENOUGH = 0.5


class Words:
    """A normalised text's words: where each occurs, counted once per text."""

    def __init__(self, norm: str):
        self.at: dict[str, list[int]] = {}
        for m in WORD.finditer(norm):
            self.at.setdefault(m.group(), []).append(m.start())


def closest(
    norm: str, words: Words, needle: str, widen: Callable[[int, int], tuple[int, int]]
) -> tuple[float, int, int] | None:
    """(similarity, start, end) of the passage of ``norm`` most like ``needle``; None below GOOD_ENOUGH.

    ``widen`` moves a (start, end) out to word boundaries.
    """
    found = [(m.group(), m.start()) for m in WORD.finditer(needle)]
    known = [(w, at) for w, at in found if 0 < len(words.at.get(w, ())) <= PER_ANCHOR]
    # Rarest first; of equally rare words, the longer (a name, not "of").
    known.sort(key=lambda item: (len(words.at[item[0]]), -len(item[0])))
    votes: Counter[int] = Counter()
    first: dict[int, int] = {}
    for word, offset in known[:ANCHORS]:
        for where in words.at[word]:
            start = max(0, where - offset)
            bucket = start // BUCKET
            votes[bucket] += 1
            first.setdefault(bucket, start)
    best: tuple[float, int, int] | None = None
    for bucket, _ in votes.most_common(CANDIDATES):
        start, end = widen(first[bucket], min(len(norm), first[bucket] + len(needle)))
        ratio = similarity(norm[start:end], needle)
        if best is None or ratio > best[0]:
            best = (ratio, start, end)
    return best if best is not None and best[0] >= GOOD_ENOUGH else None


def similarity(passage: str, needle: str) -> float:
    if len(needle) > BY_WORDS:
        return difflib.SequenceMatcher(None, passage.split(), needle.split(), autojunk=False).ratio()
    return difflib.SequenceMatcher(None, passage, needle, autojunk=False).ratio()
