"""Work done in a forked child while this process goes on with its own: the build's last steps on two cores.

After a cold build's workers end, what is left is Python in one process (the
page's drawing, the Gephi files' nodes with it), one core's worth, while the
other core idles. A part of it that needs nothing but what the process holds
when it forks runs in a child, which sends its result back pickled through a
pipe. Where fork is not available, or the child dies without a word, the work
runs here when its result is asked for, so the result is the same either way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import warnings
from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")


def available() -> bool:
    return hasattr(os, "fork")


class Forked(Generic[R]):
    """``work()``, started in a forked child now; :meth:`result` waits for it and gives its value or raises its error.

    The child inherits the process as it is when forking (the cycle collector
    paused, the data ``work`` reads) and ends with ``os._exit``: no atexit
    handler, no buffered output and no other thread of the parent runs there.
    """

    def __init__(self, work: Callable[[], R]):
        self._work = work
        self._outcome: tuple[bool, Any] | None = None
        self._pid = 0
        self._read = -1
        if not available():
            return
        read, write = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns on fork while another thread runs, and one may (the kept projection's, in
            # SQLite). The child runs only ``work`` on what it inherited, takes no lock that thread holds,
            # and ends with os._exit; the tests run with warnings as errors, on any 3.11+.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                os.close(read)
                try:
                    payload = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException as exc:  # sent back, and raised where the result is asked for
                    payload = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(payload)
            except BaseException:
                code = 1  # nothing sent: the parent does the work itself
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> R:
        """The value ``work()`` returned, or its error raised; asked again, the same."""
        if self._outcome is None:
            self._outcome = self._collect()
        ok, value = self._outcome
        if not ok:
            raise value
        result: R = value
        return result

    def _collect(self) -> tuple[bool, Any]:
        if self._pid == 0:
            return self._here()
        with os.fdopen(self._read, "rb") as pipe:
            payload = pipe.read()
        os.waitpid(self._pid, 0)
        self._pid = 0
        try:
            outcome: tuple[bool, Any] = pickle.loads(payload)
        except Exception:  # the child died before it could say (killed, out of memory): do it here
            return self._here()
        return outcome

    def _here(self) -> tuple[bool, Any]:
        try:
            return True, self._work()
        except BaseException as exc:
            return False, exc

    def cancel(self) -> None:
        """Stop the child, if it still runs, and reap it: for a build that fails before it asks for the result."""
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, 9)
            with contextlib.suppress(OSError):
                os.close(self._read)
            with contextlib.suppress(OSError):
                os.waitpid(self._pid, 0)
            self._pid = 0
