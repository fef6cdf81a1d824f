"""One exporter per format, behind one interface: a piece per graph, then one assembly.

Every export is a concatenation, in graph order, of what each named graph
contributes, between a head and a tail: the TriG block of a graph, its
JSON-LD object, its nodes and edges in GraphML, GEXF and CSV, and its nodes
for the viewer. A graph's piece depends only on that graph and on the
shared context (prefixes, settings, and the labels and actors that the
network projection needs from the registry and the ontology). So the build
cache keeps each document's pieces, and a rebuild after editing one document
renders one document's pieces and concatenates the rest.

Each exporter module has ``NAMES`` (its files in ``exports/``), ``piece(view)
-> {part: bytes}`` and ``assemble(graphs, ctx) -> {name: Plan}``: a plan is
the export's literal bytes and graphs' parts, in order (the viewer's page is
one part, made only if its inputs changed). :mod:`cubagraph.export.plan`
writes plans; the whole build is checked before anything is written, so a
failure leaves ``exports/`` as it was.

May import: errors, files, digests, rdf, graph, network.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import CannotWrite
from ..files import LOCK, exclusive, remove_leftovers
from ..graph.dataset import Dataset
from ..network.projection import context as network_context
from ..rdf.terms import Row, of_quads
from . import gexf, graphml, html, jsonld, tables, trig, turtle
from .forked import Forked, available
from .plan import Graph, Manifest, Piece, Plan, Reaper, Staged, materialise, put, stage
from .view import Context, GraphView

EXPORTERS: tuple[ModuleType, ...] = (turtle, trig, jsonld, graphml, gexf, tables, html)
__all__ = ["EXPORTERS", "Context", "Graph", "GraphView", "Piece", "Plan", "assemble", "materialise", "piece"]
__all__ += ["context", "names", "render_all", "stale", "write_all"]


def names() -> list[str]:
    return [name for exporter in EXPORTERS for name in exporter.NAMES]


def context(dataset_or_rows: Dataset | Iterable[Row], prefixes: dict[str, str], **kw: Any) -> Context:
    """The context for a dataset, or for the shared (registry and ontology) rows of a build."""
    if isinstance(dataset_or_rows, Dataset):
        rows: Iterable[Row] = (row for rows in of_quads(dataset_or_rows.quads).values() for row in rows)
        settings = dataset_or_rows.settings
    else:
        rows, settings = dataset_or_rows, kw.pop("settings", {})
    return Context(prefixes, settings, network_context(rows), **kw)


def piece(view: GraphView, timings: dict[str, float] | None = None) -> Piece:
    out: Piece = {}
    for exporter in EXPORTERS:
        started = time.perf_counter()
        out.update(exporter.piece(view))
        if timings is not None:  # benchmarks/build_scale.py reports each exporter's share
            name = f"pieces: {exporter.__name__.rsplit('.', 1)[-1]}"
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
    return out


def assemble(graphs: Sequence[Graph], ctx: Context, timings: dict[str, float] | None = None) -> dict[str, Plan]:
    """Every export's plan, from the graphs' pieces in graph order."""
    plans: dict[str, Plan] = {}
    for exporter in EXPORTERS:
        started = time.perf_counter()
        plans.update(exporter.assemble(graphs, ctx))
        if timings is not None:
            timings[f"assemble: {exporter.__name__.rsplit('.', 1)[-1]}"] = time.perf_counter() - started
    return plans


def render_all(dataset: Dataset, prefixes: dict[str, str], memo: Path | None = None) -> dict[str, bytes]:
    """Every export of an in-memory dataset, as bytes: the same pieces and assembly that the build uses."""
    ctx = context(dataset, prefixes, inputs=dataset.inputs, memo=memo)
    graphs = [
        Graph.of(piece(GraphView(name, rows, ctx, dataset.texts))) for name, rows in of_quads(dataset.quads).items()
    ]
    rendered = {name: materialise(plan, graphs) for name, plan in assemble(graphs, ctx).items()}
    if dataset.subjects_span_graphs():
        # A node described in two graphs: the graphs' Turtle blocks would not merge. Write the union directly.
        rendered[turtle.NAME] = turtle.union(dataset.triples(), prefixes)
    return rendered


def _put_all(
    directory: Path, plans: Mapping[str, Plan | bytes], done: list[Staged | None], record: Manifest, reaper: Reaper
) -> list[tuple[Path, bool]]:
    """Rename every staged export in; if one rename fails, put back the ones already renamed.

    Each old export is hard-linked aside first (no data is copied, no space
    is needed but a directory entry), so that an error halfway, rare as it is
    after every byte was written, still leaves the old set whole.
    """
    backups: list[tuple[Path, Path | None]] = []  # (target, its old file linked aside; None: there was none)
    try:
        for s in done:
            if s is not None and s.tmp is not None:
                aside = s.target.with_name(f".{s.target.name}.was.tmp")
                aside.unlink(missing_ok=True)
                try:
                    os.link(s.target, aside)
                except FileNotFoundError:  # a new export: undone by removing it
                    backups.append((s.target, None))
                else:
                    backups.append((s.target, aside))
        results = [
            (directory / name, False if s is None else put(s, record, reaper))
            for name, s in zip(plans, done, strict=True)
        ]
    except BaseException as exc:  # a full disk, or Ctrl-C: the old set comes back whole either way
        for s in done:
            if s is not None:
                s.discard()
        for target, kept in backups:
            with contextlib.suppress(OSError):
                if kept is None:
                    target.unlink(missing_ok=True)
                else:
                    os.replace(kept, target)
                    # A rename onto another link of the same file does nothing (POSIX): not renamed yet.
                    kept.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise CannotWrite(directory, exc) from exc
        raise
    for _, kept in backups:
        if kept is not None:
            reaper.delete(kept)
    return results


def write_all(
    directory: Path,
    plans: Mapping[str, Plan | bytes],
    graphs: Sequence[Graph] = (),
    manifest: Path | None = None,
    durable: bool = False,
) -> list[tuple[Path, bool]]:
    """Write each export atomically; return (path, changed) pairs.

    Files whose bytes are unchanged are left alone, so their mtimes stay put.
    Two builds never write at once: they take turns on a lock. Temporary
    files that a killed build left behind are removed. ``manifest`` records
    what each file was written from, so that the next build copies the
    unchanged parts (see :mod:`cubagraph.export.plan`). Without ``durable``
    nothing is fsynced: a reader, or a build killed at any moment, still sees
    the old file or the new one, never a mix; only a power cut soon after a
    build may lose it, and the exports are derived data that the next build
    (or ``build --check``) puts right. Fsyncing 800 MB of exports took 2.4 s
    at 10,000 documents.
    """
    directory.mkdir(parents=True, exist_ok=True)
    with exclusive(directory / LOCK):
        remove_leftovers(directory)
        record = Manifest(manifest)
        reaper = Reaper()

        staged: list[Staged] = []

        def one(name: str, given: Plan | bytes) -> Staged | None:
            # A file the manifest does not describe (checked out, or written by hand) is written
            # afresh and compared: if its bytes are the same, the old file stays, mtime and all.
            done = stage(directory / name, _plan(given), graphs, record, durable)
            if done is not None:
                staged.append(done)  # list.append is atomic: the other thread's temporaries are kept too
            return done

        def apart(names: list[str]) -> list[Staged | None]:
            out: list[Staged | None] = []
            try:
                for name in names:
                    out.append(one(name, plans[name]))
            except BaseException:
                for s in out:
                    if s is not None:
                        s.discard()
                raise
            return out

        # The Gephi files' nodes are made in Python with the page's drawing (graphml.with_viz), as is the
        # page: threads would take turns at them. With many graphs, a forked child writes the Gephi files.
        forked = [n for n in APART if n in plans] if len(graphs) >= FORK_GRAPHS and available() else []
        child = Forked(functools.partial(apart, forked)) if forked else None
        # Every export goes to a temporary first; only when all are written are they renamed in,
        # so a full disk (or any error) halfway leaves the old set whole.
        try:
            rest = [name for name in plans if name not in forked]
            # Two at a time: copying runs in the kernel, so one export copies while another is planned.
            with ThreadPoolExecutor(max_workers=2) as pool:
                found = dict(zip(rest, pool.map(one, rest, [plans[name] for name in rest]), strict=True))
            if child is not None:
                found.update(zip(forked, child.result(), strict=True))
            done = [found[name] for name in plans]
        except OSError as exc:
            _discard(staged, child)
            raise CannotWrite(directory, exc) from exc
        except BaseException:
            _discard(staged, child)
            raise
        results = _put_all(directory, plans, done, record, reaper)
        record.save(list(plans))
        reaper.wait()
    return results


# Written by a forked child while this process writes the rest (see write_all), from this many graphs.
APART = (graphml.NAME, gexf.NAME)
FORK_GRAPHS = 200


def _discard(staged: list[Staged], child: Forked[list[Staged | None]] | None) -> None:
    """Remove the temporaries of a write that failed: this process's, and the child's once it has ended."""
    for s in staged:
        s.discard()
    if child is not None:
        try:
            theirs = child.result()  # once it ends; if it failed, it removed its own
        except BaseException:
            theirs = []
        for t in theirs:
            if t is not None:
                t.discard()


def _plan(given: Plan | bytes) -> Plan:
    return Plan([given]) if isinstance(given, bytes) else given


def stale(directory: Path, plans: Mapping[str, Plan | bytes], graphs: Sequence[Graph] = ()) -> list[Path]:
    """The exports whose committed bytes differ from their plans'."""
    return [
        directory / name
        for name, plan in plans.items()
        if not _same(directory / name, materialise(_plan(plan), graphs))
    ]


def _same(path: Path, data: bytes) -> bool:
    # The size first: most changed files differ in size, and reading 150 MB to learn that is slow.
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except FileNotFoundError:
        return False
