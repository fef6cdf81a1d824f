"""The pipeline: files → checked models → named graphs → exports, a document at a time.

The entry points for scripts::

    from cubagraph import pipeline
    ds = pipeline.build_dataset()        # raises InvalidData with every problem
    graph = ds.to_rdflib()               # an rdflib.Dataset, if you prefer rdflib

A build reads: load → validate → build → export. Each new document takes
that way on its own (:mod:`cubagraph.pipeline.documents`), in this process or
in worker processes; then come the checks between documents, and the
assembly of the exports from every graph's pieces. The build cache
(:mod:`cubagraph.incremental`) is asked, not threaded through: "which of
these documents do you hold?" before, "keep this" after each document,
"forget what no one used" at the end. With nothing kept, the same steps run
for every document.

May import: errors, files, digests, rdf, project, mapping, graph, network,
export, incremental.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import export
from ..digests import Digests
from ..errors import InvalidData, Problem, display_path
from ..files import exclusive, read_regular
from ..graph.build import Builder
from ..graph.dataset import Dataset
from ..incremental import fanout
from ..incremental.cache import Cache
from ..incremental.entries import Entry, Shared
from ..mapping import across, load, validate
from ..network import kept as network_kept  # not `kept`: the build's kept entries go by that name
from ..project import Project, find
from ..rdf import ontology
from ..rdf.terms import of_quads
from . import staged
from .documents import Done, Job, Work
from .staged import Prepared

__all__ = ["Corpus", "Exports", "build_dataset", "build_exports", "discard", "keep_network", "load_corpus", "paused_gc"]
__all__ += ["taking_turns"]


@dataclass
class Exports:
    plans: dict[str, export.Plan]  # file name in exports/ -> what it is made of
    graphs: list[export.Graph]  # the graphs' pieces the plans refer to
    counts: Counter[str]
    warnings: list[Problem]
    names: list[str] = field(default_factory=list)  # each graph's name, in the order of ``graphs``
    staged: list[Path] = field(default_factory=list)  # workers' files of kept projection rows, for keep_network
    prepared: Prepared | None = None  # the kept projection's new file, being made from them

    def rendered(self) -> dict[str, bytes]:
        """Every export's bytes, in memory."""
        return {name: export.materialise(plan, self.graphs) for name, plan in self.plans.items()}


