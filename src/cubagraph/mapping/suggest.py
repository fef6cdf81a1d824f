"""Suggestions for a new mapping: what a mapper would look for first, found in the text.

Every suggestion carries an exact quote from the text, so it can be checked
at a glance, and none of them enters the graph until the mapper confirms it:
known actors and dates become hints under ``suggestions:``; numbers, quoted
speech and posts held become figures, statements and roles marked
``suggested: true``. Who says a thing is taken from the words next to it
(:mod:`.attribution`); dates relative to the publication are derived, with
their basis (:mod:`.when`). :mod:`.draft` writes them out as YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import attribution, placeholders, when
from .attribution import Names, Who
from .evidence import Text

_COMPARATORS = {
    "more than": "more_than", "over": "more_than", "upwards of": "more_than",
    "at least": "at_least",
    "about": "about", "around": "about", "roughly": "about", "approximately": "about", "nearly": "about",
    "almost": "about", "estimated at": "about", "an estimated": "about", "estimated": "about", "some": "about",
    "up to": "up_to", "as many as": "up_to",
    "fewer than": "less_than", "less than": "less_than", "under": "less_than",
}  # fmt: skip
_NUMBER = re.compile(
    r"(?:(?P<comparator>"
    + "|".join(sorted((re.escape(c) for c in _COMPARATORS), key=len, reverse=True))
    + r")\s+)?(?P<currency>US\$|\$|€|£)?(?P<number>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?"
    r"|(?<![\w-])(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"(?=\s+[a-z]))(?![0-9])"
    r"(?:\s+(?P<scale>million|billion|thousand|trillion)\b)?"
    r"(?:(?P<percent>%)|-(?P<hyphen>year|month|day)\b|(?=(?P<rest>(?:\s+[A-Za-z][\w'’-]*){1,3})))?",
    re.I,
)
_DAY_OF = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr"
    r"|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+$"
)
_WORDS = {
    w: n
    for n, w in enumerate(
        ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"], 2
    )
}
_PERIOD = re.compile(r"\b(?:past|last|next|previous|first|coming|following|recent)\s+$", re.I)
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000}
_CURRENCY_SIGNS = {"$": "usd", "us$": "usd", "€": "eur", "£": "gbp"}
# The words that name a unit after a number. Each is suggested only if the ontology's vocabulary has it.
_UNIT_WORDS = {
    "percent": "percent", "per cent": "percent", "percentage points": "percent",
    "years": "years", "year": "years", "months": "months", "month": "months", "days": "days", "day": "days",
    "dollars": "usd", "euros": "eur", "pesos": "cup",
    "of those": "persons", "of them": "persons", "of whom": "persons",
}  # fmt: skip
PEOPLE = {
    "people", "persons", "individuals", "prisoners", "protesters", "demonstrators", "detainees", "inmates",
    "children", "minors", "activists", "dissidents", "bystanders", "civilians", "journalists", "cubans",
    "migrants", "members", "residents", "workers", "doctors", "opponents", "artists", "women", "men",
}  # fmt: skip
# What a figure measures, by the words of its sentence: the first rule whose unit and words fit wins.
_MEASURES: list[tuple[set[str], str, str]] = [
    ({"years", "months", "days"}, r"sentenc|prison|jail|behind bars", "sentence_length"),
    ({"percent"}, r"", "share"),
    ({"money"}, r"\bexport(?:s|ed|ing|ers?)?\b", "export_value"),
    ({"money"}, r"\bimport(?:s|ed|ing|ers?)?\b", "import_value"),  # not "important"
    ({"money"}, r"remittance", "remittance_value"),
    ({"money"}, r"\baid\b|humanitarian", "aid_value"),
    ({"money"}, r"invest", "investment_value"),
    ({"money"}, r"provision|suppl|provid", "supply_value"),
    ({"money"}, r"\btrade", "trade_value"),
    ({"persons"}, r"releas|\bfre(?:ed|e)\b|pardon", "people_released"),
    ({"persons"}, r"convict|sentenced", "people_convicted"),
    ({"persons"}, r"detain|jail|in prison|behind bars|arrest|\bheld\b|remain in", "people_detained"),
    ({"persons"}, r"killed|\bdied\b|dead", "people_killed"),
    ({"persons"}, r"migra|\bleft\b|leave|\bfled\b|entered|exodus|at sea", "people_migrating"),
    ({"persons"}, r"protest|demonstrat", "people_protesting"),
    ({"persons"}, r"", "people_count"),
]


@dataclass
class Found:
    hints: list[dict[str, Any]] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Post:
    """A post of the registry, as the text may name it."""

    names: list[str]
    organization: list[str] = field(default_factory=list)  # the organization's name and aliases
    role: str = ""


def find(
    raw: str,
    actors: dict[str, list[str]],
    *,
    kinds: dict[str, str] | None = None,
    posts: dict[str, Post] | None = None,
    published: str | None = None,
    units: set[str] | None = None,
    measures: set[str] | None = None,
    governments: dict[str, str] | None = None,
) -> Found:
    """Suggestions for ``raw``; ``actors`` maps each known actor id to its name and aliases.

    ``kinds`` gives each actor's type (person, organization...), ``posts`` the registry's
    posts, ``published`` the publication date that relative dates are derived from, and
    ``units`` and ``measures`` the keys of the ontology's vocabularies (None: every one known here),
    and ``governments`` who governs each country (so that "the government" has a name).
    """
    text = Text(raw)
    names = Names(actors, kinds or {}, governments)
    found = Found()
    found.hints = _actors(text, actors) + when.hints(raw, published)
    found.statements = _statements(text, names)
    found.figures = _figures(text, names, found.statements, units, measures)
    found.roles = _roles(text, names, posts or {})
    return found


def line(raw: str, at: int) -> int:
    return raw.count("\n", 0, at) + 1


def _unique(text: Text, quote: str, at: int) -> dict[str, Any] | None:
    """``quote``, found at offset ``at``, as evidence: with ``occurrence`` when it occurs more than once."""
    hits = text.find(quote)
    if not hits:
        return None
    if len(hits) == 1:
        return {"quote": quote}
    starts = [start for start, _ in hits]
    return {"quote": quote, "occurrence": starts.index(at) + 1 if at in starts else 1}


def _actors(text: Text, actors: dict[str, list[str]]) -> list[dict[str, Any]]:
    hints = []
    for actor_id, names in sorted(actors.items()):
        best: tuple[int, int, str] | None = None
        for name in sorted(set(names), key=lambda n: -len(n)):
            if len(name) < 3:
                continue
            hits = text.find(name)
            if hits:
                start, end = hits[0]
                if best is None or start < best[0]:
                    best = (start, end, text.raw[start:end])
        if best:
            hints.append({"actor": actor_id, "quote": best[2], "line": line(text.raw, best[0])})
    return sorted(hints, key=lambda h: (h["line"], h["actor"]))


def _unit(m: re.Match[str], units: set[str] | None) -> tuple[str, int] | None:
    """The figure's unit and where its words end, or None: a bare number is too often a day or a list item."""
    sign = (m.group("currency") or "").lower()
    if sign:
        unit, end = _CURRENCY_SIGNS[sign], m.end("scale") if m.group("scale") else m.end("number")
    elif m.group("percent"):
        unit, end = "percent", m.end("percent")
    elif m.group("hyphen"):
        unit, end = _UNIT_WORDS[m.group("hyphen").lower() + "s"], m.end("hyphen")
    else:
        rest = m.group("rest") or ""
        words = rest.split()
        lowered = [w.lower().rstrip(".,;:") for w in words]
        unit, size = "", 0
        for n in (2, 1):
            phrase = " ".join(lowered[:n])
            if len(lowered) >= n and phrase in _UNIT_WORDS:
                unit, size = _UNIT_WORDS[phrase], n
                break
        if not unit and lowered and lowered[0] in PEOPLE:
            unit, size = "persons", 1
        if not unit:
            return None
        last = words[size - 1].rstrip(".,;:")
        end = m.start("rest") + rest.index(last, len(" ".join(words[: size - 1]))) + len(last)
        if unit == "persons" and lowered[0] in ("of",):
            end = m.end("number")  # "at least 350 of those still held": the number is the figure
    if units is not None and unit not in units:
        return None
    return unit, end


