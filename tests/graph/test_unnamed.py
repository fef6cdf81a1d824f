"""Unnamed speakers: "a State Department spokesperson" is modelled as unnamed, affiliated with X, never as X."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cubagraph import pipeline, project
from support import Result, edit, line_of

TEXT = Path(__file__).parent / "fixtures" / "spokesperson.txt"
MAPPING = """\
document:
  id: spokesperson
  text: documents/spokesperson.txt
  title: State Department answers on Cuba
  language: en
  published: 2024-04-02

statements:
  - id: keeps-sanctions
    speaker: {unnamed: spokesperson, of: us-department-of-state}
    medium: interview
    date: unknown
    quote:
      - The United States will keep its sanctions on Cuba in place
    evidence:
      - a State Department spokesperson told reporters

claims:
  - id: sanctions-stay
    summary: The United States will keep its sanctions on Cuba
    about: [united-states, cuba]
    modality: quoted
    asserted_by: {unnamed: spokesperson, of: us-department-of-state}
    via: keeps-sanctions
    evidence:
      - The United States will keep its sanctions on Cuba in place

  - id: releases-continue
    summary: The releases will continue
    about: [cuban-government]
    modality: speculation
    asserted_by: {unnamed: source, of: cuban-government}
    evidence:
      - the releases would continue
"""
BASE = "https://cubagraph.example/id/"
UNNAMED = f"{BASE}document/spokesperson.unnamed.spokesperson.us-department-of-state"


@pytest.fixture
def mapped(workdir: Path) -> Path:
    shutil.copy(TEXT, workdir / "data" / "documents" / "spokesperson.txt")
    (workdir / "data" / "mappings" / "spokesperson.yaml").write_text(MAPPING, encoding="utf-8")
    return workdir


def test_an_unnamed_spokesperson_is_a_node_of_its_own_affiliated_with_the_actor(
    run: Callable[..., Result], mapped: Path
) -> None:
    result = run("build", cwd=mapped)
    assert result.code == 0, result.err
    ds = pipeline.build_dataset(project.find(mapped))
    store = ds.to_store()
    rows = list(store.query(
        f"""SELECT ?speaker ?label ?role ?of ?by WHERE {{
              <{BASE}statement/spokesperson.keeps-sanctions> <https://cubagraph.example/ns#speaker> ?speaker .
              ?speaker a <https://cubagraph.example/ns#UnnamedSource> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label ;
                       <https://cubagraph.example/ns#unnamedRole> ?role ; <https://cubagraph.example/ns#affiliatedWith> ?of .
              <{BASE}claim/spokesperson.sanctions-stay> <https://cubagraph.example/ns#assertedBy> ?by }}""",
        use_default_graph_as_union=True,
    ))  # fmt: skip
    assert [tuple(r[i].value for i in range(5)) for r in rows] == [  # type: ignore[index]
        (UNNAMED, "an unnamed spokesperson of U.S. Department of State", "https://cubagraph.example/ns#UnnamedSpokesperson",
         f"{BASE}actor/us-department-of-state", UNNAMED)
    ]  # fmt: skip
    # Never the department itself: it neither speaks nor asserts in this document.
    graph = f"{BASE}graph/spokesperson"
    said = {
        q.object.value
        for q in ds.quads
        if q.graph_name.value == graph and q.predicate.value.endswith(("#speaker", "#assertedBy"))
    }
    assert f"{BASE}actor/us-department-of-state" not in said
    assert f"{BASE}document/spokesperson.unnamed.source.cuban-government" in said


def test_the_cli_shows_the_unnamed_speaker_as_such(run: Callable[..., Result], mapped: Path) -> None:
    assert run("build", cwd=mapped).code == 0
    result = run("neighbors", "U.S. Department of State", cwd=mapped)
    assert result.code == 0, result.err
    assert "an unnamed spokesperson of U.S. Department of State" in result.out
    path = run("path", "an unnamed spokesperson of U.S. Department of State", "Cuba", cwd=mapped)
    assert path.code == 0 and "speaker" in path.out, path.out


def test_the_organisation_cannot_take_its_spokespersons_words(run: Callable[..., Result], mapped: Path) -> None:
    path = mapped / "data" / "mappings" / "spokesperson.yaml"
    edit(path, "    asserted_by: {unnamed: spokesperson, of: us-department-of-state}\n    via:",
         "    asserted_by: us-department-of-state\n    via:")  # fmt: skip
    result = run("check", cwd=mapped)
    assert result.code == 1
    assert (
        f"spokesperson.yaml:{line_of(path, 'via: keeps-sanctions')}: 'keeps-sanctions' is not made by 'us-department-of-state'"
        in result.err
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{unnamed: spokesperson, of: us-department-of-state}\n    medium", "{unnamed: spokesman, of: us-department-of-state}\n    medium",
         "unknown unnamed 'spokesman' — did you mean 'spokesperson'?"),
        ("{unnamed: spokesperson, of: us-department-of-state}\n    medium", "{unnamed: spokesperson, of: state-departmen}\n    medium",
         "unknown actor 'state-departmen'"),
    ],
)  # fmt: skip
def test_an_unnamed_speakers_parts_are_checked(
    run: Callable[..., Result], mapped: Path, old: str, new: str, message: str
) -> None:
    path = mapped / "data" / "mappings" / "spokesperson.yaml"
    edit(path, old, new)
    result = run("check", cwd=mapped)
    assert result.code == 1 and message in result.err, result.err
    assert f"spokesperson.yaml:{line_of(path, new.split(chr(10))[0])}:" in result.err
