"""Analysis results as text for the terminal (the CLI prints; this decides what it looks like)."""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Any

from .analysis import Cells, Hop, Path

if TYPE_CHECKING:  # importing networkx takes 0.3-0.7 s; the kept projection's answers need none
    import networkx as nx


def paths(g: nx.MultiDiGraph, found: list[Path]) -> str:
    out = []
    for i, path in enumerate(found, 1):
        out.append(f"Path {i} ({len(path.hops)} hop{'s' if len(path.hops) != 1 else ''}):")
        out.append(f"  {_name(g, path.nodes[0])}")
        shown = None
        for hop in path.hops:
            out.append(f"    {arrow(hop.label)} {_name(g, hop.target)}")
            if hop.assertion and hop.assertion == shown:
                out.append("        (the same evidence as the hop above)")
            else:
                out.extend(_evidence(g, hop.assertion, hop.kind))
            shown = hop.assertion
    return "\n".join(out) + "\n"


def _name(g: nx.MultiDiGraph, node: str) -> str:
    data = g.nodes[node]
    return f"{data['label']}  [{data['class'].lower() if data['kind'] != 'actor' else data['kind']}]"


def _evidence(g: nx.MultiDiGraph, assertion: str, kind: str) -> list[str]:
    if not assertion:
        return ["        (registry: structure curated in data/actors.yaml, not asserted by a source)"]
    data = g.nodes[assertion]
    lines = []
    who = data.get("asserted_by", "")
    who = f"according to {who}, " if who and not data.get("asserted_by_document") else ""
    for quote in data.get("evidence", [])[:2]:
        text = textwrap.shorten(quote["exact"], 160, placeholder=" …")
        lines.append(f'        "{text}"')
        lines.append(
            f"          — {who}{quote['document']}, characters {quote['start']}–{quote['end']} ({data.get('modality', 'reported')})"
        )
    return lines


def arrow(label: str) -> str:
    """A hop's edge, pointing the way the edge goes: ``—speaker→`` forward, ``←governs—`` backward.

    A hop reads from the node above it to the node it names; the analysis marks an edge that goes
    the other way with a leading ``←`` (``Cuba ←governs— Cuban government``: the government governs Cuba).
    """
    return f"←{label[1:]}—" if label.startswith("←") else f"—{label}→"


def neighbours(g: nx.MultiDiGraph, found: list[tuple[str, int, Hop | None]]) -> str:
    """The neighbourhood as a tree: each node under the one that reaches it, indented by its distance.

    The analysis gives the nodes by distance; here each goes under its parent (the hop's source), in
    the order given, so that the line a node hangs from is the line above its group, not a tail."""
    children: dict[str, list[tuple[str, int, Hop]]] = {}
    roots = []
    for node, distance, hop in found:
        if hop is None:
            roots.append(node)
        else:
            children.setdefault(hop.source, []).append((node, distance, hop))
    out: list[str] = []

    def walk(parent: str) -> None:
        for node, distance, hop in children.get(parent, []):
            out.append(f"{'  ' * distance}{distance} {arrow(hop.label)} {_name(g, node)}")
            walk(node)

    for root in roots:
        out.append(_name(g, root))
        walk(root)
    return "\n".join(out) + "\n"


def stats(report: dict[str, Any], as_json: bool) -> str:
    if as_json:
        return json.dumps(report, ensure_ascii=False, indent=1) + "\n"
    out = [f"{report['nodes']} nodes, {report['edges']} edges", ""]
    for title, key in (
        ("By class", "by_class"),
        ("By document (assertions)", "by_document"),
        ("By modality", "by_modality"),
    ):
        out.append(title)
        width = max(len(k) for k in report[key])
        out += [f"  {k.ljust(width)}  {v:>5}" for k, v in report[key].items()]
        out.append("")
    for key, column in (("degree", "degree"), ("betweenness", "betweenness")):
        out.append(f"Most central actors by {key}: {report[key]['explanation']}")
        width = max(len(r["label"]) for r in report[key]["top"])
        out += [f"  {r['label'].ljust(width)}  {r[column]:>7}" for r in report[key]["top"]]
        out.append("")
    return "\n".join(out)


def timeline(cells: list[Cells], hidden: int) -> str:
    """The timeline's rows (:meth:`cubagraph.network.analysis.Entry.cells`) as a table."""
    rows: list[tuple[str, ...]] = [("when", "precision", "what", "kind", "reported", "document"), *cells]
    widths = [max(map(len, column)) for column in zip(*rows, strict=True)]
    # One format for every row (30,000 rows at 10,000 documents: a cell at a time took 0.4 s).
    row = "  ".join(f"{{:<{w}}}" for w in widths).format
    lines = [row(*r).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("~ approximate: derived from the text, not stated in it. reported: when the document was published.")
    if hidden:
        lines.append(f"{hidden} undated item{'s' if hidden != 1 else ''} not shown: a date range cannot place them.")
    return "\n".join(lines) + "\n"
