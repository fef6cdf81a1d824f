"""The command line: parse arguments, call the library, print. Nothing else lives here."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import CubagraphError, InvalidData, StaleExports

if TYPE_CHECKING:  # networkx is slow to import; commands import it when they need it
    import networkx as nx

    from .project import Project


INTERNAL_ERROR = 70  # EX_SOFTWARE


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
    except Exception as exc:  # a bug: say so in one line, and how to get the details
        if os.environ.get("CUBAGRAPH_DEBUG"):
            raise
        print(
            f"cubagraph: internal error: {type(exc).__name__}: {exc} — this is a bug; please report it with the "
            "input that caused it (set CUBAGRAPH_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


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
    p.set_defaults(run=_build)

    p = sub.add_parser(
        "check",
        parents=[common],
        help="check everything, write nothing",
        description="Check the registry, the mappings and every quote, and report every problem as file:line.",
    )
    p.set_defaults(run=_check)

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
        choices=["table", "csv", "tsv", "json", "xml", "turtle", "ntriples"],
        help="output format (default: table; turtle for CONSTRUCT and DESCRIBE)",
    )
    p.add_argument("--graph", metavar="DOC", help="query one document's graph (with the registry and ontology)")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind ?NAME to VALUE, as an RDF term (never pasted into the query text)",
    )
    p.set_defaults(run=_query)

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
        help="drop a client that sends nothing for this many seconds (default: 30)",
    )
    p.set_defaults(run=_serve)

    p = sub.add_parser(
        "path",
        parents=[common],
        help="how two actors are connected, hop by hop, with the evidence for each",
        description="Find the shortest chains between two actors, through events, statements, figures and claims. Each hop is printed with its evidence quote and source document. Actors can be given by id, name or alias.",
    )
    p.add_argument("source", metavar="A", help="an actor: id, name or alias")
    p.add_argument("target", metavar="B", help="an actor: id, name or alias")
    p.add_argument("--max", type=int, default=3, help="how many alternative paths, shortest first (default: 3)")
    p.set_defaults(run=_path)

    p = sub.add_parser(
        "neighbors",
        parents=[common],
        help="what an actor is linked to, within K hops",
        description="List everything within --depth hops of an actor, with the link that reaches it.",
    )
    p.add_argument("actor", help="an actor: id, name or alias")
    p.add_argument("--depth", type=int, default=1, help="hops (default: 1)")
    p.set_defaults(run=_neighbors)

    p = sub.add_parser(
        "stats",
        parents=[common],
        help="counts by class, document and modality, and the most central actors",
        description="Counts by class, by document and by modality, and the most central actors by degree and by betweenness, each explained.",
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--top", type=int, default=10, help="how many central actors to list (default: 10)")
    p.set_defaults(run=_stats)

    p = sub.add_parser(
        "timeline",
        parents=[common],
        help="events and statements in date order, with precision and sources",
        description="Events and statements in date order, each with its date precision and its document, and when that document was published. Undated items come last, marked undated; a --from/--to range leaves them out and says how many.",
    )
    p.add_argument("--actor", help="only what involves this actor (id, name or alias)")
    p.add_argument("--from", dest="start", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--to", dest="end", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    p.set_defaults(run=_timeline)

    p = sub.add_parser(
        "view",
        parents=[common],
        help="open the network view (exports/graph.html), building it first if it is stale",
        description="Build exports/ if the data has changed since the last build, then open exports/graph.html in the default browser. Where there is no browser (no display), print its path.",
    )
    p.add_argument("--no-open", action="store_true", help="only print the path")
    p.set_defaults(run=_view)

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
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each response (default: 60)")
    p.set_defaults(run=_publish)

    p = sub.add_parser(
        "schema",
        parents=[common],
        help="write the JSON Schemas that editors use to check mapping files",
        description="Generate schema/mapping.schema.json and schema/actors.schema.json from the models and the ontology's vocabularies. Mapping files point at them with a `# yaml-language-server: $schema=` line.",
    )
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed schemas are stale")
    p.set_defaults(run=_schema)

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
    p.set_defaults(run=_new)
    return parser


def _build(args: argparse.Namespace) -> int:
    from . import corpus, export, project

    started = time.perf_counter()
    proj = project.find(args.root, args.base)
    dataset = corpus.build_dataset(proj, use_cache=not args.no_cache)
    _warn(dataset.warnings)
    prefixes = proj.prefixes()
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
    if dataset.counts.get("cached"):
        print(
            f"  ({dataset.counts['cached']:,} of {dataset.counts['documents']:,} documents unchanged, from .cubagraph/cache/)"
        )
    for path, changed in written:
        size = path.stat().st_size
        print(f"  {proj.relative(path)}  {size / 1024:,.1f} KiB{'' if changed else '  (unchanged)'}")
    print(f"Built in {elapsed:.2f} s.")
    return 0


def _check(args: argparse.Namespace) -> int:
    from . import corpus, project

    proj = project.find(args.root, args.base)
    dataset = corpus.build_dataset(proj)
    _warn(dataset.warnings)
    print(
        f"{_summary(dataset.counts)}\nNo problems found{f', {len(dataset.warnings)} warning(s)' if dataset.warnings else ''}."
    )
    return 0


def _stale(proj: Project) -> bool:
    """Whether the data has changed since exports/ was built (by the digest the TriG records)."""
    from .export.rdf import recorded_inputs

    return recorded_inputs(str(proj.trig)) != proj.input_digest()


def _warn_if_stale(proj: Project) -> None:
    from .export.rdf import recorded_inputs

    if recorded_inputs(str(proj.trig)) not in (None, proj.input_digest()):
        print("cubagraph: warning: data/ has changed since the last build; run `cubagraph build`", file=sys.stderr)


def _warn(warnings: list[object]) -> None:
    for warning in warnings:
        print(warning.format(), file=sys.stderr)  # type: ignore[attr-defined]


def _query(args: argparse.Namespace) -> int:
    from . import project, queries, results, sparql

    proj = project.find(args.root, args.base)
    if args.list:
        library = queries.library(proj.queries)
        width = max((len(n) for n in library), default=0)
        for name, saved in library.items():
            takes = "".join(f" --param {p.name}=…" for p in saved.params)
            print(f"{name.ljust(width)}  {saved.question}{takes}")
        return 0
    declared: tuple[queries.Param, ...] = ()
    if args.name:
        saved = queries.get(proj.queries, args.name)
        text, declared = saved.text, saved.params
    elif args.file:
        try:
            text = args.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise sparql.QueryError(f"{args.file}: cannot read the query ({exc})") from exc
    elif args.text:
        text = args.text
    else:
        raise sparql.QueryError("give a query, -f FILE, --name NAME, or --list")
    params: dict[str, str] = {}
    for item in args.param:
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise sparql.QueryError(f"--param {item!r} is not NAME=VALUE")
        params[name.lstrip("?$")] = value
    _warn_if_stale(proj)
    store = sparql.open_store(proj.trig, proj.root / ".cubagraph")
    prefixes = proj.prefixes()
    prepared = sparql.prepare(text, store, prefixes, params, declared, args.graph, proj.base)
    result = results.materialise(sparql.run(store, prepared, prefixes))
    fmt = args.format or results.default_format(result)
    if fmt not in results.formats_for(result):
        kind = "CONSTRUCT and DESCRIBE" if result.form == "graph" else "SELECT and ASK"
        raise sparql.QueryError(
            f"--format {fmt} does not fit {kind}; use one of {', '.join(results.formats_for(result))}"
        )
    sys.stdout.buffer.write(results.render(result, fmt, prefixes))
    sys.stdout.flush()
    return 0


def _serve(args: argparse.Namespace) -> int:
    import signal

    from . import project, server

    proj = project.find(args.root, args.base)
    if not proj.trig.is_file():
        raise CubagraphError(f"{proj.relative(proj.trig)} does not exist — run `cubagraph build` first")
    _warn_if_stale(proj)
    if args.timeout <= 0 or args.max_rows <= 0 or args.workers <= 0:
        raise CubagraphError("--timeout, --max-rows and --workers must be positive")
    settings = server.Settings(
        host=args.host,
        port=args.port,
        timeout=args.timeout,
        max_rows=args.max_rows,
        workers=args.workers,
        cors=args.cors,
        client_timeout=args.client_timeout,
    )
    httpd, endpoint = server.make_server(proj, settings)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    host, port = str(httpd.server_address[0]), int(httpd.server_address[1])
    try:
        # Inside the try: a stop signal at any point from here on still cleans up.
        signal.signal(signal.SIGTERM, stop)
        if args.host not in ("127.0.0.1", "::1", "localhost"):
            print(f"cubagraph: warning: listening on {host}, reachable from other machines", file=sys.stderr)
        print(f"Serving http://{host}:{port}/ (SPARQL at /sparql), read-only. Ctrl-C to stop.", flush=True)
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        endpoint.close()
    return 0


def _graph(args: argparse.Namespace) -> nx.MultiDiGraph:
    from . import network, project

    proj = project.find(args.root, args.base)
    _warn_if_stale(proj)
    return network.load(proj.trig)


def _path(args: argparse.Namespace) -> int:
    from . import analysis, network, present

    g = _graph(args)
    a, b = network.resolve(g, args.source), network.resolve(g, args.target)
    found = analysis.paths(g, a, b, max(1, args.max))
    if not found:
        print(f"{g.nodes[a]['label']} and {g.nodes[b]['label']} are not connected.")
        return 1
    sys.stdout.write(present.paths(g, found))
    return 0


def _neighbors(args: argparse.Namespace) -> int:
    from . import analysis, network, present

    g = _graph(args)
    centre = network.resolve(g, args.actor)
    sys.stdout.write(present.neighbours(g, analysis.neighbours(g, centre, max(1, args.depth))))
    return 0


def _stats(args: argparse.Namespace) -> int:
    from . import analysis, present

    g = _graph(args)
    sys.stdout.write(present.stats(analysis.stats(g, args.top), args.format == "json"))
    return 0


def _timeline(args: argparse.Namespace) -> int:
    from . import analysis, dates, network, present

    g = _graph(args)
    actor = network.resolve(g, args.actor) if args.actor else None
    try:
        entries, hidden = analysis.timeline(g, actor, args.start, args.end)
    except dates.DateError as exc:
        raise CubagraphError(f"{exc} — for --from and --to") from exc
    sys.stdout.write(present.timeline(entries, hidden))
    return 0


def _view(args: argparse.Namespace) -> int:
    import os
    import webbrowser

    from . import corpus, export, project

    proj = project.find(args.root, args.base)
    page = proj.exports / "graph.html"
    if not page.is_file() or _stale(proj):
        dataset = corpus.build_dataset(proj)
        export.write_all(proj.exports, export.render_all(dataset, proj.prefixes()))
        print("Rebuilt exports/, which were stale.", file=sys.stderr)
    print(page)
    graphical = sys.platform in ("darwin", "win32") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not args.no_open and graphical:
        webbrowser.open(page.as_uri())
    return 0


def _publish(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    from . import project, publish
    from .storeclient import Client, StoreError, find_auth

    proj = project.find(args.root, args.base)
    if not proj.trig.is_file():
        raise CubagraphError(f"{proj.relative(proj.trig)} does not exist — run `cubagraph build` first")
    if _stale(proj):
        # A shared store must get what the data says now, and only a checked build.
        raise CubagraphError("data/ has changed since the last build — run `cubagraph build`, then publish")
    target = publish.Target.of(args.store, args.query_endpoint, args.graph_param)
    client = Client(find_auth(args.auth, args.store), retries=max(0, args.retries), timeout=args.timeout)
    quads = list(ox.parse(path=str(proj.trig), format=ox.RdfFormat.TRIG))
    try:
        report = publish.publish(proj, quads, target, client, args.prune, args.dry_run, sys.stdout)
    except StoreError as exc:
        raise CubagraphError(f"{exc}; nothing was changed in the store") from None
    sys.stdout.write(publish.table(report, proj.prefixes()))
    sys.stdout.write(publish.summary(report, target, args.dry_run))
    return 1 if report.failed else 0


def _schema(args: argparse.Namespace) -> int:
    from . import export, ontology, project, schema

    proj = project.find(args.root, args.base)
    rendered = schema.generate(ontology.load(proj.ontology).vocabulary)
    directory = proj.root / "schema"
    if args.check:
        stale = export.stale(directory, rendered)
        if stale:
            raise StaleExports([Path(proj.relative(p)) for p in stale])
        print("schema/ is up to date.")
        return 0
    for path, changed in export.write_all(directory, rendered):
        print(f"  {proj.relative(path)}{'' if changed else '  (unchanged)'}")
    return 0


def _new(args: argparse.Namespace) -> int:
    from . import newdoc, project

    proj = project.find(args.root, args.base)
    created = newdoc.create(proj, args.path, args.id, args.title, args.published, args.url, args.language)
    print(created.summary())
    return 0


_ORDER = ("documents", "actors", "posts", "events", "statements", "figures", "claims", "relations", "roles", "quotes")


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{counts.get(k, 0):,} {k if counts.get(k, 0) != 1 else k[:-1]}" for k in _ORDER]
    return f"{', '.join(parts)}; {counts.get('triples', 0):,} triples."


if __name__ == "__main__":
    sys.exit(main())
