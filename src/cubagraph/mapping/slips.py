"""Checks for classes of mapping slips that a reader found in the seeds, so that they cannot come back.

Each check here answers one slip that was made, and passed every other check:

- a placeholder that `cubagraph new` wrote, left in a confirmed item
  (``counts: "(what is counted?)"``), and an empty ``evidence: []``;
- a name with commas, unquoted in a YAML flow list, split into aliases
  ("Subcommittee on State", "Foreign Operations", "and Related Programs");
- a date derived from "two years after the July 11 protests" given to the
  day, when the words support only about July 2023;
- an item mapped as reported on words that the same mapping marks as an
  opinion or a speculation ("This development underscores the ongoing
  crackdown…").
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import Problem
from . import dates, model, placeholders
from .evidence import Span
from .yamlfile import Loaded
from .yamlfile import Path as Loc

# -- placeholders and empty evidence ------------------------------------------------------


def _placeholders(value: Any, loc: Loc, found: list[tuple[Loc, Any]]) -> None:
    """Every placeholder under ``value`` (at ``loc``) into ``found``, as (where, value), in the file's order.

    A text is looked at closely only if it could be one (an id of :data:`placeholders.IDS`,
    or a "?" for a question), and its place is made only then: a confirmed item has two
    dozen values, and 12,000 items took 0.3 s to walk value by value.
    """
    if isinstance(value, dict):
        inner: Any = value.items()
    elif isinstance(value, list):
        inner = enumerate(value)
    else:
        if placeholders.is_placeholder(value):
            found.append((loc, value))
        return
    ids = placeholders.IDS
    for key, one in inner:
        if isinstance(one, str):
            if (one in ids or "?" in one) and placeholders.is_placeholder(one):
                found.append(((*loc, key), one))
        elif isinstance(one, (dict, list)):
            _placeholders(one, (*loc, key), found)
        # Numbers, booleans and nulls are never placeholders.


def placeholders_left(loaded: Loaded, loc: Loc) -> list[Problem]:
    """Every placeholder in the confirmed item at ``loc``, each at its own line."""
    item = loaded.data
    for part in loc:
        item = item[part]
    found: list[tuple[Loc, Any]] = []
    _placeholders(item, loc, found)
    problems = []
    for at, value in found:
        field = ".".join(str(p) for p in at[len(loc) :] if isinstance(p, str)) or "value"
        problems.append(
            Problem(
                loaded.path,
                loaded.line(at),
                f"`{field}` is still the placeholder {value!r} that `cubagraph new` wrote",
                placeholders.fix(value),
            )
        )
    return problems


def empty_evidence(loaded: Loaded, loc: Loc, item: model.Assertion) -> list[Problem]:
    if item.evidence:
        return []
    if isinstance(item, model.Statement):
        fix = "quote the words that say who said it and where, e.g. 'Blinken said in a Twitter post'"
    else:
        fix = "quote the passage of the text it rests on"
    where = (*loc, "evidence")
    return [Problem(loaded.path, loaded.line(where), "`evidence` is empty: nothing in the text grounds this item", fix)]


# -- aliases ------------------------------------------------------------------------------

_CONJUNCTION = re.compile(r"(?i)(and|or|&)\b")


def alias_slips(loaded: Loaded, at: Loc, actor: model.Actor) -> list[Problem]:
    """Aliases that are pieces of a name split at its commas."""
    problems = []
    names = [actor.name, *actor.aliases]
    for j, alias in enumerate(actor.aliases):
        line = loaded.line((*at, "aliases", j))
        words = alias.strip()
        if _CONJUNCTION.match(words):
            whole = ", ".join(a.strip() for a in actor.aliases[max(0, j - 2) : j + 1])
            problems.append(
                Problem(
                    loaded.path,
                    line,
                    f"alias {alias!r} of {actor.id!r} starts with {words.split()[0]!r}: it looks like the end of a "
                    "name with commas, split into several aliases by an unquoted YAML list",
                    f'quote the whole name as one alias, e.g. "{whole}"',
                )
            )
            continue
        for other in names:
            if other is alias or other == alias:
                continue
            if _listed_in(words, other):
                problems.append(
                    Problem(
                        loaded.path,
                        line,
                        f"alias {alias!r} of {actor.id!r} is one item of the list in its other name {other!r}, "
                        "not a name of its own: a name with commas was probably split",
                        "quote the whole name as one alias, and delete the pieces",
                    )
                )
                break
    return problems


def _listed_in(piece: str, name: str) -> bool:
    """``piece`` is an item of an enumeration inside ``name``: set off by commas or a conjunction."""
    if "," not in name or piece not in name:  # never listed then: no pattern to make (4,000 aliases, 0.7 s)
        return False
    for m in re.finditer(re.escape(piece), name):
        before = name[: m.start()].rstrip()
        after = name[m.end() :].lstrip()
        set_before = before.endswith(",") or re.search(r"(?i)\b(and|or)$", before) is not None
        set_after = after.startswith(",") or re.match(r"(?i)(and|or)\b", after) is not None
        listed = (set_before and set_after) or (set_before and not after) or (set_after and not before)
        if listed and "," in name:
            return True
    return False


# -- derived dates ------------------------------------------------------------------------

_ORDER = {"year": 0, "month": 1, "day": 2}
_NUMBER = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an|[0-9]+)"
_OFFSET = re.compile(rf"(?i)\b{_NUMBER}[\s-]+(year|month|week|day)s?\b|\b(anniversary)\b")
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY = re.compile(rf"\b{_MONTH}\s+[0-9]{{1,2}}\b|\b[0-9]{{1,2}}\s+{_MONTH}\b|\b[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}\b")
_MONTHLY = re.compile(rf"\b{_MONTH}\b|\b[0-9]{{4}}-[0-9]{{2}}\b|\b(?i:last|this|next) (?i:month)\b")
_DAILY = re.compile(
    r"(?i)\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tonight|(last|this|next) week)\b"
)
_YEARLY = re.compile(r"(?i)\b[0-9]{4}\b|\b(last|this|next) year\b")


def allowed_precision(basis: str) -> str:
    """The finest precision that a date derived from the words ``basis`` can have.

    Counting years or months from a day ("two years after July 11") lands
    about a month, not on a day: the source does not say the day. Weeks and
    days counted ("three days later", "on Monday") keep the day. Otherwise
    the basis allows what it names: "July 7" a day, "in July" a month,
    "in 2018" a year. Words that name no time at all are left to the mapper.
    """
    offsets = [(m.group(1) or m.group(2)).lower() for m in _OFFSET.finditer(basis)]
    if any(unit in ("year", "month", "anniversary") for unit in offsets):
        return "month"
    if offsets or _DAY.search(basis) or _DAILY.search(basis):
        return "day"
    if _MONTHLY.search(basis):
        return "month"
    if _YEARLY.search(basis):
        return "year"
    return "day"


def derived_too_fine(loaded: Loaded, loc: Loc, date: model.DateSpec) -> list[Problem]:
    if not date.derived_from or date.unknown:
        return []
    allowed = allowed_precision(date.derived_from)
    given = [date.value] if date.value is not None else [d for d in (date.start, date.end) if d]
    problems = []
    for value in given:
        precision = dates.parse(value).precision
        if _ORDER[precision] > _ORDER[allowed]:
            coarser = str(_coarsen(dates.parse(value), allowed))
            problems.append(
                Problem(
                    loaded.path,
                    loaded.line((*loc, "value") if date.value is not None else loc),
                    f"the date {value} is given to the {precision}, but it is derived from "
                    f"{short(date.derived_from, 60)}, which supports only the {allowed}",
                    f"write {coarser} (approximate), the precision the words support",
                )
            )
    return problems


def _coarsen(day: dates.PartialDate, precision: str) -> dates.PartialDate:
    if precision == "year":
        return dates.PartialDate(day.year)
    return dates.PartialDate(day.year, day.month)


# -- reported on words that judge -----------------------------------------------------------

_JUDGING = ("opinion", "speculation")


def reported_on_judging_words(
    loaded: Loaded, items: list[tuple[Loc, model.Assertion]], spans: dict[Loc, Span]
) -> list[Problem]:
    """A reported item whose every evidence quote lies inside the evidence of an opinion or a speculation."""
    judging: list[tuple[Span, model.Assertion]] = []
    for loc, item in items:
        if item.modality in _JUDGING and not item.suggested:
            judging += [
                (spans[(*loc, "evidence", i)], item)
                for i in range(len(item.evidence))
                if (*loc, "evidence", i) in spans
            ]
    problems = []
    for loc, item in items:
        if item.modality != "reported" or item.suggested or not item.evidence:
            continue
        found = [spans.get((*loc, "evidence", i)) for i in range(len(item.evidence))]
        if any(span is None for span in found):
            continue  # a quote not found is reported where it is
        inside = [
            next((j for s, j in judging if s.start <= span.start and span.end <= s.end), None) for span in found if span
        ]
        if inside and all(j is not None for j in inside):
            judge = inside[0]
            assert judge is not None
            problems.append(
                Problem(
                    loaded.path,
                    loaded.line((*loc, "modality") if "modality" in _keys(loaded, loc) else (*loc, "id")),
                    f"{item.id!r} is mapped as reported, but its only evidence lies inside the words that "
                    f"{judge.id!r} marks as {judge.modality}",
                    f"give it `modality: {judge.modality}` (the words judge or guess), or quote words of the text "
                    "that report it",
                )
            )
    return problems


def _keys(loaded: Loaded, loc: Loc) -> set[str]:
    item = loaded.data
    for part in loc:
        item = item[part]
    return set(item) if isinstance(item, dict) else set()


def short(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut to ``limit`` characters, quoted: for messages."""
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
