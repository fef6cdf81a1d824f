"""Helpers that tests import by name (the fixtures are in conftest.py): files, and the real servers and browser."""

from __future__ import annotations

import contextlib
import hashlib
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    code: int
    out: str
    err: str


def digest(directory: Path) -> dict[str, str]:
    """Hashes of every file under ``directory``, hidden ones included."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != ".lock"  # the build's lock file holds nothing
    }


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in ``path``, failing loudly if ``old`` is absent."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of ``path`` where ``needle`` first occurs."""
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


# Debian's Chromium, driven by Playwright, which never downloads a browser here. Without the
# background-networking flags Chromium tries to reach Google's hosts at every start.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BIN = Path(sys.executable).parent  # the virtualenv's bin/: cubagraph, oxigraph


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[Any], seconds: float = 30) -> None:
    """Wait until ``url`` answers, or fail if ``process`` ends or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                raise AssertionError(f"the server for {url} did not start") from None
            time.sleep(0.05)


def stop(process: subprocess.Popen[Any]) -> None:
    """Stop a server by its PID: SIGTERM, then SIGKILL if it is still there after 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout:
        process.stdout.close()


@contextlib.contextmanager
def serving(*flags: str) -> Iterator[str]:
    """`cubagraph serve --port 0 FLAGS` on the seeds; yields its base URL, and stops it by its PID."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cubagraph", "serve", "--port", "0", *flags],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
        assert m, "the server did not say where it listens"
        yield f"http://127.0.0.1:{m[1]}/"
    finally:
        stop(process)


class Oxigraph:
    """A real Oxigraph server (the `oxigraph` binary itself) in ``location``, on a free port of 127.0.0.1."""

    def __init__(self, location: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(BIN / "oxigraph"), "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"{self.url}/query?query=ASK%7B%7D", self.process, 20)

    def stop(self) -> None:
        stop(self.process)
