"""The mapping file `cubagraph new` writes: the document section, hints, and suggested items, as YAML.

Every string is written as a double-quoted scalar (JSON's, which YAML reads),
so that whatever characters the text holds, `check` reads back what was found.
Each suggested item says what is left to decide in a comment beside it.
"""

from __future__ import annotations

import functools
import json
import re
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from . import model, placeholders
from .suggest import Found

# What YAML may not hold raw (outside its printable set: DEL, C1 controls, surrogates, U+FFFE/U+FFFF), and the
# characters it reads as line breaks (NEL, LS, PS), which a double-quoted scalar would fold into a space.
_NOT_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _q(value: Any) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML, once YAML's own unprintables are escaped."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return _NOT_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(str(value), ensure_ascii=False))


def _comment(text: str) -> str:
    """Words for a YAML comment: one line, with nothing YAML would read as the comment's end."""
    return " ".join(_NOT_RAW.sub(" ", text).split())


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
    out.append("suggestions:" + (" []" if not found.hints else ""))
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
    out += _statements(found.statements)
    out.append("")
    out += _figures(found.figures)
    out.append("")
    out.append("claims: []")
    out.append("relations: []")
    out += _roles(found.roles)
    return "\n".join(out) + "\n"


def _statements(statements: list[dict[str, Any]]) -> list[str]:
    out = ["statements:" + (" []" if not statements else "")]
    for s in statements:
        out.append(f"  - id: {s['id']}")
        out.append("    suggested: true")
        speaker = s["speaker"]
        if isinstance(speaker, dict):
            unnamed = f"{{unnamed: {speaker['unnamed']}, of: {speaker['of']}}}"
            if _takes_unnamed():
                out.append(f"    speaker: {unnamed}  # unnamed, of this actor: check")
            else:
                out.append(f"    speaker: {placeholders.SPEAKER}  # an unnamed {speaker['unnamed']}: {unnamed}")
        elif speaker == placeholders.SPEAKER:
            why = s.get("speaker_note", "who said it? an actor id")
            out.append(f"    speaker: {speaker}  # {_comment(why)}")
        else:
            out.append(f"    speaker: {speaker}  # the speaker the words name: check")
        out.append(f"    medium: {s['medium']}")
        if s.get("platform"):
            out.append(f"    platform: {_q(s['platform'])}")
        out.append("    date: unknown")
        out.append(f"    quote:  # line {s['line']} of the text")
        out += [f"      - {_evidence(q)}" for q in s["quote"]]
        if s["evidence"]:
            out.append("    evidence:  # the words that attribute the quote")
            out += [f"      - {_evidence(q)}" for q in s["evidence"]]
        else:
            out.append('    evidence: []  # the words that attribute the quote, e.g. "Blinken said in a Twitter post"')
    return out


@functools.cache
def _takes_unnamed() -> bool:
    """Whether the model takes an unnamed speaker (`{unnamed: spokesperson, of: X}`); if not, a comment says it."""
    try:
        model.Statement.model_validate(
            {"id": "x", "speaker": {"unnamed": "spokesperson", "of": "x"}, "medium": "x", "date": "unknown",
             "quote": ["x"], "evidence": ["x"]}
        )  # fmt: skip
    except ValidationError:
        return False
    return True


def _figures(figures: list[dict[str, Any]]) -> list[str]:
    out = ["figures:" + (" []" if not figures else "")]
    for f in figures:
        out.append(f"  - id: {f['id']}")
        out.append("    suggested: true")
        out.append(f"    value: {_q(f['value'])}")
        if f.get("scale"):
            out.append(f"    scale: {f['scale']}")
        if f.get("stated"):
            out.append(f"    stated: {_q(f['stated'])}  # the words that state it")
        out.append(f"    comparator: {f['comparator']}")
        out.append(f"    unit: {f['unit']}")
        if f.get("measures"):
            out.append(f"    measures: {f['measures']}  # what the figure is a figure of: check")
        out.append(f"    counts: {_q(f['counts'])}")
        out.append("    as_of: unknown")
        by = f.get("asserted_by", "article")
        if by == placeholders.ASSERTER:
            out.append(f"    asserted_by: {by}  # {_comment(f.get('asserter_note', 'who asserts it?'))}")
        elif by == "article":
            out.append('    asserted_by: article  # no "X said" or "according to X" in its sentence: check')
        else:
            out.append(f"    asserted_by: {by}  # the source its sentence names: check")
        if f.get("modality"):
            out.append(f"    modality: {f['modality']}")
        out.append(f"    evidence:  # line {f['line']} of the text")
        out += [f"      - {_evidence(q)}" for q in f["evidence"]]
    return out


def _roles(roles: list[dict[str, Any]]) -> list[str]:
    out = ["roles:" + (" []" if not roles else "")]
    for r in roles:
        out.append(f"  - id: {r['id']}")
        out.append("    suggested: true")
        out.append(f"    holder: {r['holder']}")
        out.append(f"    post: {r['post']}  # a post of the registry, named next to its holder: check")
        out.append("    as_of: unknown  # or the date the text describes")
        out.append(f"    evidence:  # line {r['line']} of the text")
        out += [f"      - {_evidence(q)}" for q in r["evidence"]]
    return out


def _evidence(q: dict[str, Any]) -> str:
    if "occurrence" in q:
        return f"{{quote: {_q(q['quote'])}, occurrence: {q['occurrence']}}}"
    return _q(q["quote"])
