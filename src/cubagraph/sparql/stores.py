"""The built graph as a store for queries: in memory when small, else a compacted on-disk copy.

(Moved out of ``engine``, which prepares and runs queries.)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import CubagraphError
from ..files import exclusive


def load_store(trig: Path) -> ox.Store:
    """The built graph, from ``exports/cubagraph.trig``, in memory."""
    if not trig.is_file():
        raise CubagraphError(f"{trig} does not exist — run `cubagraph build` first")
    store = ox.Store()
    store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    return store


SMALL = 8 << 20  # bytes of TriG below which loading into memory beats opening a store on disk


def fill_store(directory: Path, trig: Path) -> None:
    """Load ``trig`` into a new on-disk store in ``directory``, compacted for reading, and close it.

    What a bulk load leaves is slow to read term by term, and queries read a
    term for every value they sort, compare or return. Compacted once
    (``optimize``), the store answered the saved queries at 10,000 documents
    in 25-41 ms p50 against 38-97 ms, for about 6 s more when it is made, once
    per build (the first query took 27-28 s against 21-22 s).
    """
    store = ox.Store(str(directory))
    store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    store.optimize()
    store.flush()
    del store  # closes it: readers open it read-only


def open_store(trig: Path, cache: Path, making: Callable[[], None] | None = None) -> ox.Store:
    """The built graph for queries: in memory when small, else a read-only on-disk copy.

    Loading a large TriG file takes seconds on every query (about 10 s at
    10,000 documents). The on-disk copy is made once, under ``cache``, kept
    up to date with each build (:func:`store_copy`), and opened read-only,
    which takes milliseconds. ``making`` is called before a copy is made
    afresh, to say so.
    """
    if not trig.is_file():
        raise CubagraphError(f"{trig} does not exist — run `cubagraph build` first")
    if trig.stat().st_size < SMALL:
        return load_store(trig)
    return ox.Store.read_only(str(store_copy(trig, cache, making)))


STATE = "store.json"  # which TriG the copy holds, and the named graph behind each of the TriG's parts
FORMAT = 1
FOLLOW = 0.25  # above this share of the graphs changed, a copy is made afresh (compacted) rather than followed


def store_copy(trig: Path, cache: Path, making: Callable[[], None] | None = None) -> Path:
    """The on-disk copy of ``trig`` under ``cache``: made first if there is none, brought up to date if the TriG changed.

    The copy follows the builds as ``publish`` follows them in a remote store:
    the build's manifest (``.cubagraph/exports.json``) says which graph's part
    of the TriG each range is, and only the named graphs whose parts changed
    are dropped and loaded again, in one update (a reader sees the copy before
    or after it). After a one-document edit that takes well under a second at
    10,000 documents, where making the copy takes about half a minute. The
    state is recorded by the TriG's size, modification time and inode, so a
    query no longer reads the whole TriG to hash it. A TriG that the manifest
    does not describe (changed by something else), or with more than
    :data:`FOLLOW` of its graphs changed, gets a copy made afresh.
    """
    now = _identity(trig)
    state = _state(cache)
    if state.get("trig") == now and (cache / state.get("store", "-")).is_dir():
        if state.get("manifest") != _manifest(cache):
            # The TriG as it was, the manifest not: learn the build's names for its parts, if we may write.
            with contextlib.suppress(OSError), exclusive(cache / "store.lock", "another query"):
                return _renamed(cache, trig, now)
        return cache / str(state["store"])
    cache.mkdir(parents=True, exist_ok=True)
    with exclusive(cache / "store.lock", "another query to bring the query store up to date"):
        state = _state(cache)  # another process may have done it meanwhile
        if state.get("trig") == now and (cache / state.get("store", "-")).is_dir():
            return _renamed(cache, trig, now)
        layout = _layout(cache, trig, now)
        target = cache / str(state.get("store", "-"))
        if layout is not None and target.is_dir() and state.get("trig"):
            try:
                graphs = _follow(target, trig, state.get("graphs", {}), layout)
            except (OSError, ValueError, SyntaxError, RuntimeError):
                graphs = None
            if graphs is not None:
                _save(cache, {**_stamp(cache, now), "store": target.name, "graphs": graphs})
                return target
        if making is not None:
            making()
        return _afresh(cache, trig, now, layout)


def _renamed(cache: Path, trig: Path, now: list[int]) -> Path:
    """The copy, its record brought to the build's names for the TriG's parts.

    A build that leaves the TriG's bytes as they were may still name its parts
    anew (a new version of cubagraph names every piece anew): the copy holds
    the right graphs, but the next edit would find none of the names it knows,
    and make the copy afresh (52 s at 10,000 documents). So when the manifest
    changed and the TriG did not, the record learns the new names.
    """
    state = _state(cache)
    target = cache / str(state.get("store", "-"))
    manifest = _manifest(cache)
    if state.get("trig") == now and state.get("manifest") != manifest:  # else another query came first
        layout = _layout(cache, trig, now)
        if layout is not None:
            keys = {key for key, _, size in layout if not key.startswith("=") and size}
            had = state.get("graphs", {})
            graphs = had if keys == set(had) else _names(trig, layout)
            _save(cache, {**_stamp(cache, now), "store": target.name, "graphs": graphs})
    return target


def _manifest(cache: Path) -> list[int] | None:
    try:
        st = (cache / "exports.json").stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _stamp(cache: Path, now: list[int]) -> dict[str, Any]:
    return {"format": FORMAT, "trig": now, "manifest": _manifest(cache)}


def _identity(trig: Path) -> list[int]:
    st = trig.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]  # as the build's manifest records a file


def _state(cache: Path) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads((cache / STATE).read_bytes())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and state.get("format") == FORMAT else {}


def _save(cache: Path, state: dict[str, Any]) -> None:
    tmp = cache / f".{STATE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
    os.replace(tmp, cache / STATE)


def _layout(cache: Path, trig: Path, now: list[int]) -> list[tuple[str, int, int]] | None:
    """The TriG's items as the build wrote them, (key, offset, size), if the manifest describes the file as it is."""
    try:
        record = json.loads((cache / "exports.json").read_bytes())[trig.name]
        if record["stat"] != now:
            return None
        out, at = [], 0
        for key, size in zip(record["keys"], record["sizes"], strict=True):
            out.append((str(key), at, int(size)))
            at += int(size)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return out if at == now[0] else None


