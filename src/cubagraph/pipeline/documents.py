"""One document's way through the pipeline: load → validate → build → export its pieces → keep.

The same work runs in this process, or in each forked worker when a build
has many new documents (:mod:`cubagraph.incremental.fanout`). It sends back
only what the build needs of a document: its problems, what the checks
between documents need to know of it, and its cache entry, which says where
its pieces are on disk. The pieces themselves stay there: the exports copy
them without reading them.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import export
from ..errors import Problem
from ..export.plan import INDEX
from ..graph.build import Builder
from ..incremental.cache import Cache
from ..incremental.entries import Entry, as_entry, pieces_id
from ..mapping import across, findable, load, validate
from ..network import kept
from ..project import Project
from ..rdf.ontology import Ontology
from ..rdf.terms import Row, to_quads


@dataclass
class Job:
    """What every document's work needs: made once per build, and inherited by forked workers."""

    project: Project
    ontology: Ontology
    registry: load.RegistryFile | None  # None: the registry could not be read; documents are only read then
    registry_path: str
    cache: Cache
    ctx: export.Context | None  # what pieces are rendered for; None: no pieces (build_dataset, or a broken registry)
    rows: bool = False  # send each document's rows and text back (build_dataset)
    timings: dict[str, float] | None = None


@dataclass
class Done:
    """One document, as its work sends it back."""

    key: str
    problems: list[Problem]
    identity: across.Identity | None = None  # None: the mapping could not be read
    entry: Entry | None = None  # built, and kept in the cache
    digests: dict[str, list[int | str]] = field(default_factory=dict)  # of the mapping and its text, for the parent
    rows: list[Row] | None = None
    text: str = ""


class Work:
    """Callable on a batch of (cache key, mapping): each process makes its checker and builder once, on first use."""

    def __init__(self, job: Job):
        self.job = job
        self._tools: tuple[validate.Checker, Builder] | None = None

    def __call__(self, batch: Sequence[tuple[str, Path]]) -> list[Done]:
        job = self.job
        if self._tools is None and job.registry is not None:
            self._tools = (
                validate.Checker(job.ontology.vocabulary, job.registry, job.registry_path),
                Builder(job.project.minter(), job.ontology, job.registry, shared=False),
            )
        dones = [self.one(key, path) for key, path in batch]
        started = time.perf_counter()
        job.cache.flush()  # the batch's last entries as one pack: one file made, not one per document
        self._clock("cache writes", started)
        return dones

    def one(self, key: str, path: Path) -> Done:
        job, cache = self.job, self.job.cache
        problems: list[Problem] = []
        started = time.perf_counter()
        if not key:  # no cache was looked in: hash the mapping now
            # Unreadable, or not a regular file: reading it below says why, with its path.
            with contextlib.suppress(OSError):
                key = cache.key_of(path)
        source = load.read_mapping(job.project, path, problems)
        started = self._clock("load models", started)
        if source is None:
            return Done(key, problems, digests=cache.digests.records(path))
        cache.digests.remember(source.text_path, source.sha256)
        done = Done(key, problems, across.identity(source), digests=cache.digests.records(path, source.text_path))
        if self._tools is None:
            return done  # no registry to check against
        checker, builder = self._tools
        at, grounding = len(checker.problems), checker.grounding
        checker.check_one(source)
        problems += checker.problems[at:]
        problems += findable.unfound(source.loaded, source.items, job.ontology.vocabulary)  # no saved query finds
        if job.timings is not None:
            job.timings["quote grounding"] = job.timings.get("quote grounding", 0.0) + checker.grounding - grounding
        started = self._clock("check models", started, checker.grounding - grounding)
        if any(not p.warning for p in problems) or (job.ctx is None and not job.rows):
            return done
        before = Counter(builder.counts)
        builder.document(source)
        doc = source.document.id
        name = builder.mint.document_graph(doc)
        rows = builder.take(name)
        counts = builder.counts - before
        counts["quads"] = len(rows)
        warnings = [p for p in problems if p.warning]
        # With pieces, the cache keeps the graph as its TriG piece, and needs no quads.
        quads = to_quads(name, rows) if job.ctx is None else None
        entry = as_entry(doc, source.text_file, source.text.raw.encode("utf-8"), counts, warnings, quads)
        entry.identity = done.identity.as_json() if done.identity is not None else []
        started = self._clock("graph build", started)
        if job.ctx is not None:
            view = export.GraphView(name, rows, job.ctx, {doc: source.text.raw})
            entry.pieces = export.piece(view, job.timings)
            entry.pieces[kept.PART] = kept.encode(view.projection, job.ctx.network.actors)
            entry.pieces_id = pieces_id(key, entry.text_sha256, cache.stamp)
            entry.index = json.loads(entry.pieces[INDEX])
            started = time.perf_counter()
        cache.put(key, entry)
        self._clock("cache writes", started)
        done.entry = entry
        if job.rows:
            done.rows, done.text = rows, source.text.raw
        return done

    def _clock(self, phase: str, started: float, less: float = 0.0) -> float:
        """Add the time since ``started`` (less ``less``) to ``phase``, for benchmarks/build_scale.py; now."""
        now = time.perf_counter()
        if self.job.timings is not None:
            self.job.timings[phase] = self.job.timings.get(phase, 0.0) + now - started - less
        return now
