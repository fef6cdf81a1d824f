"""One exporter per format, behind one interface.

Each exporter module has ``NAMES`` (its file names in ``exports/``) and
``render(dataset, prefixes) -> {name: bytes}``. Rendering happens in memory,
for every format, before anything is written: a failure leaves ``exports/``
as it was.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from ..build import Dataset
from . import gexf, graphml, html, jsonld, tables, trig, turtle
from .files import LOCK, exclusive, remove_leftovers, write_atomic

EXPORTERS: tuple[ModuleType, ...] = (turtle, trig, jsonld, graphml, gexf, tables, html)


def names() -> list[str]:
    return [name for exporter in EXPORTERS for name in exporter.NAMES]


def render_all(dataset: Dataset, prefixes: dict[str, str]) -> dict[str, bytes]:
    rendered: dict[str, bytes] = {}
    for exporter in EXPORTERS:
        rendered.update(exporter.render(dataset, prefixes))
    return rendered


def write_all(directory: Path, rendered: dict[str, bytes]) -> list[tuple[Path, bool]]:
    """Write each rendered export atomically; return (path, changed) pairs.

    Files whose bytes are unchanged are left alone, so their mtimes stay put.
    Two builds never write at once: they take turns on a lock. Temporary
    files that a killed build left behind are removed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    results = []
    with exclusive(directory / LOCK):
        remove_leftovers(directory)
        for name, data in rendered.items():
            path = directory / name
            changed = not (path.is_file() and path.read_bytes() == data)
            if changed:
                write_atomic(path, data)
            results.append((path, changed))
    return results


def stale(directory: Path, rendered: dict[str, bytes]) -> list[Path]:
    """The exports whose committed bytes differ from ``rendered``."""
    out = []
    for name, data in rendered.items():
        path = directory / name
        if not path.is_file() or path.read_bytes() != data:
            out.append(path)
    return out