def _names(trig: Path, layout: list[tuple[str, int, int]]) -> dict[str, str]:
    """Each graph part's named graph, from the first line of its TriG block (``<iri> {`` or ``prefix:name {``)."""
    prefixes: dict[str, str] = {}
    out = {}
    with trig.open("rb") as f:
        for key, at, size in layout:
            if key.startswith("="):  # literal bytes: the head, with the @prefix lines
                f.seek(at)
                for line in f.read(size).decode("utf-8").splitlines():
                    if line.startswith("@prefix "):
                        name, _, iri = line[8:].partition(": <")
                        prefixes[name] = iri.rsplit(">", 1)[0]
            elif size:
                f.seek(at)
                first = f.read(min(size, 4096)).split(b" {\n", 1)[0].decode("utf-8")
                if first.startswith("<"):
                    out[key] = first[1:-1]
                else:
                    prefix, _, local = first.partition(":")
                    out[key] = prefixes[prefix] + local
    return out


def _follow(target: Path, trig: Path, had: dict[str, str], layout: list[tuple[str, int, int]]) -> dict[str, str] | None:
    """Drop and load again the graphs whose parts changed, in one update; their names by part, or None if too many."""
    parts = {key: (at, size) for key, at, size in layout if not key.startswith("=") and size}
    new = [key for key in parts if key not in had]
    gone = [key for key in had if key not in parts]
    if len(new) + len(gone) > FOLLOW * max(len(parts), 1):
        return None
    names = {key: name for key, name in had.items() if key in parts}
    with trig.open("rb") as f:
        head = b"".join(_read(f, at, size) for key, at, size in layout if key.startswith("=") and at == 0)
        quads: list[ox.Quad] = []
        for key in new:
            at, size = parts[key]
            got = list(ox.parse(head + _read(f, at, size), format=ox.RdfFormat.TRIG))
            graphs = {q.graph_name for q in got if isinstance(q.graph_name, ox.NamedNode)}
            if len(graphs) != 1:
                return None  # not one named graph's block: make the copy afresh
            names[key] = next(iter(graphs)).value
            quads += got
    drop = sorted({had[key] for key in gone} | {names[key] for key in new})
    store = ox.Store(str(target))
    # One update, one transaction: DROP each changed graph, INSERT the new quads (terms in N-Triples form).
    body = " .\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)
    text = "".join(f"DROP SILENT GRAPH <{name}> ;\n" for name in drop) + f"INSERT DATA {{\n{body}\n}}"
    store.update(text)
    store.flush()
    del store
    return names


def _read(f: Any, at: int, size: int) -> bytes:
    f.seek(at)
    data: bytes = f.read(size)
    return data


def _afresh(cache: Path, trig: Path, now: list[int], layout: list[tuple[str, int, int]] | None) -> Path:
    """A copy made from the whole TriG, compacted, renamed in; older copies removed."""
    import shutil
    import tempfile

    building = Path(tempfile.mkdtemp(prefix=".store-", dir=cache))
    target = cache / f"store-{hashlib.sha256(repr(now).encode()).hexdigest()[:20]}"
    try:
        fill_store(building, trig)
        shutil.rmtree(target, ignore_errors=True)
        os.rename(building, target)
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
        raise
    _save(cache, {**_stamp(cache, now), "store": target.name, "graphs": _names(trig, layout) if layout else {}})
    for old in cache.glob("store-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    return target
