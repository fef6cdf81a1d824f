"""The README's quick start is two commands, and CI runs the same test command."""

from __future__ import annotations

import re
from pathlib import Path

from support import ROOT


def quick_start(root: Path) -> list[str]:
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the quick start has no ```sh block"
    return [line for line in block[1].splitlines() if line.strip() and not line.startswith("#")]


def test_quick_start_is_exactly_two_commands() -> None:
    commands = quick_start(ROOT)
    assert len(commands) == 2, commands
    setup, tests = commands
    assert setup == "python3 scripts/setup.py"
    assert (ROOT / "scripts" / "setup.py").is_file()
    assert tests == ".venv/bin/python -m pytest"


def test_ci_runs_the_readmes_test_command() -> None:
    _, tests = quick_start(ROOT)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()
    assert '"$status" -eq 5' in ci  # "no tests ran" fails CI
    assert "cubagraph build --check" in ci


def test_readme_sample_output_matches_the_build() -> None:
    # test_examples.py compares the whole sample with a fresh clone's build; this names the fix.
    from cubagraph import pipeline, project
    from cubagraph.cli.commands import _summary

    counts = pipeline.build_dataset(project.find(ROOT)).counts
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _summary(counts) in readme, "update the sample output in the README's quick start"
