"""Changing one word inside any evidence quote makes the build fail, naming the file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cubagraph import pipeline, project
from support import Result, digest, edit, line_of


@pytest.fixture(scope="module")
def seed(root: Path) -> pipeline.Corpus:
    return pipeline.load_corpus(project.find(root))


def test_every_quote_is_located(seed: pipeline.Corpus) -> None:
    for source in seed.sources:
        assert source.spans, source.path
        for span in source.spans.values():
            assert source.text.raw[span.start : span.end] == span.exact


def test_changing_any_word_of_any_quote_breaks_the_match(seed: pipeline.Corpus) -> None:
    checked = 0
    for source in seed.sources:
        for loc, span in source.spans.items():
            words = span.exact.split()
            for i, word in enumerate(words):
                changed = " ".join([*words[:i], word[::-1] + "q", *words[i + 1 :]])
                assert source.text.find(changed) == [], (source.path, loc, changed)
                dropped = " ".join([*words[:i], *words[i + 1 :]])
                if dropped and i not in (0, len(words) - 1):
                    # Dropping an inner word changes the quote too.
                    assert source.text.find(dropped) == [], (source.path, loc, dropped)
                checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    ("mapping", "old", "new"),
    [
        (
            "data/mappings/blinken-political-prisoners.yaml",
            "derived_from: Two years after the historic July 11 protests\n      note",
            "derived_from: Three years after the historic July 11 protests\n      note",
        ),
        (
            "data/mappings/blinken-political-prisoners.yaml",
            "more than 700 individuals remain in jail for exercising their freedoms of expression and peaceful assembly\n",
            "more than 800 individuals remain in jail for exercising their freedoms of expression and peaceful assembly\n",
        ),
        (
            "data/mappings/cuba-releases-553-prisoners.yaml",
            'Regional Alliances: Cuba may bolster ties with countries"',
            'Regional Alliances: Cuba will bolster ties with countries"',
        ),
        (
            "data/mappings/cuba-releases-553-prisoners.yaml",
            "      - the Cuban government has finalized the release of 553 prisoners\n",
            "      - the Cuban government has finalized the release of 535 prisoners\n",
        ),
    ],
)
def test_a_changed_word_fails_the_build_and_names_the_line(
    run: Callable[..., Result], workdir: Path, mapping: str, old: str, new: str
) -> None:
    path = workdir / mapping
    edit(path, old, new)
    before = digest(workdir / "exports")
    result = run("build", cwd=workdir)
    assert result.code == 1
    line = line_of(path, new.strip().splitlines()[0])
    assert result.err.startswith(f"{mapping}:{line}: quote not found in data/documents/")
    assert digest(workdir / "exports") == before
