"""The library of saved queries: ``queries/<name>.rq``, one question each.

A saved query starts with a comment that states its question. It may declare
parameters, one comment line each::

    # For a given actor: every statement ... that involves it.
    # param: actor (actor) the actor, by id, name or alias

A parameter's type says how a value given on the command line becomes an RDF
term: ``actor`` resolves an id, a name or an alias to the actor's IRI;
``iri`` takes an IRI; ``string``, ``integer`` and ``date`` make literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CubagraphError

PARAM_TYPES = ("actor", "document", "iri", "string", "integer", "date")
_PARAM = re.compile(r"#\s*param:\s*(?P<name>\w+)\s*\((?P<type>\w+)\)\s*(?P<help>.*)")


class UnknownQuery(CubagraphError):
    """No saved query has that name."""

    exit_code = 2


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    help: str


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    question: str
    text: str
    params: tuple[Param, ...] = field(default_factory=tuple)


def parse(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or not lines[0].startswith("#"):
        raise CubagraphError(f"{path}:1: a saved query must start with a comment stating its question")
    question = lines[0].lstrip("#").strip()
    params = []
    for number, line in enumerate(lines, 1):
        m = _PARAM.match(line)
        if m:
            if m["type"] not in PARAM_TYPES:
                raise CubagraphError(
                    f"{path}:{number}: unknown parameter type {m['type']!r} — use one of {', '.join(PARAM_TYPES)}"
                )
            params.append(Param(m["name"], m["type"], m["help"].strip()))
    return SavedQuery(path.stem, path, question, text, tuple(params))


def library(directory: Path) -> dict[str, SavedQuery]:
    return {p.stem: parse(p) for p in sorted(directory.glob("*.rq"))}


def get(directory: Path, name: str) -> SavedQuery:
    found = library(directory)
    if name not in found:
        import difflib

        close = difflib.get_close_matches(name, list(found), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "run `cubagraph query --list` to see them"
        raise UnknownQuery(f"no saved query named {name!r} — {hint}")
    return found[name]
