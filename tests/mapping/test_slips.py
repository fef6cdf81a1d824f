"""Each class of mapping slip a reader found in the seeds is refused, at its line, with the right fix.

Every test here puts the slip back (or makes it as a new user would) and
checks that `cubagraph check` fails on it; the seeds themselves pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cubagraph.mapping import placeholders, slips
from support import Result, edit, line_of

ARTICLE = Path(__file__).parent / "fixtures" / "placeholder-article.txt"
SEED = "data/mappings/blinken-political-prisoners.yaml"
ERROR = re.compile(r"^(?P<path>[^:\n]+):(?P<line>[0-9]+): (?!warning)(?P<message>.*)$", re.M)


def errors(result: Result) -> list[tuple[str, int, str]]:
    return [(m["path"], int(m["line"]), m["message"]) for m in ERROR.finditer(result.err)]


def test_the_seeds_have_none_of_these_slips(run: Callable[..., Result], workdir: Path) -> None:
    result = run("check", cwd=workdir)
    assert result.code == 0, result.err


# -- placeholders ---------------------------------------------------------------------------


def _placeholder_lines(mapping: Path) -> set[int]:
    """The lines that hold a placeholder, read from the file's text (not through the checker)."""
    lines = set()
    for n, line in enumerate(mapping.read_text(encoding="utf-8").splitlines(), 1):
        key, _, value = line.split("#", 1)[0].partition(":")
        value = value.strip().strip('"')
        if (
            value in placeholders.IDS
            or re.fullmatch(r"\([^()]*\?\)", value)
            or (value, key.strip()) == ("[]", "evidence")
        ):
            lines.add(n)
    return lines


ARTICLES = sorted((Path(__file__).parents[1] / "fixtures" / "articles").glob("*.txt"))


@pytest.mark.parametrize("article", [ARTICLE, *ARTICLES], ids=lambda p: p.stem)
def test_new_then_confirm_everything_unedited_fails_once_per_placeholder(
    run: Callable[..., Result], workdir: Path, article: Path
) -> None:
    """The issue's test: `new` on an article, every `suggested: true` deleted, nothing else changed."""
    result = run("new", str(article), "--id", "trade-grows", "--published", "2024-04-02", cwd=workdir)
    assert result.code == 0, result.err
    mapping = workdir / "data" / "mappings" / "trade-grows.yaml"
    assert run("check", cwd=workdir).code == 0  # while suggested, placeholders are fine
    edit(mapping, "    suggested: true\n", "", count=-1)
    expected = _placeholder_lines(mapping)
    # Ours has a speaker nobody named, a figure's counts and a statement's attribution.
    assert article != ARTICLE or len(expected) >= 3
    result = run("check", cwd=workdir)
    assert result.code == (1 if expected else 0), result.err
    found = errors(result)
    assert all(path.endswith("trade-grows.yaml") for path, _, _ in found), result.err
    assert sorted(line for _, line, _ in found) == sorted(expected), result.err
    for speaker in [message for _, _, message in found if "who-said-it" in message]:
        assert "actors.yaml" not in speaker  # the old message sent the user to define 'who-said-it' there
        assert "unnamed" in speaker  # the fix names the way to say "a delegate", not only the registry
    assert article != ARTICLE or any("who-said-it" in message for _, _, message in found)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("counts: protesters and bystanders, including", 'counts: "(what is counted?)"\n    x: ', "placeholder"),
        ("speaker: antony-blinken", "speaker: who-said-it", "placeholder 'who-said-it'"),
    ],
)
def test_a_placeholder_in_a_seed_is_refused_at_its_line(
    run: Callable[..., Result], workdir: Path, old: str, new: str, message: str
) -> None:
    path = workdir / SEED
    if old.startswith("counts"):
        edit(
            path,
            "    counts: protesters and bystanders, including several children, whose convictions Cuban courts have upheld\n",
            '    counts: "(what is counted?)"\n',
        )
        needle = '"(what is counted?)"'
    else:
        edit(path, old, new)
        needle = new
    result = run("check", cwd=workdir)
    assert result.code == 1
    assert [(line, message in text) for _, line, text in errors(result)] == [(line_of(path, needle), True)]


