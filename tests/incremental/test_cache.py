"""The build cache's packs: many entries to a file, found by key, pruned to what is used."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from cubagraph import project
from cubagraph.incremental import packs
from cubagraph.incremental.cache import BATCH, Cache
from cubagraph.incremental.entries import as_entry

TEXT = "data/documents/004_1d5170aace06a04f.txt"


def _cache(workdir: Path) -> Cache:
    proj = project.find(workdir)
    return Cache(proj, proj.ontology.read_bytes(), proj.registry.read_bytes())


def _quad(i: int, size: int) -> ox.Quad:
    ex = "https://example.org/"
    return ox.Quad(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(f"{ex}p"), ox.Literal("x" * size), ox.NamedNode(f"{ex}g"))


def _put(store: Cache, workdir: Path, sizes: list[int]) -> list[ox.Quad]:
    quads = [_quad(i, size) for i, size in enumerate(sizes)]
    text = (workdir / TEXT).read_bytes()
    for i, quad in enumerate(quads):
        store.put(f"key-{i}", as_entry(f"doc-{i}", TEXT, text, Counter(quads=1), [], [quad]))
    return quads


def _packs(workdir: Path) -> list[list[packs.Record]]:
    found = []
    for path in sorted((workdir / ".cubagraph/cache").glob("*" + packs.SUFFIX)):
        read = packs.read(str(path))
        assert read is not None, path
        found.append(read[0])
    return found


def test_entries_are_written_a_batch_to_a_file_and_read_back(workdir: Path) -> None:
    store = _cache(workdir)
    quads = _put(store, workdir, [10] * (BATCH + 3))
    store.prune()  # writes what is held back
    assert sorted(len(records) for records in _packs(workdir)) == [3, BATCH]
    again = _cache(workdir)
    for i, quad in enumerate(quads):
        entry = again.get(f"key-{i}")
        assert entry is not None and entry.doc_id == f"doc-{i}"
        assert entry.quad_list() == [quad]
    assert again.get("key-absent") is None


def test_a_mostly_unused_pack_is_copied_down_to_what_is_used(workdir: Path) -> None:
    store = _cache(workdir)
    quads = _put(store, workdir, [100, 100, 100, 400, 50])
    store.prune()
    (only,) = _packs(workdir)
    assert len(only) == 5
    # One build uses the largest entry and one more: 450 of 750 bytes of quads, more than half. The pack stays.
    store = _cache(workdir)
    assert store.get("key-3") is not None and store.get("key-4") is not None
    store.prune()
    assert [len(records) for records in _packs(workdir)] == [5]
    # The next uses one small entry, so most of the pack is dead: the entry is copied to a pack of its own,
    # the entry handed out reads from the copy, and the old pack goes.
    store = _cache(workdir)
    entry = store.get("key-0")
    assert entry is not None
    store.prune()
    (copied,) = _packs(workdir)
    assert [r.key for r in copied] == ["key-0"]
    assert entry.quad_list() == [quads[0]]
    later = _cache(workdir)
    assert later.get("key-3") is None
    kept = later.get("key-0")
    assert kept is not None and kept.quad_list() == [quads[0]]


def test_a_pack_that_no_document_uses_is_removed(workdir: Path) -> None:
    store = _cache(workdir)
    _put(store, workdir, [10, 10])
    store.prune()
    assert len(_packs(workdir)) == 1
    _cache(workdir).prune()  # a build that used none of them (as with --no-cache)
    assert _packs(workdir) == []


def test_a_key_in_two_packs_is_read_from_the_newer(workdir: Path) -> None:
    store = _cache(workdir)
    _put(store, workdir, [10, 10])
    store.prune()
    # The same key, built again and kept beside the first copy (a second build holding the first pack).
    newer = _cache(workdir)
    assert newer.get("key-1") is not None
    text = (workdir / TEXT).read_bytes()
    newer.put("key-0", as_entry("doc-0-again", TEXT, text, Counter(quads=1), [], [_quad(0, 10)]))
    newer.flush()
    entry = _cache(workdir).get("key-0")
    assert entry is not None and entry.doc_id == "doc-0-again"
