"""Quote matching: tolerant of typography, intolerant of changed words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cubagraph.mapping.evidence import Text, _normalise, _normalise_fast, word_diff

TEXT = (
    "Blinken said: \u201cWe share the Cuban people\u2019s dream of democracy.\u201d\n"
    "According to a report by\u00a0Human Rights Watch, 553 prisoners\n"
    "were released \u2014 U.S.\u2013Cuba relations cooled. D\u0131\u0301az? No: Di\u0301az-Balart spoke."
)


@pytest.mark.parametrize(
    "quote",
    [
        '"We share the Cuban people\'s dream of democracy."',  # straight for curly quotes
        "We share the Cuban people\u2019s dream",  # curly, as in the text
        "a report by Human Rights Watch",  # plain space for a non-breaking one
        "553 prisoners were released",  # a line break in the text
        "553   prisoners\n   were released",  # extra white space in the quote
        "released - U.S.-Cuba relations",  # hyphens for dashes
        "D\u00edaz-Balart spoke",  # precomposed for decomposed
    ],
)
def test_typographic_differences_are_tolerated(quote: str) -> None:
    text = Text(TEXT)
    (span,) = text.find(quote)
    start, end = span
    # Offsets point into the raw text, which keeps its own typography.
    assert text.raw[start:end] != "" and text.raw[start] not in " \n"
    assert Text(text.raw[start:end]).norm == Text(quote).norm.strip()


@pytest.mark.parametrize(
    "quote",
    [
        "We share the Cuban people's dream of freedom",  # a changed word
        "We share the Cuban peoples dream",  # a dropped apostrophe is a changed word
        "we share the Cuban people's dream",  # case is not folded
        "a report by Human Right Watch",
        "53 prisoners",  # a word boundary: not inside "553"
        "553 prisoner",  # nor a prefix of "prisoners"
        "Diaz-Balart spoke",  # accents are not stripped
        "553 prisoners were freed",
    ],
)
def test_changed_words_are_not_tolerated(quote: str) -> None:
    assert Text(TEXT).find(quote) == []


def test_offsets_and_context() -> None:
    text = Text(TEXT)
    ((start, end),) = text.find("Human Rights Watch")
    span = text.span(start, end)
    assert TEXT[span.start : span.end] == "Human Rights Watch"
    assert span.exact == "Human Rights Watch"
    assert span.prefix.endswith("report by\u00a0")
    assert span.suffix.startswith(", 553")
    assert span.line == 2


def test_every_occurrence_is_found() -> None:
    text = Text("Cuba released 553 prisoners. The 553 prisoners left.")
    assert len(text.find("553 prisoners")) == 2


def test_closest_passage_marks_the_changed_word() -> None:
    text = Text(TEXT)
    passage, line, diff = text.closest("report by Human Rights Wotch, 553 prisoners") or ("", 0, "")
    assert "Human Rights Watch" in passage
    assert line == 2
    assert diff == "'Wotch,' where the text has 'Watch,'"


def test_closest_passage_gives_up_on_unrelated_text() -> None:
    assert Text(TEXT).closest("zzzz qqqq xxxx") is None


def test_word_diff_kinds() -> None:
    assert word_diff("a b c", "a x c") == "'x' where the text has 'b'"
    assert word_diff("a b c", "a c") == "missing 'b'"
    assert word_diff("a c", "a b c") == "extra 'b'"
    assert word_diff("a b.", "a b") == ""  # punctuation at the edges is not a word change


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(
    st.text(
        alphabet="ab cd\n\t\u00a0\u2019\u201c\u201d\u2014-.,Íé\u00adﬁ\u0301\u2007\u202f\u3000\u2028\u1680\x0b\x1c\u2002",
        max_size=40,
    )
)
def test_the_fast_normalisation_agrees_with_the_careful_one(text: str) -> None:
    norm, starts, ends = _normalise(text)
    fast, index = _normalise_fast(text)
    assert fast == norm
    for i in range(len(norm)):
        assert (index.start(i), index.end(i)) == (starts[i], ends[i])
