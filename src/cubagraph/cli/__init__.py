"""The command line: parse arguments, call the library, print. Nothing else lives here.

May import: the parts below it, all of them: errors, files, digests, project, rdf, mapping, graph,
network, export, incremental, pipeline, sparql, store.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..errors import CubagraphError, InvalidData
from . import commands, coverage, terminal

INTERNAL_ERROR = 70  # EX_SOFTWARE


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    with terminal.escaped(getattr(args, "format", None)):  # labels and messages reach the terminal escaped
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        result: int = args.run(args)
        return result
    except InvalidData as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        n, w = len(exc.problems), len(exc.warnings)
        also = f" and {w} warning{'s' if w != 1 else ''}" if w else ""
        print(f"{n} problem{'s' if n != 1 else ''}{also} found; exports/ left unchanged.", file=sys.stderr)
        return 1
    except CubagraphError as exc:
        print(f"cubagraph: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cubagraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`cubagraph query ... | head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # the machine, not the input nor a bug: a full disk, a quota, a read-only folder
        where = f" ({exc.filename})" if isinstance(exc.filename, str) else ""
        room = "free some space" if exc.errno == errno.ENOSPC else "fix the cause"
        print(f"cubagraph: {exc.strerror or exc}{where} — {room} and run it again", file=sys.stderr)
        return 74  # EX_IOERR
    except Exception as exc:  # a bug: say so in one line, and how to get the details
        if os.environ.get("CUBAGRAPH_DEBUG"):
            raise
        print(
            f"cubagraph: internal error: {type(exc).__name__}: {exc} — this is a bug; please report it with the "
            "input that caused it (set CUBAGRAPH_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


def positive(text: str) -> int:
    """A whole number above 0, for sizes given in MiB: argparse reports anything else, exit 2."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of MiB") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} is not above 0")
    return value


