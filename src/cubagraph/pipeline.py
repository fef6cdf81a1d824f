"""The whole pipeline in one call: files → checked models → dataset.

This is the entry point for scripts::

    from cubagraph import corpus
    ds = corpus.build_dataset()          # raises InvalidData with every problem
    graph = ds.to_rdflib()               # an rdflib.Dataset, if you prefer rdflib
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import export
from .digests import Digests
from .errors import InvalidData, Problem, display_path
from .files import exclusive
from .graph import build
from .graph.dataset import Dataset
from .incremental import fanout
from .incremental.cache import Cache, Entry, Shared, as_entry, pieces_id
from .mapping import load, validate
from .project import Project, find
from .rdf import ontology
from .rdf.terms import of_quads, to_quads


@dataclass
class Corpus:
    project: Project
    ontology: ontology.Ontology
    registry: load.RegistryFile
    sources: list[load.Source]
    warnings: list[Problem]


def load_corpus(project: Project) -> Corpus:
    """Read and check everything; raise :class:`InvalidData` listing every problem."""
    onto = ontology.load(project.ontology)
    problems: list[Problem] = []
    registry = load.read_registry(project.registry, problems)
    sources = [s for p in project.mappings if (s := load.read_mapping(project, p, problems)) is not None]
    if not project.mappings:
        problems.append(
            Problem(str(project.data / "mappings"), 1, "no mappings found", "add data/mappings/<document-id>.yaml")
        )
    problems += validate.check(onto.vocabulary, registry, display_path(str(project.registry)), sources)
    if any(not p.warning for p in problems) or registry is None:
        raise InvalidData(problems)
    return Corpus(project, onto, registry, sources, sorted(set(problems)))


@contextlib.contextmanager
def paused_gc(freeze: bool = False) -> Iterator[None]:
    """Pause Python's cycle collector while building.

    A build makes millions of objects (models, quads, pieces) that live until
    it ends, and each collection walks all of them: a cold build of 1,000
    documents in one process took 9.2 s with the collector and 8.1 s without
    (medians of five).
    The build makes no reference cycles worth collecting (peak memory was the
    same), and reference counting still frees everything else. The previous
    setting is restored afterwards, for scripts that build in-process.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if freeze:  # what exists now is never collected: for a process about to end
                gc.freeze()
            gc.enable()


@contextlib.contextmanager
def taking_turns(project: Project) -> Iterator[None]:
    """Hold the project's build lock for a whole build: builds of one project take turns.

    A build reads pieces from the cache's packs until its exports are
    written, and prunes the packs it did not use: two builds at once could
    each remove what the other is about to copy. The second one waits, then
    finds the first one's work in the cache. A project whose ``.cubagraph/``
    cannot be made (a read-only checkout) builds without the lock.
    """
    directory = project.root / ".cubagraph"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        yield
        return
    with exclusive(directory / "build.lock", "another build of this project to finish"):
        yield


@dataclass
class _Checked:
    """A project read and checked: documents to build afresh, and documents whose cache entry still holds."""

    project: Project
    ontology: ontology.Ontology
    registry: load.RegistryFile | None  # None when ``shared`` holds and no document is new
    store: Cache
    fresh: list[tuple[str, load.Source]]
    cached: list[tuple[str, Entry]]
    warnings: list[Problem]
    digests: Digests
    shared: Shared | None = None  # the registry's and ontology's kept pieces; then ``registry`` is not read
    pending: list[tuple[str, Path]] = field(default_factory=list)  # new documents left to worker processes
    workers: int = 1


