"""Work spread over forked worker processes, in small batches.

A cold build is work per document: parse the mapping, check it, ground its
quotes, build its graph, render its pieces of the exports. Only the checks
between documents and the registry's own checks need them all. So, with many
new documents, forked workers take them in small batches, keep each
document's result in the build cache, and send back only what the build
needs (see :mod:`cubagraph.pipeline.documents`). The parent never holds the
documents, their graphs or their pieces.

Workers are forked, so they start with what the parent holds: the checked
registry, the ontology, the export context. Where fork is not available
(Windows, macOS's default), or for a few documents, the work runs in this
process, the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable
from typing import Any, TypeVar

MIN_ITEMS = 64  # below this, forking costs more than it saves
BATCH = 25  # items per task: small, so that the workers finish together

T = TypeVar("T")
R = TypeVar("R")


def processes(settings: dict[str, Any], items: int) -> int:
    """How many workers to use: one per core (or ``jobs`` in [tool.cubagraph]), and 1 when forking is not worth it."""
    if items < MIN_ITEMS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(int(settings.get("jobs", cores)), cores))


_work: Callable[[list[Any]], list[Any]] | None = None  # set in the parent before forking; the workers inherit it


def run(
    work: Callable[[list[T]], list[R]],
    items: list[T],
    workers: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[R]:
    """``work`` done on ``items`` by ``workers`` processes, a batch at a time; the results in the items' order.

    ``progress(done, total)`` is called as batches come back (in order), if given.
    """
    global _work
    if workers <= 1:
        if progress is None:
            return work(items)
        out: list[R] = []
        for i in range(0, len(items), BATCH * 4):  # in this process: batches only to say how far it got
            out += work(items[i : i + BATCH * 4])
            progress(len(out), len(items))
        return out
    _work = work
    batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_die_with_parent) as pool:
            results: list[R] = []
            for batch in pool.imap(_call, batches):
                results += batch
                if progress is not None:
                    progress(len(results), len(items))
            return results
    finally:
        _work = None


def _call(batch: list[Any]) -> list[Any]:
    assert _work is not None, "workers are forked from run()"
    return _work(batch)


def _die_with_parent() -> None:
    """Ask Linux to stop this worker if the build is killed: an orphan would go on filling the cache."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the request took hold
            os._exit(1)
