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
from typing import Any, ClassVar

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


VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


class Virtuoso:
    """A real Virtuoso (Debian's `virtuoso-t` itself, in the foreground) in ``directory``, on free ports of 127.0.0.1.

    ``directory`` gets a copy of Debian's virtuoso.ini whose database, transaction, lock and log
    files (and the temporary database's) are in ``directory``, and whose SQL and HTTP ports are
    free ones bound to 127.0.0.1. The account is Virtuoso's default, dba/dba. It answers in ~10 s.
    """

    FILES: ClassVar[dict[str, dict[str, str]]] = {
        "Database": {
            "DatabaseFile": "virtuoso.db",
            "ErrorLogFile": "virtuoso.log",
            "LockFile": "virtuoso.lck",
            "TransactionFile": "virtuoso.trx",
            "xa_persistent_file": "virtuoso.pxa",
        },
        "TempDatabase": {"DatabaseFile": "virtuoso-temp.db", "TransactionFile": "virtuoso-temp.trx"},
    }

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.sql_port, self.port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ini = directory / "virtuoso.ini"
        ini.write_text(self._ini(VIRTUOSO_INI.read_text(encoding="utf-8")), encoding="utf-8")
        self.process = subprocess.Popen(
            ["virtuoso-t", "+foreground", "+configfile", str(ini)],
            cwd=directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # About 5 s on an idle machine; making the new database takes much longer under load.
        wait_for(f"{self.url}/sparql?query=ASK%7B%7D", self.process, 180)

    def _ini(self, text: str) -> str:
        ports = {"Parameters": f"127.0.0.1:{self.sql_port}", "HTTPServer": f"127.0.0.1:{self.port}"}
        section, out, seen = "", [], set()
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("["):
                section = stripped.strip("[]")
            key = stripped.split("=", 1)[0].strip() if "=" in stripped and not stripped.startswith(";") else ""
            if key in self.FILES.get(section, {}):
                line = f"{key} = {self.directory / self.FILES[section][key]}"
                seen.add((section, key))
            elif key == "ServerPort" and section in ports:
                line = f"ServerPort = {ports[section]}"
                seen.add((section, key))
            out.append(line)
            if stripped == "[Parameters]":
                # Virtuoso's optimizer otherwise spends seconds to minutes ordering the joins of a
                # query with a dozen triple patterns (trade-figures: over 120 s); this stops it
                # once the best plan found would run in less time than it has spent looking.
                out.append("StopCompilerWhenXOverRunTime = 1")
        expected = {(s, k) for s, keys in self.FILES.items() for k in keys} | {(s, "ServerPort") for s in ports}
        assert seen == expected, f"{VIRTUOSO_INI} lacks {sorted(expected - seen)}"
        return "\n".join(out) + "\n"

    def stop(self) -> None:
        stop(self.process)