def test_empty_evidence_is_refused_on_every_kind_of_item(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / SEED
    edit(
        path,
        "    evidence:\n      - Blinken said in a Twitter post\n      - Secretary Antony Blinken took to social media to call for political prisoners' release\n",
        "    evidence: []\n",
    )
    edit(path, "    evidence:\n      - the brutal regime in Cuba\n", "    evidence: []\n")
    result = run("check", cwd=workdir)
    assert result.code == 1
    found = errors(result)
    assert len(found) == 2, result.err
    assert all("`evidence` is empty" in message for _, _, message in found)
    assert any("who said it" in message for _, _, message in found)  # the statement's fix


# -- aliases ----------------------------------------------------------------------------------


def test_a_name_split_at_its_commas_is_refused(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / "data" / "actors.yaml"
    edit(
        path,
        '"Subcommittee on State, Foreign Operations, and Related Programs"',
        "Subcommittee on State, Foreign Operations, and Related Programs",
    )
    result = run("check", cwd=workdir)
    assert result.code == 1
    found = errors(result)
    line = line_of(path, "aliases: [SFOPS, Subcommittee on State")
    assert {(ln, m.split(" of ")[0]) for _, ln, m in found} == {
        (line, "alias 'Foreign Operations'"),
        (line, "alias 'and Related Programs'"),
    }, result.err
    assert (
        'quote the whole name as one alias, e.g. "Subcommittee on State, Foreign Operations, and Related Programs"'
        in result.err
    )


@pytest.mark.parametrize("alias", ["or the Subcommittee", "And Related Programs"])
def test_an_alias_that_starts_with_a_conjunction_is_refused(
    run: Callable[..., Result], workdir: Path, alias: str
) -> None:
    edit(workdir / "data" / "actors.yaml", "aliases: [HRW]", f"aliases: [HRW, {alias}]")
    result = run("check", cwd=workdir)
    assert result.code == 1 and f"alias {alias!r} of 'human-rights-watch' starts with" in result.err


def test_ordinary_short_aliases_are_not_fragments() -> None:
    # Blinken in "Antony Blinken", Amnesty in "Amnesty International": names of their own, not list items.
    assert not slips._listed_in("Blinken", "Antony Blinken")
    assert not slips._listed_in("Amnesty", "Amnesty International")
    assert slips._listed_in("Foreign Operations", "State, Foreign Operations and Related Programs Subcommittee")


def test_path_from_foreign_operations_no_longer_starts_at_the_subcommittee(
    run: Callable[..., Result], workdir: Path
) -> None:
    assert run("build", cwd=workdir).code == 0
    result = run("path", "Foreign Operations", "McCaul", cwd=workdir)
    assert "State, Foreign Operations and Related Programs Subcommittee" not in result.out.splitlines()[0:1]
    assert result.code != 0 and "unknown actor 'Foreign Operations'" in result.err


# -- derived dates ----------------------------------------------------------------------------


def test_a_derived_date_finer_than_its_words_is_refused(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / SEED
    old = "    date:\n      value: 2023-07\n      approximate: true\n      derived_from: Two years after"
    edit(path, old, old.replace("2023-07", "2023-07-11"))
    result = run("check", cwd=workdir)
    assert result.code == 1
    (found,) = errors(result)
    assert found[1] == line_of(path, "value: 2023-07-11")
    assert "supports only the month" in found[2] and "write 2023-07 (approximate)" in found[2]


@pytest.mark.parametrize(
    ("basis", "precision"),
    [
        ("Two years after the historic July 11 protests", "month"),
        ("Marking the two year anniversary", "month"),
        ("with Cuban pro-democracy activists July 7", "day"),
        ("three days after the vote", "day"),
        ("on Monday", "day"),
        ("in March", "month"),
        ("in 2018", "year"),
    ],
)
def test_what_each_basis_supports(basis: str, precision: str) -> None:
    assert slips.allowed_precision(basis) == precision


# -- reported on words that judge ---------------------------------------------------------------


def test_reported_on_the_words_of_an_opinion_is_refused(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / SEED
    edit(
        path,
        "    place: cuba\n    modality: opinion\n    evidence:\n      - the ongoing crackdown",
        "    place: cuba\n    evidence:\n      - the ongoing crackdown",
    )
    result = run("check", cwd=workdir)
    assert result.code == 1
    (found,) = errors(result)
    assert found[1] == line_of(path, "- id: crackdown-on-dissent")
    assert "'convictions-underscore-crackdown' marks as opinion" in found[2]
    assert "`modality: opinion`" in found[2]


def test_reported_words_beside_a_speculation_are_not_refused(run: Callable[..., Result], workdir: Path) -> None:
    # Seed 004: "Cuba may bolster ties with countries that oppose U.S. sanctions, such as Venezuela and Russia".
    # The guess quotes its own words; that Venezuela and Russia oppose the sanctions is reported beside it.
    path = workdir / "data" / "mappings" / "cuba-releases-553-prisoners.yaml"
    edit(
        path,
        '&bolster "Regional Alliances: Cuba may bolster ties with countries"',
        '&bolster "Regional Alliances: Cuba may bolster ties with countries that oppose U.S. sanctions, such as Venezuela and Russia"',
    )
    result = run("check", cwd=workdir)
    assert result.code == 1  # quoting the whole sentence for the guess swallows the reported words
    assert "'venezuela-opposes-us-sanctions' is mapped as reported" in result.err
