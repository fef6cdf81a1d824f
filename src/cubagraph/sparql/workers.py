"""Query worker processes, so that a timeout really stops a query.

The SPARQL engine cannot be interrupted from Python, so each query runs in a
worker process, and a query that outlives its timeout is stopped by killing
its worker. A fresh worker takes its place in the background.

The graph is loaded once into an on-disk store in a temporary directory;
every worker opens it read-only, so workers start fast and share the page
cache instead of each holding a copy in memory.

Each worker enters the sandbox (``sandbox.enter``) before it opens the store:
it can open no network socket, and its address space is bounded. A worker
that dies of the bound (the engine aborts when an allocation fails) is
replaced like one that timed out, and its query gets an error naming the
limit.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import queue
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import InvalidConfig
from . import sandbox
from .engine import Prepared, QueryError, QueryMemoryLimit, QueryTimeout, ResultTooLarge, fill_store

_CTX = mp.get_context("spawn")  # no fork: the server has threads, and fork copies their locks
MAX_BYTES = 64 << 20  # bytes of one rendered result


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


def _serve(path: str, prefixes: dict[str, str], conn: Connection, max_memory: int) -> None:
    """A worker's life: enter the sandbox, then answer jobs until the pipe closes."""
    from . import engine, results

    try:
        sandbox.enter(max_memory)
    except sandbox.SandboxError as exc:
        conn.send(f"no sandbox: {exc}")
        return
    sandbox.quiet_stderr()
    store = ox.Store.read_only(path)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        prepared, fmt, max_rows, max_bytes = job
        try:
            raw = engine.run(store, prepared, prefixes)
            result = results.materialise(raw, max_rows)
            body = results.render(result, fmt, prefixes)
            if len(body) > max_bytes:
                raise ResultTooLarge(
                    f"the result is larger than {sandbox.size(max_bytes)} ({len(body):,} bytes) — add a LIMIT, or narrow the query"
                )
            del result, raw
            conn.send(Answer(200, body))
        except MemoryError:
            limit = QueryMemoryLimit(_memory_message(max_memory))
            conn.send(Answer(limit.status, str(limit).encode(), limit.code))
        except OverflowError:
            err = ResultTooLarge(f"the result has more than {max_rows:,} rows — add a LIMIT, or narrow the query")
            conn.send(Answer(err.status, str(err).encode(), err.code))
        except engine.QueryError as exc:
            conn.send(Answer(exc.status, str(exc).encode(), exc.code))
        except Exception as exc:  # the worker must answer, whatever happened
            error = engine.evaluation_error(exc)  # raised while the results were read
            if error is not None:
                conn.send(Answer(error.status, str(error).encode(), error.code))
                continue
            conn.send(Answer(500, f"{type(exc).__name__}: {exc}".encode(), "internal_error"))


def _memory_message(max_memory: int) -> str:
    return (
        f"the query needed more than the {sandbox.size(max_memory)} of memory a query may use, and was stopped"
        " — narrow it, or raise the limit (serve --max-memory)"
    )


class _Worker:
    def __init__(self, path: str, prefixes: dict[str, str], max_memory: int = sandbox.DEFAULT_MEMORY):
        self.conn, child = _CTX.Pipe()
        self.process: BaseProcess = _CTX.Process(target=_serve, args=(path, prefixes, child, max_memory), daemon=True)
        self.process.start()
        child.close()
        try:
            hello = self.conn.recv() if self.conn.poll(60) else "no answer in 60 s"
        except (EOFError, OSError):
            hello = "it exited as it started"
        if hello != "ready":
            self.kill()
            if hello == "it exited as it started" and max_memory < sandbox.DEFAULT_MEMORY:
                # Opening the store maps its files and starts its threads inside the limit, so a
                # limit far below the default stops the worker before it can say why.
                raise InvalidConfig(
                    f"a query worker could not open the store within {sandbox.size(max_memory)} of memory"
                    f" — raise --max-memory (the default, {sandbox.size(sandbox.DEFAULT_MEMORY)}, is enough for the seeds)"
                )
            raise RuntimeError(f"a query worker did not start: {hello}")

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class Pool:
    """A fixed number of workers; a request waits for a free one."""

    def __init__(self, trig: Path, prefixes: dict[str, str], size: int = 2, max_memory: int = sandbox.DEFAULT_MEMORY):
        self.directory = build_store(trig)
        self.prefixes = prefixes
        self.size = size
        self.max_memory = max_memory
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.closed = False
        for _ in range(size):
            self.idle.put(_Worker(str(self.directory), prefixes, max_memory))

    def store(self) -> ox.Store:
        """A read-only handle for the server's own lookups (graph names, actor names)."""
        return ox.Store.read_only(str(self.directory))

    def run(self, prepared: Prepared, fmt: str, max_rows: int, timeout: float, max_bytes: int = MAX_BYTES) -> Answer:
        try:
            worker = self.idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(f"the server is busy: no worker was free for {timeout:g} s — try again") from None
        try:
            worker.conn.send((prepared, fmt, max_rows, max_bytes))
            if worker.conn.poll(timeout):
                answer: Answer = worker.conn.recv()
                self.idle.put(worker)
                return answer
        except (OSError, EOFError):
            pass  # the worker died: replace it below
        worker.process.join(0.5)
        died = worker.process.exitcode  # None: still running, so it timed out
        worker.kill()
        self._replace()
        if died is not None and sandbox.out_of_memory(died):
            raise QueryMemoryLimit(f"{_memory_message(self.max_memory)} ({sandbox.describe_exit(died)})")
        if died is not None:
            raise QueryError(f"{sandbox.describe_exit(died)} while it ran this query — simplify the query")
        raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped — narrow it, or add a LIMIT")

    def _replace(self) -> None:
        def start() -> None:
            if self.closed:
                return
            try:
                worker = _Worker(str(self.directory), self.prefixes, self.max_memory)
            except RuntimeError as exc:
                if not self.closed:  # after close, the store is gone: a worker cannot start, and need not
                    print(f"cubagraph: a query worker could not be replaced: {exc}", file=sys.stderr, flush=True)
                return
            if self.closed:  # the pool closed while this one started
                worker.kill()
            else:
                self.idle.put(worker)

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
