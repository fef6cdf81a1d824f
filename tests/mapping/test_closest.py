"""The closest-passage hint, anchored on rare words: right for long wrong quotes, silent for unrelated ones."""

from __future__ import annotations

import random

from cubagraph.mapping.evidence import Text


def corpus(size: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10))) for _ in range(3000)]
    words: list[str] = []
    length = 0
    while length < size:
        words.append(rng.choice(vocab) if rng.random() < 0.7 else rng.choice(vocab[:50]))
        if rng.random() < 0.02:
            words[-1] += ".\n"
        length += len(words[-1]) + 1
    return " ".join(words)


def test_a_long_wrong_quote_finds_its_passage_and_line() -> None:
    text = corpus(120_000)
    at = text.index(" ", 60_000) + 1
    passage = text[at : at + 3000].rsplit(" ", 1)[0]
    words = passage.split()
    words[10] = words[10].upper()
    words[200] = "changedword"
    hint = Text(text).closest(" ".join(words))
    assert hint is not None
    found, line, diff = hint
    assert found.split()[0] == passage.split()[0]
    assert line == text.count("\n", 0, at) + 1
    assert f"'{words[10]}' where the text has '{passage.split()[10]}'" in diff
    assert "'changedword' where the text has" in diff


def test_a_short_quote_with_a_typo() -> None:
    text = Text("The minister met the ambassador in Havana on Monday.\nThey spoke of prisoners.")
    hint = text.closest("the ambasador in Havana")
    assert hint is not None and hint[1] == 1 and "'ambasador' where the text has 'ambassador'" in hint[2]


def test_a_quote_of_words_the_text_lacks_has_no_closest_passage() -> None:
    assert Text(corpus(20_000)).closest("zzzz qqqq xxxx yyyy wwww") is None