def _check(project: Project, use_cache: bool, pieces: str = "", timings: dict[str, float] | None = None) -> _Checked:
    started = time.perf_counter()
    onto = ontology.load(project.ontology)
    problems: list[Problem] = []
    # Without use_cache every document is built afresh; the cache is still refilled.
    digests = Digests(project.root)
    store = Cache(project, project.ontology.read_bytes(), project.registry.read_bytes(), digests)
    # The registry's checked pieces, kept: while they hold, the registry is read only if some document is new.
    kept = store.get_shared(pieces) if use_cache and pieces else None
    registry = None if kept is not None else load.read_registry(project.registry, problems)
    fresh: list[tuple[str, load.Source]] = []
    cached: list[tuple[str, Entry]] = []
    pending: list[tuple[str, Path]] = []
    mappings = project.mappings
    if (
        not (use_cache and store.directory.is_dir())
        and pieces
        and fanout.processes(project.settings, len(mappings)) > 1
    ):
        # Nothing to look up, and workers will read every mapping: they hash them too (keys "" here).
        pending = [("", path) for path in mappings]
    for path in mappings if not pending else ():
        key = store.key(digests.sha256(path))
        entry = store.get(key, pieces) if use_cache and (kept is not None or registry is not None) else None
        if entry is not None:
            cached.append((key, entry))
        else:
            pending.append((key, path))
    workers = fanout.processes(project.settings, len(pending)) if pieces else 1
    if workers > 1 and registry is None and kept is not None:
        registry = load.read_registry(project.registry, problems)
    if registry is None or any(not p.warning for p in problems):
        workers = 1  # a broken registry: check everything here, to report every problem
    if workers == 1:
        for key, path in pending:
            key = key or store.key(digests.sha256(path))
            if (source := load.read_mapping(project, path, problems)) is not None:
                fresh.append((key, source))
        pending = []
    if kept is not None and registry is None and (fresh or any(not p.warning for p in problems)):
        # New documents are checked against the registry; its own checks and graphs stay as kept.
        registry = load.read_registry(project.registry, problems)
    if not mappings:
        problems.append(
            Problem(str(project.data / "mappings"), 1, "no mappings found", "add data/mappings/<document-id>.yaml")
        )
    loaded = time.perf_counter()
    if registry is not None:
        problems += validate.check(
            onto.vocabulary,
            registry,
            display_path(str(project.registry)),
            [s for _, s in fresh],
            timings,
            known_texts={e.text_file: e.doc_id for _, e in cached},
            registry_checked=kept is not None,
        )
    elif timings is not None:
        timings["grounding"] = 0.0
    if kept is not None:  # the registry's own warnings are as they were
        problems += kept.warnings
    if timings is not None:
        timings["load and validate models (and read the cache)"] = loaded - started
        timings["cross-checks"] = time.perf_counter() - loaded - timings["grounding"]
        timings["quote grounding"] = timings.pop("grounding")
    warnings = [w for _, e in cached for w in e.warnings]
    if any(not p.warning for p in problems) or (registry is None and kept is None):
        raise InvalidData(problems + warnings)
    return _Checked(
        project, onto, registry, store, fresh, cached, sorted(set(problems + warnings)), digests, kept, pending, workers
    )


def _entry(checked: _Checked, source: load.Source, counts: Counter[str], quads: list[ox.Quad]) -> Entry:
    mine = [p for p in checked.warnings if p.path == source.path]
    counts["quads"] = len(quads)
    return as_entry(source.document.id, source.text_file, source.text.raw.encode("utf-8"), counts, mine, quads)


def build_dataset(project: Project | None = None, root: Path | None = None, use_cache: bool = True) -> Dataset:
    """Check and build everything, in memory. Documents whose inputs have not changed come from the cache."""
    with paused_gc():
        return _build_dataset(project, root, use_cache)


def _build_dataset(project: Project | None, root: Path | None, use_cache: bool) -> Dataset:
    project = project or find(root)
    checked = _check(project, use_cache)
    store = checked.store
    assert checked.registry is not None  # without pieces, nothing shared is kept: the registry was read
    builder = build.Builder(project.minter(), checked.ontology, checked.registry)
    minter = project.minter()
    for key, source in checked.fresh:
        before = Counter(builder.counts)
        builder.document(source)
        name = minter.document_graph(source.document.id)
        rows = builder.graphs[name] = builder.take(name)
        store.put(key, _entry(checked, source, builder.counts - before, to_quads(name, rows)))
    for _, entry in checked.cached:
        builder.graphs.update(of_quads(entry.quad_list()))
        builder.counts.update(entry.counts)
    store.prune()
    dataset = builder.dataset()
    dataset.inputs = project.input_digest(checked.digests)
    checked.digests.save()
    dataset.texts = {s.document.id: s.text.raw for _, s in checked.fresh}
    for _, entry in checked.cached:
        dataset.texts[entry.doc_id] = entry.text
    dataset.settings = project.settings
    dataset.warnings = checked.warnings
    dataset.counts["cached"] = len(checked.cached)
    return dataset


def _pieces(entry: Entry) -> export.Piece:
    pieces = entry.pieces
    if pieces is None:
        raise OSError(f"the cache entry of {entry.doc_id} has no export pieces; run `cubagraph build --no-cache`")
    return pieces


@dataclass
class Exports:
    plans: dict[str, export.Plan]  # file name in exports/ -> what it is made of
    graphs: list[export.Graph]  # the graphs' pieces the plans refer to
    counts: Counter[str]
    warnings: list[Problem]

    def rendered(self) -> dict[str, bytes]:
        """Every export's bytes, in memory."""
        return {name: export.materialise(plan, self.graphs) for name, plan in self.plans.items()}


def build_exports(project: Project, use_cache: bool = True, timings: dict[str, float] | None = None) -> Exports:
    """Check and build everything, and plan every export, a document at a time.

    Each document's graph is rendered into its pieces of the exports as soon
    as it is built, kept in the cache, and let go: the whole graph is never
    held in memory. The writer copies each piece from the old exports or from
    the cache's packs, in the kernel; the viewer reads the two parts it needs.
    The exports are the same bytes as ``export.render_all(build_dataset())``
    (a test checks this).
    """
    with paused_gc():
        return _build_exports(project, use_cache, timings)


