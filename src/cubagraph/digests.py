"""File digests, remembered by size and modification time, as git's index remembers them;
and the digest of the code that makes a build.

A rebuild of 10,000 documents reads 20,000 files only to learn that they have
not changed; a `cubagraph query` hashes all of data/ to warn if the exports
are stale. Both ask here instead: a file whose size and mtime are as they
were when it was hashed has the digest it had. A file hashed within two
seconds of its last change is hashed again next time, because a second
change within the file system's timestamp resolution would not show in its
mtime (git's "racy" files).

May import: files.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import time
from pathlib import Path

from .files import read_regular

RACY_NS = 2_000_000_000


class Digests:
    def __init__(self, root: Path):
        self.path = root / ".cubagraph" / "digests.json"
        self.known: dict[str, list[int | str]] = {}
        self.seen: dict[str, str] = {}  # asked already in this process: no need to stat again
        self.changed = False
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self.known = loaded

    def sha256(self, path: Path | str, data: bytes | None = None) -> str:
        """The hex SHA-256 of the file at ``path`` (of ``data``, if given: the bytes just read from it)."""
        name = os.fspath(path)
        if data is None and name in self.seen:
            return self.seen[name]
        st = os.stat(name)
        record = self.known.get(name)
        if (
            data is None
            and record is not None
            and record[0] == st.st_size
            and record[1] == st.st_mtime_ns
            and st.st_mtime_ns + RACY_NS < int(record[3])
        ):
            self.seen[name] = str(record[2])
            return self.seen[name]
        if data is None:
            data = read_regular(name)
        return self._record(name, st, hashlib.sha256(data).hexdigest())

    def _record(self, name: str, st: os.stat_result, digest: str) -> str:
        old = self.known.get(name)
        self.known[name] = [st.st_size, st.st_mtime_ns, digest, time.time_ns()]
        self.seen[name] = digest
        # A racy file hashed again to the same digest is not worth rewriting the file for (0.35 s at
        # 20,000 files, the first `query` after every edit): the next process hashes that one file again.
        if old is None or old[:3] != [st.st_size, st.st_mtime_ns, digest]:
            self.changed = True
        return digest

    def remember(self, path: Path | str, digest: str) -> None:
        """Record ``digest`` for the file at ``path``, whose bytes were just hashed elsewhere."""
        name = os.fspath(path)
        self._record(name, os.stat(name), digest)

    def records(self, *paths: Path | str) -> dict[str, list[int | str]]:
        """What is known of ``paths``, for another process's :meth:`adopt`."""
        return {os.fspath(p): self.known[os.fspath(p)] for p in paths if os.fspath(p) in self.known}

    def adopt(self, records: dict[str, list[int | str]]) -> None:
        """Digests a worker process computed: they count as this process's own."""
        for name, record in records.items():
            if self.known.get(name) != record:  # a record of this process's own is not news
                self.known[name] = record
                self.changed = True
            self.seen[name] = str(record[2])

    def save(self) -> None:
        """Keep what was learnt (best effort: a read-only checkout just hashes again next time)."""
        if not self.changed:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.known, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
            self.changed = False


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the code that makes a build: cubagraph's own source, Python and the libraries
    whose output lands in the exports.

    The build cache and the viewer's memo are keyed by it: a change to any of
    them empties the cache, so a pyoxigraph that writes TriG differently
    cannot leave old pieces beside new ones.
    """
    from importlib import metadata

    h = hashlib.sha256(sys.version.encode())
    for library in ("pyoxigraph", "pydantic", "PyYAML", "pyvis"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            h.update(f"{library}={metadata.version(library)}".encode())
    package = Path(__file__).parent  # the whole cubagraph package, every subpackage included
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".ttl", ".js", ".html", ".css") and path.is_file():
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
