"""Look-alike actors are found by their confusable skeletons (Unicode TR39): homoglyphs and invisible characters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cubagraph.mapping.skeleton import skeleton
from support import Result, edit, line_of

DUPLICATES = [
    "Cub\u0430",  # CYRILLIC SMALL LETTER A
    "\u0421uba",  # CYRILLIC CAPITAL LETTER ES
    "Cu\u200bba",  # ZERO WIDTH SPACE
    "C\u200du\u2060ba\ufeff",  # ZERO WIDTH JOINER, WORD JOINER, BOM
    "Cub\u0251",  # LATIN SMALL LETTER ALPHA
    "\uff23\uff55\uff42\uff41",  # fullwidth
    "C\u00adu\u034fba",  # SOFT HYPHEN, COMBINING GRAPHEME JOINER
]


@pytest.mark.parametrize("name", DUPLICATES)
def test_a_homoglyph_or_zero_width_duplicate_gets_a_warning(
    run: Callable[..., Result], workdir: Path, name: str
) -> None:
    path = workdir / "data/actors.yaml"
    edit(
        path,
        "  - id: united-states\n",
        f'  - id: cuba-again\n    type: country\n    name: "{name}"\n\n  - id: united-states\n',
    )
    result = run("check", cwd=workdir)
    assert result.code == 0, result.err
    line = line_of(path, "id: cuba-again")
    assert f"data/actors.yaml:{line}: warning: actor 'cuba-again' may duplicate 'cuba'" in result.err, result.err


@pytest.mark.parametrize("name", ["Cuda", "Curacao", "Cuban Exile"])
def test_a_different_name_gets_none(run: Callable[..., Result], workdir: Path, name: str) -> None:
    path = workdir / "data/actors.yaml"
    edit(
        path,
        "  - id: united-states\n",
        f"  - id: other\n    type: country\n    name: {name}\n\n  - id: united-states\n",
    )
    result = run("check", cwd=workdir)
    assert result.code == 0, result.err
    assert "'other' may duplicate" not in result.err


def test_skeletons_follow_tr39() -> None:
    assert skeleton("p\u0430yp\u0430l") == skeleton("paypal")  # Cyrillic а
    assert skeleton("\u0391\u0392\u0393") != skeleton("ABC")  # Γ is not like C
    assert skeleton("\u0391\u0392") == skeleton("AB")  # Greek capitals alpha, beta
    assert skeleton("a\u200bb") == "ab"  # default-ignorable: removed
    assert skeleton("Cuba") == "Cuba"
