"""Every file type under data/: a FIFO, a socket, a device or a symlink out of data/ hangs nothing and crashes nothing.

Real ones, made by the test: ``os.mkfifo``, a socket bound to an AF_UNIX path,
a character device (``os.mknod``, as root), a symlink to /dev/zero. Each
command runs as a subprocess with a timeout: a hang fails the test instead of
the suite. Unreferenced, they are ignored; referenced, they are refused with
the path and the reason.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CUBAGRAPH = [sys.executable, "-m", "cubagraph"]
TIMEOUT = 60  # seconds; the seed project checks in under one
BLINKEN = "data/mappings/blinken-political-prisoners.yaml"
TEXT = "documents/000_fd0916bb9c006de1.txt"


def cli(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [*CUBAGRAPH, *args], cwd=workdir, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`cubagraph {' '.join(args)}` hung for {TIMEOUT} s")


@pytest.fixture
def sockets() -> Iterator[list[socket.socket]]:
    held: list[socket.socket] = []
    yield held
    for s in held:
        s.close()


def fifo(path: Path, _: list[socket.socket]) -> None:
    os.mkfifo(path)


def unix_socket(path: Path, held: list[socket.socket]) -> None:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.listen()  # a live listener: opening the path as a file must still not be tried
    held.append(s)


def zero_link(path: Path, _: list[socket.socket]) -> None:
    path.symlink_to("/dev/zero")


def device(path: Path, _: list[socket.socket]) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 5))  # /dev/zero's numbers
    except PermissionError:
        pytest.skip("making a device file needs root")


MAKERS: dict[str, tuple[Callable[[Path, list[socket.socket]], None], str]] = {
    "fifo": (fifo, "a FIFO"),
    "socket": (unix_socket, "a socket"),
    "zero-symlink": (zero_link, "leads outside data/"),
    "device": (device, "a character device"),
}


@pytest.mark.parametrize("kind", MAKERS)
def test_unreferenced_special_files_are_ignored(workdir: Path, kind: str, sockets: list[socket.socket]) -> None:
    make, _ = MAKERS[kind]
    make(workdir / "data" / f"stray-{kind}", sockets)
    make(workdir / "data" / "documents" / f"stray-{kind}.txt", sockets)
    for args in (("check",), ("build",), ("stats",), ("build", "--check")):
        result = cli(workdir, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert "internal error" not in result.stderr


@pytest.mark.parametrize("kind", MAKERS)
def test_a_text_that_is_not_a_regular_file_is_refused(workdir: Path, kind: str, sockets: list[socket.socket]) -> None:
    make, reason = MAKERS[kind]
    make(workdir / "data" / "documents" / f"special-{kind}.txt", sockets)
    mapping = workdir / BLINKEN
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(TEXT, f"documents/special-{kind}.txt"))
    before = {p.name: p.read_bytes() for p in (workdir / "exports").iterdir() if p.is_file()}
    for args in (("check",), ("build",)):
        result = cli(workdir, *args)
        assert result.returncode == 1, (args, result.stderr)
        first = result.stderr.splitlines()[0]
        assert first.startswith(f"{BLINKEN}:8: ") and f"special-{kind}.txt" in first and reason in first, first
    assert {p.name: p.read_bytes() for p in (workdir / "exports").iterdir() if p.is_file()} == before


@pytest.mark.parametrize("kind", MAKERS)
def test_a_mapping_that_is_not_a_regular_file_is_refused(
    workdir: Path, kind: str, sockets: list[socket.socket]
) -> None:
    make, reason = MAKERS[kind]
    make(workdir / "data" / "mappings" / f"special-{kind}.yaml", sockets)
    result = cli(workdir, "check")
    assert result.returncode == 1, result.stderr
    line = next(x for x in result.stderr.splitlines() if f"special-{kind}.yaml" in x)
    assert line.startswith(f"data/mappings/special-{kind}.yaml:1: refused: ") and reason in line, line


def test_a_symlink_inside_data_still_counts(workdir: Path) -> None:
    """A symlink to a regular file under data/ is an ordinary input: followed, not refused."""
    documents = workdir / "data" / "documents"
    (documents / "linked.txt").symlink_to(documents / TEXT.split("/")[1])
    mapping = workdir / BLINKEN
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(TEXT, "documents/linked.txt"))
    result = cli(workdir, "check")
    assert result.returncode == 0, result.stderr


def test_a_registry_that_is_a_fifo_is_refused(workdir: Path) -> None:
    registry = workdir / "data" / "actors.yaml"
    registry.unlink()
    os.mkfifo(registry)
    for args in (("check",), ("build",)):
        result = cli(workdir, *args)
        assert result.returncode == 1, (args, result.stderr)
        line = next(x for x in result.stderr.splitlines() if "actors.yaml" in x)
        assert "refused" in line and "a FIFO" in line, line


def test_new_refuses_a_fifo_as_its_text(workdir: Path) -> None:
    pipe = workdir / "incoming.txt"
    os.mkfifo(pipe)
    result = cli(workdir, "new", str(pipe), "--id", "piped")
    assert result.returncode not in (0, 70), result.stderr
    assert "a FIFO" in result.stderr and "incoming.txt" in result.stderr, result.stderr
    assert not (workdir / "data" / "mappings" / "piped.yaml").exists()


@pytest.mark.parametrize("kind", ["fifo", "zero-symlink"])
def test_a_text_swapped_for_a_special_file_after_a_build_is_refused(
    workdir: Path, kind: str, sockets: list[socket.socket]
) -> None:
    """The cache remembers the text: the swap must still be seen, and refused, not read."""
    assert cli(workdir, "build").returncode == 0
    text = workdir / "data" / TEXT
    text.unlink()
    MAKERS[kind][0](text, sockets)
    for args in (("build",), ("check",), ("build", "--check")):
        result = cli(workdir, *args)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.startswith(f"{BLINKEN}:8: "), result.stderr
    assert cli(workdir, "stats").returncode == 0  # reads only the built graph, and warns it is stale
