"""`cubagraph new` writes its two files all or none: a real process killed between them leaves neither."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from support import ROOT

ARTICLE = ROOT / "tests" / "mapping" / "fixtures" / "new-article.txt"
DOC = "killed-midway"


def new(workdir: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cubagraph", "new", str(ARTICLE), "--id", DOC],
        cwd=workdir,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_kill_between_the_two_writes_leaves_neither_file(workdir: Path) -> None:
    text = workdir / "data" / "documents" / f"{DOC}.txt"
    mapping = workdir / "data" / "mappings" / f"{DOC}.yaml"
    proc = new(workdir, {"CUBAGRAPH_PAUSE_AT": "new-between-writes"})
    assert proc.stderr is not None
    line = proc.stderr.readline()  # blocks until the process has written the text and paused
    assert line.strip() == "cubagraph: paused at new-between-writes", line
    assert [p.name for p in text.parent.iterdir() if p.name.endswith(".new.tmp")], "the text was not written yet"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert not text.exists() and not mapping.exists()
    # A `check` ignores the hidden temporaries; the next `new` removes them and stores both files.
    check = subprocess.run([sys.executable, "-m", "cubagraph", "check"], cwd=workdir, capture_output=True, timeout=60)
    assert check.returncode == 0, check.stderr
    again = new(workdir)
    _out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert text.read_bytes() == ARTICLE.read_bytes() and mapping.exists()
    left = [p.name for folder in (text.parent, mapping.parent) for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert left == []


def test_without_the_pause_both_files_are_written(workdir: Path) -> None:
    proc = new(workdir)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert (workdir / "data" / "documents" / f"{DOC}.txt").exists()
    assert (workdir / "data" / "mappings" / f"{DOC}.yaml").exists()
