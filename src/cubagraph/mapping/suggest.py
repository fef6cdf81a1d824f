"""Suggestions for a new mapping: what a mapper would look for first, found in the text.

Every suggestion carries an exact quote from the text, so it can be checked
at a glance, and none of them enters the graph until the mapper confirms it:
known actors and dates become hints under ``suggestions:``; numbers and
quoted speech become figures and statements marked ``suggested: true``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import dates
from .evidence import Text

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"], 1
)}  # fmt: skip
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE = re.compile(
    rf"\b{_MONTH}\s+([0-9]{{1,2}})(?:st|nd|rd|th)?(?:,\s*([0-9]{{4}}))?\b|\b{_MONTH}\s+([0-9]{{4}})\b|\b([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})\b"
)
_RELATIVE = re.compile(
    r"\b(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|[0-9]+)\s+(?:years?|months?|weeks?|days?)\s+(?:after|before|ago|later|earlier)|"
    r"last\s+(?:year|month|week)|yesterday|earlier this (?:year|month|week))\b",
    re.I,
)
_NUMBER = re.compile(
    r"(?P<comparator>more than|over|at least|about|around|nearly|almost|up to|fewer than|less than|estimated at|some)?\s*"
    r"(?P<currency>\$)?(?P<number>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?)"
    r"(?:\s+(?P<scale>million|billion|thousand))?"
    r"(?P<rest>(?:\s+[A-Za-z][\w'-]*){1,3})?",
    re.I,
)
_PEOPLE = {
    "people",
    "persons",
    "individuals",
    "prisoners",
    "protesters",
    "detainees",
    "children",
    "activists",
    "bystanders",
    "civilians",
    "journalists",
    "cubans",
    "migrants",
    "members",
}
_COMPARATORS = {
    "more than": "more_than",
    "over": "more_than",
    "at least": "at_least",
    "about": "about",
    "around": "about",
    "nearly": "about",
    "almost": "about",
    "estimated at": "about",
    "some": "about",
    "up to": "up_to",
    "fewer than": "less_than",
    "less than": "less_than",
}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_QUOTED = re.compile(r"[\"“]([^\"“”\n]{20,}?)[\"”]")
_SAID = re.compile(r"\b(said|says|wrote|tweeted|posted|stated|told|added|according to)\b", re.I)
_MEDIA = {
    "twitter": ("social_media_post", "Twitter"),
    "tweet": ("social_media_post", "Twitter"),
    "x post": ("social_media_post", "X"),
    "facebook": ("social_media_post", "Facebook"),
    "press release": ("press_release", None),
    "interview": ("interview", None),
    "speech": ("speech", None),
}


@dataclass
class Found:
    hints: list[dict[str, Any]] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)


def find(raw: str, actors: dict[str, list[str]]) -> Found:
    """Suggestions for ``raw``; ``actors`` maps each known actor id to its name and aliases."""
    text = Text(raw)
    found = Found()
    found.hints += _actors(text, actors)
    found.hints += _dates(text)
    found.figures = _figures(text)
    found.statements = _statements(text, actors)
    return found


def _line(raw: str, at: int) -> int:
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
            hints.append({"actor": actor_id, "quote": best[2], "line": _line(text.raw, best[0])})
    return sorted(hints, key=lambda h: (h["line"], h["actor"]))


def _dates(text: Text) -> list[dict[str, Any]]:
    hints = []
    for m in _DATE.finditer(text.raw):
        quote = m.group(0)
        value, note = None, None
        if m.group(1):
            month, day, year = MONTHS[m.group(1).lower()], int(m.group(2)), m.group(3)
            if year:
                value = f"{int(year):04d}-{month:02d}-{day:02d}"
            else:
                note = "the text gives no year: derive it from the context, and mark the date approximate"
        elif m.group(4):
            value = f"{int(m.group(5)):04d}-{MONTHS[m.group(4).lower()]:02d}"
        else:
            value = m.group(6)
        if value is not None:
            try:
                dates.parse(value)
            except dates.DateError:
                continue
        hint: dict[str, Any] = {"date": value or "unknown", "quote": quote, "line": _line(text.raw, m.start())}
        if note:
            hint["note"] = note
        hints.append(hint)
    for m in _RELATIVE.finditer(text.raw):
        hints.append({
            "date": "unknown", "quote": m.group(0), "line": _line(text.raw, m.start()),
            "note": "a relative date: derive the date from what it is relative to, and mark it approximate",
        })  # fmt: skip
    seen, out = set(), []
    for h in sorted(hints, key=lambda h: (h["line"], h["quote"])):
        if (h["quote"], h["date"]) not in seen:
            seen.add((h["quote"], h["date"]))
            out.append(h)
    return out


def _figures(text: Text) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    seen: set[str] = set()
    kept: set[tuple[Any, ...]] = set()
    for m in _NUMBER.finditer(text.raw):
        number = m.group("number").replace(",", "")
        currency, scale = m.group("currency"), (m.group("scale") or "").lower()
        rest = (m.group("rest") or "").strip()
        words = rest.split()
        if not currency and re.fullmatch(r"(1[89]|20)[0-9][0-9]", number) and not scale:
            continue  # a year, not a quantity
        if not currency and not scale and not (words and words[0].lower().rstrip(".,") in _PEOPLE):
            continue  # a bare number: too often a day, an ordinal or a list item
        value = Decimal(number) * _SCALES.get(scale, 1)
        unit = "usd" if currency else "persons"
        comparator = _COMPARATORS.get((m.group("comparator") or "").lower(), "exact")
        start = (
            m.start("comparator") if m.group("comparator") else m.start("currency") if currency else m.start("number")
        )
        end = m.end("scale") if scale else m.end("number")
        if unit == "persons" and words:
            end = m.start("rest") + len(m.group("rest")) - len(m.group("rest").lstrip()) + len(words[0].rstrip(".,"))
        quote = text.raw[start:end].strip()
        evidence = _unique(text, quote, start + len(text.raw[start:end]) - len(text.raw[start:end].lstrip()))
        if evidence is None or quote in seen:
            continue
        seen.add(quote)
        counts = " ".join(words[:1]).rstrip(".,").lower() if unit == "persons" else "(what is counted?)"
        if (value, unit, counts, comparator) in kept:
            continue  # the same figure again: its first mention is enough to start from
        kept.add((value, unit, counts, comparator))
        slug = re.sub(r"[^a-z0-9]+", "-", f"{number}-{counts if unit == 'persons' else 'usd'}".lower()).strip("-")
        ids = {f["id"] for f in figures}
        figure_id = f"figure-{slug}"
        while figure_id in ids:
            figure_id += "-again"
        figures.append({
            "id": figure_id,
            "value": int(value) if value == value.to_integral_value() else value,
            "comparator": comparator,
            "unit": unit,
            "counts": counts,
            "as_of": "unknown",
            "evidence": [evidence],
            "line": _line(text.raw, start),
        })  # fmt: skip
    return figures


def _statements(text: Text, actors: dict[str, list[str]]) -> list[dict[str, Any]]:
    statements = []
    names = sorted(((n, a) for a, ns in actors.items() for n in ns if len(n) >= 3), key=lambda na: -len(na[0]))
    for i, m in enumerate(_QUOTED.finditer(text.raw), 1):
        words = m.group(1).strip(" ,.")
        evidence = _unique(text, words, m.start(1) + m.group(1).index(words))
        if evidence is None:
            continue
        # The nearest speaker: a known name in the same paragraph, closest to the quote, near "said".
        para_start = text.raw.rfind("\n", 0, m.start()) + 1
        para_end = text.raw.find("\n", m.end())
        para_end = len(text.raw) if para_end == -1 else para_end
        window = text.raw[para_start:para_end]
        speaker, distance = None, None
        for name, actor_id in names:
            for hit in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", window):
                at = para_start + hit.start()
                if m.start() <= at < m.end():
                    continue  # a name inside the quote is what is spoken of, not who speaks
                d = min(abs(at - m.start()), abs(at - m.end()))
                near_said = _SAID.search(text.raw[max(para_start, at - 40) : at + len(name) + 40])
                if near_said and (distance is None or d < distance):
                    speaker, distance = actor_id, d
        medium: str = "unspecified"
        platform: str | None = None
        lower = window.lower()
        for word, (medium_key, platform_name) in _MEDIA.items():
            if word in lower:
                medium, platform = medium_key, platform_name
                break
        statement: dict[str, Any] = {
            "id": f"statement-{i}",
            "speaker": speaker or "who-said-it",
            "medium": medium,
            "date": "unknown",
            "quote": [evidence],
            "line": _line(text.raw, m.start()),
        }
        if platform:
            statement["platform"] = platform
        statements.append(statement)
    return statements


# -- writing the skeleton ---------------------------------------------------------------


# What YAML may not hold raw (outside its printable set: DEL, C1 controls, surrogates, U+FFFE/U+FFFF), and the
# characters it reads as line breaks (NEL, LS, PS), which a double-quoted scalar would fold into a space.
_NOT_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _q(value: Any) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML, once YAML's own unprintables are escaped."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return _NOT_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(str(value), ensure_ascii=False))


def skeleton(document: dict[str, Any], found: Found, schema_path: str) -> str:
    out = [f"# yaml-language-server: $schema={schema_path}", ""]
    out.append("# Written by `cubagraph new`. Map what the text asserts, each item with an exact quote.")
    out.append("# Items marked `suggested: true`, and the hints under `suggestions:`, were found in the")
    out.append("# text and are NOT in the graph: check each one, then delete its `suggested: true`")
    out.append("# (or the hint). `cubagraph check` lists the ones left. See docs/mapping.md.")
    out.append("")
    out.append("document:")
    for key in ("id", "text", "title", "language", "published", "url"):
        if document.get(key) is not None:
            out.append(f"  {key}: {_q(document[key])}")
    out.append("")
    out.append("suggestions:")
    if not found.hints:
        out[-1] += " []"
    for h in found.hints:
        first = f"actor: {h['actor']}" if "actor" in h else f"date: {_q(h['date'])}"
        out.append(f"  - {first}")
        out.append(f"    quote: {_q(h['quote'])}")
        out.append(f"    line: {h['line']}")
        if h.get("note"):
            out.append(f"    note: {_q(h['note'])}")
    out.append("")
    out.append(
        "events: []  # e.g. - {id: ..., type: protest, label: ..., date: ..., participants: [...], evidence: [...]}"
    )
    out.append("")
    out.append("statements:" + (" []" if not found.statements else ""))
    for s in found.statements:
        out.append(f"  - id: {s['id']}")
        out.append("    suggested: true")
        comment = (
            "  # who said it? an actor id" if s["speaker"] == "who-said-it" else "  # the nearest named speaker: check"
        )
        out.append(f"    speaker: {s['speaker']}{comment}")
        out.append(f"    medium: {s['medium']}")
        if s.get("platform"):
            out.append(f"    platform: {_q(s['platform'])}")
        out.append("    date: unknown")
        out.append(f"    quote:  # line {s['line']} of the text")
        for q in s["quote"]:
            out.append(f"      - {_evidence(q)}")
        out.append("    evidence: []")
    out.append("")
    out.append("figures:" + (" []" if not found.figures else ""))
    for f in found.figures:
        out.append(f"  - id: {f['id']}")
        out.append("    suggested: true")
        out.append(f"    value: {_q(f['value'])}")
        out.append(f"    comparator: {f['comparator']}")
        out.append(f"    unit: {f['unit']}")
        out.append(f"    counts: {_q(f['counts'])}")
        out.append("    as_of: unknown")
        out.append(f"    evidence:  # line {f['line']} of the text")
        for q in f["evidence"]:
            out.append(f"      - {_evidence(q)}")
    out.append("")
    for section in ("claims", "relations", "roles"):
        out.append(f"{section}: []")
    return "\n".join(out) + "\n"


def _evidence(q: dict[str, Any]) -> str:
    if "occurrence" in q:
        return f"{{quote: {_q(q['quote'])}, occurrence: {q['occurrence']}}}"
    return _q(q["quote"])
