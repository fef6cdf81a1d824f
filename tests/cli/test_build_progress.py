"""A long build shows its progress on a terminal, and nothing in a pipe.

`cubagraph build` runs on a generated corpus of 320 documents (benchmarks/corpus.py), once with its
output on a pseudo-terminal (the `pty` module) and once into pipes. Both are stopped, by their PID,
once the documents are built: what comes after (writing the exports, drawing the view) is not what
is tested, and takes minutes on a fresh corpus.
"""

from __future__ import annotations

import importlib.util
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import ROOT

spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
assert spec is not None and spec.loader is not None
corpus = importlib.util.module_from_spec(spec)
spec.loader.exec_module(corpus)

DOCUMENTS = 320  # above the progress line's threshold (cli/progress.py: 300)
CUBAGRAPH = str(Path(sys.executable).parent / "cubagraph")
CLEAR = b"\r\x1b[K"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("progress") / "corpus"
    corpus.generate(directory, DOCUMENTS)
    return directory


@pytest.fixture
def project(generated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "corpus"
    shutil.copytree(generated, copy)
    return copy


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Stop the build and its workers (it is a process group of its own)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def _children(pid: int) -> Iterator[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return iter(())
    return (int(c) for c in text.split())


def test_a_terminal_sees_the_documents_counted_then_a_clean_line(project: Path) -> None:
    main, sub = pty.openpty()
    process = subprocess.Popen(
        [CUBAGRAPH, "build"], cwd=project, stdin=sub, stdout=sub, stderr=sub, start_new_session=True
    )
    os.close(sub)
    seen = b""
    deadline = time.monotonic() + 300
    try:
        while CLEAR not in seen and time.monotonic() < deadline:
            if select.select([main], [], [], 1)[0]:
                try:
                    seen += os.read(main, 65536)
                except OSError:  # the terminal closed: the build ended
                    break
    finally:
        _kill(process)
        os.close(main)
    assert f"\rBuild {DOCUMENTS} of {DOCUMENTS} documents (100%)".encode() in seen, seen[-500:]
    assert seen.count(b"\rBuild ") >= 2  # counted as the batches come back, not only at the end
    assert seen.index(b"(100%)") < seen.index(CLEAR)  # the line is wiped once the documents are built
    assert b"\n" not in seen.split(CLEAR)[0]  # one line, rewritten in place


def test_a_pipe_sees_no_progress(project: Path) -> None:
    process = subprocess.Popen(
        [CUBAGRAPH, "build"], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    # The documents are built by forked workers: wait until they have come and gone.
    deadline = time.monotonic() + 300
    had_workers = False
    try:
        while time.monotonic() < deadline and process.poll() is None:
            workers = list(_children(process.pid))
            had_workers = had_workers or bool(workers)
            if had_workers and not workers:
                break
            time.sleep(0.1)
        assert had_workers, "the build forked no workers: the test would prove nothing"
        time.sleep(0.5)
    finally:
        _kill(process)
    out, err = process.communicate(timeout=10)
    assert b"Build " not in err and b"\r" not in err, err[-500:]
    assert b"\r" not in out
