"""One event across documents (same_as), the registry's well-known events, and corroboration."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_seed_facts import B, R, select

from cubagraph.graph.dataset import Dataset
from support import ROOT, Result, edit, line_of

DOC_B = "data/mappings/cuba-releases-553-prisoners.yaml"
DOC_A = "data/mappings/blinken-political-prisoners.yaml"


@pytest.fixture(scope="module")
def store(dataset: Dataset) -> ox.Store:
    return dataset.to_store()


@pytest.fixture
def workdir(workdir: Path) -> Path:
    """The copied project, with its saved queries."""
    shutil.copytree(ROOT / "queries", workdir / "queries")
    return workdir


def corroboration(root: Path) -> list[dict[str, str]]:
    """The saved query's rows, asked as a user would, in a process of its own (its --timeout counts from its start)."""
    command = [sys.executable, "-m", "cubagraph", "query", "--name", "corroboration", "--format", "json"]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(result.stdout)["results"]["bindings"]]


def test_the_two_seeds_sanctions_are_one_event_with_each_documents_evidence(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?g ?telling ?quote ?by WHERE {
             event:us-sanctions-on-cuba a cg:WellKnownEvent ; rdfs:label "U.S. sanctions on Cuba" ;
                                        cg:eventType cg:Sanctions .
             GRAPH ?g { ?telling cg:sameEventAs event:us-sanctions-on-cuba ; cg:assertedBy ?by ;
                                 cg:evidence/oa:hasTarget/oa:hasSelector/oa:exact ?quote } }
           ORDER BY ?g""",
    )
    base = "https://cubagraph.example/id/"
    assert [(r["g"], r["telling"], r["quote"], r["by"]) for r in rows] == [
        (f"{base}graph/{B}", f"{base}event/{B}.sanctions-on-cuba", "Although economic sanctions are in place",
         f"{base}actor/us-department-of-state"),
        (f"{base}graph/{R}", f"{base}event/{R}.us-sanctions", "countries that oppose U.S. sanctions",
         f"{base}document/{R}"),
    ]  # fmt: skip


def test_the_corroboration_query_lists_the_sanctions_with_two_sources(
    run: Callable[..., Result], workdir: Path
) -> None:
    assert run("build", cwd=workdir).code == 0
    rows = corroboration(workdir)
    first = rows[0]
    assert (first["label"], first["sources"], first["documents"], first["one_source"]) == (
        "U.S. sanctions on Cuba", "2", "2", "false"
    )  # fmt: skip
    assert set(first["asserted_by"].split("; ")) == {
        "U.S. Department of State",
        "the article “Cuba’s Humanitarian Gesture: A Closer Look at the Release of 553 Prisoners”",
    }
    assert all(r["sources"] == "1" and r["one_source"] == "true" for r in rows[1:])
    assert len(rows) == 83  # 84 facts, two of them tellings of one event
    # Figures are never merged: each rests on its own source.
    assert sum(r["kind"] == "figure" for r in rows) == 5


def test_stats_show_corroboration(run: Callable[..., Result], workdir: Path) -> None:
    assert run("build", cwd=workdir).code == 0
    assert "Corroboration" not in run("stats", cwd=workdir).out  # asked for: it reads every assertion
    text = run("stats", "--corroboration", cwd=workdir)
    assert text.code == 0, text.err
    assert "  83 facts: 1 on 2 sources, 82 on 1 source\n" in text.out
    assert "  2 sources, 2 documents: event U.S. sanctions on Cuba (" in text.out
    assert "Resting on one source only: 82\n" in text.out
    report = json.loads(run("stats", "--corroboration", "--format", "json", cwd=workdir).out)["corroboration"]
    assert report["by_sources"] == {"2": 1, "1": 82}
    assert [r["label"] for r in report["several_sources"]] == ["U.S. sanctions on Cuba"]


def test_one_document_can_name_anothers_event(run: Callable[..., Result], workdir: Path) -> None:
    # Seed 004's release event told again by seed 000, pointing at it: corroborated by two sources.
    edit(
        workdir / DOC_B,
        "    same_as: us-sanctions-on-cuba\n",
        "    same_as: blinken-political-prisoners/sanctions-on-cuba\n",
    )
    edit(workdir / DOC_A, "    same_as: us-sanctions-on-cuba\n", "")
    assert run("build", cwd=workdir).code == 0
    rows = json.loads(run("query", "--name", "corroboration", "--format", "json", cwd=workdir).out)["results"][
        "bindings"
    ]
    first = {k: v["value"] for k, v in rows[0].items()}
    assert (first["fact"], first["sources"]) == (f"https://cubagraph.example/id/event/{B}.sanctions-on-cuba", "2")


@pytest.mark.parametrize(
    ("target", "message", "hint"),
    [
        ("us-sanctions-on-kuba", "unknown event 'us-sanctions-on-kuba' in same_as", "did you mean 'us-sanctions-on-cuba'?"),
        ("blinken-political-prisoner/sanctions-on-cuba", "unknown document 'blinken-political-prisoner'",
         "did you mean 'blinken-political-prisoners/sanctions-on-cuba'?"),
        ("blinken-political-prisoners/sanctions-on-kuba", "'blinken-political-prisoners' has no event 'sanctions-on-kuba'",
         "did you mean 'blinken-political-prisoners/sanctions-on-cuba'"),
        ("cuba-releases-553-prisoners/us-policy-reversal", "names this document", "map the event once"),
    ],
)  # fmt: skip
def test_an_unknown_same_as_is_an_error_at_its_line_with_the_closest_ids(
    run: Callable[..., Result], workdir: Path, target: str, message: str, hint: str
) -> None:
    path = workdir / DOC_B
    edit(path, "    same_as: us-sanctions-on-cuba\n", f"    same_as: {target}\n")
    result = run("check", cwd=workdir)
    assert result.code == 1
    assert f"cuba-releases-553-prisoners.yaml:{line_of(path, 'same_as: ' + target)}: " in result.err
    assert message in result.err and hint in result.err, result.err


def test_same_as_a_copy_names_the_one_event_instead(run: Callable[..., Result], workdir: Path) -> None:
    edit(
        workdir / DOC_B,
        "    same_as: us-sanctions-on-cuba\n",
        "    same_as: blinken-political-prisoners/sanctions-on-cuba\n",
    )
    result = run("check", cwd=workdir)
    assert result.code == 1
    assert "is itself the same as 'us-sanctions-on-cuba' — write same_as: us-sanctions-on-cuba" in result.err


def test_a_kept_document_is_checked_again_when_the_event_it_names_goes(
    run: Callable[..., Result], workdir: Path
) -> None:
    edit(
        workdir / DOC_B,
        "    same_as: us-sanctions-on-cuba\n",
        "    same_as: blinken-political-prisoners/sanctions-on-cuba\n",
    )
    edit(workdir / DOC_A, "    same_as: us-sanctions-on-cuba\n", "")
    assert run("build", cwd=workdir).code == 0  # both documents now in the build cache
    edit(workdir / DOC_A, "  - id: sanctions-on-cuba\n", "  - id: sanctions-in-place\n")
    result = run("build", cwd=workdir)  # seed 004 unchanged: kept, and its same_as checked again
    assert result.code == 1
    assert "'blinken-political-prisoners' has no event 'sanctions-on-cuba'" in result.err
    assert "did you mean 'blinken-political-prisoners/sanctions-in-place'" in result.err


def test_a_type_that_differs_from_the_registry_event_is_a_warning(run: Callable[..., Result], workdir: Path) -> None:
    edit(
        workdir / DOC_B,
        "  - id: us-sanctions\n    type: sanctions\n",
        "  - id: us-sanctions\n    type: policy_change\n",
    )
    result = run("check", cwd=workdir)
    assert result.code == 0
    assert "warning: the event is of type 'policy_change', but 'us-sanctions-on-cuba'" in result.err


def test_figures_are_never_merged(run: Callable[..., Result], workdir: Path) -> None:
    edit(
        workdir / DOC_B,
        "    measures: people_released\n",
        "    measures: people_released\n    same_as: us-sanctions-on-cuba\n",
    )
    result = run("check", cwd=workdir)
    assert result.code == 1 and "unknown field 'same_as'" in result.err


def test_stats_without_the_saved_query_still_answer(run: Callable[..., Result], workdir: Path) -> None:
    (workdir / "queries" / "corroboration.rq").unlink()
    assert run("build", cwd=workdir).code == 0
    result = run("stats", "--corroboration", cwd=workdir)
    assert result.code == 0, result.err
    assert result.out.endswith(
        "Corroboration: no queries/corroboration.rq in this project: copy it from cubagraph's to see corroboration\n"
    )
