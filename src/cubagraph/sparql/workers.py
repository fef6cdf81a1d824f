"""Query worker processes, so that a timeout really stops a query.

The SPARQL engine cannot be interrupted from Python, so each query runs in a
worker process, and a query that outlives its timeout is stopped by killing
its worker. A fresh worker takes its place in the background.

The graph is loaded once into an on-disk store in a temporary directory;
every worker opens it read-only, so workers start fast and share the page
cache instead of each holding a copy in memory.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import queue
import shutil
import tempfile
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .engine import Prepared, QueryTimeout, ResultTooLarge, fill_store

_CTX = mp.get_context("spawn")  # no fork: the server has threads, and fork copies their locks


@dataclass
class Answer:
    status: int
    body: bytes
    code: str = ""  # an error code, when status is not 200


def build_store(trig: Path) -> Path:
    """Load ``trig`` into an on-disk store in a new temporary directory; return its path."""
    directory = Path(tempfile.mkdtemp(prefix="cubagraph-store-"))
    try:
        fill_store(directory, trig)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return directory


def _serve(path: str, prefixes: dict[str, str], conn: Connection) -> None:
    """A worker's life: answer jobs until the pipe closes."""
    from . import engine, results

    store = ox.Store.read_only(path)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        prepared, fmt, max_rows = job
        try:
            raw = engine.run(store, prepared, prefixes)
            result = results.materialise(raw, max_rows)
            conn.send(Answer(200, results.render(result, fmt, prefixes)))
        except OverflowError:
            err = ResultTooLarge(f"the result has more than {max_rows:,} rows — add a LIMIT, or narrow the query")
            conn.send(Answer(err.status, str(err).encode(), err.code))
        except engine.QueryError as exc:
            conn.send(Answer(exc.status, str(exc).encode(), exc.code))
        except Exception as exc:  # the worker must answer, whatever happened
            conn.send(Answer(500, f"{type(exc).__name__}: {exc}".encode(), "internal_error"))


class _Worker:
    def __init__(self, path: str, prefixes: dict[str, str]):
        self.conn, child = _CTX.Pipe()
        self.process: BaseProcess = _CTX.Process(target=_serve, args=(path, prefixes, child), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(60) or self.conn.recv() != "ready":
            self.kill()
            raise RuntimeError("a query worker did not start")

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class Pool:
    """A fixed number of workers; a request waits for a free one."""

    def __init__(self, trig: Path, prefixes: dict[str, str], size: int = 2):
        self.directory = build_store(trig)
        self.prefixes = prefixes
        self.size = size
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.closed = False
        for _ in range(size):
            self.idle.put(_Worker(str(self.directory), prefixes))

    def store(self) -> ox.Store:
        """A read-only handle for the server's own lookups (graph names, actor names)."""
        return ox.Store.read_only(str(self.directory))

    def run(self, prepared: Prepared, fmt: str, max_rows: int, timeout: float) -> Answer:
        try:
            worker = self.idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(f"the server is busy: no worker was free for {timeout:g} s — try again") from None
        try:
            worker.conn.send((prepared, fmt, max_rows))
            if worker.conn.poll(timeout):
                answer: Answer = worker.conn.recv()
                self.idle.put(worker)
                return answer
        except (OSError, EOFError):
            pass  # the worker died: replace it below
        worker.kill()
        self._replace()
        raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped — narrow it, or add a LIMIT")

    def _replace(self) -> None:
        def start() -> None:
            if not self.closed:
                self.idle.put(_Worker(str(self.directory), self.prefixes))

        threading.Thread(target=start, daemon=True).start()

    def close(self) -> None:
        self.closed = True
        while True:
            try:
                worker = self.idle.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(Exception):
                worker.conn.send(None)
            worker.kill()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
