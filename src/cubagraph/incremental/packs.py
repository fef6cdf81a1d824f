"""Cache packs: many documents' cache entries in one file.

Making a file costs far more here than filling one. On the 2-core VM that
runs the benchmarks, creating 10,000 empty files took 5-7 s of system time
(0.5 ms each; 25 us on a good minute), while one file of the same 830 MB took
0.3 s. A cold build of 10,000 documents kept one file per document. So the
cache keeps its entries in packs: a worker's batch of documents in one file,
a rebuild's few new documents in another.

A pack is one JSON line that lists its entries (their keys, what the build
needs to know of them, and the sizes of their blobs), then the blobs, laid
out part by part: every entry's Turtle, then every entry's TriG, and so on. An
export takes the same part of consecutive documents, so it copies one range
of a pack, in the kernel, rather than one per document.

A pack is written whole, under a temporary name, and renamed: a reader sees
all of it or none. A pack whose size is not what its first line says was cut
short by something else, and is not read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from typing import Any

from ..files import read_range

SUFFIX = ".pack"
FORMAT = 1  # bump when the layout changes

Blob = tuple[str, int, int]  # part name, offset in the pack, size


@dataclass
class Record:
    """One entry of a pack: its cache key, its description, and where its blobs are."""

    key: str
    info: dict[str, Any]
    blobs: list[Blob]

    @property
    def size(self) -> int:
        return sum(size for _, _, size in self.blobs)


def write(directory: str, items: list[tuple[str, dict[str, Any], dict[str, bytes]]]) -> tuple[str, list[Record]]:
    """Write ``items`` (key, description, blobs) as one pack in ``directory``; return its path and its records.

    The first line names the parts once and gives each entry's size of each
    (null for a part it lacks): the offsets follow from the sizes, and a
    rebuild of 10,000 documents reads 400 such lines. The pack is named by a
    digest of that line, which records when it was written: where two packs
    hold the same key (an entry built again, or copied out of a mostly unused
    pack), the newer one is read.
    """
    parts: dict[str, None] = {}  # every part name, in order of first appearance
    for _, _, blobs in items:
        parts.update(dict.fromkeys(blobs))
    chunks = [data for part in parts for _, _, blobs in items if (data := blobs.get(part)) is not None]
    head = {
        "format": FORMAT,
        "written": time.time_ns(),
        "size": sum(len(data) for data in chunks),
        "parts": list(parts),
        "entries": [
            [key, info, [len(blobs[part]) if part in blobs else None for part in parts]] for key, info, blobs in items
        ],
    }
    line = json.dumps(head, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode("utf-8") + b"\n"
    path = os.path.join(directory, hashlib.sha256(line).hexdigest()[:40] + SUFFIX)
    _write(path, [line, *chunks])
    return path, _records(head, len(line))


def read(path: str) -> tuple[list[Record], int] | None:
    """The records of the pack at ``path``, and when it was written; None if it is missing, foreign or cut short."""
    try:
        with open(path, "rb") as f:
            line = f.readline()
            size = os.fstat(f.fileno()).st_size
        head = json.loads(line)
        if head["format"] != FORMAT or size != len(line) + head["size"]:
            return None
        return _records(head, len(line)), int(head["written"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def blobs(path: str, wanted: list[Blob]) -> dict[str, bytes]:
    """The blobs ``wanted`` (part, offset, size) of the pack at ``path``, by part."""
    return {part: read_range(path, at, size) for part, at, size in wanted}


def _records(head: dict[str, Any], offset: int) -> list[Record]:
    """Each entry's blobs, part by part, where the layout puts them; ValueError if the sizes do not add up."""
    entries = head["entries"]
    records = [Record(key, info, []) for key, info, _ in entries]
    at = offset
    for j, part in enumerate(head["parts"]):
        for record, (_, _, sizes) in zip(records, entries, strict=True):
            size = sizes[j]
            if size is not None:
                record.blobs.append((part, at, size))
                at += size
    if at - offset != head["size"]:
        raise ValueError("the sizes in the first line do not add up")
    return records


def _write(path: str, chunks: list[bytes]) -> None:
    # Atomic (a reader sees the old file or the new), not durable: the cache is disposable.
    tmp = f"{os.path.dirname(path)}/.{os.path.basename(path)}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.writelines(chunks)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