def _build_exports(project: Project, use_cache: bool, timings: dict[str, float] | None) -> Exports:
    prefixes = project.prefixes()
    stamp = hashlib.sha256(json.dumps(sorted(prefixes.items())).encode()).hexdigest()
    checked = _check(project, use_cache, pieces=stamp, timings=timings)
    store = checked.store
    clock: dict[str, float] = {"cache writes": 0.0}
    memo = project.root / ".cubagraph" / "viewer"
    graphs: dict[str, export.Graph] = {}
    kept = checked.shared
    if kept is None:
        assert checked.registry is not None  # _check reads it when nothing is kept
        builder = build.Builder(project.minter(), checked.ontology, checked.registry)
        shared = {name: builder.take(name) for name in sorted(builder.graphs)}  # the ontology and the registry
        ctx = export.context(
            (row for rows in shared.values() for row in rows), prefixes, settings=project.settings, memo=memo
        )
        for name, rows in shared.items():
            graphs[name] = export.Graph.of(export.piece(export.GraphView(name, rows, ctx)))
        counts = Counter(builder.counts)  # the registry's
        counts["quads"] = sum(len(rows) for rows in shared.values())
        registry_path = display_path(str(project.registry))
        store.put_shared(
            stamp,
            Shared(
                counts,
                [p for p in checked.warnings if p.path == registry_path],
                ctx.network,
                {name: (g.id, g.index, g.piece) for name, g in graphs.items()},
            ),
        )
    else:
        ctx = export.Context(prefixes, project.settings, kept.network, memo=memo)
        graphs.update(kept.graphs())
        counts = Counter(kept.counts)
        if checked.fresh:
            assert checked.registry is not None  # read for the new documents
            builder = build.Builder(project.minter(), checked.ontology, checked.registry, shared=False)
    minter = project.minter()

    def keep(key: str, entry: Entry, piece: export.Piece) -> export.Graph:
        entry.pieces = piece
        entry.pieces_id = pieces_id(key, entry.text_sha256, stamp)
        graph = export.Graph.of(piece, entry.pieces_id)
        entry.index = graph.index
        started = time.perf_counter()
        store.put(key, entry, stamp)
        clock["cache writes"] += time.perf_counter() - started
        return graph

    for i, (key, source) in enumerate(checked.fresh):
        mine = [p for p in checked.warnings if p.path == source.path]
        entry, graph = fanout.render(builder, source, key, mine, ctx, stamp, timings)
        started = time.perf_counter()
        store.put(key, entry, stamp)
        clock["cache writes"] += time.perf_counter() - started
        graphs[minter.document_graph(source.document.id)] = graph
        counts.update(entry.counts)
        checked.fresh[i] = (key, None)  # type: ignore[assignment]  # let the models go
    if checked.pending:
        started = time.perf_counter()
        assert checked.registry is not None  # _check reads it for the workers
        job = fanout.Job(project, checked.ontology, checked.registry, display_path(str(project.registry)), ctx, stamp)
        dones = fanout.run(job, checked.pending, checked.workers)
        found = [p for d in dones for p in d.problems]
        found += validate.across(
            [d.identity for d in dones if d.identity is not None], {e.text_file: e.doc_id for _, e in checked.cached}
        )
        if any(not p.warning for p in found):
            raise InvalidData(sorted(set(found + checked.warnings)))
        checked.warnings = sorted(set(checked.warnings + found))
        for d in dones:
            checked.digests.adopt(d.digests)
        for d in dones:
            assert d.identity is not None and d.index is not None  # no errors: every document was built
            entry = Entry(d.identity.doc_id, d.identity.text_file, d.text_sha256, d.counts, [])
            entry.pieces_id, entry.index = d.pieces_id, d.index
            entry._file, entry._blobs, entry.prefixes = d.entry, d.blobs, store.prefixes
            name = minter.document_graph(d.identity.doc_id)
            sizes = {n: size for n, _, size in d.blobs}
            graphs[name] = export.Graph(
                d.pieces_id, d.index, sizes, functools.partial(_pieces, entry), locate=entry.locate
            )
            counts.update(d.counts)
            store.adopt(d.entry)
        if timings is not None:
            timings[f"new documents, in {checked.workers} processes (load, check, build, pieces)"] = (
                time.perf_counter() - started
            )
    for key, entry in checked.cached:
        name = minter.document_graph(entry.doc_id)
        if not entry.pieces_id:  # kept by build_dataset, which renders no pieces: render them now
            view = export.GraphView(name, of_quads(entry.quad_list())[name], ctx, {entry.doc_id: entry.text})
            graphs[name] = keep(key, entry, export.piece(view))
        else:
            sizes = {n: size for n, _, size in entry._blobs}
            graphs[name] = export.Graph(
                entry.pieces_id,
                None,
                sizes,
                functools.partial(_pieces, entry),
                None,
                entry.index_digest,
                functools.partial(getattr, entry, "index"),
                entry.locate,
            )
        counts.update(entry.counts)
    store.prune()
    ctx.inputs = project.input_digest(checked.digests)
    checked.digests.save()
    ordered = [graphs[name] for name in sorted(graphs)]
    plans = export.assemble(ordered, ctx, timings)
    if timings is not None:
        timings.update(clock)
    # The builder mints every node of a document's graph from the document's
    # id, so no node is described in two graphs: quads and triples are as many.
    counts["triples"] = counts["quads"]
    counts["cached"] = len(checked.cached)
    return Exports(plans, ordered, counts, checked.warnings)
