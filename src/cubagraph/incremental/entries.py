"""A document's cache entry, and the registry's: what the build kept, read from disk when asked.

An entry is what a build of one document left behind: its counts and
warnings, its graph, and its pieces of every export (see
:mod:`cubagraph.export`). Only the first line of its pack is read to find it;
the graph and the pieces stay on disk until something asks for them, and the
exports copy them from there without reading them (see
:mod:`cubagraph.export.plan`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import Problem
from ..export.header import header
from ..export.plan import INDEX, Graph, Location, Piece
from ..export.trig import NAME as TRIG
from ..files import read_range
from ..network.projection import Context as NetworkContext
from . import packs


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
        # What the checks between documents need of it (mapping.across.Identity.as_json): its events, its same_as.
        self.identity: list[Any] = []

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

    def kept_in(self, pack: str, blobs: list[tuple[str, int, int]]) -> None:
        """The entry is now on disk, in ``pack``: what it held in memory is read from there when asked for."""
        self._file, self._blobs = pack, list(blobs)
        self._pieces = self._quads = self._quad_list = None

    def graph(self) -> Graph:
        """The document's piece as the exports' assembly sees it: its parts are read, or copied, from the pack."""
        sizes = {name: size for name, _, size in self._blobs if name != "nq"}
        return Graph(
            self.pieces_id,
            self._index,
            sizes,
            self._kept_pieces,
            known_index_digest=self.index_digest,
            load_index=self._load_index,
            locate=self.locate,
        )

    def _kept_pieces(self) -> Piece:
        pieces = self.pieces
        if pieces is None:
            raise OSError(f"the cache entry of {self.doc_id} has no export pieces; run `cubagraph build --no-cache`")
        return pieces

    def _load_index(self) -> dict[str, Any]:
        return self.index

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

    def _read(self, parts: list[tuple[str, int, int]]) -> Piece:
        assert self.path is not None
        return {part: read_range(str(self.path), at, n) for part, at, n in parts}


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
