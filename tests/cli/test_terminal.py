"""Control characters in labels and messages reach the terminal escaped: no colours, no retitled windows."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from cubagraph.cli.terminal import printable

CUBAGRAPH = [sys.executable, "-m", "cubagraph"]
HOSTILE = "Cu\x1b[31mba\x1b]0;pwned\x07\u202e"
SHOWN = "Cu\\x1b[31mba\\x1b]0;pwned\\x07\\u202e"
QUERY = 'SELECT ?n WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?n FILTER(STRSTARTS(?n, "Cu\\u001b")) }'


@pytest.fixture
def hostile(workdir: Path) -> Path:
    registry = workdir / "data" / "actors.yaml"
    escaped = HOSTILE.encode("unicode_escape").decode("ascii")
    registry.write_text(registry.read_text(encoding="utf-8").replace("    name: Cuba\n", f'    name: "{escaped}"\n', 1))
    built = subprocess.run([*CUBAGRAPH, "build"], cwd=workdir, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    return workdir


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CUBAGRAPH, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_printable_escapes_every_control_but_tab_and_newline() -> None:
    assert printable(HOSTILE) == SHOWN
    assert printable("a\rb") == "a\\x0db"
    assert printable("a\tb\nc — ü") == "a\tb\nc — ü"
    assert all(printable(chr(c)) != chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in "\t\n")


def test_a_label_in_human_output_is_escaped(hostile: Path) -> None:
    for args in (("neighbors", "cuba"), ("query", QUERY), ("path", "cuba", "united-states")):
        result = cli(hostile, *args)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
        assert SHOWN in result.stdout, result.stdout


def test_a_message_is_escaped(hostile: Path) -> None:
    result = cli(hostile, "neighbors", HOSTILE + "zz")
    assert result.returncode != 0 and result.returncode != 70
    assert "\x1b" not in result.stderr and "\\x1b[31m" in result.stderr


def test_csv_to_a_pipe_is_data_but_to_a_terminal_is_escaped(hostile: Path) -> None:
    piped = subprocess.run(
        [*CUBAGRAPH, "query", "--format", "csv", QUERY], cwd=hostile, capture_output=True, timeout=120
    )
    assert HOSTILE.encode() in piped.stdout  # byte for byte: a file of data
    main, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [*CUBAGRAPH, "query", "--format", "csv", QUERY],
            cwd=hostile,
            stdout=secondary,
            stderr=subprocess.PIPE,
            timeout=120,
        )
        os.close(secondary)
        out = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(main)
    assert proc.returncode == 0, proc.stderr
    assert b"\x1b" not in out and SHOWN.encode() in out
