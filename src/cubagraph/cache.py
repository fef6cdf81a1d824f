"""The build cache: a document's checked, built graph, kept until its inputs change.

A document's graph depends only on its mapping, its text, the actor
registry, the ontology, the base IRI and cubagraph's own code. The cache key
is a digest of all of them, so a hit is exactly what a cold build would make:
a rebuild after editing one document out of many redoes only that document's
loading, checking and building. Exports are still written from the whole
graph, byte for byte as a cold build writes them (a test checks this).

Entries live in ``.cubagraph/cache/`` in the project; entries that no current
document uses are removed after each build.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import Problem
from .export.files import write_atomic
from .project import Project

FORMAT = 1  # bump when an entry's layout changes


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of cubagraph's own source: a change to the code empties the cache."""
    h = hashlib.sha256(str(FORMAT).encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".ttl", ".js", ".html", ".css") and path.is_file():
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@dataclass
class Entry:
    doc_id: str
    text_file: str
    text_sha256: str
    counts: Counter[str]
    warnings: list[Problem]
    quads: bytes  # N-Quads of the document's graph
    text: str = ""  # the document's text, as read to check its digest


class Cache:
    def __init__(self, project: Project, ontology: bytes, registry: bytes):
        self.directory = project.root / ".cubagraph" / "cache"
        self.project = project
        h = hashlib.sha256()
        for part in (
            code_digest().encode(),
            project.base.encode(),
            repr(sorted(project.settings.items())).encode(),
            ontology,
            registry,
        ):
            h.update(hashlib.sha256(part).digest())
        self.context = h.hexdigest()
        self.used: set[str] = set()
        self.hits = 0

    def key(self, mapping: bytes) -> str:
        return hashlib.sha256(self.context.encode() + hashlib.sha256(mapping).digest()).hexdigest()

    def get(self, key: str) -> Entry | None:
        meta, data = self.directory / f"{key}.json", self.directory / f"{key}.nq"
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            text = (self.project.root / info["text_file"]).read_bytes()
            if hashlib.sha256(text).hexdigest() != info["text_sha256"]:
                return None
            quads = data.read_bytes()
        except (OSError, ValueError, KeyError):
            return None  # missing, half-written or foreign: build the document afresh
        self.used.add(key)
        self.hits += 1
        return Entry(
            info["doc_id"],
            info["text_file"],
            info["text_sha256"],
            Counter(info["counts"]),
            [Problem(*w) for w in info["warnings"]],
            quads,
            text.decode("utf-8"),
        )

    def put(self, key: str, entry: Entry) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomic(self.directory / f"{key}.nq", entry.quads)
        info = {
            "doc_id": entry.doc_id,
            "text_file": entry.text_file,
            "text_sha256": entry.text_sha256,
            "counts": dict(entry.counts),
            "warnings": [[w.path, w.line, w.message, w.fix, w.warning] for w in entry.warnings],
        }
        # The metadata goes last: an entry without it is never read.
        write_atomic(self.directory / f"{key}.json", json.dumps(info, sort_keys=True).encode())
        self.used.add(key)

    def prune(self) -> None:
        """Remove entries that no current document used."""
        if not self.directory.is_dir():
            return
        for path in self.directory.iterdir():
            if (path.stem not in self.used and path.suffix in (".json", ".nq")) or path.name.endswith(".tmp"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)


def parse_quads(data: bytes) -> list[ox.Quad]:
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def serialize_quads(quads: list[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def as_entry(
    doc_id: str, text_file: str, text: bytes, counts: Counter[str], warnings: list[Problem], quads: list[ox.Quad]
) -> Entry:
    return Entry(doc_id, text_file, hashlib.sha256(text).hexdigest(), counts, warnings, serialize_quads(quads))
