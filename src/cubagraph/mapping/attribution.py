"""Who says it, from the words around it: the speaker of a quote, the source of a figure.

News text attributes in a few fixed shapes: a name next to a verb of saying
("Blinken said", "said Human Rights Watch", "according to the State
Department"), a noun or pronoun that points back to a name ("the organization
said", "he wrote"), or an unnamed person of a named body ("a State Department
spokesperson"). The subject of the verb nearest the words is taken. A subject the
registry does not hold ("said Juanita Goebertus", "the U.S. Coast Guard said")
is a speaker too, one that cannot be suggested: nothing is guessed then, rather
than the nearest known name, which would be someone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

# Verbs that attribute words to a speaker, and those that attribute a figure to a source.
_SPEECH = (
    r"said|says|say|wrote|writes|tweeted|posted|stated|told|added|warned|insisted|noted|argued|saying|[Aa]ccording to"
)
_SOURCE = (
    _SPEECH + r"|reported|reports|estimated|estimates|announced|counted|found|showed|shows|cautioned|believes"
    r"|documented|recorded|calculated"
)
SPEECH = re.compile(rf"\b(?:{_SPEECH})\b")
SOURCE = re.compile(rf"\b(?:{_SOURCE})\b")
# A noun or pronoun that points back to an actor named before it, and the kind of actor it takes.
_BACK = re.compile(
    r"(?:\b[Tt]he\s+(?P<body>organi[sz]ation|group|department|ministry|agency|government|committee|subcommittee|office"
    r"|report|statement|release|watchdog|court|administration|regime|campaign|charity)|\b(?P<person>[Hh]e|[Ss]he)"
    r"|\b(?P<it>[Ii]t))$"
)
_UNNAMED_WORDS = (
    r"\b(?:[Aa]n?|[Tt]he|[Oo]ne)\s+(?P<before>[^,.;:\"“”]{0,60}?)\s*\b(?P<who>spokesperson|spokesman|spokeswoman|"
    r"official|source|diplomat)s?\b(?:\s+(?:for|of|at|with|close\s+to|in)\s+(?P<after>[^,.;:\"“”]{1,60}))?"
)
_UNNAMED = re.compile(_UNNAMED_WORDS + "$")  # the subject just before a verb
_UNNAMED_ANY = re.compile(_UNNAMED_WORDS)  # anywhere: "a State Department official", to which "the official" points
_CAPITALISED = re.compile(r"(?:[A-Z][\w'’.-]*\s+){0,4}[A-Z][\w'’.-]*$")
_CAPITALISED_START = re.compile(r"^[A-Z][\w'’.-]*")
_SENTENCE_END = re.compile(r"[.!?][\"'’”)]*\s+(?=[\"'‘“(]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]\.)+$|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Sen|Rep|Gov|Lt|Col|No|Inc|Co|Sept?|Jan|Feb|Aug|Oct|Nov|Dec)\.$"
)
# Words between a subject and its verb ("Blinken has also said"), and the document a body speaks through.
_AUXILIARY = re.compile(r"(?:\s+(?:has|have|had|also|previously|later|again|then|once|publicly|repeatedly|is|was))+$")
_DOCUMENT_NOUN = re.compile(r"\s+(?:release|report|statement|study|survey|data|figures|tally|count)$")
_DOCUMENT_BY = re.compile(
    r"(?:(?:an?|the)\s+(?:(?:new|recent|latest|[0-9]{4}|January|February|March|April|May|June|July|August|September|October"
    r"|November|December)\s+)*"
    r"(?:(?:report|statement|release|study|survey|tally|count)\s+(?:by|from|of)\s+)?)?"
)
_SOMEONE = re.compile(r"\b(?:they|officials|relatives|sources|witnesses|residents|activists|experts|analysts|critics)$")
# The kinds of actor each pointing word can mean: "the organization" is no government, "the department" no NGO.
_BODIES = ("organization", "government_body")
_MEANS = {
    **dict.fromkeys(["organization", "organisation", "group", "watchdog", "charity", "campaign"], ("organization",)),
    **dict.fromkeys(
        ["department", "ministry", "agency", "government", "committee", "subcommittee", "office", "court",
         "administration", "regime"],
        ("government_body",),
    ),
    **dict.fromkeys(["report", "statement", "release", "it"], _BODIES),
    **dict.fromkeys(["he", "she"], ("person",)),
}  # fmt: skip
_BACK_AFTER = re.compile(
    r"[Tt]he\s+(organi[sz]ation|group|department|ministry|agency|government|committee|subcommittee|office|court"
    r"|administration|regime|watchdog|charity|campaign)\b(?!\s+(?:of|in|for)\b)"
)
# A sentence that goes on with the paragraph's actor: a pronoun or a plain pointing noun, not "The group's ...".
_OWN_SUBJECT = re.compile(
    r"(?:It|They|The\s+(?:organi[sz]ation|group|department|ministry|agency|government))\b(?!['’]s)"
)
_LOOK_BACK = 1500  # characters before a pointing word ("the organization") where its actor may be named


@dataclass(frozen=True)
class Who:
    """A speaker or a source: a registry actor, an unnamed one of an actor, or someone the registry lacks."""

    actor: str | None = None
    unnamed: str | None = None  # "spokesperson", "official", "source": then ``actor`` is whom they speak for
    start: int = -1  # where the words that name it start and end
    end: int = -1
    span: tuple[int, int] | None = None  # the attribution: its words and the verb ("Blinken said")

    @property
    def known(self) -> bool:
        return self.actor is not None


NOBODY_KNOWN = Who()


class Names:
    """The registry's names, to find actors in text: longest first, so "Cuban government" beats "Cuba"."""

    def __init__(self, actors: dict[str, list[str]], kinds: dict[str, str], governments: dict[str, str] | None = None):
        self.kinds = kinds
        self.governments = governments or {}  # a country's id -> the id of the actor that governs it
        pairs = {(n, a) for a, names in actors.items() for n in names if len(n) >= 2}
        self.pairs = sorted(pairs, key=lambda na: (-len(na[0]), na[0], na[1]))
        alternatives = "|".join(re.escape(n) for n, _ in self.pairs) or r"(?!x)x"
        self._any = re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])")
        self._ending = re.compile(rf"(?<![\w.])(?:{alternatives})$")
        self._by_name = {n: a for n, a in reversed(self.pairs)}

    def all(self, raw: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        """Every registry name in ``raw[start:end]``: (start, end, actor id), left to right, longest first."""
        end = len(raw) if end is None else end
        return [(m.start(), m.end(), self._by_name[m.group(0)]) for m in self._any.finditer(raw, start, end)]

    def ending(self, text: str) -> tuple[int, str] | None:
        """The registry name that ``text`` ends with, if any: (its start, actor id)."""
        m = self._ending.search(text)
        return (m.start(), self._by_name[m.group(0)]) if m else None

    def starting(self, text: str) -> tuple[int, str] | None:
        """The registry name that ``text`` starts with (after "the"), if any: (its end, actor id)."""
        lead = len(text) - len(text.lstrip())
        the = re.match(r"(?:[Tt]he\s+)?", text[lead:])
        at = lead + (the.end() if the else 0)
        m = self._any.match(text, at)
        return (m.end(), self._by_name[m.group(0)]) if m else None


def paragraph(raw: str, start: int, end: int) -> tuple[int, int]:
    """The line around ``raw[start:end]``: news text holds one paragraph a line."""
    first = raw.rfind("\n", 0, start) + 1
    last = raw.find("\n", end)
    return first, len(raw) if last == -1 else last


def sentence(raw: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``raw[start:end]``, within its paragraph; abbreviations ("U.S.") do not end one."""
    first, last = paragraph(raw, start, end)
    lo, hi = first, last
    for m in _SENTENCE_END.finditer(raw, first, last):
        if _ABBREVIATION.search(raw[max(first, m.start() - 12) : m.start() + 1]):
            continue
        if m.end() <= start:
            lo = m.end()
        elif m.start() >= end:
            hi = m.start() + 1
            break
    return lo, hi


def quoted_spans(raw: str, first: int, last: int) -> list[tuple[int, int]]:
    """Spans inside quotation marks within ``raw[first:last]``: a verb there is spoken, not attributing."""
    return [m.span() for m in re.finditer(r"[\"“][^\"“”\n]*[\"”]", raw[first:last])]


def speaker(raw: str, start: int, end: int, names: Names) -> Who | None:
    """Who speaks the words at ``raw[start:end]`` (a quote): None when the text does not say."""
    first, last = paragraph(raw, start, end)
    who = _nearest(raw, start, end, first, last, SPEECH, names)
    if who is not None:
        return who
    # No verb of saying: a paragraph that opens with an actor ("Amnesty International called the verdict
    # "..."") is that actor's, unless it opens with a possessive ("Cuba's foreign minister"), or the
    # quote's sentence has a subject of its own ("The group's Americas director called on ...").
    opening = names.all(raw, first, min(last, first + 80))
    if opening and opening[0][0] == first and not raw.startswith(("'s", "’s"), opening[0][1]):
        lead = sentence(raw, start, end)[0]
        if lead == first or _OWN_SUBJECT.match(raw, lead):
            return Who(opening[0][2])  # no words of saying to quote
    return None


def source(raw: str, start: int, end: int, names: Names) -> Who | None:
    """Who asserts the figure at ``raw[start:end]``: "according to X", "X said", in its sentence; or None."""
    first, last = sentence(raw, start, end)
    return _nearest(raw, start, end, first, last, SOURCE, names, closing=True)


def _nearest(
    raw: str, start: int, end: int, first: int, last: int, verbs: re.Pattern[str], names: Names, closing: bool = False
) -> Who | None:
    """The subject of the verb of saying nearest ``raw[start:end]``, between ``first`` and ``last``.

    With ``closing``, a verb after the words counts only in the closing attribution of a
    sentence (", the State Department said"), not in a clause of its own ("days after
    the Biden administration said it would ...").
    """
    inside = [(first + s, first + e) for s, e in quoted_spans(raw, first, last)]
    found = []
    for m in verbs.finditer(raw, first, last):
        if any(s <= m.start() < e for s, e in inside) or start <= m.start() < end:
            continue
        gap = m.start() - end if m.start() >= end else start - m.end()
        found.append((gap, m))
    for _, m in sorted(found, key=lambda gm: gm[0]):
        who = _subject(raw, m, first, last, names)
        if who is not None and closing and m.start() >= end and m.group(0).lower() != "according to":
            subject = who.start if 0 <= who.start < m.start() else m.start()
            if not re.search(r",\s*(?:[Tt]he\s+|an?\s+)?$", raw[start:subject]):
                continue
        if who is not None:
            if who.start < 0:
                return who
            return replace(who, span=(min(who.start, m.start()), max(who.end, m.end())))
    return None


def _subject(raw: str, verb: re.Match[str], first: int, last: int, names: Names) -> Who | None:
    """The subject of ``verb``: before it ("Blinken said"), or after it ("said Blinken", "according to X")."""
    word = verb.group(0)
    before = raw[first : verb.start()].rstrip()
    if word == "saying":  # "Blinken marked the day, saying ...": the sentence's subject
        found = [n for n in names.all(raw, first, verb.start()) if names.kinds.get(n[2]) != "country"]
        return Who(found[0][2], start=found[0][0], end=found[0][1]) if found else None
    if word.lower() != "according to":
        who = _before(before, first, raw, names)
        if who is not None:
            return who
    after = raw[verb.end() : last]
    return _after(raw, after, verb.end(), names)


def _before(before: str, first: int, raw: str, names: Names) -> Who | None:
    if before.endswith(","):
        # "McCaul, chairman of the committee, said": a name, then words about it between commas.
        for start, end, actor in reversed(names.all(before)):
            between = before[end:]
            if len(between) > 120 or re.search(r"[\"“”]", between):
                break
            if (
                between.startswith(",")
                and between.count(",") >= 2
                and names.kinds.get(actor) not in ("country", "group")
            ):
                return Who(actor, start=first + start, end=first + end)
    if not before or before[-1] in ",;:\"”'’":
        return None  # `," said X` or `X, ...`: the subject, if any, follows the verb
    m = _UNNAMED.search(before)
    if m:
        of = names.all(m.group("before") or "") + names.all(m.group("after") or "")
        body = of[0][2] if of else _unnamed_before(raw, first + m.start(), m.group("who"), names)
        return Who(body, unnamed=m.group("who"), start=first + m.start(), end=first + len(before))
    before = _AUXILIARY.sub("", before)
    # "the State Department release reported": the body behind a document speaks through it.
    named = names.ending(before) or names.ending(_DOCUMENT_NOUN.sub("", before))
    if named is not None:
        at, actor = named
        return Who(actor, start=first + at, end=first + len(before))
    m = _BACK.search(before)
    if m:
        word = (m.group("body") or m.group("person") or m.group("it")).lower()
        return _resolve(raw, first + m.start(), names, _MEANS[word], end=first + len(before))
    someone = _CAPITALISED.search(before) or _SOMEONE.search(before)
    if someone:  # someone the registry does not hold ("Albizu-Campos said", "relatives said")
        return Who(start=first + someone.start(), end=first + len(before))
    return None


def _after(raw: str, after: str, offset: int, names: Names) -> Who | None:
    lead = len(after) - len(after.lstrip())
    m = _UNNAMED.search(re.split(r"[,.;:]", after.lstrip(), maxsplit=1)[0])
    if m:
        of = names.all(m.group("before") or "") + names.all(m.group("after") or "")
        actor = of[0][2] if of else _unnamed_before(raw, offset, m.group("who"), names)
        return Who(actor, unnamed=m.group("who"), start=offset + lead, end=offset + lead + m.end())
    back = _BACK_AFTER.match(after[lead:])
    if back:  # "according to the government", "said the ministry": the body named before
        return _resolve(raw, offset + lead, names, _MEANS[back.group(1).lower()], offset + lead + back.end())
    lead += len(_DOCUMENT_BY.match(after[lead:]).group(0))  # type: ignore[union-attr]  # it matches ""
    named = names.starting(after[lead:])
    if named is not None:
        end, actor = named
        end += lead
        rest = after[end:]
        if rest.startswith(("'s", "’s")) or (_CAPITALISED_START.match(rest.lstrip()) and rest[:1] == " "):
            return NOBODY_KNOWN  # "Amnesty International's director", "U.S. Customs and Border Protection"
        return Who(actor, start=offset + lead, end=offset + end)
    someone = _CAPITALISED_START.match(after[lead:])
    if someone:  # "said Juanita Goebertus": a name the registry lacks
        return Who(start=offset + lead, end=offset + lead + someone.end())
    return None


def _resolve(raw: str, at: int, names: Names, kinds: tuple[str, ...], end: int) -> Who | None:
    """The actor a pointing word at ``at`` means: the nearest one named before it, of one of ``kinds``.

    "The government" of a text that names no government body but names a country is that
    country's government, as the registry says who governs it.
    """
    named = list(reversed(names.all(raw, max(0, at - _LOOK_BACK), at)))
    for _, _, actor in named:
        if names.kinds.get(actor, "") in kinds:
            return Who(actor, start=at, end=end)
    if raw[at:end].lower().endswith("government"):
        for _, _, actor in named:
            if actor in names.governments:
                return Who(names.governments[actor], start=at, end=end)
    return None


def _unnamed_before(raw: str, at: int, who: str, names: Names) -> str | None:
    """Whom "the official" speaks for: the body of "a State Department official" named before it."""
    for m in reversed(list(_UNNAMED_ANY.finditer(raw, max(0, at - _LOOK_BACK), at))):
        if m.group("who") == who:
            of = names.all(m.group("before") or "") + names.all(m.group("after") or "")
            if of:
                return of[0][2]
    return None
