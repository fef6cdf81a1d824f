"""Corroboration for `cubagraph stats`: how many independent sources each fact rests on.

The facts listed are the saved query's, ``queries/corroboration.rq`` (its
first 500, most corroborated first), so that `stats` and `cubagraph query
--name corroboration` never disagree. The counts by number of sources cover
every fact: :data:`COUNTS` groups the tellings as the saved query's inner
subquery does, and only counts.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ..project import Project
from . import engine, queries

NAME = "corroboration"

# The saved query's grouping (keep the two alike), counted rather than listed. As in its Oxigraph
# form, the few tellings that say cg:sameEventAs and the few asserters with a publisher are read as
# lists and joined by hash, not looked up telling by telling (3.3 s against 0.3 s at 10,000 documents).
COUNTS = """
SELECT ?sources (COUNT(?fact) AS ?facts) WHERE {
  SELECT ?fact (COUNT(DISTINCT ?source) AS ?sources) WHERE {
    ?telling cg:assertedBy ?by .
    OPTIONAL { SELECT ?telling ?one WHERE { ?telling cg:sameEventAs ?one } }
    BIND(COALESCE(?one, ?telling) AS ?fact)
    OPTIONAL { SELECT ?by ?publisher WHERE { ?by dcterms:publisher ?publisher } }
    BIND(COALESCE(?publisher, ?by) AS ?source)
  }
  GROUP BY ?fact
}
GROUP BY ?sources
ORDER BY DESC(?sources)
"""


def report(project: Project, top: int) -> dict[str, Any]:
    """Facts by number of sources; the facts with several; the first ``top`` resting on one source only."""
    try:
        saved = queries.get(project.queries, NAME)
    except queries.UnknownQuery:  # a project without cubagraph's saved queries: the rest of stats still holds
        return {"explanation": f"no queries/{NAME}.rq in this project: copy it from cubagraph's to see corroboration"}
    store = engine.open_store(project.trig, project.root / ".cubagraph")
    prefixes = project.prefixes()

    def ask(text: str) -> Any:
        return engine.run(store, engine.prepare(text, store, prefixes, base=project.base), prefixes)

    counts = {str(s["sources"].value): int(s["facts"].value) for s in ask(COUNTS)}
    rows = [_row(s) for s in ask(saved.text)]
    return {
        "explanation": "independent sources of each fact: its distinct asserters across documents (queries/corroboration.rq)",
        "facts": sum(counts.values()),
        "by_sources": counts,
        "several_sources": [r for r in rows if r["sources"] > 1],
        "one_source": {"count": counts.get("1", 0), "first": [r for r in rows if r["sources"] == 1][:top]},
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
    if "facts" not in report:
        return out[0] + "\n"
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
