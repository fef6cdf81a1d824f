"""One exception hierarchy for everything that can go wrong with user input.

Validation collects :class:`Problem` records instead of raising on the first
one, so that a user sees every mistake in one run; the collected problems are
raised once, at the edge, as :class:`InvalidData`.

May import: nothing of cubagraph: every other part imports it.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located to a file and a line."""

    path: str
    line: int
    message: str
    fix: str = ""
    # A warning is worth a look but does not stop a build: a possible duplicate
    # actor, a suggestion not yet confirmed.
    warning: bool = False

    def format(self) -> str:
        kind = "warning: " if self.warning else ""
        text = f"{display_path(self.path)}:{self.line}: {kind}{self.message}"
        if self.fix:
            text += f" — {self.fix}"
        # One problem, one line: editors and grep rely on it.
        return " ".join(text.split())


def display_path(path: str) -> str:
    """Show paths relative to the working directory when that is shorter."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # a different drive on Windows
        return path
    return rel if not rel.startswith("..") else path


class CubagraphError(Exception):
    """Base class: anything cubagraph reports to the user instead of a traceback."""

    exit_code = 1


class InvalidData(CubagraphError):
    """The mappings, the registry or the documents have problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted({p for p in problems if not p.warning})
        self.warnings = sorted({p for p in problems if p.warning})
        super().__init__(f"{len(self.problems)} problem(s) found")

    def lines(self) -> list[str]:
        return [p.format() for p in sorted([*self.problems, *self.warnings])]


class InvalidOntology(CubagraphError):
    """ontology/cubagraph.ttl cannot be read or lacks a vocabulary the mappings need."""


class InvalidConfig(CubagraphError):
    """A setting (the base IRI, pyproject.toml) is wrong."""


class ProjectNotFound(CubagraphError):
    """The command was not run inside a cubagraph project."""


class StaleExports(CubagraphError):
    """`build --check` found committed exports that differ from a fresh build."""

    def __init__(self, stale: list[Path]):
        self.stale = stale
        names = ", ".join(str(p) for p in stale)
        folder = stale[0].parts[0] if stale and stale[0].parts else "exports"
        if folder == "schema":
            super().__init__(f"stale schemas: {names} — run `cubagraph schema` and commit schema/")
        else:
            super().__init__(f"stale exports: {names} — run `cubagraph build` and commit exports/")


class CannotWrite(CubagraphError):
    """Writing the exports failed (a full disk, a read-only folder, ...): the old ones are left whole."""

    exit_code = 74  # EX_IOERR: a problem with the machine, not with the input nor a bug

    def __init__(self, directory: Path, exc: OSError):
        self.errno = exc.errno
        where = f" ({display_path(exc.filename)})" if isinstance(exc.filename, str) else ""
        if exc.errno == errno.ENOSPC:
            remedy = f"free some space on the disk that holds {display_path(str(directory))}/ and run it again"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            remedy = f"make {display_path(str(directory))}/ writable and run it again"
        else:
            remedy = "fix the cause and run it again"
        super().__init__(
            f"cannot write the exports: {exc.strerror or exc}{where}; {display_path(str(directory))}/ was left as it"
            f" was — {remedy}"
        )
