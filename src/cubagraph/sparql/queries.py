"""The library of saved queries: ``queries/<name>.rq``, one question each.

A saved query starts with a comment that states its question. It may declare
parameters, one comment line each::

    # For a given actor: every statement ... that involves it.
    # param: actor (actor) the actor, by id, name or alias

A parameter's type says how a value given on the command line becomes an RDF
term: ``actor`` resolves an id, a name or an alias to the actor's IRI;
``iri`` takes an IRI; ``string``, ``integer`` and ``date`` make literals.

``queries/<name>.rq`` is SPARQL 1.1 and nothing else, so that it runs on any
store (Oxigraph, Jena, Virtuoso, GraphDB, rdflib). A parameter appears in it
as ``VALUES ?name { UNDEF }``, where another store's user writes the value
(:func:`standalone` does it for them). Where a benchmark showed that Oxigraph
answers much faster with ``LATERAL`` (SEP-0006), ``queries/oxigraph/<name>.rq``
holds that form, with the same answers (tests/sparql/test_query_forms.py), and
it is what cubagraph itself runs.
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
    text: str  # what cubagraph runs: the Oxigraph form where there is one, else the portable one
    params: tuple[Param, ...] = field(default_factory=tuple)
    portable: str = ""  # the SPARQL 1.1 form, queries/<name>.rq

    @property
    def has_oxigraph_form(self) -> bool:
        return self.text != self.portable


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
    fast = path.parent / OXIGRAPH / path.name
    local = fast.read_text(encoding="utf-8") if fast.is_file() else text
    return SavedQuery(path.stem, path, question, local, tuple(params), text)


OXIGRAPH = "oxigraph"  # the folder, next to the saved queries, of their faster Oxigraph forms


def values_line(name: str) -> str:
    """The pattern of the line where a parameter's value goes in the portable form."""
    return rf"VALUES\s+[?$]{name}\s*\{{\s*UNDEF\s*\}}"


def standalone(saved: SavedQuery, prefixes: dict[str, str], values: dict[str, str] | None = None) -> str:
    """The portable form, ready for any SPARQL 1.1 store: its prefixes declared, its parameters given.

    ``values`` maps a parameter to its term in SPARQL syntax (``<https://...>``, ``"text"``).
    """
    text = saved.portable
    for name, term in (values or {}).items():
        line = f"VALUES ?{name} {{ {term} }}"
        text = re.sub(values_line(name), line.replace("\\", "\\\\"), text)
    declared = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(prefixes.items()))
    return declared + text


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
