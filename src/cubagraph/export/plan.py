"""Exports as plans: literal bytes and graphs' parts, in order, written without holding them whole.

An export of 10,000 documents is 150 MB, and a rebuild after one edit
changes one document's part of it. Writing it whole took most of a rebuild.
So an export is a plan (its head, each graph's part, its tail), and the
writer keeps a manifest of what it wrote: the identity and place of every
item. The next build copies each unchanged run of items from the old file,
inside the kernel, and skips a file whose plan is unchanged. A new part that
is kept on disk (in the build cache's packs) is copied from there, also in
the kernel, so the build never reads the pieces into memory; only what is
made on the spot is written from Python. The bytes are exactly those of the
plan written out in full, which is what ``materialise`` does for
`build --check` and for tests.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import read_range
from . import ranges

Piece = dict[str, bytes]  # part name -> bytes, for one graph
# The part of a piece that indexes it for the assembly: the viewer ranks every graph's nodes by
# it (see export.html), and the build cache keeps it beside the piece.
INDEX = "html:index"
Location = tuple[str, int, int]  # a file, an offset in it, a size: where a part is kept


@dataclass
class Graph:
    """One graph's piece as the assembly sees it: an identity, the viewer's index, and the bytes when needed."""

    id: str  # equal ids, equal pieces
    given_index: dict[str, Any] | None  # export.html's index of the piece (None: read with load_index)
    sizes: dict[str, int]  # each part's length, known without reading it
    load: Callable[[], Piece]
    _piece: Piece | None = field(default=None, repr=False)
    known_index_digest: str = ""  # index_digest, when the cache kept it
    load_index: Callable[[], dict[str, Any]] | None = None
    locate: Callable[[str], Location | None] | None = None  # where a part is kept on disk, if it is

    @property
    def index(self) -> dict[str, Any]:
        """The viewer's index; a rebuild whose ranking is unchanged reads none of the kept ones."""
        if self.given_index is None:
            assert self.load_index is not None
            self.given_index = self.load_index()
        return self.given_index

    def __post_init__(self) -> None:
        self.key = self.id[:20] + ":"  # the prefix of its parts' keys in a manifest

    @functools.cached_property
    def index_digest(self) -> str:
        """Names the viewer's index of the piece: equal digests, equal indexes."""
        return self.known_index_digest or index_digest(self.index)

    @property
    def piece(self) -> Piece:
        if self._piece is None:
            self._piece = self.load()
        return self._piece

    def where(self, name: str) -> Location | None:
        """Where the part ``name`` is kept on disk, unless it is in memory already."""
        return self.locate(name) if self._piece is None and self.locate is not None else None

    def part(self, name: str) -> bytes:
        """One part's bytes, read alone if the piece is kept on disk: most readers want one or two parts."""
        where = self.where(name)
        if where is None:
            return self.piece[name]
        return read_range(*where)

    @classmethod
    def of(cls, piece: Piece, id: str | None = None) -> Graph:
        """A piece in memory; without an id, its bytes name it."""
        if id is None:
            h = hashlib.sha256()
            for name, data in piece.items():
                h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
            id = h.hexdigest()
        return cls(id, json.loads(piece[INDEX]), {n: len(b) for n, b in piece.items()}, lambda: piece, piece)


def index_digest(index: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(index, sort_keys=True).encode("utf-8")).hexdigest()[:32]


class Lazy:
    """Bytes made only if the file must be written, and made once: ``key`` names them, as a piece's id does."""

    def __init__(self, key: str, make: Callable[[], bytes]):
        self.key, self._make = key, make
        self._made: bytes | None = None

    def make(self) -> bytes:
        if self._made is None:
            self._made = self._make()
        return self._made


Item = bytes | tuple[int, str] | Lazy  # literal bytes, (graph position, part name), or made on demand


@dataclass
class Plan:
    items: list[Item]


def materialise(plan: Plan, graphs: Sequence[Graph]) -> bytes:
    return b"".join(item_bytes(item, graphs) for item in plan.items)


def item_bytes(item: Item, graphs: Sequence[Graph]) -> bytes:
    if isinstance(item, bytes):
        return item
    if isinstance(item, Lazy):
        return item.make()
    return graphs[item[0]].part(item[1])


def item_keys(plan: Plan, graphs: Sequence[Graph]) -> list[str]:
    literal: dict[bytes, str] = {}
    out = []
    for item in plan.items:
        if isinstance(item, bytes):
            key = literal.get(item)
            if key is None:
                key = literal[item] = "=" + hashlib.sha256(item).hexdigest()[:20]
            out.append(key)
        elif isinstance(item, Lazy):
            out.append("~" + item.key)
        else:
            out.append(graphs[item[0]].key + item[1])
    return out


