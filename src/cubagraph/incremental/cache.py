"""The build cache: a document's checked, built graph, kept until its inputs change.

A document's graph depends only on its mapping, its text, the actor
registry, the ontology, the base IRI and cubagraph's own code. The cache key
is a digest of all of them, so a hit is exactly what a cold build would make:
a rebuild after editing one document out of many redoes only that document's
loading, checking and building. An entry also keeps the document's pieces of
every export (see :mod:`cubagraph.export`), so a rebuild concatenates them
instead of rendering them again; the exports are byte for byte what a cold
build writes (a test checks this).

Entries live in ``.cubagraph/cache/`` in the project, many to a file (see
:mod:`cubagraph.packs`). After each build, a pack that no current document
uses is removed, and one that is mostly unused is copied down to what is
used. Packs are written atomically but not fsynced: a cache is disposable,
and fsyncing 10,000 small files made a cold build of 10,000 documents much
slower. A pack's first line records the sizes of what follows, so a file cut
short is a miss, not a wrong answer.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..digests import Digests, code_digest
from ..errors import Problem
from ..export.header import header
from ..export.plan import INDEX, Graph, Location, index_digest
from ..export.trig import NAME as TRIG
from ..network.projection import Context as NetworkContext
from ..project import Project
from . import packs

FORMAT = 3  # bump when an entry's layout changes (part of the code digest)
SUFFIX = ".entry"  # the shared entry's file; documents' entries are in packs
BATCH = 25  # entries a build holds back before writing them as one pack


class Entry:
    """A document's cached build. The quads and export pieces stay on disk until asked for."""

    def __init__(
        self,
        doc_id: str,
        text_file: str,
        text_sha256: str,
        counts: Counter[str],
        warnings: list[Problem],
        quads: bytes | None = None,
        text: str = "",
        text_path: str = "",  # read the text from here when asked for
    ):
        self.doc_id, self.text_file, self.text_sha256 = doc_id, text_file, text_sha256
        self.counts, self.warnings = counts, warnings
        self._text, self._text_path = text, text_path
        self._quads = quads
        self._quad_list: list[ox.Quad] | None = None
        self.prefixes: dict[str, str] = {}  # to read the graph back from its TriG piece
        self._pieces: dict[str, bytes] | None = None
        self._index: dict[str, Any] | None = None
        self.index_digest = ""
        self.pieces_id = ""  # names the pieces' bytes: equal ids, equal bytes
        self._file: str | None = None
        self._blobs: list[tuple[str, int, int]] = []  # (name, offset, size) in _file

    @property
    def text(self) -> str:
        """The document's text (read when first asked for; its digest was checked)."""
        if self._text_path:
            with open(self._text_path, "rb") as f:  # bytes: no newline translation, offsets stay true
                self._text, self._text_path = f.read().decode("utf-8"), ""
        return self._text

    @property
    def index(self) -> dict[str, Any]:
        """The viewer's index of the pieces (export.html), read from them when first asked for."""
        if self._index is None:
            self._index = json.loads(self._read([INDEX])[INDEX])
        return self._index

    @index.setter
    def index(self, value: dict[str, Any]) -> None:
        self._index = value

    def quad_list(self) -> list[ox.Quad]:
        """The document's graph: as built, or read back from the cache."""
        if self._quad_list is None:
            if self._quads is None and any(name == "nq" for name, _, _ in self._blobs):
                self._quads = self._read(["nq"])["nq"]
            if self._quads is not None:
                self._quad_list = parse_quads(self._quads)
            else:
                # Kept with its pieces, the graph is its TriG piece: no second copy in N-Quads.
                trig = header(self.prefixes) + self._read([TRIG])[TRIG]
                self._quad_list = list(ox.parse(trig, format=ox.RdfFormat.TRIG))
        return self._quad_list

    @property
    def quads(self) -> bytes:
        """N-Quads of the document's graph."""
        if self._quads is None:
            self._quads = serialize_quads(self.quad_list())
        return self._quads

    @property
    def pieces(self) -> dict[str, bytes] | None:
        """The document's pieces of the exports, if rendered (for the context the cache was asked about)."""
        if self._pieces is None and self.pieces_id and self._file is not None:
            self._pieces = self._read([name for name, _, _ in self._blobs if name != "nq"])
        return self._pieces

    @pieces.setter
    def pieces(self, value: dict[str, bytes] | None) -> None:
        self._pieces = value

    def _read(self, names: list[str]) -> dict[str, bytes]:
        wanted = [(n, at, size) for n, at, size in self._blobs if n in names]
        if self._file is None or not wanted:
            raise KeyError(names)
        return packs.blobs(self._file, wanted)

    def locate(self, name: str) -> Location | None:
        """Where the blob ``name`` is kept: (file, offset, size), as it is when asked (a pack may be copied)."""
        if self._file is not None:
            for part, at, size in self._blobs:
                if part == name:
                    return self._file, at, size
        return None


