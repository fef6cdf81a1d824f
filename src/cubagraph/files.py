"""Atomic file writes: a reader sees the old file or the new one, never half of either.

May import: nothing of cubagraph.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

LOCK = ".lock"


@contextlib.contextmanager
def exclusive(lock: Path, waiting: str = "") -> Iterator[None]:
    """Hold an exclusive lock on ``lock`` (created if needed); another holder makes us wait, saying ``waiting``.

    The lock is an flock, which the kernel releases when its holder dies, so a
    killed build never leaves the next one waiting.
    """
    with open(lock, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no flock; builds there must not overlap
            yield
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting = waiting or f"another build to finish writing {lock.parent.name}/"
            print(f"cubagraph: waiting for {waiting}", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_leftovers(directory: Path) -> None:
    """Temporary files of a build that was killed; only called while holding the lock."""
    for leftover in directory.glob(".*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def read_range(path: str, at: int, size: int) -> bytes:
    """``size`` bytes of the file at ``path`` from offset ``at``; OSError if the file is shorter."""
    with open(path, "rb") as f:
        data = os.pread(f.fileno(), size, at)
    if len(data) != size:
        raise OSError(f"{path} was cut short; run `cubagraph build --no-cache`")
    return data


def write_atomic(path: Path, data: bytes) -> None:
    # The temporary file sits beside the target: os.replace is atomic only
    # within one file system.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        # BaseException: a Ctrl-C mid-write must not leave the temporary file behind.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
