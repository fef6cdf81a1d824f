"""A figure as the text states it: its number, its scale word, its precision, and the words themselves.

"$275.9 million" is mapped as ``value: 275.9``, ``scale: million`` and
``stated: "$275.9 million"``. The quantity is 275,900,000 US dollars, stated
to 0.1 million: the last digit the text gives is worth 100,000. Nothing is
more precise than its words, so the graph keeps that step beside the value,
and the label repeats the stated words rather than "exactly 275,900,000".
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..errors import Problem
from . import model
from .yamlfile import Loaded
from .yamlfile import Path as Loc

SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000}


def quantity(figure: model.Figure) -> int | Decimal:
    """The whole number the figure states: value times scale."""
    full = Decimal(figure.value) * SCALES.get(figure.scale or "", 1)
    return int(full) if full == full.to_integral_value() else full.normalize()


def step(figure: model.Figure) -> int | Decimal:
    """What the last stated digit is worth: 0.1 million is 100000; a whole number is stated to 1."""
    exponent = int(Decimal(figure.value).as_tuple().exponent)
    worth = Decimal(1).scaleb(min(exponent, 0)) * SCALES.get(figure.scale or "", 1)
    return int(worth) if worth == worth.to_integral_value() else worth.normalize()


def written(figure: model.Figure) -> str:
    """The value's digits as the mapping writes them (275.9, 700): what the stated words must contain."""
    return format(Decimal(figure.value), "f") if isinstance(figure.value, Decimal) else str(figure.value)


def problems(loaded: Loaded, loc: Loc, figure: model.Figure) -> list[Problem]:
    """The stated words must be in the evidence and hold the value's digits."""
    if figure.stated is None:
        return []
    line = loaded.line((*loc, "stated"))
    quotes = [q.quote for q in figure.evidence]
    if not any(figure.stated in q for q in quotes):
        return [
            Problem(
                loaded.path,
                line,
                f"the stated words {figure.stated!r} are not in the figure's evidence",
                "copy them from the evidence quote exactly (e.g. '$275.9 million')",
            )
        ]
    digits = re.sub(r"(?<=[0-9]),(?=[0-9]{3})", "", figure.stated)
    if written(figure) not in digits:
        scale = f" {figure.scale}" if figure.scale else ""
        return [
            Problem(
                loaded.path,
                loaded.line((*loc, "value")),
                f"the value {written(figure)}{scale} is not the number the text states ({figure.stated!r})",
                "write the number as stated, with `scale:` for a word such as million (value: 275.9, scale: million)",
            )
        ]
    return []


def label(figure: model.Figure, comparator: str, unit: str) -> str:
    """The figure's label, in the stated form: '$275.9 million', 'more than 700 persons'."""
    if figure.label:
        return figure.label
    if figure.stated:
        said = figure.stated
        if figure.comparator != "exact" and comparator.lower() not in said.lower():
            said = f"{comparator} {said}"
        return f"{said}: {figure.counts}"
    number = f"{written(figure)} {figure.scale}" if figure.scale else f"{quantity(figure):,}"
    said = number if figure.comparator == "exact" else f"{comparator} {number}"
    return f"{said} {unit}: {figure.counts}"
