"""A progress line for long builds: on a terminal only, and only when there is much to build.

``Build 2,350 of 10,000 documents (23%)``, rewritten in place on stderr at most ten times a
second, and wiped when the build is done, so that what the build prints after it starts on a
clean line. Nothing is shown when stderr is not a terminal (a pipe, a file, CI's log), nor for
fewer than :data:`THRESHOLD` documents, which build in a second or two.

Why not tqdm or rich: this is one line of text, and importing either costs more than writing
it (tqdm 4.70.1 80–800 ms, rich 15.0.0's ``rich.progress`` 165–665 ms over 15 runs each on a
loaded 2-core machine, by ``-X importtime``; see docs/cli.md). This module imports nothing
that the CLI has not already imported.
"""

from __future__ import annotations

import time
from typing import IO

THRESHOLD = 300  # documents to build, below which no progress is shown
EVERY = 0.1  # seconds between two redraws


class Progress:
    """``progress(done, total)`` as :func:`cubagraph.pipeline.build_exports` calls it; :meth:`close` wipes the line."""

    def __init__(self, stream: IO[str], what: str = "documents"):
        self.stream = stream
        self.what = what
        self.shown = False
        self.last = 0.0
        try:
            self.terminal = stream.isatty()
        except (AttributeError, ValueError):  # closed, or not a real stream
            self.terminal = False

    def __call__(self, done: int, total: int) -> None:
        if not self.terminal or total < THRESHOLD:
            return
        now = time.monotonic()
        if done < total and now - self.last < EVERY:
            return
        self.last = now
        self._write(f"\rBuild {done:,} of {total:,} {self.what} ({done * 100 // total}%)")
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self._write("\r\x1b[K")  # back to the start of the line, and clear it
            self.shown = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: the build goes on
            self.terminal = False
