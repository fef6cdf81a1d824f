"""Adding a document as a new user would: `cubagraph new`, confirm some suggestions, build."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cubagraph import pipeline, project
from cubagraph.mapping import yamlfile
from cubagraph.mapping.evidence import Text
from support import ROOT, Result, edit, line_of

ARTICLE = Path(__file__).parent / "fixtures" / "new-article.txt"
DOC = "blinken-meets-activists"
MAPPING = f"data/mappings/{DOC}.yaml"


@pytest.fixture
def started(run: Callable[..., Result], workdir: Path) -> Path:
    shutil_schema(workdir)
    result = run("new", str(ARTICLE), "--id", DOC, "--published", "2024-03-04", cwd=workdir)
    assert result.code == 0, result.err
    assert f"Stored data/documents/{DOC}.txt" in result.out
    return workdir


def shutil_schema(workdir: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "schema", workdir / "schema")


def test_the_text_is_stored_exactly(started: Path) -> None:
    assert (started / f"data/documents/{DOC}.txt").read_bytes() == ARTICLE.read_bytes()


def test_suggestions_quote_the_text_and_stay_out_of_the_graph(run: Callable[..., Result], started: Path) -> None:
    mapping = (started / MAPPING).read_text(encoding="utf-8")
    assert mapping.startswith("# yaml-language-server: $schema=../../schema/mapping.schema.json\n")
    loaded, problems = yamlfile.load(MAPPING, mapping)
    assert loaded is not None and not problems
    data = loaded.data
    text = Text(ARTICLE.read_text(encoding="utf-8"))
    quotes = [h["quote"] for h in data["suggestions"]]
    quotes += [e if isinstance(e, str) else e["quote"] for s in data["figures"] for e in s["evidence"]]
    quotes += [q if isinstance(q, str) else q["quote"] for s in data["statements"] for q in s["quote"]]
    assert len(quotes) >= 8
    for quote in quotes:
        assert text.find(quote), quote
    actors = {h["actor"] for h in data["suggestions"] if "actor" in h}
    assert {
        "antony-blinken",
        "cuban-pro-democracy-activists",
        "us-department-of-state",
        "human-rights-watch",
        "cuba",
    } <= actors
    assert {"date": "2024-03-03", "quote": "March 3, 2024", "line": 3} in data["suggestions"]
    (figure,) = data["figures"]
    assert (figure["value"], figure["comparator"], figure["unit"], figure["suggested"]) == (
        1000,
        "more_than",
        "persons",
        True,
    )
    (statement,) = data["statements"]
    assert statement["speaker"] == "antony-blinken" and statement["medium"] == "social_media_post"
    # Unconfirmed: reported by check, absent from the graph.
    result = run("check", cwd=started)
    assert result.code == 0, result.err
    assert "warning: suggested figure 'figure-1000-people' is not confirmed" in result.err
    assert "warning: unused suggestion: actor 'antony-blinken'" in result.err
    ds = pipeline.build_dataset(project.find(started))
    graph = f"https://cubagraph.example/id/graph/{DOC}"
    assert not any("figure-1000" in q.subject.value for q in ds.quads)
    assert graph in ds.graphs()


def confirm(workdir: Path) -> Path:
    """What a mapper does: use the hints, confirm the figure and the statement, add an event."""
    path = workdir / MAPPING
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\nsuggestions:\n(  .*\n)+", "\nsuggestions: []\n", text)
    text = text.replace("    suggested: true\n", "")
    text = text.replace('counts: "people"', 'counts: "people who remain detained"')
    # A confirmed statement says who said it where: `check` refuses the suggestion's empty evidence.
    text = text.replace("    evidence: []\n", "    evidence:\n      - Blinken said in a Twitter post\n", 1)
    text = text.replace(
        "events: []",
        "events:\n"
        "  - id: meeting-with-activists\n"
        "    type: meeting\n"
        "    label: Blinken meets Cuban pro-democracy activists\n"
        "    date: 2024-03-03\n"
        "    participants:\n"
        "      - {actor: antony-blinken, role: organizer}\n"
        "      - {actor: cuban-pro-democracy-activists, role: participant}\n"
        "    asserted_by: us-department-of-state\n"
        "    evidence:\n"
        "      - Secretary Antony Blinken met Cuban pro-democracy activists in Washington on March 3, 2024\n"
        "      - the State Department said\n"
        "    note: The department's statement is paraphrased, not quoted.\n",
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_confirmed_suggestions_build_into_the_shared_graph(run: Callable[..., Result], started: Path) -> None:
    confirm(started)
    result = run("build", cwd=started)
    assert result.code == 0, result.err
    assert "warning" not in result.err
    assert result.out.startswith("3 documents, 36 actors")  # no actor was added: known ones merged
    ds = pipeline.build_dataset(project.find(started))
    graph = f"https://cubagraph.example/id/graph/{DOC}"
    in_graph = [q for q in ds.quads if q.graph_name.value == graph]
    blinken = "https://cubagraph.example/id/actor/antony-blinken"
    # The new document's meeting and statement point at the registry's Blinken, not at a copy.
    assert any(q.object.value == blinken and q.predicate.value.endswith("#organizer") for q in in_graph)
    assert any(q.object.value == blinken and q.predicate.value.endswith("#speaker") for q in in_graph)
    actors = {
        q.subject.value
        for q in ds.quads
        if q.predicate.value.endswith("#type") and q.object.value == "https://cubagraph.example/ns#Actor"
    }
    assert len(actors) == 36
    assert any(q.subject.value.endswith(f"{DOC}.figure-1000-people") for q in in_graph)


def test_a_typo_in_an_actor_reference_gets_did_you_mean(run: Callable[..., Result], started: Path) -> None:
    path = confirm(started)
    edit(path, "      - {actor: antony-blinken, role: organizer}", "      - {actor: blinkin, role: organizer}")
    result = run("build", cwd=started)
    assert result.code == 1
    line = line_of(path, "actor: blinkin")
    assert f"{MAPPING}:{line}: unknown actor 'blinkin' — did you mean 'antony-blinken'?" in result.err


def test_a_reference_to_an_unconfirmed_suggestion_is_an_error(run: Callable[..., Result], started: Path) -> None:
    path = started / MAPPING
    edit(
        path,
        "claims: []",
        "claims:\n  - id: c\n    summary: s\n    about: [figure-1000-people]\n    evidence: [Human Rights Watch reported]",
    )
    result = run("check", cwd=started)
    assert result.code == 1
    assert "'figure-1000-people' is a suggestion not yet confirmed" in result.err


def test_text_that_is_not_utf8_is_refused_and_nothing_is_written(
    run: Callable[..., Result], workdir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Line one\nCuba’s line two\n".encode().replace("’".encode(), b"\x92"))
    before = sorted(p.name for p in (workdir / "data").rglob("*"))
    result = run("new", str(bad), "--id", "latin", cwd=workdir)
    assert result.code == 1
    assert (
        result.err.splitlines()[0]
        == f"{os.path.relpath(bad, workdir)}:2: not valid UTF-8: byte 0x92 at offset 13 — re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"
    )
    assert sorted(p.name for p in (workdir / "data").rglob("*")) == before


def test_new_refuses_to_overwrite_or_duplicate(run: Callable[..., Result], started: Path) -> None:
    again = run("new", str(ARTICLE), "--id", DOC, cwd=started)
    assert again.code == 1 and "already exists" in again.err
    copy = run("new", str(ARTICLE), "--id", "another-id", cwd=started)
    assert copy.code == 1 and f"already stored, as data/documents/{DOC}.txt" in copy.err
    bad = run("new", str(ARTICLE), "--id", "Bad Id", cwd=started)
    assert bad.code == 1 and "cannot form a safe IRI" in bad.err


# -- editor support ------------------------------------------------------------------


def test_the_json_schemas_are_current(run: Callable[..., Result], root: Path) -> None:
    result = run("schema", "--check", cwd=root)
    assert result.code == 0, result.err


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@pytest.mark.parametrize("name", ["blinken-political-prisoners", "cuba-releases-553-prisoners"])
def test_the_seed_mappings_validate_against_the_schema(root: Path, name: str) -> None:
    path = root / "data/mappings" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/mapping.schema.json\n")
    loaded, _ = yamlfile.load(str(path), text)
    assert loaded is not None
    schema = json.loads((root / "schema/mapping.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(_jsonable(loaded.data), schema)


def test_the_registry_validates_and_the_schema_catches_mistakes(root: Path) -> None:
    text = (root / "data/actors.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/actors.schema.json\n")
    loaded, _ = yamlfile.load("actors.yaml", text)
    assert loaded is not None
    schema = json.loads((root / "schema/actors.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(_jsonable(loaded.data), schema)
    broken = _jsonable(loaded.data)
    broken["actors"][0]["type"] = "nation"  # not a key of the ontology
    with pytest.raises(jsonschema.ValidationError, match="is not one of"):
        jsonschema.validate(broken, schema)
    broken = _jsonable(loaded.data)
    broken["actors"][0]["nmae"] = "x"
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        jsonschema.validate(broken, schema)


def test_a_lookalike_actor_gets_a_duplicate_warning(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / "data/actors.yaml"
    edit(
        path,
        "  - id: michael-mccaul\n",
        "  - id: mario-diaz-balart-2\n    type: person\n    name: Mario Diaz Balart\n\n  - id: michael-mccaul\n",
    )
    result = run("check", cwd=workdir)
    assert result.code == 0
    line = line_of(path, "id: mario-diaz-balart-2")
    assert (
        f"data/actors.yaml:{line}: warning: actor 'mario-diaz-balart-2' may duplicate 'mario-diaz-balart'" in result.err
    )
    assert "add `distinct_from: [mario-diaz-balart]`" in result.err
    edit(path, "    name: Mario Diaz Balart\n", "    name: Mario Diaz Balart\n    distinct_from: [mario-diaz-balart]\n")
    assert "may duplicate" not in run("check", cwd=workdir).err
