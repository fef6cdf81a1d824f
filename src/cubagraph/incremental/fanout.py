"""New documents loaded, checked, built and rendered in worker processes.

A cold build is work per document: parse the mapping, check it, ground its
quotes, build its graph, render its pieces of the exports. Only the checks
between documents (one id each, one mapping per text) and the registry's own
checks need them all. So, with many new documents, forked workers take them
in small batches, keep each document's result in the build cache, and send
back only what the build needs: its problems, what the checks between
documents need to know of it, its counts, and where its pieces are. The
parent never holds the documents, their graphs or their pieces.

Workers are forked, so they start with the checked registry, the ontology and
the export context already in memory. Where fork is not available (Windows,
macOS's default), or for a few documents, the build runs in one process.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import export
from ..digests import Digests
from ..errors import Problem
from ..graph import build
from ..mapping import load, validate
from ..project import Project
from ..rdf import ontology
from .cache import Cache, Entry, as_entry, pieces_id

MIN_DOCUMENTS = 64  # below this, forking costs more than it saves
BATCH = 25  # documents per task: small, so that the workers finish together


@dataclass
class Job:
    project: Project
    ontology: ontology.Ontology
    registry: load.RegistryFile
    registry_path: str
    ctx: export.Context
    stamp: str  # the prefixes' digest the pieces are made for


@dataclass
class Done:
    """One document, as a worker sends it back."""

    key: str
    problems: list[Problem]
    identity: validate.Identity | None = None  # None: the mapping could not be read
    counts: Counter[str] = field(default_factory=Counter)
    text_sha256: str = ""
    pieces_id: str = ""
    index: dict[str, Any] | None = None
    entry: str = ""  # the path of the cache pack that holds its entry
    digests: dict[str, list[int | str]] = field(default_factory=dict)  # of the mapping and its text, for the parent
    blobs: list[tuple[str, int, int]] = field(default_factory=list)  # (name, offset, size) in it

    @property
    def built(self) -> bool:
        return bool(self.entry)


def processes(settings: dict[str, Any], documents: int) -> int:
    """How many workers to use: one per core (or ``jobs`` in [tool.cubagraph]), and 1 when forking is not worth it."""
    if documents < MIN_DOCUMENTS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(int(settings.get("jobs", cores)), cores))


_job: Job | None = None  # set in the parent before forking; the workers inherit it
_state: tuple[validate.Checker, build.Builder, Cache] | None = None  # each worker's own, made on first use


def run(job: Job, items: list[tuple[str, Path]], workers: int) -> list[Done]:
    """Each of ``items`` (cache key, mapping path) done by ``workers`` processes, in the items' order."""
    global _job
    _job = job
    batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_die_with_parent) as pool:
            return [done for batch in pool.imap(_work, batches) for done in batch]
    finally:
        _job = None


def _die_with_parent() -> None:
    """Ask Linux to stop this worker if the build is killed: an orphan would go on filling the cache."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the request took hold
            os._exit(1)


def _work(batch: list[tuple[str, Path]]) -> list[Done]:
    global _state
    job = _job
    assert job is not None, "workers are forked from run()"
    if _state is None:
        raw = (job.project.ontology.read_bytes(), job.project.registry.read_bytes())
        _state = (
            validate.Checker(job.ontology.vocabulary, job.registry, job.registry_path),
            build.Builder(job.project.minter(), job.ontology, job.registry, shared=False),
            Cache(job.project, *raw, Digests(job.project.root)),
        )
    return _documents(job, batch, *_state)


def _documents(
    job: Job, batch: list[tuple[str, Path]], checker: validate.Checker, builder: build.Builder, store: Cache
) -> list[Done]:
    dones: list[Done] = []
    built: list[tuple[Done, Entry]] = []
    for key, path in batch:
        problems: list[Problem] = []
        key = key or store.key(store.digests.sha256(path))  # the parent left it to us: no cache to look in
        source = load.read_mapping(job.project, path, problems)
        if source is None:
            dones.append(Done(key, problems, digests=store.digests.records(path)))
            continue
        store.digests.remember(source.text_path, source.sha256)
        start = len(checker.problems)
        checker.check_one(source)
        problems += checker.problems[start:]
        done = Done(key, problems, validate.identity(source), digests=store.digests.records(path, source.text_path))
        dones.append(done)
        if any(not p.warning for p in problems):
            continue
        entry, _ = render(builder, source, key, [p for p in problems if p.warning], job.ctx, job.stamp)
        store.put(key, entry, job.stamp)
        done.counts, done.text_sha256 = entry.counts, entry.text_sha256
        done.pieces_id, done.index = entry.pieces_id, entry.index
        built.append((done, entry))
    # The batch's entries as one pack: one file made, not one per document.
    store.flush()
    for done, entry in built:
        assert entry._file is not None
        done.entry, done.blobs = entry._file, entry._blobs
    return dones


def render(
    builder: build.Builder,
    source: load.Source,
    key: str,
    warnings: list[Problem],
    ctx: export.Context,
    stamp: str,
    timings: dict[str, float] | None = None,
) -> tuple[Entry, export.Graph]:
    """One checked document built, and rendered into its pieces: its cache entry, and its graph for the exports."""
    started = time.perf_counter()
    before = Counter(builder.counts)
    builder.document(source)
    doc = source.document.id
    name = builder.mint.document_graph(doc)
    rows = builder.take(name)  # one document's rows at a time
    counts = builder.counts - before
    counts["quads"] = len(rows)
    if timings is not None:
        timings["graph build"] = timings.get("graph build", 0.0) + time.perf_counter() - started
    # No quads: with its pieces, the cache keeps the graph as its TriG piece.
    entry = as_entry(doc, source.text_file, source.text.raw.encode("utf-8"), counts, warnings, None)
    view = export.GraphView(name, rows, ctx, {doc: source.text.raw})
    entry.pieces = export.piece(view, timings)
    entry.pieces_id = pieces_id(key, entry.text_sha256, stamp)
    graph = export.Graph.of(entry.pieces, entry.pieces_id)
    entry.index = graph.index
    return entry, graph
