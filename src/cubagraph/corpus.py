"""The whole pipeline in one call: files → checked models → dataset.

This is the entry point for scripts::

    from cubagraph import corpus
    ds = corpus.build_dataset()          # raises InvalidData with every problem
    graph = ds.to_rdflib()               # an rdflib.Dataset, if you prefer rdflib
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import pyoxigraph as ox

from . import build, export, load, ontology, validate
from .cache import Cache, Entry, as_entry, parse_quads, pieces_id
from .digests import Digests
from .errors import InvalidData, Problem, display_path
from .project import Project, find


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


@dataclass
class _Checked:
    """A project read and checked: documents to build afresh, and documents whose cache entry still holds."""

    project: Project
    ontology: ontology.Ontology
    registry: load.RegistryFile
    store: Cache
    fresh: list[tuple[str, load.Source]]
    cached: list[tuple[str, Entry]]
    warnings: list[Problem]
    digests: Digests


def _check(project: Project, use_cache: bool, pieces: str = "", timings: dict[str, float] | None = None) -> _Checked:
    started = time.perf_counter()
    onto = ontology.load(project.ontology)
    problems: list[Problem] = []
    registry = load.read_registry(project.registry, problems)
    # Without use_cache every document is built afresh; the cache is still refilled.
    digests = Digests(project.root)
    store = Cache(project, project.ontology.read_bytes(), project.registry.read_bytes(), digests)
    fresh: list[tuple[str, load.Source]] = []
    cached: list[tuple[str, Entry]] = []
    for path in project.mappings:
        key = store.key(digests.sha256(path))
        entry = store.get(key, pieces) if use_cache and registry is not None else None
        if entry is not None:
            cached.append((key, entry))
        elif (source := load.read_mapping(project, path, problems)) is not None:
            fresh.append((key, source))
    if not project.mappings:
        problems.append(
            Problem(str(project.data / "mappings"), 1, "no mappings found", "add data/mappings/<document-id>.yaml")
        )
    loaded = time.perf_counter()
    problems += validate.check(
        onto.vocabulary,
        registry,
        display_path(str(project.registry)),
        [s for _, s in fresh],
        timings,
        known_texts={e.text_file: e.doc_id for _, e in cached},
    )
    if timings is not None:
        timings["load and validate models (and read the cache)"] = loaded - started
        timings["cross-checks"] = time.perf_counter() - loaded - timings["grounding"]
        timings["quote grounding"] = timings.pop("grounding")
    warnings = [w for _, e in cached for w in e.warnings]
    if any(not p.warning for p in problems) or registry is None:
        raise InvalidData(problems + warnings)
    return _Checked(project, onto, registry, store, fresh, cached, sorted(set(problems + warnings)), digests)


def _entry(checked: _Checked, source: load.Source, counts: Counter[str], quads: list[ox.Quad]) -> Entry:
    mine = [p for p in checked.warnings if p.path == source.path]
    counts["quads"] = len(quads)
    return as_entry(source.document.id, source.text_file, source.text.raw.encode("utf-8"), counts, mine, quads)


def build_dataset(project: Project | None = None, root: Path | None = None, use_cache: bool = True) -> build.Dataset:
    """Check and build everything, in memory. Documents whose inputs have not changed come from the cache."""
    project = project or find(root)
    checked = _check(project, use_cache)
    store = checked.store
    builder = build.Builder(project.minter(), checked.ontology, checked.registry)
    for key, source in checked.fresh:
        start, before = len(builder.quads), Counter(builder.counts)
        builder.document(source)
        store.put(key, _entry(checked, source, builder.counts - before, build.sort_quads(builder.quads[start:])))
    for _, entry in checked.cached:
        builder.quads.extend(parse_quads(entry.quads))
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
    held in memory. Unchanged documents bring their pieces from the cache,
    read only if the writer cannot copy them from the old exports. The
    exports are the same bytes as ``export.render_all(build_dataset())``
    (a test checks this).
    """
    prefixes = project.prefixes()
    stamp = hashlib.sha256(json.dumps(sorted(prefixes.items())).encode()).hexdigest()
    checked = _check(project, use_cache, pieces=stamp, timings=timings)
    store = checked.store
    clock: dict[str, float] = {"graph build": 0.0, "cache writes": 0.0}
    builder = build.Builder(project.minter(), checked.ontology, checked.registry)
    shared = build.sort_quads(builder.quads)  # the ontology and the registry
    builder.quads.clear()
    ctx = export.context(shared, prefixes, settings=project.settings, memo=project.root / ".cubagraph" / "viewer")
    graphs: dict[str, export.Graph] = {}
    for name, group in groupby(shared, key=lambda q: q.graph_name.value):  # type: ignore[union-attr]
        graphs[name] = export.Graph.of(export.piece(export.GraphView(name, list(group), ctx)))
    counts = Counter(builder.counts)  # the registry's
    counts["quads"] = len(shared)
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
        started = time.perf_counter()
        before = Counter(builder.counts)
        builder.document(source)
        quads = build.sort_quads(builder.quads)
        builder.quads.clear()  # one document's quads at a time
        clock["graph build"] += time.perf_counter() - started
        name = minter.document_graph(source.document.id)
        entry = _entry(checked, source, builder.counts - before, quads)
        view = export.GraphView(name, quads, ctx, {source.document.id: source.text.raw})
        graphs[name] = keep(key, entry, export.piece(view, timings))
        counts.update(entry.counts)
        checked.fresh[i] = (key, None)  # type: ignore[assignment]  # let the models go
    for key, entry in checked.cached:
        name = minter.document_graph(entry.doc_id)
        if entry.index is None:  # kept by build_dataset, which renders no pieces: render them now
            view = export.GraphView(name, parse_quads(entry.quads), ctx, {entry.doc_id: entry.text})
            graphs[name] = keep(key, entry, export.piece(view))
        else:
            sizes = {n: size for n, _, size in entry._blobs}
            graphs[name] = export.Graph(entry.pieces_id, entry.index, sizes, functools.partial(_pieces, entry))
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
