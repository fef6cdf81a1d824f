"""Corroboration for `cubagraph stats`: how many independent sources each fact rests on.

The answer is the saved query's, ``queries/corroboration.rq``, so that
`stats` and `cubagraph query --name corroboration` never disagree; `stats`
runs it without its page bound and counts the facts by their number of
sources, listing those that rest on more than one and the first of those that
rest on one source only.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pyoxigraph as ox

from ..project import Project
from . import engine, queries

NAME = "corroboration"


def report(project: Project, top: int) -> dict[str, Any]:
    """Facts by number of sources; the facts with several; the first ``top`` resting on one source only."""
    saved = queries.get(project.queries, NAME)
    text = re.sub(r"\bLIMIT\s+[0-9]+\s*$", "", saved.portable or saved.text)
    store = engine.open_store(project.trig, project.root / ".cubagraph")
    prefixes = project.prefixes()
    solutions = engine.run(store, engine.prepare(text, store, prefixes, base=project.base), prefixes)
    rows = [_row(s) for s in solutions]
    several = [r for r in rows if r["sources"] > 1]
    single = [r for r in rows if r["sources"] == 1]
    return {
        "explanation": "independent sources of each fact: its distinct asserters across documents (queries/corroboration.rq)",
        "facts": len(rows),
        "by_sources": {str(n): c for n, c in sorted(Counter(r["sources"] for r in rows).items(), reverse=True)},
        "several_sources": several,
        "one_source": {"count": len(single), "first": single[:top]},
    }


def _row(solution: ox.QuerySolution) -> dict[str, Any]:
    def value(name: str) -> str:
        term = solution[name]
        return "" if term is None else term.value

    return {
        "fact": value("fact"),
        "kind": value("kind"),
        "label": value("label"),
        "sources": int(value("sources")),
        "documents": int(value("documents")),
        "asserted_by": value("asserted_by"),
    }


def text(report: dict[str, Any]) -> str:
    """The report as `stats` prints it."""
    out = [f"Corroboration: {report['explanation']}"]
    counts = ", ".join(f"{c} on {n} source{'s' if n != '1' else ''}" for n, c in report["by_sources"].items())
    out.append(f"  {report['facts']} facts: {counts or 'none'}")
    for r in report["several_sources"]:
        out.append(
            f"  {r['sources']} sources, {r['documents']} documents: {r['kind']} {r['label']} ({r['asserted_by']})"
        )
    single = report["one_source"]
    if single["count"]:
        out.append(f"Resting on one source only: {single['count']}")
        out += [f"  {r['kind']} {r['label']} ({r['asserted_by']})" for r in single["first"]]
        if single["count"] > len(single["first"]):
            rest = single["count"] - len(single["first"])
            out.append(f"  … and {rest} more: cubagraph query --name {NAME}")
    return "\n".join(out) + "\n"