def _figures(
    text: Text, names: Names, statements: list[dict[str, Any]], units: set[str] | None, measures: set[str] | None
) -> list[dict[str, Any]]:
    raw = text.raw
    figures: list[dict[str, Any]] = []
    seen: set[str] = set()
    kept: set[tuple[Any, ...]] = set()
    for m in _NUMBER.finditer(raw):
        if _DAY_OF.search(raw, max(0, m.start() - 12), m.start()):
            continue  # "July 11 protesters": a day of a month, not a count
        number = m.group("number").replace(",", "")
        scale = (m.group("scale") or "").lower()
        found = _unit(m, units)
        if found is None:
            continue
        unit, end = found
        if number.lower() in _WORDS:  # "two journalists": a count of people in words, and nothing else
            if unit != "persons" or scale or m.group("currency"):
                continue
            number = str(_WORDS[number.lower()])
        if unit in ("years", "months", "days") and not scale and re.fullmatch(r"(1[89]|20)[0-9]{2}", number):
            continue  # "in 2018, years of ...": a year, not a length of time
        if unit in ("years", "months", "days") and _PERIOD.search(raw, max(0, m.start() - 20), m.start()):
            continue  # "in the past 12 months": when, not how much
        written = Decimal(number)
        value = written * _SCALES.get(scale, 1)
        comparator = _COMPARATORS.get(" ".join((m.group("comparator") or "").lower().split()), "exact")
        start = (
            m.start("comparator")
            if m.group("comparator")
            else m.start("currency")
            if m.group("currency")
            else m.start("number")
        )
        quote = raw[start:end]
        evidence = _unique(text, quote, start)
        if evidence is None or quote in seen:
            continue
        seen.add(quote)
        money = unit in _CURRENCY_SIGNS.values() or unit in ("cup",)
        head = (m.group("rest") or "").split()[:1]
        counts = head[0].lower().rstrip(".,;:") if unit == "persons" and head and head[0].lower() != "of" else ""
        if (value, unit, counts, comparator) in kept:
            continue  # the same figure again: its first mention is enough to start from
        kept.add((value, unit, counts, comparator))
        slug = re.sub(r"[^a-z0-9]+", "-", f"{number}-{counts or unit}".lower()).strip("-")
        figure_id, ids = f"figure-{slug}", {f["id"] for f in figures}
        while figure_id in ids:
            figure_id += "-again"
        figure: dict[str, Any] = {
            "id": figure_id,
            # The number as written, with its scale word apart: "$275.9 million" is 275.9 million, not 275,900,000.
            "value": int(written) if written == written.to_integral_value() else written,
            "comparator": comparator,
            "unit": unit,
            "counts": counts or placeholders.COUNTS,
            "as_of": "unknown",
            "evidence": [evidence],
            "line": line(raw, start),
        }
        if scale:
            figure["scale"] = scale
        if m.group("number")[0].isdigit():  # "two journalists" states no digits to keep
            figure["stated"] = raw[m.start("currency") if m.group("currency") else m.start("number") : end]
        sentence = raw[slice(*attribution.sentence(raw, start, end))].lower()
        measured = _measure("money" if money else unit, sentence, measures)
        if measured:
            figure["measures"] = measured
        spoken = next((s for s in statements if s["at"][0] <= start < s["at"][1]), None)
        if spoken is not None:  # in quoted words: the speaker's claim
            figure["asserted_by"], figure["modality"] = spoken["speaker"], "quoted"
        else:
            figure["asserted_by"] = _asserter(attribution.source(raw, start, end, names), figure)
        figures.append(figure)
    return figures


