"""`cubagraph coverage [DOC]`: how much of each text its mapping cites, and the sentences still left."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import CubagraphError


class UnknownDocument(CubagraphError):
    """`coverage DOC` named a document that no mapping maps."""

    exit_code = 2


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "coverage",
        parents=[common],
        help="the share of each text's sentences that some fact cites, and the sentences none cites",
        description=(
            "Check and build the graph in memory, then split each document's text into sentences and mark those "
            "that some evidence quote of the graph overlaps. Prints each document's share of cited sentences, "
            "then every uncited sentence with its line in the text, so that you see what is left to map. "
            "Suggested items do not count until they are confirmed."
        ),
    )
    p.add_argument("document", nargs="?", metavar="DOC", help="only this document (its id); default: every document")
    p.add_argument("--summary", action="store_true", help="only the share per document, not the uncited sentences")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .. import pipeline, project
    from ..export import coverage

    proj = project.find(args.root, args.base)
    with pipeline.taking_turns(proj):
        dataset = pipeline.build_dataset(proj)
    for warning in dataset.warnings:
        print(warning.format(), file=sys.stderr)
    mint = proj.minter()
    docs = sorted(dataset.texts)
    if args.document is not None and args.document not in dataset.texts:
        raise UnknownDocument(_unknown(args.document, docs))
    wanted = [args.document] if args.document is not None else docs
    found = coverage.of_dataset(dataset.quads, dataset.texts, {mint.document_graph(d): d for d in wanted})
    if args.format == "json":
        print(json.dumps([_as_json(c, args.summary) for c in found], ensure_ascii=False, indent=2))
        return 0
    width = max((len(c.document) for c in found), default=0)
    for c in found:
        print(f"{c.document.ljust(width)}  {c.share:6.1%}  {c.cited:,} of {len(c.sentences):,} sentences cited")
    if not args.summary:
        for c in found:
            if not c.uncited:
                continue
            print(f"\n{c.document}: {len(c.uncited):,} uncited, in {c.text_file}")
            for s in c.uncited:
                print(f"  {s.line:>4}: {_short(s.text)}")
    return 0


def _short(text: str, limit: int = 160) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _as_json(c: Any, summary: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "document": c.document,
        "text": c.text_file,
        "sentences": len(c.sentences),
        "cited": c.cited,
        "share": round(c.share, 4),
    }
    if not summary:
        out["uncited"] = [{"line": s.line, "start": s.start, "end": s.end, "text": s.text} for s in c.uncited]
    return out


def _unknown(doc: str, docs: list[str]) -> str:
    import difflib

    near = difflib.get_close_matches(doc, docs, n=1)
    hint = f"did you mean {near[0]!r}?" if near else f"the documents are: {', '.join(docs) or 'none'}"
    return f"no document {doc!r} is mapped — {hint}"
