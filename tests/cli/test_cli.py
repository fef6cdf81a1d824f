"""The command line: help for everything, documented in docs/cli.md, and clean failures."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cubagraph import __version__, cli
from support import Result

COMMANDS = sorted(cli._parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def test_commands_exist() -> None:
    assert {"build", "check"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: cubagraph {command}")
    assert len(out.splitlines()) > 4


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented(command: str, root: Path) -> None:
    reference = (root / "docs" / "cli.md").read_text(encoding="utf-8")
    assert re.search(rf"^\| `cubagraph {command}\b", reference, re.M), (
        f"docs/cli.md's table lacks `cubagraph {command}`"
    )


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "commands:" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip() == f"cubagraph {__version__}"


def test_outside_a_project_is_a_clear_error(run: Callable[..., Result], tmp_path: Path) -> None:
    result = run("check", cwd=tmp_path)
    assert result.code == 1
    assert result.err.startswith(f"cubagraph: {tmp_path.resolve()} is not inside a cubagraph project")
    assert "--root DIR" in result.err


def test_root_option(run: Callable[..., Result], tmp_path: Path, root: Path) -> None:
    result = run("check", "--root", str(root), cwd=tmp_path)
    assert result.code == 0, result.err


def test_console_script_runs(root: Path) -> None:
    script = Path(sys.executable).parent / "cubagraph"
    result = subprocess.run([str(script), "build", "--check"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("exports/ is up to date.\n")


def test_view_prints_the_path_where_there_is_no_browser(
    run: Callable[..., Result], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run("view", cwd=workdir)
    assert result.code == 0, result.err
    assert result.out.strip() == str((workdir / "exports/graph.html").resolve())
    assert "Rebuilt" not in result.err
    (workdir / "exports/graph.html").unlink()
    result = run("view", cwd=workdir)
    assert "Rebuilt exports/, which were stale." in result.err
    assert (workdir / "exports/graph.html").is_file()
