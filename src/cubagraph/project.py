"""Where a project's files are, and its settings.

A project is a directory with ``ontology/cubagraph.ttl`` and ``data/``. The
base IRI for data comes, in order, from ``--base``, the ``CUBAGRAPH_BASE``
environment variable, ``[tool.cubagraph] base`` in the project's
``pyproject.toml``, or the default.

May import: errors, digests, files, rdf.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidConfig, ProjectNotFound
from .files import regular_files
from .rdf.namespaces import DEFAULT_BASE, PREFIXES, Minter

HOW = frozenset({"jobs", "fsync"})  # settings of how a build runs, not of what it makes

if TYPE_CHECKING:
    from .digests import Digests

EXPORT_NAMES = ("cubagraph.ttl", "cubagraph.trig", "cubagraph.jsonld")


@dataclass(frozen=True)
class Project:
    root: Path
    base: str
    settings: dict[str, Any] = field(default_factory=dict)  # the rest of [tool.cubagraph]

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "cubagraph.ttl"

    @property
    def shapes(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @functools.cached_property
    def data_resolved(self) -> Path:
        """data/ with its symlinks resolved, once: every mapping's text must lie under it."""
        return self.data.resolve()

    @property
    def registry(self) -> Path:
        return self.data / "actors.yaml"

    @property
    def mappings(self) -> list[Path]:
        folder = self.data / "mappings"
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".yaml"))
        except FileNotFoundError:
            return []
        return [folder / n for n in names]

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    def minter(self) -> Minter:
        try:
            return Minter(self.base)
        except ValueError as exc:
            raise InvalidConfig(str(exc)) from exc

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def trig(self) -> Path:
        return self.exports / "cubagraph.trig"

    def prefixes(self) -> dict[str, str]:
        """The standard prefixes and the project's own, as exports and queries use them."""
        return {**PREFIXES, **self.minter().prefixes()}

    def output_settings(self) -> list[tuple[str, Any]]:
        """The settings that shape the exports; how a build runs (``jobs``, ``fsync``) does not."""
        return sorted((k, v) for k, v in self.settings.items() if k not in HOW)

    def input_digest(self, digests: Digests | None = None) -> str:
        """A digest of everything a build reads, and the base it mints under.

        The TriG export records it, so that `query` and `serve` can tell when
        the built graph no longer matches the data. File digests come from
        ``digests`` (see :mod:`cubagraph.digests`), which remembers them.
        """
        from .digests import Digests

        known = digests or Digests(self.root)
        h = hashlib.sha256(self.base.encode() + repr(self.output_settings()).encode())
        root = str(self.root) + os.sep
        # Only regular files: a FIFO, socket or device under data/ is nobody's input (and would hang a read).
        files = [str(self.ontology), *regular_files(self.data, self.data_resolved)]
        for path in files:
            relative = path[len(root) :] if path.startswith(root) else path
            h.update(relative.replace(os.sep, "/").encode() + b"\0" + bytes.fromhex(known.sha256(path)))
        if digests is None:
            known.save()
        return h.hexdigest()

    def relative(self, path: Path, resolved: bool = False) -> str:
        """``path`` relative to the project's root; ``resolved`` says it is resolved already."""
        try:
            return (path if resolved else path.resolve()).relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def find(start: Path | None = None, base: str | None = None) -> Project:
    """The project containing ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "ontology" / "cubagraph.ttl").is_file() and (candidate / "data").is_dir():
            config = _config(candidate)
            return Project(
                candidate, base or os.environ.get("CUBAGRAPH_BASE") or config.get("base", DEFAULT_BASE), config
            )
    raise ProjectNotFound(
        f"{here} is not inside a cubagraph project (no ontology/cubagraph.ttl and data/ "
        "found here or above) — run the command from the project, or pass --root DIR"
    )


def _config(root: Path) -> dict[str, Any]:
    """``[tool.cubagraph]`` from the project's pyproject.toml, checked."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    try:
        config = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("cubagraph", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidConfig(f"{pyproject}: cannot read it ({exc}) — fix the TOML") from exc
    known: dict[str, type] = {"base": str, "viewer_cap": int, "viewer_limit": int, "jobs": int, "fsync": bool}
    known["viewer_texts"] = int  # characters of documents' texts the viewer's page holds (export/documents.py)
    for key, value in config.items():
        if key not in known:
            raise InvalidConfig(f"{pyproject}: unknown setting [tool.cubagraph] {key} — use one of {', '.join(known)}")
        # bool is an int in Python; a number is not a yes/no, nor a yes/no a number.
        if not isinstance(value, known[key]) or (known[key] is int and isinstance(value, bool)):
            kind = {"str": "a string", "int": "a whole number", "bool": "true or false"}[known[key].__name__]
            raise InvalidConfig(f"{pyproject}: [tool.cubagraph] {key} must be {kind}")
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            raise InvalidConfig(f"{pyproject}: [tool.cubagraph] {key} must be at least 1")
    return dict(config)