def seconds(text: str) -> float:
    """A number of seconds above 0 (``2``, ``0.5``): argparse reports anything else, exit 2."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds above 0")
    return value


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
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="rebuild every document rather than take unchanged ones from .cubagraph/cache/",
    )
    p.set_defaults(run=commands.build)

    p = sub.add_parser(
        "check",
        parents=[common],
        help="check everything, write nothing",
        description="Check the registry, the mappings and every quote, and report every problem as file:line.",
    )
    p.set_defaults(run=commands.check)

    p = sub.add_parser(
        "query",
        parents=[common],
        help="ask the built graph a SPARQL question",
        description=(
            "Run a SPARQL query over exports/cubagraph.trig: inline, from a file, or a saved query by name. "
            "The standard prefixes and the project's own (actor:, event:, cg:, ...) are predeclared. "
            "Queries see the union of all graphs unless --graph names a document."
        ),
        epilog="examples:\n  cubagraph query --list\n  cubagraph query --name timeline\n"
        "  cubagraph query --name actor --param actor=antony-blinken --format csv\n"
        "  cubagraph query 'SELECT ?name WHERE { ?a a cg:Person ; rdfs:label ?name }'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("text", nargs="?", metavar="QUERY", help="the query text")
    source.add_argument("-f", "--file", type=Path, help="read the query from a file")
    source.add_argument("-n", "--name", help="run a saved query from queries/")
    source.add_argument("--list", action="store_true", help="list the saved queries and their questions")
    p.add_argument(
        "--format",
        choices=["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "rdfxml", "jsonld", "trig", "nquads"],
        help="output format (default: table; turtle for CONSTRUCT and DESCRIBE, which also take ntriples, rdfxml,"
        " jsonld, trig and nquads)",
    )
    p.add_argument("--graph", metavar="DOC", help="query one document's graph (with the registry and ontology)")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind ?NAME to VALUE, as an RDF term (never pasted into the query text)",
    )
    p.add_argument(
        "--max-memory",
        type=positive,
        default=1024,
        metavar="MIB",
        help="memory the query may use, in MiB, before it is stopped (default: 1024)",
    )
    p.add_argument(
        "--timeout",
        type=seconds,
        default=60.0,
        metavar="SECONDS",
        help="stop the query after this many seconds, as the endpoint does (default: 60)",
    )
    p.set_defaults(run=commands.query)

    p = sub.add_parser(
        "serve",
        parents=[common],
        help="serve a read-only SPARQL endpoint, the exports and a query page",
        description=(
            "Serve the built graph (exports/cubagraph.trig) as a SPARQL 1.1 Protocol endpoint at /sparql, "
            "with the exports at /exports/, the network view at /viewer and a query page at /. "
            "Read-only: updates, SERVICE, LOAD and graphs outside the dataset are refused. "
            "Queries are stopped at --timeout."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7878, help="port (default: 7878; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds before a query is stopped (default: 10)")
    p.add_argument("--max-rows", type=int, default=50_000, help="largest result, in rows or triples (default: 50000)")
    p.add_argument("--workers", type=int, default=2, help="query worker processes (default: 2)")
    p.add_argument("--cors", metavar="ORIGIN", help="send Access-Control-Allow-Origin: ORIGIN (default: no CORS)")
    p.add_argument(
        "--client-timeout",
        type=float,
        default=30.0,
        help="seconds a client has to send a whole request, headers and body; a slower one gets 408 (default: 30)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=32,
        help="connections served at once; one more is answered 503 at once (default: 32)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests whose Host header is NAME (repeatable; default: 127.0.0.1, localhost, [::1], --host)",
    )
    p.add_argument(
        "--max-memory",
        type=positive,
        default=1024,
        metavar="MIB",
        help="memory a query worker may use, in MiB; a query that needs more gets 413 memory_limit (default: 1024)",
    )
    p.add_argument(
        "--max-result",
        type=positive,
        default=64,
        metavar="MIB",
        help="largest result a query may return, in MiB; a larger one gets 413 (default: 64)",
    )
    p.set_defaults(run=commands.serve)

    p = sub.add_parser(
        "path",
        parents=[common],
        help="how two actors are connected, hop by hop, with the evidence for each",
        description="Find the shortest chains between two actors, through events, statements, figures and claims. Each hop is printed with its evidence quote and source document. Actors can be given by id, name or alias.",
    )
    p.add_argument("source", metavar="A", help="an actor: id, name or alias")
    p.add_argument("target", metavar="B", help="an actor: id, name or alias")
    p.add_argument("--max", type=int, default=3, help="how many alternative paths, shortest first (default: 3)")
    p.set_defaults(run=commands.path)

    p = sub.add_parser(
        "neighbors",
        parents=[common],
        help="what an actor is linked to, within K hops",
        description="List everything within --depth hops of an actor, with the link that reaches it.",
    )
    p.add_argument("actor", help="an actor: id, name or alias")
    p.add_argument("--depth", type=int, default=1, help="hops (default: 1)")
    p.set_defaults(run=commands.neighbors)

    p = sub.add_parser(
        "stats",
        parents=[common],
        help="counts by class, document and modality, and the most central actors",
        description="Counts by class, by document and by modality, and the most central actors by degree and by betweenness, each explained.",
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--top", type=int, default=10, help="how many central actors to list (default: 10)")
    p.add_argument(
        "--corroboration",
        action="store_true",
        help="also how many independent sources each fact rests on (queries/corroboration.rq; a query over every assertion)",
    )
    p.set_defaults(run=commands.stats)

    p = sub.add_parser(
        "timeline",
        parents=[common],
        help="events and statements in date order, with precision and sources",
        description="Events and statements in date order, each with its date precision and its document, and when that document was published. Undated items come last, marked undated; a --from/--to range leaves them out and says how many.",
    )
    p.add_argument("--actor", help="only what involves this actor (id, name or alias)")
    p.add_argument("--from", dest="start", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--to", dest="end", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    p.set_defaults(run=commands.timeline)

    p = sub.add_parser(
        "view",
        parents=[common],
        help="open the network view (exports/graph.html), building it first if it is stale",
        description="Build exports/ if the data has changed since the last build, then open exports/graph.html in the default browser. Where there is no browser (no display), print its path.",
    )
    p.add_argument("--no-open", action="store_true", help="only print the path")
    p.set_defaults(run=commands.view)

    p = sub.add_parser(
        "publish",
        parents=[common],
        help="upload the built graph to a shared triple store (SPARQL Graph Store Protocol)",
        description=(
            "Upload each named graph of the built graph (every document, the actor registry, the ontology) with "
            "Graph Store Protocol PUT, which replaces it: republishing never duplicates. Only changed graphs are "
            "sent. Each graph's triple count is then checked through SPARQL. Credentials come from "
            "$CUBAGRAPH_STORE_USER and $CUBAGRAPH_STORE_PASSWORD, $CUBAGRAPH_STORE_TOKEN, or a netrc file; "
            "never from the command line."
        ),
    )
    p.add_argument(
        "--store", required=True, metavar="URL", help="the Graph Store endpoint, e.g. http://127.0.0.1:7878/store"
    )
    p.add_argument(
        "--query-endpoint", metavar="URL", help="the SPARQL query endpoint, where it cannot be told from --store"
    )
    p.add_argument(
        "--graph-param",
        default="graph",
        help="the query parameter naming a graph (default: graph; Virtuoso: graph-uri)",
    )
    p.add_argument(
        "--auth",
        choices=["none", "basic", "digest", "bearer"],
        default="none",
        help="how to authenticate (default: none)",
    )
    p.add_argument(
        "--prune", action="store_true", help="delete the graphs of documents that are no longer in the build"
    )
    p.add_argument("--dry-run", action="store_true", help="say what would change, and change nothing")
    p.add_argument("--retries", type=int, default=4, help="retries of a transient failure, with backoff (default: 4)")
    p.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds for each whole request: connect, headers and the full answer (default: 60)",
    )
    p.set_defaults(run=commands.publish)

    p = sub.add_parser(
        "schema",
        parents=[common],
        help="write the JSON Schemas that editors use to check mapping files",
        description="Generate schema/mapping.schema.json and schema/actors.schema.json from the models and the ontology's vocabularies. Mapping files point at them with a `# yaml-language-server: $schema=` line.",
    )
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed schemas are stale")
    p.set_defaults(run=commands.schema)

    p = sub.add_parser(
        "new",
        parents=[common],
        help="add a document: store its text and start its mapping, with suggestions",
        description=(
            "Store the text in data/documents/ exactly as given, and write data/mappings/ID.yaml, prefilled with "
            "suggestions found in the text: known actors, dates, figures and quoted speech, each with its exact "
            "quote. Suggestions stay out of the graph until you confirm them; `cubagraph check` lists the ones left."
        ),
    )
    p.add_argument("path", type=Path, metavar="PATH.txt", help="the document's text, UTF-8")
    p.add_argument("--id", help="the document id (default: from the title or the file name)")
    p.add_argument("--title", help="the title (default: the text's first line)")
    p.add_argument(
        "--published", metavar="DATE", help="when it was published: YYYY, YYYY-MM or YYYY-MM-DD (default: unknown)"
    )
    p.add_argument("--url", help="where it was published")
    p.add_argument("--language", default="en", help="the text's language (default: en)")
    p.set_defaults(run=commands.new)

    coverage.add_parser(sub, common)
    return parser


if __name__ == "__main__":
    sys.exit(main())