class Shared:
    """The ontology's and the registry's graphs, checked, with their pieces of the exports.

    They change only with the registry, the ontology or the code; kept, a
    rebuild reads neither the registry nor the ontology unless some document
    is new (its references must then be checked against the registry).
    """

    def __init__(
        self,
        counts: Counter[str],
        warnings: list[Problem],
        network: NetworkContext,
        pieces: dict[str, tuple[str, dict[str, Any], dict[str, bytes]]],  # graph -> (pieces' id, viewer index, piece)
    ):
        self.counts, self.warnings, self.network, self.pieces = counts, warnings, network, pieces
        self.path: Path | None = None
        self.layout: dict[str, tuple[str, dict[str, Any], list[tuple[str, int, int]]]] = {}

    def graphs(self) -> dict[str, Graph]:
        out = {}
        for name, (id, index, parts) in self.layout.items():
            sizes = {part: n for part, _, n in parts}
            out[name] = Graph(id, index, sizes, functools.partial(self._read, parts))
        return out

    def _read(self, parts: list[tuple[str, int, int]]) -> dict[str, bytes]:
        assert self.path is not None
        with open(self.path, "rb") as f:
            out = {}
            for part, at, n in parts:
                f.seek(at)
                out[part] = f.read(n)
                if len(out[part]) != n:
                    raise OSError(f"{self.path} was cut short; run `cubagraph build --no-cache`")
        return out


class Cache:
    def __init__(self, project: Project, ontology: bytes, registry: bytes, digests: Digests | None = None):
        self.directory = project.root / ".cubagraph" / "cache"
        self._directory, self._root = str(self.directory), str(project.root)
        self.prefixes = project.prefixes()
        self.project = project
        self.digests = digests or Digests(project.root)
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
        self.hits = 0
        self._packs: dict[str, list[packs.Record]] = {}
        self._index: dict[str, tuple[str, packs.Record]] | None = None  # key -> its pack and record
        self._pending: list[tuple[str, Entry, dict[str, Any], dict[str, bytes]]] = []
        self._taken: dict[str, dict[str, list[Entry]]] = {}  # pack -> key -> the entries handed out from it
        self._written: set[str] = set()  # packs this build wrote (or its workers did)

    def key(self, mapping_sha256: str) -> str:
        """The key of a mapping, by its hex SHA-256."""
        return hashlib.sha256(self.context.encode() + bytes.fromhex(mapping_sha256)).hexdigest()

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

    def get(self, key: str, pieces: str = "") -> Entry | None:
        """The entry for ``key``, if whole and its text unchanged; its pieces count only if made for ``pieces``.

        Only the packs' first lines are read here: the quads and pieces are
        read when asked for, so that a rebuild that copies unchanged pieces
        from the old exports never reads them.
        """
        found = self._lookup().get(key)
        if found is None:
            return None
        path, record = found
        info = record.info
        try:
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
            if pieces and info.get("pieces") == pieces:
                entry.pieces_id, entry.index_digest = info["pieces_id"], info["index_digest"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # its text is gone, or the entry is foreign: build the document afresh
        entry._file, entry._blobs, entry.prefixes = path, list(record.blobs), self.prefixes
        self._taken.setdefault(path, {}).setdefault(key, []).append(entry)
        self.hits += 1
        return entry

    def put(self, key: str, entry: Entry, pieces: str = "") -> None:
        """Keep ``entry``; its pieces, if any, were rendered for the context digest ``pieces``.

        Entries are held back and written :data:`BATCH` at a time, as one
        pack; :meth:`flush` writes what is held, and :meth:`prune` flushes.
        """
        # With its pieces, an entry's graph is its TriG piece; N-Quads only when there are none.
        blobs = {} if entry.pieces is not None and pieces else {"nq": entry.quads}
        info: dict[str, Any] = {
            "doc_id": entry.doc_id,
            "text_file": entry.text_file,
            "text_sha256": entry.text_sha256,
            "counts": dict(entry.counts),
            "warnings": [[w.path, w.line, w.message, w.fix, w.warning] for w in entry.warnings],
        }
        if entry.pieces is not None and pieces:
            blobs.update(entry.pieces)
            info.update(pieces=pieces, pieces_id=entry.pieces_id, index_digest=index_digest(entry.index))
        if self._index is not None and key in self._index:  # the copy written now replaces the one read
            self._taken.get(self._index[key][0], {}).pop(key, None)
        self._pending.append((key, entry, info, blobs))
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the entries held back as one pack; each entry learns where its blobs are."""
        if not self._pending:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        path, records = packs.write(self._directory, [(key, info, blobs) for key, _, info, blobs in self._pending])
        for (_, entry, _, _), record in zip(self._pending, records, strict=True):
            entry._file, entry._blobs = path, list(record.blobs)
        self._pending = []
        self._written.add(path)

    def adopt(self, path: str) -> None:
        """A pack that a worker process wrote for this build."""
        self._written.add(path)

    def _shared_path(self, pieces: str) -> Path:
        return self.directory / f"shared-{hashlib.sha256((self.context + pieces).encode()).hexdigest()}{SUFFIX}"

    def get_shared(self, pieces: str) -> Shared | None:
        """The ontology's and registry's checked graphs and pieces, if kept for these inputs."""
        path = self._shared_path(pieces)
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

    def put_shared(self, pieces: str, shared: Shared) -> None:
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
        path = self._shared_path(pieces)
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


def parse_quads(data: bytes) -> list[ox.Quad]:
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def serialize_quads(quads: list[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def as_entry(
    doc_id: str,
    text_file: str,
    text: bytes,
    counts: Counter[str],
    warnings: list[Problem],
    quads: list[ox.Quad] | None,
) -> Entry:
    """A new entry; ``quads`` None when it will be kept with its pieces, whose TriG is the graph."""
    entry = Entry(doc_id, text_file, hashlib.sha256(text).hexdigest(), counts, warnings)
    entry._quad_list = quads  # serialised only if the cache keeps it as N-Quads
    return entry


def pieces_id(key: str, text_sha256: str, pieces: str) -> str:
    """What a document's pieces are made from: its cache key (mapping, registry, ontology, code, settings), text and prefixes."""
    return hashlib.sha256(f"{key}|{text_sha256}|{pieces}".encode()).hexdigest()
