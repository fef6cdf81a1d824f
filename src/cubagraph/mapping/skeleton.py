"""Confusable skeletons (Unicode TR39, section 4): two names that look the same have the same skeleton.

``Cubа`` with a Cyrillic а, ``Cu\u200bba`` with a zero-width space, and
``Cuba`` all have the skeleton ``Cuba``. The algorithm is TR39's: NFD, drop
the default-ignorable code points, map each character to its prototype, NFD
again. The data is Unicode's confusables.txt as the well-kept
``confusable_homoglyphs`` package ships it. That package answers only "is this
string confusable with some script?", not "do these two strings look alike?",
so the skeleton is computed here from its table, where each source character
lists its one prototype and each prototype lists its sources. In the few
classes of exactly two characters the table does not say which is the
prototype; the smaller code point stands for both, which compares the same.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from importlib import resources

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt): invisible, so a name that differs only in them looks the same.
_IGNORABLE = [
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
]  # fmt: skip


@functools.cache
def prototypes() -> dict[str, str]:
    """Each confusable character's prototype (a string: some prototypes are two characters)."""
    table = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    found: dict[str, str] = {}
    for char, group in table.items():
        if len(group) != 1:
            continue  # a prototype: it lists its many sources, and stands for itself
        target = group[0]["c"]
        back = [g["c"] for g in table.get(target, [])]
        if len(target) == 1 and back == [char]:
            found[char] = min(char, target)  # a class of two: either could be the prototype
        else:
            found[char] = target
    return found


@functools.cache
def _table() -> dict[int, str | None]:
    """:meth:`str.translate`'s table: each confusable character to its prototype, each ignorable one to nothing.

    (A character at a time in Python took 0.73 s for the 8,000 names of a
    4,000-actor registry, which every cold build compares; the table 0.08 s.)
    """
    table: dict[int, str | None] = {ord(c): p for c, p in prototypes().items() if len(c) == 1}
    for lo, hi in _IGNORABLE:  # after the prototypes: an ignorable character is dropped, not mapped
        table.update(dict.fromkeys(range(lo, hi + 1)))
    return table


def skeleton(text: str) -> str:
    """TR39's skeleton of ``text``."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).translate(_table()))
