"""The viewer shows each quote in its sentence; a long text is searched from near the quote, with the same answer."""

from __future__ import annotations

import random

import pytest

from cubagraph.export import sentences

PIECES = ["word", "Word", "A.", "Mr.", ".", "!", "?", '"', "'", "’", "”", ")", "(", " ", "  ", "\n", "\n\n", "\t"]
PIECES += ["\u00a0", "U.S.", "7", "“", "‘", "\u2028", "x" * 50]


def _from_the_start(text: str, start: int) -> int:
    return 0


@pytest.mark.parametrize("seed", range(6))
def test_the_windowed_search_finds_what_a_search_from_the_start_finds(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    windowed = 0
    for _ in range(500):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(50, 900)))
        if rng.random() < 0.3:  # white space that a boundary would run through
            text = " " * rng.randint(0, 2500) + text
        start = rng.randint(0, len(text))
        end = rng.randint(start, min(len(text), start + 40))
        quote = {"document": "d", "start": start, "end": end, "exact": text[start:end]}
        windowed += sentences._scan_from(text, start) > 0
        near = sentences.in_context(dict(quote), {"d": text})
        with monkeypatch.context() as m:
            m.setattr(sentences, "_scan_from", _from_the_start)
            assert sentences.in_context(dict(quote), {"d": text}) == near, (text, start, end)
    assert windowed > 100  # the window was used, not only the short texts


def test_a_quote_deep_in_a_long_text_keeps_its_sentence() -> None:
    text = "Filler sentence here. " * 500 + "The minister said the 553 prisoners were freed. More follows."
    start = text.index("553")
    quote = {"document": "d", "start": start, "end": start + 3, "exact": "553"}
    shown = sentences.in_context(quote, {"d": text})
    assert shown["before"] == "The minister said the "
    assert shown["after"] == " prisoners were freed."
    assert sentences._scan_from(text, start) > 0


def test_a_quote_that_opens_a_sentence_starts_it() -> None:
    # The boundary before "We is found although its lookahead reads the quote's own first characters.
    text = 'He spoke, Blinken said in a post. "We share the dream," he added.'
    start = text.index("We share")
    quote = {"document": "d", "exact": "We share the dream", "start": start, "end": start + len("We share the dream")}
    out = sentences.in_context(quote, {"d": text})
    assert out["before"] == '"'
    assert out["after"] == '," he added.'
