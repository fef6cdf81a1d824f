"""File digests remembered between processes: a racy file is hashed again, and only news is written back."""

from __future__ import annotations

import os
from pathlib import Path

from cubagraph.digests import Digests


def test_a_racy_file_is_hashed_again_but_the_record_is_rewritten_only_for_news(tmp_path: Path) -> None:
    data = tmp_path / "a.yaml"
    data.write_text("one\n", encoding="utf-8")
    first = Digests(tmp_path)
    digest = first.sha256(data)
    assert first.changed
    first.save()
    saved = first.path.stat().st_mtime_ns

    # Just written, so racy: hashed again (a change within the mtime's resolution would not show), same bytes.
    again = Digests(tmp_path)
    assert again.sha256(data) == digest
    assert not again.changed
    again.save()
    assert first.path.stat().st_mtime_ns == saved

    # Changed within the same second, same size, mtime put back: the racy rule catches it.
    st = data.stat()
    data.write_text("two\n", encoding="utf-8")
    os.utime(data, ns=(st.st_atime_ns, st.st_mtime_ns))
    third = Digests(tmp_path)
    assert third.sha256(data) != digest
    assert third.changed
