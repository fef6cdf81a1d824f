"""The whole pipeline in one call: files → checked models → dataset.

This is the entry point for scripts::

    from cubagraph import corpus
    ds = corpus.build_dataset()          # raises InvalidData with every problem
    graph = ds.to_rdflib()               # an rdflib.Dataset, if you prefer rdflib
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import build, load, ontology, validate
from .cache import Cache, Entry, as_entry, parse_quads
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


def build_dataset(project: Project | None = None, root: Path | None = None, use_cache: bool = True) -> build.Dataset:
    """Check and build everything. Documents whose inputs have not changed come from the cache."""
    project = project or find(root)
    onto = ontology.load(project.ontology)
    problems: list[Problem] = []
    registry = load.read_registry(project.registry, problems)
    # Without use_cache every document is built afresh; the cache is still refilled.
    store = Cache(project, project.ontology.read_bytes(), project.registry.read_bytes())
    fresh: list[tuple[str, load.Source]] = []
    cached: list[Entry] = []
    for path in project.mappings:
        key = store.key(path.read_bytes())
        entry = store.get(key) if use_cache and registry is not None else None
        if entry is not None:
            cached.append(entry)
        elif (source := load.read_mapping(project, path, problems)) is not None:
            fresh.append((key, source))
    if not project.mappings:
        problems.append(
            Problem(str(project.data / "mappings"), 1, "no mappings found", "add data/mappings/<document-id>.yaml")
        )
    problems += validate.check(
        onto.vocabulary,
        registry,
        display_path(str(project.registry)),
        [s for _, s in fresh],
        known_texts={e.text_file: e.doc_id for e in cached},
    )
    warnings = [w for e in cached for w in e.warnings]
    if any(not p.warning for p in problems) or registry is None:
        raise InvalidData(problems + warnings)

    builder = build.Builder(project.minter(), onto, registry)
    for key, source in fresh:
        start, before = len(builder.quads), Counter(builder.counts)
        builder.document(source)
        if store is not None:
            mine = [p for p in problems if p.path == source.path]
            quads = build.sort_quads(builder.quads[start:])
            store.put(
                key,
                as_entry(
                    source.document.id,
                    source.text_file,
                    source.text.raw.encode("utf-8"),
                    builder.counts - before,
                    mine,
                    quads,
                ),
            )
    for entry in cached:
        builder.quads.extend(parse_quads(entry.quads))
        builder.counts.update(entry.counts)
    store.prune()
    dataset = builder.dataset()
    dataset.inputs = project.input_digest()
    dataset.texts = {s.document.id: s.text.raw for _, s in fresh}
    for entry in cached:
        dataset.texts[entry.doc_id] = entry.text
    dataset.settings = project.settings
    dataset.warnings = sorted(set(problems + warnings))
    dataset.counts["cached"] = len(cached)
    return dataset
