"""Every kind of bad input gets a one-line `file:line: problem — fix`, exit 1, and untouched exports."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from support import Result, digest, edit, line_of

BLINKEN = "data/mappings/blinken-political-prisoners.yaml"
RELEASE = "data/mappings/cuba-releases-553-prisoners.yaml"
ACTORS = "data/actors.yaml"
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<message>.+)$")


def build_fails(run: Callable[..., Result], workdir: Path) -> list[tuple[str, int, str]]:
    """Run `cubagraph build` in ``workdir``; assert it failed cleanly; return the problems."""
    before = digest(workdir / "exports")
    result = run("build", cwd=workdir)
    assert result.code == 1, result
    assert result.out == ""
    assert digest(workdir / "exports") == before, "exports/ changed on a failed build"
    lines = result.err.splitlines()
    assert lines[-1].endswith("exports/ left unchanged.")
    problems = []
    for line in lines[:-1]:
        m = LINE.match(line)
        assert m, f"not a file:line: message line: {line!r}"
        problems.append((m["file"], int(m["line"]), m["message"]))
    assert "Traceback" not in result.err
    return problems


def only(problems: list[tuple[str, int, str]]) -> tuple[str, int, str]:
    assert len(problems) == 1, problems
    return problems[0]


def test_malformed_yaml(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / BLINKEN
    edit(path, "    type: revolution\n", "    type: [revolution\n")
    file, line, message = only(build_fails(run, workdir))
    assert file == BLINKEN
    assert "malformed YAML" in message
    assert line in range(line_of(path, "type: [revolution"), line_of(path, "type: [revolution") + 3)


def test_duplicate_key(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / BLINKEN
    edit(path, "    label: 1959 Cuban revolution\n", "    label: 1959 Cuban revolution\n    label: The revolution\n")
    file, line, message = only(build_fails(run, workdir))
    assert (file, line) == (BLINKEN, line_of(path, "label: The revolution"))
    assert message.startswith("duplicate key 'label' (first given on line")
    assert "keep one of them" in message


def test_unknown_field(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / BLINKEN
    edit(path, "    label: 1959 Cuban revolution\n", "    lable: 1959 Cuban revolution\n")
    problems = build_fails(run, workdir)
    assert (BLINKEN, line_of(path, "lable:"), "unknown field 'lable' — did you mean 'label'?") in problems


def test_unknown_section(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / BLINKEN
    edit(path, "\nevents:\n", "\nevent:\n")
    problems = build_fails(run, workdir)
    assert (BLINKEN, line_of(path, "event:"), "unknown section 'event' — did you mean 'events'?") in problems


def test_duplicate_id_in_a_document(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / BLINKEN
    edit(path, "  - id: cuban-revolution-1959\n", "  - id: july-11-protests\n")
    problems = build_fails(run, workdir)
    line = line_of(path, "label: 1959 Cuban revolution") - 2
    assert (BLINKEN, line, "duplicate id 'july-11-protests' — give each item of a document its own id") in problems
    # The renamed item's old id is now unknown where it is referred to.
    assert all("cuban-revolution-1959" in m for _, ln, m in problems if ln != line)


def test_duplicate_actor_id(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / ACTORS
    edit(path, "  - id: russia\n", "  - id: venezuela\n")
    problems = build_fails(run, workdir)
    assert any(
        f == ACTORS
        and ln == line_of(path, "name: Russia") - 2
        and m.startswith("duplicate id 'venezuela' (first on line")
        for f, ln, m in problems
    ), problems


def test_unknown_actor_suggests_the_closest(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / BLINKEN
    edit(path, "    speaker: antony-blinken\n", "    speaker: blinkin\n")
    file, line, message = only(build_fails(run, workdir))
    assert (file, line) == (BLINKEN, line_of(path, "speaker: blinkin"))
    assert message == "unknown actor 'blinkin' — did you mean 'antony-blinken'?"


def test_unknown_event(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / BLINKEN
    edit(path, "    via: hrw-report-on-convictions\n", "    via: hrw-report-on-conviction\n")
    file, line, message = only(build_fails(run, workdir))
    assert (file, line) == (BLINKEN, line_of(path, "via: hrw-report-on-conviction"))
    assert (
        message == "unknown statement or event 'hrw-report-on-conviction' — did you mean 'hrw-report-on-convictions'?"
    )


def test_unknown_vocabulary_key(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / RELEASE
    edit(path, "    type: prisoner_release\n", "    type: prisoner_releese\n")
    file, line, message = only(build_fails(run, workdir))
    assert (file, line) == (RELEASE, line_of(path, "prisoner_releese"))
    assert message.startswith("unknown event type 'prisoner_releese' — did you mean 'prisoner_release'?")
    assert "ontology/cubagraph.ttl" in message


def test_quote_not_in_text_shows_the_closest_passage(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / BLINKEN
    edit(
        path, "Cuban courts have upheld the convictions of more", "Cuban courts have overturned the convictions of more"
    )
    file, line, message = only(build_fails(run, workdir))
    assert (file, line) == (BLINKEN, line_of(path, "have overturned"))
    assert message.startswith("quote not found in data/documents/000_fd0916bb9c006de1.txt")
    assert "Cuban courts have upheld the convictions" in message  # the closest passage
    assert "'overturned' where the text has 'upheld'" in message


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("    date: 2019-11\n", "    date: 2019-11-31\n", "'2019-11-31' does not exist: November 2019 has 30 days"),
        ("    date: 2019-11\n", "    date: 2019-13\n", "month 13 does not exist"),
        ("    date: 2019-11\n", "    date: November 2019\n", "is not a date"),
        ("    date: 2019-11\n", "    date: 2019-02-29\n", "February 2019 has 28 days"),
    ],
)
def test_invalid_or_impossible_date(run: Callable[..., Result], workdir: Path, old: str, new: str, reason: str) -> None:
    path = workdir / BLINKEN
    edit(path, old, new)
    file, line, message = only(build_fails(run, workdir))
    assert (file, line) == (BLINKEN, line_of(path, new.strip()))
    assert reason in message


@pytest.mark.parametrize(
    "bad_id",
    [
        "us sanctions",
        "<script>",
        '"quoted"',
        "javascript:alert(1)",
        "file:///etc/passwd",
        "Upper-Case",
        "a--b",
        "-a",
        "a/b",
        "ünïcode",
    ],
)
def test_id_that_cannot_form_a_safe_iri(run: Callable[..., Result], workdir: Path, bad_id: str) -> None:
    path = workdir / RELEASE
    edit(
        path, "  - id: prisoners-released-553\n", f"  - id: '{bad_id}'\n" if '"' in bad_id else f'  - id: "{bad_id}"\n'
    )
    problems = build_fails(run, workdir)
    file, line, message = problems[0]
    assert (file, line) == (RELEASE, line_of(path, f"id: {bad_id!r}" if '"' in bad_id else f'id: "{bad_id}"'))
    assert "cannot form a safe IRI" in message
    assert "use lowercase letters, digits and single hyphens" in message


def test_yaml_tag_that_would_construct_an_object(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / ACTORS
    edit(path, "    name: Venezuela\n", "    name: !!python/object/apply:os.system ['touch pwned']\n")
    file, line, message = only(build_fails(run, workdir))
    assert (file, line) == (ACTORS, line_of(path, "!!python"))
    assert "YAML tag" in message and "not allowed" in message
    assert not (workdir / "pwned").exists()


def test_huge_alias_expansion(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / ACTORS
    bomb = ["x-bomb:", "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        bomb.append(f"  {name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    path.write_text(path.read_text(encoding="utf-8") + "\n".join(bomb) + "\n", encoding="utf-8")
    file, _, message = only(build_fails(run, workdir))
    assert file == ACTORS
    assert "alias expansion is too large" in message


def test_document_text_that_is_not_utf8(run: Callable[..., Result], workdir: Path) -> None:
    text = workdir / "data/documents/004_1d5170aace06a04f.txt"
    raw = text.read_bytes().replace("Cuba’s".encode(), "Cuba\x92s".encode("latin-1"), 1)
    text.write_bytes(raw)
    file, line, message = only(build_fails(run, workdir))
    assert file == "data/documents/004_1d5170aace06a04f.txt"
    assert line == raw[: raw.index(b"\x92")].count(b"\n") + 1
    assert message.startswith("not valid UTF-8: byte 0x92 at offset")
    assert "re-save the file as UTF-8" in message


def test_yaml_1_1_traps_are_errors_not_coercions(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / ACTORS
    edit(path, "    wikidata: Q717\n", "    wikidata: 012345\n")
    edit(path, "    name: Russia\n", "    name: 1959\n")
    problems = build_fails(run, workdir)
    assert (ACTORS, line_of(path, "wikidata: 012345"), "actors[2].wikidata: '012345' is not a Wikidata QID") in [
        (f, ln, m.split(" — ")[0]) for f, ln, m in problems
    ]
    assert (
        ACTORS,
        line_of(path, "name: 1959"),
        "actors[3].name must be text, not the number 1959 — put text in quotes",
    ) in problems


def test_every_problem_is_reported_at_once(run: Callable[..., Result], workdir: Path) -> None:
    edit(workdir / BLINKEN, "    speaker: antony-blinken\n", "    speaker: nobody-here\n")
    edit(workdir / BLINKEN, "    date: 2019-11\n", "    date: 2019-11-31\n")
    edit(
        workdir / RELEASE,
        "the Cuban government has finalized the release",
        "the Cuban government has completed the release",
    )
    edit(workdir / ACTORS, "    type: country\n", "    type: nation\n")
    problems = build_fails(run, workdir)
    files = [f for f, _, _ in problems]
    assert files.count(BLINKEN) == 2
    assert files.count(RELEASE) == 1
    assert files.count(ACTORS) == 1


def test_one_broken_item_does_not_hide_the_others(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / BLINKEN
    edit(path, "    label: 1959 Cuban revolution\n", "    lable: 1959 Cuban revolution\n")
    edit(path, "    speaker: antony-blinken\n", "    speaker: blinkin\n")
    messages = [m for _, _, m in build_fails(run, workdir)]
    assert any(m.startswith("unknown field 'lable'") for m in messages)
    assert any(m.startswith("unknown actor 'blinkin'") for m in messages)
    # References to the broken item are not reported a second time.
    assert not any("cuban-revolution-1959" in m for m in messages)


def test_inconsistent_attribution(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / BLINKEN
    edit(
        path,
        "    asserted_by: antony-blinken\n    via: blinken-twitter-post\n    evidence:\n      - more than 700",
        "    asserted_by: human-rights-watch\n    via: blinken-twitter-post\n    evidence:\n      - more than 700",
    )
    file, line, message = only(build_fails(run, workdir))
    assert (file, line) == (BLINKEN, line_of(path, "      - more than 700 individuals") - 2)  # the `via` line
    assert (
        message
        == "'blinken-twitter-post' is not made by 'human-rights-watch' (it names antony-blinken) — fix asserted_by or via"
    )


def test_quoted_claim_needs_a_speaker(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / BLINKEN
    edit(
        path,
        "    modality: quoted\n    asserted_by: antony-blinken\n    via: blinken-twitter-post\n",
        "    modality: quoted\n",
    )
    file, line, message = only(build_fails(run, workdir))
    assert (file, line) == (BLINKEN, line_of(path, "modality: quoted"))
    assert message.startswith("a quoted claim needs `asserted_by`")


def test_ambiguous_quote_asks_for_more_words(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / RELEASE
    edit(path, "      - has finalized the release of 553 prisoners\n", "      - 553 prisoners\n")
    file, line, message = only(build_fails(run, workdir))
    assert (file, line) == (RELEASE, line_of(path, "      - 553 prisoners"))
    assert message.startswith("quote occurs 5 times")
    assert "add `occurrence: N`" in message


def test_text_path_outside_data_is_refused(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / RELEASE
    edit(path, "  text: documents/004_1d5170aace06a04f.txt\n", "  text: ../../../etc/passwd\n")
    file, line, message = only(build_fails(run, workdir))
    assert (file, line) == (RELEASE, line_of(path, "etc/passwd"))
    assert "leads outside data/" in message


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("jobs = 0", "jobs must be at least 1"),
        ('fsync = "yes"', "fsync must be true or false"),
        ("viewer_limit = true", "viewer_limit must be a whole number"),
        ("viewer_lmit = 5", "unknown setting [tool.cubagraph] viewer_lmit — use one of base, viewer_cap, viewer_limit"),
    ],
)
def test_bad_settings_are_named(run: Callable[..., Result], workdir: Path, setting: str, message: str) -> None:
    config = workdir / "pyproject.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("[tool.cubagraph]\n", f"[tool.cubagraph]\n{setting}\n", 1),
        encoding="utf-8",
    )
    result = run("build", cwd=workdir)
    assert result.code != 0
    assert message in result.err
