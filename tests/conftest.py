"""Shared fixtures: the real project, throwaway copies of it to break, the CLI run in-process, a listener.

Helpers that tests import by name (``Result``, ``digest``, ``edit``, ``line_of``) are in
``support.py`` beside this file; ``tests/`` is on the path (``pythonpath`` in pyproject.toml).
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from cubagraph import cli, pipeline, project
from cubagraph.graph.dataset import Dataset
from support import CHROMIUM, CHROMIUM_FLAGS, ROOT, Result


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The seed graph, built once for the session."""
    return pipeline.build_dataset(project.find(ROOT))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the project (data, ontology, exports) that a test may break."""
    for name in ("data", "ontology", "exports"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the CLI in-process, from ``cwd``, and capture what it prints."""

    def _run(*args: str, cwd: Path) -> Result:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A TCP listener on 127.0.0.1 that records every connection it gets: proof of no outbound call."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    seen: list[str] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                conn, addr = sock.accept()
            except OSError:
                continue
            seen.append(str(addr))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], seen
    done.set()
    thread.join()
    sock.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fuzz", type=int, default=150, help="fuzz cases for the loader (CI runs 150)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, one per test module (never a downloaded browser)."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()
