"""`new` writes a mapping that `check` accepts whatever characters the text holds (U+007F, C1 controls, NEL, LS)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cubagraph.mapping import yamlfile
from cubagraph.mapping.draft import _q
from support import Result


@settings(max_examples=400, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
def test_every_string_round_trips_through_the_mapping_yaml(value: str) -> None:
    loaded, problems = yamlfile.load("m.yaml", f"title: {_q(value)}\n")
    assert problems == [] and loaded is not None
    assert loaded.data["title"] == value


@pytest.mark.parametrize("odd", ["\x7f", "\x86", "\x85", "\u2028", "\x9f\x80"])
def test_new_then_check_accepts_a_text_with_controls(
    run: Callable[..., Result], workdir: Path, tmp_path: Path, odd: str
) -> None:
    article = tmp_path / "article.txt"
    article.write_text(
        f"Antony Blinken met Cuba{odd} officials on July 11, 2021.\n"
        f'Blinken said "free{odd} them now" and 553 prisoners were released.\n',
        encoding="utf-8",
    )
    created = run("new", str(article), "--id", "odd-text", cwd=workdir)
    assert created.code == 0, created.err
    checked = run("check", cwd=workdir)
    assert checked.code == 0, checked.err
    assert "malformed YAML" not in checked.err