def build_exports(
    project: Project,
    use_cache: bool = True,
    timings: dict[str, float] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Exports:
    """Check and build everything, and plan every export; raise :class:`InvalidData` listing every problem.

    ``progress(done, total)`` hears how many of the documents to build (those not in the cache) are built.

    Each document's graph is rendered into its pieces of the exports as soon
    as it is built, kept in the cache, and let go: the whole graph is never
    held in memory. The exports are the same bytes as
    ``export.render_all(build_dataset())`` (a test checks this).
    """
    with paused_gc():
        return _build_exports(project, use_cache, timings, progress)


def _build_exports(
    project: Project,
    use_cache: bool,
    timings: dict[str, float] | None,
    progress: Callable[[int, int], None] | None = None,
) -> Exports:
    started = time.perf_counter()
    prefixes = project.prefixes()
    stamp = hashlib.sha256(json.dumps(sorted(prefixes.items())).encode()).hexdigest()
    onto, cache, problems = _open(project, stamp, use_cache)
    kept, todo = cache.lookup(project.mappings)
    shared = cache.shared()
    # The registry is read only to build its own graphs, or to check new documents against.
    registry = _registry(project, onto, problems, checked=shared is not None) if shared is None or todo else None
    memo = project.root / ".cubagraph" / "viewer"
    graphs: dict[str, export.Graph] = {}
    counts: Counter[str] = Counter()
    ctx: export.Context | None = None
    if shared is not None:
        ctx = export.Context(prefixes, project.settings, shared.network, memo=memo)
        graphs.update(shared.graphs())
        counts.update(shared.counts)
        problems += shared.warnings
    elif registry is not None and not _failed(problems):
        ctx = _shared(project, onto, registry, cache, problems, graphs, counts, memo)
    if timings is not None:
        timings["registry, and reading the cache"] = time.perf_counter() - started
    job = Job(project, onto, registry, display_path(str(project.registry)), cache, ctx, timings=timings)
    workers = fanout.processes(project.settings, len(todo))
    started = time.perf_counter()
    staging = project.root / ".cubagraph" / staged.FOLDER
    work: Callable[[list[tuple[str, Path]]], list[Done]] = Work(job)
    if staged.emptied(staging) and workers > 1 and ctx is not None:
        work = staged.Staging(work, staging, project.minter().document_graph)
    dones = fanout.run(work, todo, workers, progress)
    if timings is not None and workers > 1:
        timings[f"new documents, in {workers} processes (load, check, build, pieces)"] = time.perf_counter() - started
    warnings = _checked(project, problems, dones, kept, cache)
    assert ctx is not None  # no problems: the registry was read and built, or its pieces were kept
    minter = project.minter()
    for done in dones:
        assert done.entry is not None and done.identity is not None  # no problems: every document was built
        graphs[minter.document_graph(done.identity.doc_id)] = done.entry.graph()
        counts.update(done.entry.counts)
    for _, entry in kept:
        graphs[minter.document_graph(entry.doc_id)] = entry.graph()
        counts.update(entry.counts)
    cache.prune()
    ctx.inputs = project.input_digest(cache.digests)
    cache.digests.save()
    names = sorted(graphs)
    ordered = [graphs[name] for name in names]
    files = sorted(staging.glob("*.sqlite")) if isinstance(work, staged.Staging) else []
    # Made while the exports are assembled and written: see staged.Prepared.
    prepared = (
        Prepared(project.root / ".cubagraph" / network_kept.NAME, _kept(names, ordered), files) if files else None
    )
    plans = export.assemble(ordered, ctx, timings)
    # The builder mints every node of a document's graph from the document's
    # id, so no node is described in two graphs: quads and triples are as many.
    counts["triples"] = counts["quads"]
    counts["cached"] = len(kept)
    return Exports(plans, ordered, counts, warnings, names, files, prepared)


def _kept(names: list[str], graphs: list[export.Graph]) -> list[tuple[str, str, Callable[[], bytes]]]:
    """Each graph's name, pieces' id, and its rows of the kept projection (read when asked for)."""
    return [
        (name, graph.id, functools.partial(graph.part, network_kept.PART))
        for name, graph in zip(names, graphs, strict=True)
    ]


def keep_network(project: Project, built: Exports) -> int:
    """After the exports are written: bring the kept projection (:mod:`cubagraph.network.kept`) to this build.

    Only the graphs whose pieces changed are loaded again. Returns how many
    were. A project whose ``.cubagraph/`` cannot be written keeps none (the
    commands then project the TriG).
    """
    path = project.root / ".cubagraph" / network_kept.NAME
    try:
        made = built.prepared.result() if built.prepared is not None else None
        return network_kept.update(path, _kept(built.names, built.graphs), project.trig, built.staged, made)
    except (OSError, sqlite3.Error):
        return 0
    finally:
        staged.unlink(built.staged)


def discard(built: Exports) -> None:
    """Remove what a build made for :func:`keep_network` when nothing is kept (``build --check``)."""
    try:
        made = built.prepared.result() if built.prepared is not None else None
    except (OSError, sqlite3.Error):
        made = None
    if made is not None:
        made.unlink(missing_ok=True)
    staged.unlink(built.staged)


def build_dataset(project: Project | None = None, root: Path | None = None, use_cache: bool = True) -> Dataset:
    """Check and build everything, in memory; raise :class:`InvalidData` listing every problem.

    Documents whose inputs have not changed come from the cache. This is
    what `cubagraph check` runs, and what scripts call.
    """
    with paused_gc():
        return _build_dataset(project or find(root), use_cache)


def _build_dataset(project: Project, use_cache: bool) -> Dataset:
    onto, cache, problems = _open(project, "", use_cache)
    kept, todo = cache.lookup(project.mappings)
    registry = _registry(project, onto, problems, checked=False)
    # With a broken registry, documents are checked, and not built.
    sound = registry is not None and not _failed(problems)
    job = Job(project, onto, registry, display_path(str(project.registry)), cache, None, rows=sound)
    dones = Work(job)(todo)
    warnings = _checked(project, problems, dones, kept, cache)
    assert registry is not None  # no problems: it was read
    builder = Builder(project.minter(), onto, registry)  # the ontology's and the registry's graphs
    texts: dict[str, str] = {}
    for done in dones:
        assert done.entry is not None and done.rows is not None  # no problems: every document was built
        builder.graphs[project.minter().document_graph(done.entry.doc_id)] = done.rows
        builder.counts.update(done.entry.counts)
        texts[done.entry.doc_id] = done.text
    for _, entry in kept:
        builder.graphs.update(of_quads(entry.quad_list()))
        builder.counts.update(entry.counts)
        texts[entry.doc_id] = entry.text
    cache.prune()
    dataset = builder.dataset()
    dataset.inputs = project.input_digest(cache.digests)
    cache.digests.save()
    dataset.texts = texts
    dataset.settings = project.settings
    dataset.warnings = warnings
    dataset.counts["cached"] = len(kept)
    return dataset


def _open(project: Project, stamp: str, use_cache: bool) -> tuple[ontology.Ontology, Cache, list[Problem]]:
    onto = ontology.load(project.ontology)
    try:  # a FIFO or device as actors.yaml must not block here: read_registry says why it is refused
        registry = read_regular(project.registry, project.data_resolved)
    except OSError:
        registry = b""
    raw = (project.ontology.read_bytes(), registry)
    problems: list[Problem] = []
    if not project.mappings:
        problems.append(
            Problem(str(project.data / "mappings"), 1, "no mappings found", "add data/mappings/<document-id>.yaml")
        )
    return onto, Cache(project, *raw, Digests(project.root), stamp, use_cache), problems


def _registry(
    project: Project, onto: ontology.Ontology, problems: list[Problem], checked: bool
) -> load.RegistryFile | None:
    """The actor registry, read; and checked, unless the cache kept the result of its checks."""
    registry = load.read_registry(project.registry, problems, project.root / ".cubagraph" / "registry.marshal")
    if registry is not None and not checked:
        checker = validate.Checker(onto.vocabulary, registry, display_path(str(project.registry)))
        checker.check_registry()
        problems += checker.problems
    return registry


def _shared(
    project: Project,
    onto: ontology.Ontology,
    registry: load.RegistryFile,
    cache: Cache,
    problems: list[Problem],
    graphs: dict[str, export.Graph],
    counts: Counter[str],
    memo: Path,
) -> export.Context:
    """The ontology's and the registry's graphs and pieces, built and kept; the context documents' pieces need."""
    builder = Builder(project.minter(), onto, registry)
    rows = {name: builder.take(name) for name in sorted(builder.graphs)}
    shared_rows = (row for part in rows.values() for row in part)
    ctx = export.context(shared_rows, project.prefixes(), settings=project.settings, memo=memo)
    pieces = {}
    for name, part in rows.items():
        view = export.GraphView(name, part, ctx)
        piece = export.piece(view)
        piece[network_kept.PART] = network_kept.encode(view.projection, ctx.network.actors)
        graph = graphs[name] = export.Graph.of(piece)
        pieces[name] = (graph.id, graph.index, graph.piece)
    counts.update(builder.counts)
    counts["quads"] += sum(len(part) for part in rows.values())
    registry_path = display_path(str(project.registry))
    warnings = [p for p in problems if p.path == registry_path]
    cache.keep_shared(Shared(Counter(counts), warnings, ctx.network, pieces))
    return ctx


def _checked(
    project: Project, problems: list[Problem], dones: list[Done], kept: list[tuple[str, Entry]], cache: Cache
) -> list[Problem]:
    """The checks between documents, after each document's own; every warning, or :class:`InvalidData`."""
    problems += [p for done in dones for p in done.problems]
    problems += across.across(
        [done.identity for done in dones if done.identity is not None],
        {entry.text_file: entry.doc_id for _, entry in kept},
    )
    # A kept document's `same_as` may name an event of a document that changed: check them all, every build.
    identities = [done.identity for done in dones if done.identity is not None]
    problems += across.same_as(identities + [across.Identity.of_json(entry.identity) for _, entry in kept])
    warnings = [w for _, entry in kept for w in entry.warnings]
    for done in dones:
        cache.digests.adopt(done.digests)  # a worker process's
        if done.entry is not None:
            cache.adopt(done.entry)
    if _failed(problems):
        raise InvalidData(problems + warnings)
    return sorted(set(problems + warnings))


def _failed(problems: list[Problem]) -> bool:
    return any(not p.warning for p in problems)


@contextlib.contextmanager
def paused_gc(freeze: bool = False) -> Iterator[None]:
    """Pause Python's cycle collector while building.

    A build makes millions of objects (models, rows, pieces) that live until
    it ends, and each collection walks all of them: a cold build of 1,000
    documents in one process took 9.2 s with the collector and 8.1 s without
    (medians of five). The build makes no reference cycles worth collecting
    (peak memory was the same), and reference counting still frees
    everything else. The previous setting is restored afterwards, for scripts
    that build in-process.
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
class Corpus:
    """Every model of a project, read and checked, and held: for tests and scripts that look at the models."""

    project: Project
    ontology: ontology.Ontology
    registry: load.RegistryFile
    sources: list[load.Source]
    warnings: list[Problem]


def load_corpus(project: Project) -> Corpus:
    """Read and check everything, with no cache; raise :class:`InvalidData` listing every problem."""
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
