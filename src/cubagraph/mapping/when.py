"""Date hints for `cubagraph new`: dates a text states, and dates it gives relative to its publication.

A stated date ("July 11, 2021", "November 2019", "in 2018") is suggested as
written. A relative one ("on Monday", "yesterday", "last week", "earlier this
month", "two years ago", "March 3" without a year) is suggested as a *derived*
date: its value, at the precision the words allow, marked approximate, with the
words it was derived from and the basis (the publication date) in its note.
Nothing is derived when the basis is missing or too coarse ("on Monday" needs
the day of publication): the hint then says what is missing. A date relative to
another event ("two years after the protests") is left for the mapper, since
only the mapper knows which event is meant.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from . import dates

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"),
         ("november", "nov"), ("december", "dec")],
        1,
    )
    for name in names
}  # fmt: skip
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.)"
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NUMBERS = {
    w: n for n, w in enumerate(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"], 1)
}

# One pattern per form; the first that matches at a place wins (the alternation is tried in order).
_STATED = re.compile(
    rf"\b{_MONTH}\s+(?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>[0-9]{{4}}))?(?![0-9])"
    rf"|\b{_MONTH.replace('month', 'month2')}\s+(?P<year2>[0-9]{{4}})\b"
    r"|\b(?P<iso>[0-9]{4}-[0-9]{2}-[0-9]{2})\b"
    rf"|\b(?:in|since|until|by|during)\s+{_MONTH.replace('month', 'month3')}(?!\s+[0-9])"
    r"|\b(?:[Ii]n|[Ss]ince|[Uu]ntil|[Bb]y|[Dd]uring)\s+(?P<year3>(?:1[89]|20)[0-9]{2})\b(?![-/][0-9])",
)
_RELATIVE = re.compile(
    r"\b(?P<weekday>(?:(?:on|last|next|this)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b"
    r"|\b(?P<day>yesterday|today|tomorrow|this morning|this afternoon|this evening|last night)\b"
    r"|\b(?P<period>(?:last|this|next|earlier this|later this)\s+(?:week|month|year))\b"
    r"|\b(?P<ago>(?P<n>an?|one|two|three|four|five|six|seven|eight|nine|ten|[0-9]+)\s+"
    r"(?P<unit>years?|months?|weeks?|days?|decades?)\s+ago)\b"
    r"|\b(?P<other>(?:one|two|three|four|five|six|seven|eight|nine|ten|[0-9]+)\s+(?:years?|months?|weeks?|days?)"
    r"\s+(?:after|before|later|earlier))\b",
    re.I,
)


@dataclass(frozen=True)
class Basis:
    """The publication date, as far as it is known."""

    date: dates.PartialDate | None

    @classmethod
    def of(cls, published: str | None) -> Basis:
        if not published or published == "unknown":
            return cls(None)
        try:
            return cls(dates.parse(published))
        except dates.DateError:
            return cls(None)

    def day(self) -> dt.date | None:
        return self.date.earliest if self.date is not None and self.date.precision == "day" else None

    def month(self) -> tuple[int, int] | None:
        if self.date is None or self.date.month is None:
            return None
        return self.date.year, self.date.month

    def year(self) -> int | None:
        return self.date.year if self.date is not None else None

    def __str__(self) -> str:
        return f"the publication date, {self.date}" if self.date else "the publication date"


def hints(raw: str, published: str | None = None) -> list[dict[str, Any]]:
    """Every date the text states or gives relative to ``published``, as hints for `suggestions:`."""
    basis = Basis.of(published)
    found: list[tuple[int, dict[str, Any]]] = []
    taken: list[tuple[int, int]] = []
    full = _full_dates(raw)
    for m in _STATED.finditer(raw):
        hint = _stated(m, basis, full)
        if hint is not None:
            found.append((m.start(), hint))
            taken.append(m.span())
    for m in _RELATIVE.finditer(raw):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        found.append((m.start(), _relative(m, basis)))
    out, seen = [], set()
    for at, hint in sorted(found, key=lambda f: f[0]):
        hint["line"] = raw.count("\n", 0, at) + 1
        key = (hint["quote"], hint["date"])
        if key not in seen:
            seen.add(key)
            out.append(hint)
    return out


def _full_dates(raw: str) -> dict[tuple[int, int], int]:
    """(month, day) → year, for each month and day the text also gives with a year ("July 11, 2021")."""
    out: dict[tuple[int, int], int] = {}
    for m in _STATED.finditer(raw):
        if m.group("month") and m.group("year"):
            out.setdefault((_MONTHS[m.group("month").lower().rstrip(".")], int(m.group("day"))), int(m.group("year")))
    return out


def _stated(m: re.Match[str], basis: Basis, full: dict[tuple[int, int], int]) -> dict[str, Any] | None:
    quote = m.group(0)
    if m.group("month"):
        month, day = _MONTHS[m.group("month").lower().rstrip(".")], int(m.group("day"))
        if m.group("year"):
            return _valid({"date": f"{int(m.group('year')):04d}-{month:02d}-{day:02d}", "quote": quote})
        if (month, day) in full:
            year = full[(month, day)]
            why = f"the year the text gives for {m.group('month')} {day} elsewhere"
        elif basis.month() is not None:
            year = _nearest_year(basis, month)
            why = f"the {m.group('month')} {day} nearest {basis}"
        else:
            return {"date": "unknown", "quote": quote, "note": "the text gives no year: pass --published, or derive it"}
        if _valid({"date": f"{year:04d}-{month:02d}-{day:02d}"}) is None:
            return None
        return _derived(f"{year:04d}-{month:02d}-{day:02d}", quote, why)
    if m.group("month2"):
        return _valid({"date": f"{int(m.group('year2')):04d}-{_MONTHS[m.group('month2').lower().rstrip('.')]:02d}",
                       "quote": quote})  # fmt: skip
    if m.group("iso"):
        return _valid({"date": m.group("iso"), "quote": quote})
    if m.group("month3"):
        month = _MONTHS[m.group("month3").lower().rstrip(".")]
        if basis.month() is None:
            return {"date": "unknown", "quote": quote, "note": "the text gives no year: pass --published, or derive it"}
        year = _nearest_year(basis, month)
        return _derived(f"{year:04d}-{month:02d}", quote, f"the {m.group('month3')} nearest {basis}")
    return _valid({"date": m.group("year3"), "quote": quote})


def _nearest_year(basis: Basis, month: int) -> int:
    """The year that puts ``month`` nearest the publication month: March in a May article is this March."""
    year, published = basis.month()  # type: ignore[misc]  # callers check it is known
    candidates = [year - 1, year, year + 1]
    return min(candidates, key=lambda y: (abs((y - year) * 12 + month - published), y))  # a tie: the past


def _relative(m: re.Match[str], basis: Basis) -> dict[str, Any]:
    quote = m.group(0)
    words = " ".join(quote.lower().split())
    if m.group("other"):
        return {
            "date": "unknown",
            "quote": quote,
            "note": "a date relative to another date or event: derive it from that one, mark it approximate, "
            "with derived_from",
        }
    day = basis.day()
    if m.group("weekday"):
        if day is None:
            return _missing(quote, "the day of publication")
        target = _WEEKDAYS.index(words.split()[-1])
        back = (day.weekday() - target) % 7
        if words.startswith("last "):
            back = back or 7
        if words.startswith("next "):
            return _derived(str(day + dt.timedelta((target - day.weekday()) % 7 or 7)), quote, f"{basis}")
        return _derived(str(day - dt.timedelta(back)), quote, f"the {words.split()[-1].title()} on or before {basis}")
    if m.group("day"):
        if day is None:
            return _missing(quote, "the day of publication")
        shift = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(words, 0)
        return _derived(str(day + dt.timedelta(shift)), quote, f"{basis}")
    if m.group("period"):
        return _period(quote, words, basis)
    n = 1 if m.group("n").lower() in ("a", "an") else _NUMBERS.get(m.group("n").lower()) or int(m.group("n"))
    unit = m.group("unit").lower().rstrip("s")
    if unit == "decade":  # "a decade ago": ten years, at the precision of a year
        n, unit = n * 10, "year"
    if unit == "year" and basis.year() is not None:
        return _derived(f"{basis.year() - n:04d}", quote, f"{basis}")  # type: ignore[operator]
    if unit == "month" and basis.month() is not None:
        year, month = basis.month()  # type: ignore[misc]
        total = year * 12 + month - 1 - n
        return _derived(f"{total // 12:04d}-{total % 12 + 1:02d}", quote, f"{basis}")
    if unit in ("week", "day") and day is not None:
        return _derived(str(day - dt.timedelta(n * (7 if unit == "week" else 1))), quote, f"{basis}")
    return _missing(quote, "a publication date precise enough")


def _period(quote: str, words: str, basis: Basis) -> dict[str, Any]:
    unit = words.split()[-1]
    step = -1 if words.startswith("last") else 1 if words.startswith("next") else 0
    if unit == "year":
        if basis.year() is None:
            return _missing(quote, "the year of publication")
        return _derived(f"{basis.year() + step:04d}", quote, f"{basis}")  # type: ignore[operator]
    if unit == "month":
        if basis.month() is None:
            return _missing(quote, "the month of publication")
        year, month = basis.month()  # type: ignore[misc]
        total = year * 12 + month - 1 + step
        return _derived(f"{total // 12:04d}-{total % 12 + 1:02d}", quote, f"{basis}")
    day = basis.day()
    if day is None:
        return _missing(quote, "the day of publication")
    monday = day - dt.timedelta(day.weekday()) + dt.timedelta(7 * step)
    return _derived(f"{monday}/{monday + dt.timedelta(6)}", quote, f"the week (Monday to Sunday) of {basis}")


def _derived(value: str, quote: str, basis: str) -> dict[str, Any]:
    if "/" in value:
        first, last = value.split("/")
        paste = f"{{from: {first}, to: {last}, approximate: true, derived_from: {_yaml(quote)}}}"
    else:
        paste = f"{{value: {value}, approximate: true, derived_from: {_yaml(quote)}}}"
    return {"date": value, "quote": quote, "note": f"derived from {basis}; write it as {paste}"}


def _missing(quote: str, what: str) -> dict[str, Any]:
    return {
        "date": "unknown",
        "quote": quote,
        "note": f"a date relative to the publication: it needs {what} (pass --published); then derive it, "
        "mark it approximate, with derived_from",
    }


def _valid(hint: dict[str, Any]) -> dict[str, Any] | None:
    try:
        dates.parse(hint["date"])
    except dates.DateError:
        return None  # "February 30": not a date, so no hint
    return hint


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
