"""What the CLI prints passes through one function, :func:`printable`: a label holding an ANSI escape
sequence, a carriage return or a bidi override shows as ``\\x1b[31m``, not as a colour or a rewritten line.

Messages (stderr) are always escaped. Results (stdout) are escaped when they
are meant for a person: on a terminal, or in a human format (a table, a
path, a timeline). CSV, JSON or Turtle written to a pipe or a file is data,
and leaves byte for byte (JSON escapes its own control characters).
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator
from typing import IO, Any

# C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings, overrides and isolates
# (which reorder what follows them on screen: "Trojan Source").
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MACHINE = frozenset(
    {"csv", "tsv", "json", "turtle", "ttl", "ntriples", "nt", "nquads", "trig", "xml", "jsonld", "rdfxml"}
)


def printable(text: str) -> str:
    """``text`` with every control character written as its escape (``\\x1b``, ``\\u202e``)."""
    if CONTROL.search(text) is None:
        return text
    return CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


class _Bytes(io.RawIOBase):
    """The escaping stream's ``buffer``: bytes are decoded, escaped and encoded again."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        text = bytes(data).decode("utf-8", errors="surrogateescape")
        self.raw.write(printable(text).encode("utf-8", errors="surrogateescape"))
        return len(data)

    def flush(self) -> None:
        self.raw.flush()


class Escaping(io.TextIOBase):
    """A text stream that escapes control characters on their way to ``stream``."""

    def __init__(self, stream: IO[str]):
        self.stream = stream
        self.buffer = _Bytes(stream.buffer) if hasattr(stream, "buffer") else None

    def write(self, text: str) -> int:
        self.stream.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")


def raw(stream: IO[str]) -> IO[str]:
    """The stream below an :class:`Escaping` one: for what must reach the terminal as control codes (the
    build's progress line, which returns to the start of its line with ``\\r``)."""
    return stream.stream if isinstance(stream, Escaping) else stream


@contextlib.contextmanager
def escaped(output_format: str | None) -> Iterator[None]:
    """Escape what is printed while the command runs (see the module's docstring)."""
    out, err = sys.stdout, sys.stderr
    human = output_format is None or output_format.lower() not in MACHINE
    sys.stderr = Escaping(err)
    if human or out.isatty():
        sys.stdout = Escaping(out)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        sys.stdout, sys.stderr = out, err
