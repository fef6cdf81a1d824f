"""The build cache: a document's checked, built graph and its pieces of the exports, kept until its inputs change.

A document's graph depends only on its mapping, its text, the actor
registry, the ontology, the base IRI, the settings and cubagraph's own code.
The cache key is a digest of all of them, so a hit is exactly what a cold
build would make: a rebuild after editing one document out of many redoes
only that document's loading, checking, building and rendering; the exports
are byte for byte what a cold build writes (a test checks this).

The pipeline asks; it is not threaded through (see :mod:`cubagraph.pipeline`):

- :meth:`Cache.lookup`: which of these documents do you hold?
- :meth:`Cache.shared`: do you hold the registry's and the ontology's pieces?
- :meth:`Cache.put`, :meth:`Cache.keep_shared`: keep this;
- :meth:`Cache.prune`: forget what this build did not use.

Entries live in ``.cubagraph/cache/`` in the project, many to a file (see
:mod:`cubagraph.incremental.packs`). After each build, a pack that no current
document uses is removed, and one that is mostly unused is copied down to
what is used. Packs are written atomically but not fsynced: a cache is
disposable, and fsyncing 10,000 small files made a cold build of 10,000
documents much slower. A pack's first line records the sizes of what
follows, so a file cut short is a miss, not a wrong answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..digests import Digests, code_digest
from ..errors import Problem
from ..export.plan import index_digest
from ..network.projection import Context as NetworkContext
from ..project import Project
from . import packs
from .entries import Entry, Shared

SUFFIX = ".entry"  # the shared entry's file; documents' entries are in packs
BATCH = 25  # entries a build holds back before writing them as one pack


class Cache:
    """One build's view of ``.cubagraph/cache/``.

    ``stamp`` names what the export pieces are rendered for (empty: the
    build wants graphs, not pieces, as :func:`cubagraph.pipeline.build_dataset`
    does). Without ``use``, nothing kept is handed out, but what the build
    makes is still kept for the next one.
    """

    def __init__(
        self,
        project: Project,
        ontology: bytes,
        registry: bytes,
        digests: Digests | None = None,
        stamp: str = "",
        use: bool = True,
    ):
        self.directory = project.root / ".cubagraph" / "cache"
        self._directory, self._root = str(self.directory), str(project.root)
        self.prefixes = project.prefixes()
        self.digests = digests or Digests(project.root)
        self.stamp, self.use = stamp, use
        h = hashlib.sha256()
        for part in (
            code_digest().encode(),
            project.base.encode(),
            repr(project.output_settings()).encode(),
            ontology,
            registry,
        ):
            h.update(hashlib.sha256(part).digest())
        self.context = h.hexdigest()
        self.used: set[str] = set()  # the shared entries this build used
        self._packs: dict[str, list[packs.Record]] = {}
        self._index: dict[str, tuple[str, packs.Record]] | None = None  # key -> its pack and record
        self._pending: list[tuple[str, Entry, dict[str, Any], dict[str, bytes]]] = []
        self._taken: dict[str, dict[str, list[Entry]]] = {}  # pack -> key -> the entries handed out from it
        self._written: set[str] = set()  # packs this build wrote (or its workers did)

    def key(self, mapping_sha256: str) -> str:
        """The key of a mapping, by its hex SHA-256."""
        return hashlib.sha256(self.context.encode() + bytes.fromhex(mapping_sha256)).hexdigest()

    def key_of(self, mapping: Path | str) -> str:
        """The key of the mapping at ``mapping``, hashed (or remembered) by the build's digests."""
        return self.key(self.digests.sha256(mapping))

    def lookup(self, mappings: Sequence[Path]) -> tuple[list[tuple[str, Entry]], list[tuple[str, Path]]]:
        """Which documents the cache holds, as (key, entry); and the rest, to build, as (key, mapping).

        With no cache to look in, nothing is hashed here: the key of a
        document to build is left empty, and whoever reads its mapping (a
        worker process, in a cold build) hashes it then.
        """
        if not (self.use and self.directory.is_dir()):
            return [], [("", path) for path in mappings]
        kept: list[tuple[str, Entry]] = []
        todo: list[tuple[str, Path]] = []
        for path in mappings:
            try:
                key = self.key_of(path)
            except OSError:  # not readable, or not a regular file: reading it says why, with its path
                todo.append(("", path))
                continue
            entry = self.get(key)
            if entry is not None:
                kept.append((key, entry))
            else:
                todo.append((key, path))
        return kept, todo

    def _lookup(self) -> dict[str, tuple[str, packs.Record]]:
        """Every kept entry by key, from the packs' first lines (read once, on first use)."""
        if self._index is None:
            self._index = {}
            try:
                names = os.listdir(self._directory)
            except OSError:
                names = []
            found = []
            for name in names:
                if name.endswith(packs.SUFFIX):
                    path = os.path.join(self._directory, name)
                    read = packs.read(path)
                    if read is not None:
                        records, written = read
                        self._packs[path] = records
                        found.append((written, path))
            # A key in two packs (copied into a smaller one, or built again): the newer copy wins.
            for _, path in sorted(found, reverse=True):
                for record in self._packs[path]:
                    self._index.setdefault(record.key, (path, record))
        return self._index

    def get(self, key: str) -> Entry | None:
        """The entry for ``key``, if whole, its text unchanged, and (with a stamp) its pieces made for it.

        Only the packs' first lines are read here: the graph and pieces are
        read when asked for, so that a rebuild that copies unchanged pieces
        from the old exports never reads them.
        """
        found = self._lookup().get(key)
        if found is None:
            return None
        path, record = found
        info = record.info
        try:
            if self.stamp and info.get("pieces") != self.stamp:
                return None  # kept without pieces for this build (by `cubagraph check`): built again
            text = os.path.join(self._root, info["text_file"])
            if self.digests.sha256(text) != info["text_sha256"]:
                return None
            entry = Entry(
                info["doc_id"],
                info["text_file"],
                info["text_sha256"],
                Counter(info["counts"]),
                [Problem(*w) for w in info["warnings"]],
                None,
                "",
                text,
            )
            if self.stamp:
                entry.pieces_id, entry.index_digest = info["pieces_id"], info["index_digest"]
            entry.identity = info["identity"]  # an older entry has none: built again, so that same_as is checked
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # its text is gone, or the entry is foreign: build the document afresh
        entry._file, entry._blobs, entry.prefixes = path, list(record.blobs), self.prefixes
        self._taken.setdefault(path, {}).setdefault(key, []).append(entry)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        """Keep ``entry``, with its pieces if it has them (rendered for this cache's stamp).

        Entries are held back and written :data:`BATCH` at a time, as one
        pack; :meth:`flush` writes what is held, and :meth:`prune` flushes.
        """
        pieces = entry.pieces if self.stamp else None
        # With its pieces, an entry's graph is its TriG piece; N-Quads only when there are none.
        blobs = {"nq": entry.quads} if pieces is None else dict(pieces)
        info: dict[str, Any] = {
            "doc_id": entry.doc_id,
            "text_file": entry.text_file,
            "text_sha256": entry.text_sha256,
            "counts": dict(entry.counts),
            "warnings": [[w.path, w.line, w.message, w.fix, w.warning] for w in entry.warnings],
            "identity": entry.identity,
        }
        if pieces is not None:
            info.update(pieces=self.stamp, pieces_id=entry.pieces_id, index_digest=index_digest(entry.index))
        if self._index is not None and key in self._index:  # the copy written now replaces the one read
            self._taken.get(self._index[key][0], {}).pop(key, None)
        entry.prefixes = self.prefixes
        self._pending.append((key, entry, info, blobs))
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the entries held back as one pack; each entry learns where its blobs are, and lets go of them."""
        if not self._pending:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        path, records = packs.write(self._directory, [(key, info, blobs) for key, _, info, blobs in self._pending])
        for (_, entry, _, _), record in zip(self._pending, records, strict=True):
            entry.kept_in(path, record.blobs)
        self._pending = []
        self._written.add(path)

    def adopt(self, entry: Entry) -> None:
        """An entry that a worker process kept for this build: its pack stays."""
        if entry._file is not None:
            self._written.add(entry._file)

    def _shared_path(self) -> Path:
        return self.directory / f"shared-{hashlib.sha256((self.context + self.stamp).encode()).hexdigest()}{SUFFIX}"

    def shared(self) -> Shared | None:
        """The ontology's and registry's checked graphs and pieces, if kept for these inputs."""
        if not (self.use and self.stamp):
            return None
        path = self._shared_path()
        try:
            with open(path, "rb") as f:
                head = f.readline()
                size = os.fstat(f.fileno()).st_size
            info = json.loads(head)
            at, graphs = len(head), {}
            for name, id, index, sizes in info["graphs"]:
                graphs[name] = (
                    id,
                    index,
                    [(part, at + sum(s for _, s in sizes[:i]), n) for i, (part, n) in enumerate(sizes)],
                )
                at += sum(n for _, n in sizes)
            if at != size:
                return None
            shared = Shared(
                Counter(info["counts"]),
                [Problem(*w) for w in info["warnings"]],
                NetworkContext(info["labels"], frozenset(info["actors"])),
                {},
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        shared.path, shared.layout = path, graphs
        self.used.add(path.stem)
        return shared

    def keep_shared(self, shared: Shared) -> None:
        """Keep the ontology's and registry's pieces, with what documents' pieces need of them."""
        self.directory.mkdir(parents=True, exist_ok=True)
        blobs: list[bytes] = []
        graphs = []
        for name, (id, index, piece) in shared.pieces.items():
            graphs.append([name, id, index, [[part, len(data)] for part, data in piece.items()]])
            blobs += piece.values()
        info = {
            "counts": dict(shared.counts),
            "warnings": [[w.path, w.line, w.message, w.fix, w.warning] for w in shared.warnings],
            "labels": shared.network.labels,
            "actors": sorted(shared.network.actors),
            "graphs": graphs,
        }
        path = self._shared_path()
        _write(path, json.dumps(info, sort_keys=True, ensure_ascii=True).encode("utf-8") + b"\n" + b"".join(blobs))
        self.used.add(path.stem)

    def prune(self) -> None:
        """Remove what no current document used; copy a mostly unused pack down to what is used."""
        self.flush()
        if not self.directory.is_dir():
            return
        self._compact()
        keep = self._written | set(self._taken)
        for name in os.listdir(self._directory):
            path = os.path.join(self._directory, name)
            if (
                (name.endswith(packs.SUFFIX) and path not in keep)
                or (name.endswith(SUFFIX) and name[: -len(SUFFIX)] not in self.used)  # and entries of old versions
                or name.endswith(".tmp")
            ):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)

    def _compact(self) -> None:
        """Packs whose used entries are less than half their bytes: the used ones copied to a pack of their own.

        The entries handed out from such a pack are pointed at the copy, so the
        old pack can go at once. What a cache holds beyond what the current
        documents use is at most as much again.
        """
        for path, taken in list(self._taken.items()):
            records = self._packs[path]
            if len(taken) == len(records):
                continue  # all of it used (as in most rebuilds)
            live = [r for r in records if r.key in taken]
            if 2 * sum(r.size for r in live) >= sum(r.size for r in records):
                continue
            if live:
                new, copies = packs.write(self._directory, [(r.key, r.info, packs.blobs(path, r.blobs)) for r in live])
                for record, copy in zip(live, copies, strict=True):
                    for entry in taken[record.key]:
                        entry._file, entry._blobs = new, list(copy.blobs)
                self._written.add(new)
            del self._taken[path]


def _write(path: Path, data: bytes) -> None:
    # Atomic (a reader sees the old file or the new), not durable: see the module's docstring.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
