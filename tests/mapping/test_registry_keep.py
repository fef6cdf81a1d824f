"""The registry's parse, kept between builds by its bytes' digest: the same answer as parsing, never a stale one."""

from __future__ import annotations

import shutil
from pathlib import Path

from cubagraph.mapping import load
from support import ROOT, edit


def test_the_kept_parse_is_the_parse_and_follows_the_file(tmp_path: Path) -> None:
    registry = tmp_path / "data" / "actors.yaml"
    registry.parent.mkdir()
    shutil.copy(ROOT / "data" / "actors.yaml", registry)
    keep = tmp_path / ".cubagraph" / "registry.marshal"
    first = load.read_registry(registry, [], keep)
    assert first is not None and keep.is_file()
    again = load.read_registry(registry, [], keep)
    plain = load.read_registry(registry, [], None)
    assert again is not None and plain is not None
    assert again.loaded.data == plain.loaded.data and again.loaded.lines == plain.loaded.lines
    assert [m.id for _, m in again.actors] == [m.id for _, m in plain.actors]

    edit(registry, "    name: Venezuela\n", "    name: Venezuela (Bolivarian Republic)\n")
    changed = load.read_registry(registry, [], keep)
    assert changed is not None
    assert "Venezuela (Bolivarian Republic)" in [m.name for _, m in changed.actors]

    # A kept file that is not ours (cut short, or another format) is parsed afresh, not trusted.
    keep.write_bytes(keep.read_bytes()[:50])
    problems: list[object] = []
    cut = load.read_registry(registry, problems, keep)  # type: ignore[arg-type]
    assert cut is not None and not problems
    assert [m.name for _, m in cut.actors] == [m.name for _, m in changed.actors]
