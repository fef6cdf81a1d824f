"""Dates as sources give them: at their own precision, never more precise.

``2021-07-11`` is a day, ``2019-11`` a month, ``2018`` a year. A range has a
start and an end, each at its own precision. ``unknown`` is a date too: the
mapper looked and the text gives none. Derived dates ("two years after July
11, 2021") are marked approximate and say what they were derived from.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

# [0-9], not \d: \d takes any script's digits (٢٠٢١, ２０２１), and int() would quietly turn them into 2021.
_FORM = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
FORMS = "YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021-07-11), or 'unknown'"


class DateError(ValueError):
    """A date that is malformed or does not exist."""


@dataclass(frozen=True)
class PartialDate:
    """A day, a month or a year."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> dt.date:
        if self.day:
            return dt.date(self.year, self.month or 1, self.day)
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def xsd_type(self) -> str:
        return {"day": "date", "month": "gYearMonth", "year": "gYear"}[self.precision]


def parse(text: str) -> PartialDate:
    """Parse one date, refusing impossible ones with the reason."""
    m = _FORM.fullmatch(text.strip())
    other = next((c for c in text if c.isdecimal() and not c.isascii()), None)
    if other is not None:
        raise DateError(
            f"{text!r} has the digit {other!r} (U+{ord(other):04X}, {unicodedata.name(other, 'a non-ASCII digit')});"
            f" write the date with ASCII digits 0-9: {FORMS}"
        )
    if not m:
        raise DateError(f"{text!r} is not a date; write {FORMS}")
    year = int(m[1])
    month = int(m[2]) if m[2] else None
    day = int(m[3]) if m[3] else None
    if year < 1:
        raise DateError(f"{text!r}: year 0000 does not exist")
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"{text!r}: month {month} does not exist")
    if day is not None and month is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            name = calendar.month_name[month]
            raise DateError(f"{text!r} does not exist: {name} {year} has {last} days")
    return PartialDate(year, month, day)
