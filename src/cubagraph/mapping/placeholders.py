"""The placeholders `cubagraph new` writes, in one list, so that `check` knows every one of them.

A suggestion is a guess the mapper must finish: where the text did not say
who spoke or what a figure counts, `new` writes a placeholder that reads as
the question to answer. While the item is ``suggested: true`` a placeholder
is fine; once the mapper confirms the item, each placeholder left is an
error at its own line (:mod:`cubagraph.mapping.validate`), with the fix that
answers its question. Suggestions (mapping/suggest.py) take their
placeholders from here, never from literals of their own, so that a new kind
of placeholder is refused as soon as it is written.

Two forms are recognised: the ids below (a reference that is no actor), and
any text that is a question in parentheses, such as ``(what is counted?)``.
An empty ``evidence: []`` is the third kind, checked where evidence is.
"""

from __future__ import annotations

import re
from typing import Any

# Reference placeholders: the field, the id `new` writes, and the fix.
SPEAKER = "who-said-it"
ASSERTER = "who-asserts-it"
ACTOR = "which-actor"

# Text placeholders: a question in parentheses.
COUNTS = "(what is counted?)"
SUMMARY = "(what does it say?)"
LABEL = "(what happened?)"

_QUESTION = re.compile(r"\(\s*[^()]*\?\s*\)")

FIXES: dict[str, str] = {
    SPEAKER: "write who said it: the id of the actor the text names as the speaker, or "
    "`{unnamed: spokesperson, of: ACTOR-ID}` when it names only whom they speak for ('a State Department "
    "spokesperson')",
    ASSERTER: "write who asserts it: `article` when the document itself says it, or the actor id of the source "
    "it cites",
    ACTOR: "write the actor's id",
    COUNTS: "write what the figure counts, in the text's words (e.g. 'value of U.S. exports to Cuba in 2018')",
    SUMMARY: "write what it says, in one sentence",
    LABEL: "write what happened, in a few words",
}

IDS = frozenset({SPEAKER, ASSERTER, ACTOR})


def is_placeholder(value: Any) -> bool:
    """True for a value that `new` wrote for the mapper to replace."""
    if not isinstance(value, str):
        return False
    return value in IDS or _QUESTION.fullmatch(value.strip()) is not None


def fix(value: str) -> str:
    """How to replace ``value``."""
    return FIXES.get(value, "replace it with what the text says")
