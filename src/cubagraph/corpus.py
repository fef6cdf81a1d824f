"""The whole pipeline in one call: files → checked models → dataset.

This is the entry point for scripts::

    from cubagraph import corpus
    ds = corpus.build_dataset()          # raises InvalidData with every problem
    graph = ds.to_rdflib()               # an rdflib.Dataset, if you prefer rdflib
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import build, load, ontology, validate
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


def build_dataset(project: Project | None = None, root: Path | None = None) -> build.Dataset:
    project = project or find(root)
    c = load_corpus(project)
    dataset = build.build(project.minter(), c.ontology, c.registry, c.sources)
    dataset.inputs = project.input_digest()
    dataset.texts = {s.document.id: s.text.raw for s in c.sources}
    dataset.settings = project.settings
    dataset.warnings = c.warnings
    return dataset