class Manifest:
    """What each export was written from: its items' keys and sizes, and the file's identity once written."""

    def __init__(self, path: Path | None):
        self.path = path
        self.files: dict[str, Any] = {}
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                self.files = json.loads(path.read_text(encoding="utf-8"))

    def previous(self, target: Path) -> dict[str, Any] | None:
        """The record of ``target``, if the file on disk is still the one it describes."""
        record = self.files.get(target.name)
        try:
            st = target.stat()
        except FileNotFoundError:
            return None
        if record is None or record["stat"] != [st.st_size, st.st_mtime_ns, st.st_ino]:
            return None  # written by something else since: trust nothing in it
        found: dict[str, Any] = record
        return found

    def record(self, target: Path, keys: list[str], sizes: list[int]) -> None:
        st = target.stat()
        self.files[target.name] = {"stat": [st.st_size, st.st_mtime_ns, st.st_ino], "keys": keys, "sizes": sizes}

    def save(self, names: Sequence[str]) -> None:
        if self.path is None:
            return
        files = {n: r for n, r in self.files.items() if n in names}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        # Best effort (it only saves work): an old one left by a full disk matches no file's stat, so is not trusted.
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(files, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            _unlink(tmp)


@dataclass
class Staged:
    """An export written in full to a temporary beside its target, not yet renamed in (``tmp`` None: same bytes)."""

    target: Path
    tmp: Path | None
    keys: list[str]
    sizes: list[int]

    def discard(self) -> None:
        if self.tmp is not None:
            _unlink(self.tmp)
            self.tmp = None


def write(
    target: Path, plan: Plan, graphs: Sequence[Graph], manifest: Manifest, durable: bool, reaper: Reaper | None = None
) -> bool:
    """Write ``plan`` to ``target`` atomically, copying what is unchanged from the old file; False if nothing changed."""
    staged = stage(target, plan, graphs, manifest, durable)
    return staged is not None and put(staged, manifest, reaper)


def put(staged: Staged, manifest: Manifest, reaper: Reaper | None = None) -> bool:
    """Rename a staged export in (a rename: the old file or the new one, never a mix); False if its bytes were the same."""
    changed = staged.tmp is not None
    if staged.tmp is not None:
        os.chmod(staged.tmp, 0o644)
        _replace(staged.tmp, staged.target, reaper)
        staged.tmp = None
    manifest.record(staged.target, staged.keys, staged.sizes)
    return changed


def stage(target: Path, plan: Plan, graphs: Sequence[Graph], manifest: Manifest, durable: bool) -> Staged | None:
    """Write ``plan`` to a temporary beside ``target``, copying what is unchanged from the old file; None if unchanged.

    Nothing is renamed here: the caller stages every export first and renames
    them in only when all were written, so that a full disk halfway leaves the
    old set whole (and removes the temporaries).
    """
    keys = item_keys(plan, graphs)
    old = manifest.previous(target)
    if old is not None and old["keys"] == keys:
        return None
    at: dict[str, int] = {}  # key -> its position in the old file, for keys that occur once there
    offsets: list[int] = []
    old_keys: list[str] = old["keys"] if old is not None else []
    old_sizes: list[int] = old["sizes"] if old is not None else []
    if old is not None:
        seen: set[str] = set()
        position = 0
        for i, (key, size) in enumerate(zip(old_keys, old_sizes, strict=True)):
            offsets.append(position)
            position += size
            if key in seen:
                at.pop(key, None)
            else:
                seen.add(key)
                at[key] = i
    sizes: list[int] = []
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        ranges.reserve(fd, sum(old_sizes) if old is not None else _known_size(plan, graphs))
        with os.fdopen(fd, "wb") as out, open(target, "rb") if old is not None else contextlib.nullcontext() as src:
            copy = ranges.Copier(out, src)
            try:
                expected = -1  # the old position that would continue the current run
                for item, key in zip(plan.items, keys, strict=True):
                    # The run goes on if the next old item is this one (which finds repeated
                    # literals, such as separators, too); else look the item up.
                    j = expected if 0 <= expected < len(old_keys) and old_keys[expected] == key else at.get(key, -1)
                    where = graphs[item[0]].where(item[1]) if j < 0 and isinstance(item, tuple) else None
                    if j >= 0:
                        size = old_sizes[j]
                        copy.range(offsets[j], size)
                        expected = j + 1
                    elif where is not None:  # a new part, kept on disk: copied from there
                        source, offset, size = where
                        copy.range(offset, size, source)
                        expected = -1
                    else:
                        data = item_bytes(item, graphs)
                        size = len(data)
                        copy.flush()
                        out.write(data)
                        expected = -1
                    sizes.append(size)
                copy.flush()
            finally:
                copy.close()
            out.flush()
            os.ftruncate(out.fileno(), sum(sizes))  # what ranges.reserve set aside beyond the end goes
            if durable:
                os.fsync(out.fileno())
        if ranges.equal(Path(tmp), target):
            # New parts, same bytes (a registry edit renames every piece, and may leave a file as it was):
            # keep the old file, and its mtime.
            os.unlink(tmp)
            return Staged(target, None, keys, sizes)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Staged(target, Path(tmp), keys, sizes)


def _known_size(plan: Plan, graphs: Sequence[Graph]) -> int:
    return sum(
        len(i) if isinstance(i, bytes) else graphs[i[0]].sizes.get(i[1], 0)
        for i in plan.items
        if not isinstance(i, Lazy)
    )


class Reaper:
    """Deletes replaced exports in the background, and waits for that at the end.

    Renaming a new file over a 150 MB one makes the kernel free the old one's
    pages and blocks inside the rename: 70 ms a file, half a second a build.
    Linked under a temporary name first, the old file outlives the rename,
    and is deleted while the next export is written.
    """

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def delete(self, path: Path) -> None:
        thread = threading.Thread(target=_unlink, args=(path,), daemon=False)
        thread.start()
        self.threads.append(thread)

    def wait(self) -> None:
        for thread in self.threads:
            thread.join()
        self.threads.clear()


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _replace(tmp: Path, target: Path, reaper: Reaper | None) -> None:
    old = target.with_name(f".{target.name}.old.{os.getpid()}.tmp")  # a leftover is removed like any .tmp
    try:
        if reaper is None:
            raise FileNotFoundError
        os.link(target, old)
    except OSError:  # no old file, or no hard links here: replace it in place
        os.replace(tmp, target)
        return
    os.replace(tmp, target)
    reaper.delete(old)
