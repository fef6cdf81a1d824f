"""Content negotiation, as properties: Accept headers generated from RFC 9110's grammar (section 12.5.1).

The headers are generated as structured members (a media range, parameters, perhaps a weight), then
written out with the grammar's optional whitespace, quoted strings holding commas and semicolons, and
empty list elements. The expected weight of each type the endpoint offers is computed from the
structure, not from the text: the most specific range that matches it gives its weight. The endpoint
must then pick a type of the highest weight, refuse with 406 when every type weighs 0, and never crash.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cubagraph.sparql.endpoint import MEDIA, HTTPError, choose, negotiate

KINDS = ("solutions", "graph")
OFFERED = sorted({m for kind in KINDS for m in MEDIA[kind]})
TCHAR = st.sampled_from("!#$%&'*+.^_`|~-") | st.characters(min_codepoint=48, max_codepoint=122).filter(str.isalnum)
TOKEN = st.text(TCHAR, min_size=1, max_size=8)
OWS = st.sampled_from(["", " ", "\t", "  "])
QUOTED = st.text(st.sampled_from('abc ,;=\\"\t'), max_size=8).map(
    lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
)
QVALUE = st.one_of(
    st.just("1"),
    st.just("1.000"),
    st.just("0"),
    st.builds(lambda d: "0." + d, st.text(st.sampled_from("0123456789"), max_size=3)),
)


@dataclass
class Member:
    type: str
    subtype: str
    params: list[tuple[str, str]]
    q: str | None

    def weight(self) -> float:
        return 1.0 if self.q is None else float(self.q)

    def specificity(self, media: str) -> int | None:
        kind, _, sub = media.partition("/")
        if (self.type, self.subtype) == ("*", "*"):
            return 0
        if self.type == kind and self.subtype == "*":
            return 1
        if self.type == kind and self.subtype == sub:
            return 2 + len(self.params)
        return None


@st.composite
def members(draw: st.DrawFn) -> Member:
    offered = draw(st.sampled_from(OFFERED))
    kind, _, sub = offered.partition("/")
    choice = draw(st.sampled_from(["exact", "exact", "exact", "type", "any", "other"]))
    if choice == "type":
        sub = "*"
    elif choice == "any":
        kind, sub = "*", "*"
    elif choice == "other":
        kind, sub = draw(TOKEN).lower(), draw(TOKEN).lower()
    # Parameters other than q and charset (charset is matched by its value; q ends the parameters).
    names = TOKEN.filter(lambda t: t.lower() not in ("q", "charset"))
    params = draw(st.lists(st.tuples(names, TOKEN | QUOTED), max_size=2))
    q = draw(st.none() | QVALUE)
    return Member(kind, sub, params, q)


@st.composite
def written(draw: st.DrawFn, member: Member) -> str:
    """A member as text, with the optional whitespace and the letter cases the grammar allows."""
    media = member.type + "/" + member.subtype
    text = draw(OWS) + (media.swapcase() if draw(st.booleans()) else media)  # media types ignore case
    for name, value in member.params:
        text += draw(OWS) + ";" + draw(OWS) + name + "=" + value
    if member.q is not None:
        text += draw(OWS) + ";" + draw(OWS) + draw(st.sampled_from(["q", "Q"])) + "=" + member.q
    return text + draw(OWS)


@st.composite
def headers(draw: st.DrawFn) -> tuple[str, list[Member]]:
    structured = draw(st.lists(members(), min_size=1, max_size=6))
    parts = [draw(written(m)) for m in structured]
    # Empty list elements (`a, , b`) are allowed, and so is a leading or trailing comma.
    for _ in range(draw(st.integers(0, 2))):
        parts.insert(draw(st.integers(0, len(parts))), draw(OWS))
    return ",".join(parts), structured


def expected_weights(structured: list[Member], kind: str) -> dict[str, float]:
    out = {}
    for media in MEDIA[kind]:
        best: tuple[int, float] | None = None
        for m in structured:
            spec = m.specificity(media)
            if spec is not None and (best is None or spec > best[0]):
                best = (spec, m.weight())
        out[media] = 0.0 if best is None else best[1]
    return out


@settings(max_examples=400, deadline=None)
@given(header=headers(), kind=st.sampled_from(KINDS))
def test_the_chosen_type_has_the_highest_weight(header: tuple[str, list[Member]], kind: str) -> None:
    text, structured = header
    weights = expected_weights(structured, kind)
    top = max(weights.values())
    if top == 0:
        with pytest.raises(HTTPError) as caught:
            negotiate(text, "", kind)
        assert caught.value.status == 406
        return
    fmt, ctype = choose(text, "", kind)
    media = ctype.partition(";")[0]
    assert MEDIA[kind][media] == fmt
    assert weights[media] == top, (text, weights, media)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), kind=st.sampled_from(KINDS))
def test_any_header_gives_a_format_or_a_406(text: str, kind: str) -> None:
    try:
        chosen = negotiate(text, "", kind)
    except HTTPError as exc:
        assert exc.status == 406 and exc.code == "not_acceptable"
    else:
        assert chosen in MEDIA[kind].values()


@pytest.mark.parametrize(
    ("accept", "kind", "chosen"),
    [
        ("", "solutions", "json"),
        ("*/*", "graph", "turtle"),
        ("text/*", "solutions", "csv"),  # the first text type offered
        ("text/*, text/tab-separated-values", "solutions", "tsv"),  # the specific range wins a tie
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.5", "solutions", "csv"),  # then the client's order
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "solutions", "xml"),  # a browser
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "graph", "rdfxml"),
        ("*/*;q=0.1, text/turtle;q=0", "graph", "application/turtle"),  # q=0 refuses the type, not the format
        ('application/ld+json;profile="a, b;c", text/turtle;q=0.5', "graph", "jsonld"),
        ("text/turtle;charset=latin1, application/n-triples;q=0.1", "graph", "ntriples"),  # only UTF-8 here
        ("text/csv;q=2, application/sparql-results+xml", "solutions", "xml"),  # a bad weight drops its member
        ("text/csv;q=2", "solutions", "json"),  # nothing left: as if there were no header
    ],
)
def test_examples(accept: str, kind: str, chosen: str) -> None:
    fmt, ctype = choose(accept, "", kind)
    assert chosen in (fmt, ctype.partition(";")[0])


def test_q_zero_everywhere_is_406_listing_the_offered_types() -> None:
    with pytest.raises(HTTPError) as caught:
        negotiate("*/*;q=0", "", "solutions")
    assert caught.value.status == 406
    assert all(media in str(caught.value) for media in MEDIA["solutions"])


def test_a_format_parameter_that_fits_the_form_wins_over_accept() -> None:
    assert negotiate("application/sparql-results+json", "csv", "solutions") == "csv"
    assert negotiate("text/turtle", "json", "graph") == "jsonld"
    assert negotiate("text/turtle", "csv", "graph") == "turtle"  # CSV does not fit CONSTRUCT: Accept decides
