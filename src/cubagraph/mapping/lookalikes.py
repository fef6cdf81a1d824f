"""Actors whose names look alike: perhaps one actor entered twice in the registry."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata

from ..errors import Problem
from . import model
from .load import RegistryFile
from .skeleton import skeleton

LOOKALIKE = 0.9  # name similarity above which two actors may be one
COMMON_WORD = 40  # a word in more names than this ("cuban", "the") does not make names comparable


def lookalikes(registry: RegistryFile, actors: dict[str, model.Actor]) -> list[Problem]:
    """Warn about actors whose names look alike: perhaps one actor entered twice.

    Comparing every pair of names is quadratic, so names are only compared
    when they share an uncommon word: a real duplicate ("Mario Diaz Balart"
    and "Mario Díaz-Balart") shares at least one.
    """
    loaded = registry.loaded
    problems = []
    where = {actor.id: loc for loc, actor in registry.actors}
    # Only a reported pair's lines are shown: most actors' are never needed (8,000 looked up, 0.24 s).
    line = functools.cache(lambda actor: loaded.line((*where[actor], "id")))
    names: list[tuple[str, str, str]] = []
    for _, actor in registry.actors:
        for name in sorted({actor.name, *actor.aliases}):
            key = _fold(name)
            if len(key) >= 4:
                names.append((key, name, actor.id))
    by_word: dict[str, list[int]] = {}
    for i, (key, _, _) in enumerate(names):
        for word in set(key.split()) | {key}:
            if len(word) >= 3:
                by_word.setdefault(word, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for members in by_word.values():
        if len(members) <= COMMON_WORD:
            pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1 :])
    reported: set[tuple[str, str]] = set()
    for i, j in sorted(pairs):
        (key_a, name_a, a), (key_b, name_b, b) = names[i], names[j]
        pair = (min(a, b), max(a, b))
        if a == b or pair in reported or b in actors[a].distinct_from or a in actors[b].distinct_from:
            continue
        if key_a == key_b or _alike(key_a, key_b):
            reported.add(pair)
            later = max(a, b, key=line)
            earlier = b if later == a else a
            problems.append(
                Problem(
                    loaded.path,
                    line(later),
                    f"actor {later!r} may duplicate {earlier!r}: {name_a!r} and {name_b!r} look alike",
                    f"if they are one actor, merge them; if not, add `distinct_from: [{earlier}]`",
                    warning=True,
                )
            )
    return problems


def _alike(a: str, b: str) -> bool:
    """Similarity of at least LOOKALIKE, with the cheap upper bounds tried first."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= LOOKALIKE and matcher.quick_ratio() >= LOOKALIKE and matcher.ratio() >= LOOKALIKE
    )


def _fold(name: str) -> str:
    """A name for comparison: its confusable skeleton (Cyrillic а as a, no zero-width characters), then no
    accents, no case, no punctuation."""
    shape = skeleton(unicodedata.normalize("NFKC", name))  # NFKC first: fullwidth Ｃ is C before it is compared
    if shape.isascii():  # no accents to take off (most names)
        plain = shape
    else:
        plain = "".join(c for c in unicodedata.normalize("NFKD", shape) if not unicodedata.combining(c))
    return " ".join(_NOT_ALNUM.sub(" ", plain.lower()).split())


_NOT_ALNUM = re.compile(r"[\W_]+")  # what str.isalnum() refuses: \w is alphanumerics and "_"
