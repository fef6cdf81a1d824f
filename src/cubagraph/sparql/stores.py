"""The built graph as a store for queries: in memory when small, else a compacted on-disk copy.

(Moved out of ``engine``, which prepares and runs queries.)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from ..errors import CubagraphError


def load_store(trig: Path) -> ox.Store:
    """The built graph, from ``exports/cubagraph.trig``, in memory."""
    if not trig.is_file():
        raise CubagraphError(f"{trig} does not exist — run `cubagraph build` first")
    store = ox.Store()
    store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    return store


SMALL = 8 << 20  # bytes of TriG below which loading into memory beats opening a store on disk


def fill_store(directory: Path, trig: Path) -> None:
    """Load ``trig`` into a new on-disk store in ``directory``, compacted for reading, and close it.

    What a bulk load leaves is slow to read term by term, and queries read a
    term for every value they sort, compare or return. Compacted once
    (``optimize``), the store answered the saved queries at 10,000 documents
    in 25-41 ms p50 against 38-97 ms, for about 6 s more when it is made, once
    per build (the first query took 27-28 s against 21-22 s).
    """
    store = ox.Store(str(directory))
    store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    store.optimize()
    store.flush()
    del store  # closes it: readers open it read-only


def open_store(trig: Path, cache: Path, making: Callable[[], None] | None = None) -> ox.Store:
    """The built graph for queries: in memory when small, else a read-only on-disk copy.

    Loading a large TriG file takes seconds on every query (about 10 s at
    10,000 documents). The on-disk copy is made once per build, keyed by the
    file's digest, under ``cache``, and opened read-only after that, which
    takes milliseconds. ``making`` is called before a copy is made, to say so.
    """
    if not trig.is_file():
        raise CubagraphError(f"{trig} does not exist — run `cubagraph build` first")
    if trig.stat().st_size < SMALL:
        return load_store(trig)
    return ox.Store.read_only(str(store_copy(trig, cache, making)))


def store_copy(trig: Path, cache: Path, making: Callable[[], None] | None = None) -> Path:
    """The on-disk copy of ``trig`` under ``cache``, made first if there is none yet (see :func:`open_store`)."""
    import hashlib
    import shutil
    import tempfile

    h = hashlib.sha256()
    with trig.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    target = cache / f"store-{h.hexdigest()[:20]}"
    if not target.is_dir():
        if making is not None:
            making()
        cache.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".store-", dir=cache))
        try:
            fill_store(building, trig)
            os.rename(building, target)
        except OSError:
            shutil.rmtree(building, ignore_errors=True)  # another process made it first
        for old in cache.glob("store-*"):
            if old != target:
                shutil.rmtree(old, ignore_errors=True)
    return target
