"""`cubagraph coverage`: the share of each text's sentences that some fact cites, and the ones none cites."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from cubagraph.export.coverage import of_document
from cubagraph.export.sentences import split
from support import ROOT, Result, edit

SEED_000 = "data/documents/000_fd0916bb9c006de1.txt"
SEED_004 = "data/documents/004_1d5170aace06a04f.txt"


def test_on_the_seeds_a_share_per_document_and_the_uncited_sentences(run: Callable[..., Result]) -> None:
    result = run("coverage", cwd=ROOT)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    shares = [line for line in lines[:2]]
    assert shares[0].startswith("blinken-political-prisoners ") and "sentences cited" in shares[0]
    assert shares[1].startswith("cuba-releases-553-prisoners ") and "sentences cited" in shares[1]
    # Each share is what its own numbers say.
    for line in shares:
        cited, total = (int(w.replace(",", "")) for w in line.split()[2:5:2])
        assert f"{cited / total:.1%}" in line
    # An uncited sentence is printed with its line in the text; a cited one is not.
    text = (ROOT / SEED_000).read_text(encoding="utf-8").splitlines()
    assert text[2] == "Antonyblinken800"
    assert (
        f"blinken-political-prisoners: {_count(result.out, 'blinken-political-prisoners')} uncited, in {SEED_000}"
        in (result.out)
    )
    assert "     3: Antonyblinken800" in lines
    assert not any("Blinken said in a Twitter post" in line for line in lines)
    assert "    28: In Retrospect" in lines  # seed 004's closing heading


def _count(out: str, doc: str) -> int:
    line = next(line for line in out.splitlines() if line.startswith(doc + " "))
    cited, total = (int(w.replace(",", "")) for w in line.split()[2:5:2])
    return total - cited


def test_a_new_fact_covers_its_sentence(run: Callable[..., Result], workdir: Path) -> None:
    before = run("coverage", "cuba-releases-553-prisoners", cwd=workdir)
    assert before.code == 0, before.err
    assert "    28: In Retrospect" in before.out.splitlines()
    edit(
        workdir / "data/mappings/cuba-releases-553-prisoners.yaml",
        "claims:\n",
        "claims:\n  - id: retrospect-heading\n    summary: A heading\n    about: [cuba]\n    evidence: [In Retrospect]\n",
    )
    after = run("coverage", "cuba-releases-553-prisoners", "--format", "json", cwd=workdir)
    assert after.code == 0, after.err
    (doc,) = json.loads(after.out)
    old = json.loads(run("coverage", "--format", "json", cwd=ROOT).out)[1]
    assert doc["document"] == old["document"] == "cuba-releases-553-prisoners"
    assert (doc["cited"], doc["sentences"]) == (old["cited"] + 1, old["sentences"])
    assert 28 not in [s["line"] for s in doc["uncited"]]
    assert doc["text"] == SEED_004


def test_suggested_items_do_not_count(run: Callable[..., Result], workdir: Path) -> None:
    edit(
        workdir / "data/mappings/cuba-releases-553-prisoners.yaml",
        "claims:\n",
        "claims:\n  - id: retrospect-heading\n    suggested: true\n    summary: A heading\n    about: [cuba]\n"
        "    evidence: [In Retrospect]\n",
    )
    result = run("coverage", "cuba-releases-553-prisoners", cwd=workdir)
    assert result.code == 0
    assert "    28: In Retrospect" in result.out.splitlines()


def test_an_unknown_document_is_a_usage_error_with_the_nearest_id(run: Callable[..., Result]) -> None:
    result = run("coverage", "blinken-political-prisoner", cwd=ROOT)
    assert result.code == 2
    assert result.err == (
        "cubagraph: no document 'blinken-political-prisoner' is mapped — did you mean 'blinken-political-prisoners'?\n"
    )


def test_summary_prints_only_the_shares(run: Callable[..., Result]) -> None:
    result = run("coverage", "--summary", cwd=ROOT)
    assert result.code == 0
    assert len(result.out.splitlines()) == 2


def test_sentences_are_split_at_ends_and_lines_not_at_abbreviations() -> None:
    text = "The U.S. said so. Mr. Díaz-Balart agreed!\n| a | b |\n|---|---|\n\n  A heading  \nLast one"
    assert [text[s:e] for s, e in split(text)] == [
        "The U.S. said so.",
        "Mr. Díaz-Balart agreed!",
        "| a | b |",
        "A heading",
        "Last one",
    ]


def test_a_quote_across_two_sentences_cites_both_and_a_touch_is_not_an_overlap() -> None:
    text = "One sentence here. Two sentence here. Three here."
    two = text.index("Two")
    covered = of_document("d", "t.txt", text, [(text.index("here."), two + 3), (len(text) - 1, len(text))])
    assert [s.cited for s in covered.sentences] == [True, True, True]
    untouched = of_document("d", "t.txt", text, [(two + len("Two sentence here."), two + len("Two sentence here. "))])
    assert [s.cited for s in untouched.sentences] == [False, False, False]
    assert untouched.share == 0 and [s.line for s in untouched.uncited] == [1, 1, 1]
