"""Atomic file writes: a reader sees the old file or the new one, never half of either;
and reads that open only regular files, so a FIFO, a socket or a device under data/ never hangs a command.

May import: nothing of cubagraph.
"""

from __future__ import annotations

import contextlib
import os
import stat
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


class NotRegular(OSError):
    """A path that is a FIFO, a socket, a device, or a symlink leading out of its folder: refused, never opened."""

    def __str__(self) -> str:
        return str(self.strerror)


KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a directory",
}


def kind(mode: int) -> str:
    """What a file of ``mode`` is, in words, for a message saying why it is refused."""
    return KINDS.get(stat.S_IFMT(mode), "not a regular file")


def regular(path: str | Path, within: Path | None = None) -> Path:
    """``path`` resolved, if it is a regular file (under ``within``, if given); else NotRegular saying why.

    Only stat and readlink are used: nothing is opened, so a FIFO cannot block here.
    """
    found = _by_kernel(path)
    resolved = Path(found[0]) if found is not None else Path(path).resolve()
    if within is not None and not resolved.is_relative_to(within):
        raise NotRegular(0, f"it leads outside {within.name}/ (to {resolved})")
    st = found[1] if found is not None else os.stat(resolved)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular(0, f"it is {kind(st.st_mode)}, not a regular file")
    return resolved


def resolve(path: str | Path) -> Path:
    """``Path(path).resolve()``, asked of the kernel when ``path`` exists (see :func:`_by_kernel`)."""
    found = _by_kernel(path)
    return Path(found[0]) if found is not None else Path(path).resolve()


_O_PATH = getattr(os, "O_PATH", 0)  # Linux: a descriptor that names a file without opening its contents


def _by_kernel(path: str | Path) -> tuple[str, os.stat_result] | None:
    """The real path of an existing ``path``, and its stat, from the kernel; None to resolve it step by step.

    ``Path.resolve`` looks at every component of the path in turn: 50-85 us a file,
    three times a document in a cold build (a fifth of reading its mapping and text).
    An O_PATH descriptor reads nothing and never blocks, even on a FIFO or a device,
    and /proc names the file it leads to. Anything unusual (no O_PATH or /proc,
    a dangling or looping symlink, no permission) is left to ``Path.resolve``,
    whose answer and errors are the ones callers expect.
    """
    if not _O_PATH:
        return None
    try:
        fd = os.open(path, _O_PATH | os.O_CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        st = os.fstat(fd)
        real = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None
    finally:
        os.close(fd)
    if not real.startswith("/") or real.endswith(" (deleted)"):  # not a path a reader could open again
        return None
    return real, st


def read_regular(path: str | Path, within: Path | None = None) -> bytes:
    """The bytes of the regular file at ``path``; NotRegular (an OSError) if it is anything else.

    The check is made again on the open file itself: between the stat and the
    open, the path could be swapped for a FIFO. O_NONBLOCK makes that open
    return at once instead of waiting for a writer, and O_NOFOLLOW refuses a
    symlink put in place of the resolved path.
    """
    resolved = regular(path, within)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(resolved, flags)
    except OSError as exc:
        if exc.errno in (getattr(os, "ELOOP", -1), getattr(os, "ENXIO", -1)):
            raise NotRegular(exc.errno, "it changed into something other than a regular file while being read") from exc
        raise
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(0, f"it is {kind(st.st_mode)}, not a regular file")
        return f.read()


def regular_files(folder: Path, within: Path | None = None) -> list[str]:
    """Every regular file under ``folder``, sorted, walking without following or opening anything else.

    A symlink counts if it leads to a regular file under ``within`` (default:
    ``folder``); FIFOs, sockets, devices and symlinks elsewhere are left out,
    since nothing refers to them (where one is referred to, :func:`read_regular`
    refuses it with a reason).
    """
    within = within or folder.resolve()
    found: list[str] = []
    stack = [os.fspath(folder)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    found.append(entry.path)
                elif entry.is_symlink():
                    regular(entry.path, within)
                    found.append(entry.path)
            except OSError:
                continue  # not a regular file, or a symlink out of folder/: not part of the project's input
    return sorted(found)


def read_range(path: str, at: int, size: int) -> bytes:
    """``size`` bytes of the file at ``path`` from offset ``at``; OSError if the file is shorter."""
    with open(path, "rb") as f:
        data = os.pread(f.fileno(), size, at)
    if len(data) != size:
        raise OSError(f"{path} was cut short; run `cubagraph build --no-cache`")
    return data


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """``data`` in ``path``: the old file or the new one, never a mix. ``durable=False`` for caches and
    memos, which are made again if a power cut loses them: fsyncing them cost 0.1 s of every edit."""
    # The temporary file sits beside the target: os.replace is atomic only
    # within one file system.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        # BaseException: a Ctrl-C mid-write must not leave the temporary file behind.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
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