def _measure(unit: str, sentence: str, measures: set[str] | None) -> str | None:
    for unit_kinds, words, key in _MEASURES:
        if unit in unit_kinds and re.search(words, sentence) and (measures is None or key in measures):
            return key
    return None


def _asserter(who: Who | None, figure: dict[str, Any]) -> str:
    if who is None:
        return "article"
    if who.actor is not None and who.unnamed is None:
        return who.actor
    figure["asserter_note"] = "the text names a source the registry lacks: add it to data/actors.yaml, then use its id"
    return placeholders.ASSERTER


_QUOTED = re.compile(r"[\"“]([^\"“”\n]{20,}?)[\"”]")
_MEDIA = {
    "twitter": ("social_media_post", "Twitter"),
    "tweet": ("social_media_post", "Twitter"),
    "x post": ("social_media_post", "X"),
    "facebook": ("social_media_post", "Facebook"),
    "press release": ("press_release", None),
    "interview": ("interview", None),
    "speech": ("speech", None),
}
_HOW = re.compile(
    r"\s+(?:in an? (?:Twitter |X |Facebook )?(?:post|statement|interview|tweet|speech|press release|release)"
    r"|on (?:Twitter|X|Facebook)|(?:to )?reporters)\b"
)


def _statements(text: Text, names: Names) -> list[dict[str, Any]]:
    raw = text.raw
    statements = []
    for i, m in enumerate(_QUOTED.finditer(raw), 1):
        words = m.group(1).strip(" ,.")
        at = m.start(1) + m.group(1).index(words)
        evidence = _unique(text, words, at)
        if evidence is None:
            continue
        who = attribution.speaker(raw, m.start(), m.end(), names)
        first, last = attribution.paragraph(raw, m.start(), m.end())
        window = raw[first:last].lower()
        medium, platform = next(((k, p) for word, (k, p) in _MEDIA.items() if word in window), ("unspecified", None))
        statement: dict[str, Any] = {
            "id": f"statement-{i}",
            "speaker": placeholders.SPEAKER,
            "medium": medium,
            "date": "unknown",
            "quote": [evidence],
            "evidence": [],
            "line": line(raw, m.start()),
            "at": (m.start(), m.end()),
        }
        if who is not None and who.unnamed is not None and who.actor is not None:
            statement["speaker"] = {"unnamed": who.unnamed, "of": who.actor}
        elif who is not None and who.actor is not None:
            statement["speaker"] = who.actor
        elif who is not None:
            statement["speaker_note"] = "the text names a speaker the registry lacks: add them to data/actors.yaml"
        if who is not None and who.span is not None:
            start, end = who.span
            how = _HOW.match(raw, end)
            end = how.end() if how else end
            attributed = _unique(text, raw[start:end], start)
            if attributed is not None:
                statement["evidence"] = [attributed]
        if platform:
            statement["platform"] = platform
        statements.append(statement)
    return statements


