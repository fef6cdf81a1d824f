"""The kept projection's rows, staged by a cold build's workers for :func:`cubagraph.pipeline.keep_network`.

After the exports are written, the build brings ``.cubagraph/network.sqlite``
up to date (:mod:`cubagraph.network.kept`). Made from nothing, that meant
decoding and inserting every graph's rows in the parent after the workers
ended: 8.5 s of the parent's ~20 s at 10,000 documents, with one core idle.
So each worker also loads the rows of the graphs it built into a SQLite file
of its own, in ``.cubagraph/network-staged/``, while it builds; the parent
then copies them in with one ``INSERT … SELECT`` per run of graphs
(:func:`cubagraph.network.kept.update`), and removes the files.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from ..network import kept
from .documents import Done

FOLDER = "network-staged"  # in .cubagraph/


def emptied(folder: Path) -> bool:
    """Empty ``folder`` of an earlier build's files (one that failed, or was only checked); False if it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
    except OSError:
        return False
    return True


class Staging:
    """A batch's work (:class:`cubagraph.pipeline.documents.Work`), then its graphs' rows staged in this process's file.

    A batch whose rows cannot be staged is loaded from the cache by the
    parent, as without workers.
    """

    def __init__(self, work: Callable[[list[tuple[str, Path]]], list[Done]], folder: Path, name: Callable[[str], str]):
        self.work, self.folder, self.name = work, folder, name

    def __call__(self, batch: list[tuple[str, Path]]) -> list[Done]:
        dones = self.work(batch)
        with contextlib.suppress(OSError, sqlite3.Error):
            # The rows were written to the cache's pack a moment ago: read back from the page cache.
            graphs = [
                (self.name(done.entry.doc_id), done.entry.pieces_id, done.entry.graph().part(kept.PART))
                for done in dones
                if done.entry is not None and done.entry.pieces_id
            ]
            if graphs:
                kept.stage(self.folder / f"{os.getpid()}.sqlite", graphs)
        return dones


class Prepared:
    """The kept projection's new file, made from the staged files by a thread while the build assembles the exports.

    The parent has one core's worth of Python work after the workers end
    (the page, the GraphML and the write); copying the staged rows in and
    indexing them is SQLite's work, which lets go of Python's lock, so it
    runs on the other core meanwhile. :func:`cubagraph.pipeline.keep_network`
    waits for it, then stamps the file with the TriG just written.
    """

    def __init__(self, path: Path, graphs: Sequence[tuple[str, str, Callable[[], bytes]]], files: Sequence[Path]):
        self.tmp = files[0].parent / "network.sqlite.new"  # in the folder: a build that never keeps it leaves no trace
        self._made: bool = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(path, graphs, files), name="kept projection")
        self._thread.daemon = True  # a build that fails ends without waiting for it
        self._thread.start()

    def _run(self, path: Path, graphs: Sequence[tuple[str, str, Callable[[], bytes]]], files: Sequence[Path]) -> None:
        try:
            self._made = kept.prepare(path, graphs, files, self.tmp)
        except BaseException as exc:  # raised in keep_network, which asked for it
            self._error = exc

    def result(self) -> Path | None:
        """The new file, once made; None if the kept projection is to be updated in place instead."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.tmp if self._made else None


def unlink(files: Sequence[Path]) -> None:
    """Remove staged files, once copied in (or not wanted)."""
    for file in files:
        with contextlib.suppress(OSError):
            file.unlink()
