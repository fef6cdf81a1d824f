"""The command line: parse arguments, call the library, print. Nothing else lives here."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import CubagraphError, InvalidData, StaleExports


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        result: int = args.run(args)
        return result
    except InvalidData as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        n = len(exc.problems)
        print(f"{n} problem{'s' if n != 1 else ''} found; exports/ left unchanged.", file=sys.stderr)
        return 1
    except CubagraphError as exc:
        print(f"cubagraph: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cubagraph: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cubagraph",
        description="A source-grounded knowledge graph of actors, events and claims, hand-mapped from news documents.",
    )
    parser.add_argument("--version", action="version", version=f"cubagraph {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, help="the project directory (default: found from the working directory)")
    common.add_argument(
        "--base", help="base IRI for data (default: [tool.cubagraph] base, $CUBAGRAPH_BASE, or the built-in)"
    )
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")

    p = sub.add_parser(
        "build",
        parents=[common],
        help="check everything and write exports/",
        description="Check the registry, the mappings and every quote, then write exports/cubagraph.ttl, .trig and .jsonld. Nothing is written unless everything is valid.",
    )
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed exports are stale")
    p.set_defaults(run=_build)

    p = sub.add_parser(
        "check",
        parents=[common],
        help="check everything, write nothing",
        description="Check the registry, the mappings and every quote, and report every problem as file:line.",
    )
    p.set_defaults(run=_check)
    return parser


def _build(args: argparse.Namespace) -> int:
    from . import corpus, export, project

    started = time.perf_counter()
    proj = project.find(args.root, args.base)
    dataset = corpus.build_dataset(proj)
    prefixes = _prefixes(proj)
    rendered = export.render_all(dataset, prefixes)
    if args.check:
        stale = export.stale(proj.exports, rendered)
        if stale:
            raise StaleExports([Path(proj.relative(p)) for p in stale])
        print(f"{_summary(dataset.counts)}\nexports/ is up to date.")
        return 0
    written = export.write_all(proj.exports, rendered)
    elapsed = time.perf_counter() - started
    print(_summary(dataset.counts))
    for path, changed in written:
        size = path.stat().st_size
        print(f"  {proj.relative(path)}  {size / 1024:,.1f} KiB{'' if changed else '  (unchanged)'}")
    print(f"Built in {elapsed:.2f} s.")
    return 0


def _check(args: argparse.Namespace) -> int:
    from . import corpus, project

    proj = project.find(args.root, args.base)
    dataset = corpus.build_dataset(proj)
    print(f"{_summary(dataset.counts)}\nNo problems found.")
    return 0


def _prefixes(proj: object) -> dict[str, str]:
    from .namespaces import PREFIXES
    from .project import Project

    assert isinstance(proj, Project)
    return {**PREFIXES, **proj.minter().prefixes()}


_ORDER = ("documents", "actors", "posts", "events", "statements", "figures", "claims", "relations", "roles", "quotes")


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{counts.get(k, 0):,} {k if counts.get(k, 0) != 1 else k[:-1]}" for k in _ORDER]
    return f"{', '.join(parts)}; {counts.get('triples', 0):,} triples."


if __name__ == "__main__":
    sys.exit(main())
