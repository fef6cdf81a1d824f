"""Work done in a forked child (export.forked): the Gephi files written, the shares read, the overview laid
out. The same bytes and memos as without the child; a failure there leaves the old exports whole and no
temporaries behind."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

import cubagraph.export as export
from cubagraph import pipeline, project
from cubagraph.errors import CannotWrite
from cubagraph.export import drawn, forked, gexf, graphml, picture
from cubagraph.export.plan import Lazy, Plan


def files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.name != ".lock"}


def counting(monkeypatch: pytest.MonkeyPatch, where: object) -> list[object]:
    """The work of each child started through ``where.Forked`` from now on (the children still run)."""
    children: list[object] = []

    class Counted(forked.Forked):  # type: ignore[type-arg]
        def __init__(self, work):  # type: ignore[no-untyped-def]
            children.append(work)
            super().__init__(work)

    monkeypatch.setattr(where, "Forked", Counted)
    return children


def test_a_forked_child_writes_the_same_bytes(workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = pipeline.build_exports(project.find(workdir), use_cache=False)
    export.write_all(tmp_path / "here", built.plans, built.graphs)
    children = counting(monkeypatch, export)
    monkeypatch.setattr(export, "FORK_GRAPHS", 1)
    built = pipeline.build_exports(project.find(workdir))
    export.write_all(tmp_path / "apart", built.plans, built.graphs)
    assert len(children) == 1
    assert files(tmp_path / "apart") == files(tmp_path / "here") == files(workdir / "exports")


def test_a_failure_in_the_child_leaves_the_old_exports(
    workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = pipeline.build_exports(project.find(workdir))
    before = files(workdir / "exports")

    def full() -> bytes:
        raise OSError(errno.ENOSPC, "No space left on device")

    plans = dict(built.plans)
    # GraphML is written whole by the child, then GEXF fails there: the child removes both temporaries.
    plans[gexf.NAME] = Plan([b"<gexf>", Lazy("full", full)])
    plans[graphml.NAME] = Plan([b"<graphml/>\n"])
    monkeypatch.setattr(export, "FORK_GRAPHS", 1)
    with pytest.raises(CannotWrite):
        export.write_all(workdir / "exports", plans, built.graphs)
    assert files(workdir / "exports") == before
    assert not [p for p in (workdir / "exports").iterdir() if p.name.endswith(".tmp")]


def test_forked_gives_the_value_or_the_error() -> None:
    assert forked.Forked(lambda: [os.getppid(), 2]).result() == [os.getpid(), 2]

    def fails() -> None:
        raise ValueError("from the child")

    with pytest.raises(ValueError, match="from the child"):
        forked.Forked(fails).result()
    parent = os.getpid()

    def dies() -> int:
        if os.getpid() != parent:
            os._exit(3)  # a child killed before it could answer
        return 7

    assert forked.Forked(dies).result() == 7  # done here instead


def test_the_overview_laid_out_in_a_child_is_the_same(
    workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = counting(monkeypatch, forked)
    monkeypatch.setattr(picture, "FORK_NODES", 1)
    built = pipeline.build_exports(project.find(workdir), use_cache=False)
    export.write_all(tmp_path / "out", built.plans, built.graphs)
    assert len(children) == 1
    assert files(tmp_path / "out") == files(workdir / "exports")


def test_shares_read_in_a_child_are_the_same(workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    children = counting(monkeypatch, forked)
    monkeypatch.setattr(drawn, "FORK_SHARES", 2)
    built = pipeline.build_exports(project.find(workdir), use_cache=False)
    export.write_all(tmp_path / "out", built.plans, built.graphs)
    assert len(children) == 1
    assert files(tmp_path / "out") == files(workdir / "exports")
    # What the child learnt is kept as if this process had read every share: an edit reads one share again.
    memo = workdir / ".cubagraph" / "viewer"
    index = (memo / "drawn-index.json").read_bytes()
    monkeypatch.setattr(drawn, "FORK_SHARES", 10**9)
    (memo / "drawn-index.json").unlink()
    (memo / "ranking.json").unlink()
    pipeline.build_exports(project.find(workdir), use_cache=False)
    assert (memo / "drawn-index.json").read_bytes() == index
