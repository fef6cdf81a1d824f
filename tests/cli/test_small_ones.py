"""The small ones of issue 15: each bad input gets a clear error (exit 1 or 2), never an internal error (exit 70)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, line_of

CUBAGRAPH = [sys.executable, "-m", "cubagraph"]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CUBAGRAPH, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("value", ["<not an iri>", "<>", "<http://a b/>", "actor:a b", "<\x7f>"])
def test_a_param_that_is_not_an_iri_is_exit_2(value: str) -> None:
    result = cli("query", "SELECT ?x WHERE { ?s ?p ?x } LIMIT 1", "--param", f"x={value}")
    assert result.returncode == 2, result.stderr
    assert "is not a valid IRI" in result.stderr and "internal error" not in result.stderr


RELEASE = "data/mappings/cuba-releases-553-prisoners.yaml"
BLINKEN = "data/mappings/blinken-political-prisoners.yaml"


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        ("9" * 5000, "5,000"),
        ("-" + "9" * 5000, "5,000"),
        ("1." + "9" * 5000, "5,001"),
        ("0." + "0" * 5000 + "1", "5,001"),
    ],
)
def test_a_figure_of_thousands_of_digits_is_a_file_line_error(workdir: Path, value: str, digits: str) -> None:
    replace_in(workdir / RELEASE, "    value: 553\n", f"    value: {value}\n")
    result = cli("check", cwd=workdir)
    assert result.returncode == 1, result.stderr
    line = line_of(workdir / RELEASE, f"    value: {value}")  # the seed's line, wherever edits move it
    assert result.stderr.startswith(f"{RELEASE}:{line}: figures[0].value: the number has {digits} digits"), (
        result.stderr
    )


@pytest.mark.parametrize("path", ['"documents/000\\0.txt"', '"\\0"', '"documents/\\x1b[2J.txt"', '"documents/a\\x85"'])
def test_a_control_character_in_document_text_is_a_file_line_error(workdir: Path, path: str) -> None:
    replace_in(workdir / BLINKEN, "text: documents/000_fd0916bb9c006de1.txt", f"text: {path}")
    result = cli("check", cwd=workdir)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"{BLINKEN}:8: document.text: the text path holds the control character U+00")


@pytest.mark.parametrize("date", ["٢٠٢٣-٠٧-٠٧", "２０２３-０７-０７", "۲۰۲۳", "2023-0７-07", "𝟐𝟎𝟐𝟑"])
def test_dates_take_ascii_digits_only(workdir: Path, date: str) -> None:
    replace_in(workdir / BLINKEN, "      value: 2023-07-07\n", f"      value: {date}\n")
    result = cli("check", cwd=workdir)
    assert result.returncode == 1, result.stderr
    first = result.stderr.splitlines()[0]
    line = line_of(workdir / BLINKEN, f"      value: {date}")
    assert (
        first.startswith(f"{BLINKEN}:{line - 1}: events[6].date: ") and "write the date with ASCII digits 0-9" in first
    ), first