def _roles(text: Text, names: Names, posts: dict[str, Post]) -> list[dict[str, Any]]:
    raw, roles, seen = text.raw, [], set()
    for post_id, post in sorted(posts.items()):
        pattern = "|".join(re.escape(n) for n in sorted(_post_names(post), key=len, reverse=True))
        for m in re.finditer(rf"(?<![\w.])(?:{pattern})(?!\w)", raw, re.I):
            holder = _holder(raw, m.start(), m.end(), names)
            if holder is None or (holder[0], post_id) in seen:
                continue
            actor, start, end = holder
            evidence = _unique(text, raw[start:end], start)
            if evidence is None:
                continue
            seen.add((actor, post_id))
            roles.append({
                "id": f"{actor}-{post_id}"[:80].strip("-"), "holder": actor, "post": post_id, "as_of": "unknown",
                "evidence": [evidence], "line": line(raw, start), "at": start,
            })  # fmt: skip
    return sorted(roles, key=lambda r: (r["at"], r["post"]))


def _post_names(post: Post) -> set[str]:
    """The post's names and aliases, with the forms news text uses for them ("Secretary of State")."""
    out = set(post.names)
    out |= {n[len("U.S. ") :] for n in post.names if n.startswith("U.S. ")}
    if post.role == "chair":
        out |= {f"{title} of the {org}" for title in ("chairman", "chairwoman", "chair") for org in post.organization}
    return {n for n in out if len(n) >= 4}


def _holder(raw: str, start: int, end: int, names: Names) -> tuple[str, int, int] | None:
    """The person who holds the post named at ``raw[start:end]``: right after it, or just before it and a comma."""
    after = re.match(r"\s+", raw[end:])
    at = end + (after.end() if after else 0)
    for first, last, actor in names.all(raw, at, min(len(raw), at + 60)):
        if first == at and after and names.kinds.get(actor) == "person":
            return actor, start, last
        break
    before = re.search(
        r",\s+(?:the\s+|who is (?:the\s+)?)?(?:(?:former|then|current|acting|new|outgoing|[A-Z][a-z]+)\s+)?$",
        raw[max(0, start - 40) : start],
    )
    if before:
        cut = start - len(before.group(0))
        named = names.ending(raw[max(0, cut - 80) : cut])
        if named is not None and names.kinds.get(named[1]) == "person":
            return named[1], max(0, cut - 80) + named[0], end
    return None
