"""What each command does: read the arguments, call the library, print the result.

The argument parsers live in :mod:`cubagraph.cli`; the work lives in the
library modules. Imports are made inside each command, so that `cubagraph
--help` and the light commands start fast.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CubagraphError, StaleExports

if TYPE_CHECKING:  # networkx is slow to import; commands import it when they need it
    from ..network.analysis import Net
    from ..project import Project


def build(args: argparse.Namespace) -> int:
    from .. import pipeline

    # One pause for the whole command, frozen at the end: the process exits
    # soon after, and a collection of everything the build made would only
    # delay that (0.17 s at 10,000 documents).
    with pipeline.paused_gc(freeze=True):
        return _build(args)


def _build(args: argparse.Namespace) -> int:
    from .. import pipeline, project

    started = time.perf_counter()
    proj = project.find(args.root, args.base)
    with pipeline.taking_turns(proj):
        return _built(args, proj, started)


def _built(args: argparse.Namespace, proj: Project, started: float) -> int:
    from .. import export, pipeline
    from . import progress, terminal

    shown = progress.Progress(terminal.raw(sys.stderr))
    try:
        built = pipeline.build_exports(proj, use_cache=not args.no_cache, progress=shown)
    finally:
        shown.close()
    _warn(built.warnings)
    if args.check:
        try:
            stale = export.stale(proj.exports, built.plans, built.graphs)
        finally:
            pipeline.discard(built)  # nothing is written: the workers' staged rows are not kept either
        if stale:
            raise StaleExports([Path(proj.relative(p)) for p in stale])
        print(f"{_summary(built.counts)}\nexports/ is up to date.")
        return 0
    written = export.write_all(
        proj.exports,
        built.plans,
        built.graphs,
        manifest=proj.root / ".cubagraph" / "exports.json",
        durable=bool(proj.settings.get("fsync", False)),
    )
    pipeline.keep_network(proj, built)  # for path, neighbors, timeline and stats
    elapsed = time.perf_counter() - started
    print(_summary(built.counts))
    if built.counts.get("cached"):
        print(
            f"  ({built.counts['cached']:,} of {built.counts['documents']:,} documents unchanged, from .cubagraph/cache/)"
        )
    for path, changed in written:
        size = path.stat().st_size
        print(f"  {proj.relative(path)}  {size / 1024:,.1f} KiB{'' if changed else '  (unchanged)'}")
    print(f"Built in {elapsed:.2f} s.")
    return 0


def check(args: argparse.Namespace) -> int:
    from .. import pipeline, project

    proj = project.find(args.root, args.base)
    with pipeline.taking_turns(proj):
        dataset = pipeline.build_dataset(proj)
    _warn(dataset.warnings)
    print(
        f"{_summary(dataset.counts)}\nNo problems found{f', {len(dataset.warnings)} warning(s)' if dataset.warnings else ''}."
    )
    return 0


def _stale(proj: Project) -> bool:
    """Whether the data has changed since exports/ was built (by the digest the TriG records)."""
    from ..export.header import recorded_inputs

    return recorded_inputs(str(proj.trig)) != proj.input_digest()


def _warn_if_stale(proj: Project) -> None:
    from ..export.header import recorded_inputs

    if recorded_inputs(str(proj.trig)) not in (None, proj.input_digest()):
        print("cubagraph: warning: data/ has changed since the last build; run `cubagraph build`", file=sys.stderr)


def _warn(warnings: Sequence[object]) -> None:
    for warning in warnings:
        print(warning.format(), file=sys.stderr)  # type: ignore[attr-defined]


def query(args: argparse.Namespace) -> int:
    from .. import project
    from ..sparql import engine, queries, results, sandbox

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
            raise engine.QueryError(f"{args.file}: cannot read the query ({exc})") from exc
    elif args.text:
        text = args.text
    else:
        raise engine.QueryError("give a query, -f FILE, --name NAME, or --list")
    params: dict[str, str] = {}
    for item in args.param:
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise engine.QueryError(f"--param {item!r} is not NAME=VALUE")
        params[name.lstrip("?$")] = value
    _warn_if_stale(proj)
    max_memory = getattr(args, "max_memory", 1024) << 20
    if max_memory <= 0:
        raise engine.QueryError("--max-memory must be positive (MiB)")
    timeout = getattr(args, "timeout", 60.0)

    cache = proj.root / ".cubagraph"
    copying = time.monotonic()
    if proj.trig.is_file() and proj.trig.stat().st_size >= engine.SMALL:
        engine.store_copy(proj.trig, cache, functools.partial(_making_store, proj))  # here, so that it is said
    # --timeout counts from the command's start, as a user times it, less the query store's making (said above).
    # The start-up is at most a few seconds; a clock that says otherwise is not believed.
    spent = min(max(sandbox.process_age() - (time.monotonic() - copying), 0.0), 10.0)
    budget = timeout - spent

    def evaluate() -> bytes:
        # In a forked child with no network (sandbox.run_isolated); memory is bounded once the store is open.
        store = engine.open_store(proj.trig, cache)
        prefixes = proj.prefixes()
        prepared = engine.prepare(text, store, prefixes, params, declared, args.graph, proj.base)
        sandbox.limit_memory(max_memory)
        sandbox.quiet_stderr()
        try:
            result = results.materialise(engine.run(store, prepared, prefixes))
        except MemoryError:
            raise engine.QueryMemoryLimit(memory_message) from None
        except (OSError, RuntimeError, ValueError) as exc:  # raised while the results were read
            raise engine.evaluation_error(exc) or exc from None
        fmt = args.format or results.default_format(result)
        if fmt not in results.formats_for(result):
            kind = "CONSTRUCT and DESCRIBE" if result.form == "graph" else "SELECT and ASK"
            raise engine.QueryError(
                f"--format {fmt} does not fit {kind}; use one of {', '.join(results.formats_for(result))}"
            )
        return results.render(result, fmt, prefixes)

    memory_message = (
        f"the query needed more than its {sandbox.size(max_memory)} of memory and was stopped"
        " — narrow it, or raise the limit with --max-memory MIB"
    )
    try:
        out = sandbox.run_isolated(evaluate, max_memory, max(budget, 0.0), shown=timeout)
    except sandbox.ChildTimedOut as exc:
        raise engine.QueryTimeout(f"{exc} — narrow it, add a LIMIT, or give it longer with --timeout SECONDS") from None
    except sandbox.ChildDied as exc:
        if sandbox.out_of_memory(exc.code):
            raise engine.QueryMemoryLimit(f"{memory_message} ({exc})") from None
        raise engine.QueryError(f"{exc} while it ran this query — simplify the query") from None
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    return 0


def _making_store(proj: Project) -> None:
    size = proj.trig.stat().st_size / 2**20
    print(
        f"cubagraph: making the query store from {proj.relative(proj.trig)} ({size:,.0f} MiB), once per build;"
        " at 10,000 documents this takes about half a minute",
        file=sys.stderr,
    )


def serve(args: argparse.Namespace) -> int:
    import signal

    from .. import project
    from ..sparql import server

    proj = project.find(args.root, args.base)
    if not proj.trig.is_file():
        raise CubagraphError(f"{proj.relative(proj.trig)} does not exist — run `cubagraph build` first")
    _warn_if_stale(proj)
    if min(args.timeout, args.max_rows, args.workers, args.client_timeout, args.max_connections) <= 0:
        raise CubagraphError(
            "--timeout, --max-rows, --workers, --client-timeout and --max-connections must be positive"
        )
    settings = server.Settings(
        host=args.host,
        port=args.port,
        timeout=args.timeout,
        max_rows=args.max_rows,
        workers=args.workers,
        cors=args.cors,
        client_timeout=args.client_timeout,
        max_connections=args.max_connections,
        allow_hosts=tuple(args.allow_host),
        max_memory=args.max_memory << 20,
        max_bytes=args.max_result << 20,
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


def _graph(args: argparse.Namespace) -> Net:
    """The kept projection (network/kept.py) if it matches exports/cubagraph.trig, else one made from the TriG."""
    from .. import project
    from ..network import analysis, kept, projection

    proj = project.find(args.root, args.base)
    _warn_if_stale(proj)
    found = kept.open_kept(proj.root / ".cubagraph" / kept.NAME, proj.trig) if proj.trig.is_file() else None
    return found if found is not None else analysis.Whole(projection.load(proj.trig))


def path(args: argparse.Namespace) -> int:
    from ..network import analysis, present

    net = _graph(args)
    a, b = analysis.resolve(net, args.source), analysis.resolve(net, args.target)
    g, found = analysis.chains(net, a, b, max(1, args.max))
    if not found:
        print(f"{g.nodes[a]['label']} and {g.nodes[b]['label']} are not connected.")
        return 1
    sys.stdout.write(present.paths(g, found))
    return 0


def neighbors(args: argparse.Namespace) -> int:
    from ..network import analysis, present

    net = _graph(args)
    g, found = analysis.neighbourhood(net, analysis.resolve(net, args.actor), max(1, args.depth))
    sys.stdout.write(present.neighbours(g, found))
    return 0


def stats(args: argparse.Namespace) -> int:
    from .. import project
    from ..network import analysis, present
    from ..sparql import corroboration

    report = analysis.stats(_graph(args), args.top)
    if args.corroboration:  # a query over every assertion: asked for, so that plain stats stays as fast as a query
        report["corroboration"] = corroboration.report(project.find(args.root, args.base), args.top)
    sys.stdout.write(present.stats(report, args.format == "json"))
    if args.corroboration and args.format != "json":
        sys.stdout.write(corroboration.text(report["corroboration"]))
    return 0


def timeline(args: argparse.Namespace) -> int:
    from ..mapping import dates
    from ..network import analysis, present

    net = _graph(args)
    actor = analysis.resolve(net, args.actor) if args.actor else None
    try:
        rows, hidden = analysis.timeline_rows(net, actor, args.start, args.end)
    except dates.DateError as exc:
        raise CubagraphError(f"{exc} — for --from and --to") from exc
    sys.stdout.write(present.timeline(rows, hidden))
    return 0


def view(args: argparse.Namespace) -> int:
    import os
    import webbrowser

    from .. import export, pipeline, project

    proj = project.find(args.root, args.base)
    page = proj.exports / "graph.html"
    if not page.is_file() or _stale(proj):
        with pipeline.taking_turns(proj):
            built = pipeline.build_exports(proj)
            export.write_all(
                proj.exports, built.plans, built.graphs, manifest=proj.root / ".cubagraph" / "exports.json"
            )
            pipeline.keep_network(proj, built)
        print("Rebuilt exports/, which were stale.", file=sys.stderr)
    print(page)
    graphical = sys.platform in ("darwin", "win32") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not args.no_open and graphical:
        webbrowser.open(page.as_uri())
    return 0


def publish(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    from .. import project
    from ..store import publish
    from ..store.client import Client, StoreError, find_auth

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
        report = publish.publish(proj, quads, target, client, args.prune, args.dry_run)
    except StoreError as exc:
        raise CubagraphError(f"{exc}; nothing was changed in the store") from None
    sys.stdout.write(publish.table(report, proj.prefixes()))
    sys.stdout.write(publish.summary(report, target, args.dry_run))
    return 1 if report.failed else 0


def schema(args: argparse.Namespace) -> int:
    from .. import export, project
    from ..mapping import schema
    from ..rdf import ontology

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


def new(args: argparse.Namespace) -> int:
    from .. import project
    from ..mapping import newdoc

    proj = project.find(args.root, args.base)
    created = newdoc.create(proj, args.path, args.id, args.title, args.published, args.url, args.language)
    print(created.summary())
    return 0


_ORDER = ("documents", "actors", "posts", "events", "statements", "figures", "claims", "relations", "roles", "quotes")


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{counts.get(k, 0):,} {k if counts.get(k, 0) != 1 else k[:-1]}" for k in _ORDER]
    return f"{', '.join(parts)}; {counts.get('triples', 0):,} triples."
