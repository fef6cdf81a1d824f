"""Syntax errors in plain words: pyoxigraph's parser error, read and said again for people.

The engine's parser (rust-peg) reports the furthest point it reached and every
token it would have taken there, in Rust's notation::

    error at 1:36: expected one of HAVING, OFFSET, VALUES, ['0'..='9']

This module turns that into one line that says where, what was expected,
what was found and after what::

    line 1, column 36: expected a number, 'HAVING', 'OFFSET' or 'VALUES' after 'LIMIT', found 'x'

The expected set is grouped into the words a SPARQL user knows (a variable, an
IRI, a prefixed name, a literal, punctuation, keywords). Some single keywords
in it are artefacts of how the parser tries alternatives (``expected
OPTIONAL`` where an object is missing): for those, and for a set with nothing
meaningful left, the line says what is unexpected instead of guessing. The
parser's position is the furthest it got, which can be just past the token at
fault; the token reported is the one at, or ending at, that position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Token = tuple[str, str, int]  # (kind, text, offset), as engine.tokens gives them

_ERROR = re.compile(r"error at (\d+):(\d+): expected (?:one of )?(.*)", re.S)
_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|\[(?:\'(?:[^\'\\]|\\.)*\'|[^\]\'])*\]|[^,]+')
# Quoted tokens that stand for a kind of term (the term's first character).
_TERMS = {
    "?": "a variable",
    "$": "a variable",
    "<": "an IRI",
    ":": "a prefixed name",
    "_:": "a blank node",
    "[": "a blank node",
    '"': "a literal",
    "'": "a literal",
    '"""': "a literal",
    "'''": "a literal",
    "true": "a literal",
    "false": "a literal",
}
# RDF 1.2 syntax and string escapes: true, but only noise to someone writing SPARQL 1.1.
_NOISE = {"<<", "<<(", "~", "{|", "|}", "\\", "\\u", "\\U", ">>", ")>>"}
# Keywords the parser names as the last alternative it tried, not as what belongs there.
_ARTEFACTS = {"OPTIONAL", "ENCODE_FOR_URI", "NOT", "DISTINCT", "CONSTRUCT", "LATERAL", "SERVICE", "GROUP_CONCAT"}
_FUNCTIONS = {
    *[
        "ABS",
        "AVG",
        "BNODE",
        "BOUND",
        "CEIL",
        "COALESCE",
        "CONCAT",
        "CONTAINS",
        "COUNT",
        "DATATYPE",
        "DAY",
        "ENCODE_FOR_URI",
        "EXISTS",
        "FLOOR",
    ],
    *[
        "GROUP_CONCAT",
        "HOURS",
        "IF",
        "IRI",
        "ISBLANK",
        "ISIRI",
        "ISLITERAL",
        "ISNUMERIC",
        "ISTRIPLE",
        "ISURI",
        "LANG",
        "LANGDIR",
        "LANGMATCHES",
    ],
    *[
        "LCASE",
        "MAX",
        "MD5",
        "MIN",
        "MINUTES",
        "MONTH",
        "NOW",
        "OBJECT",
        "PREDICATE",
        "RAND",
        "REGEX",
        "REPLACE",
        "ROUND",
        "SAMPLE",
        "SECONDS",
        "SHA1",
    ],
    *[
        "SHA256",
        "SHA384",
        "SHA512",
        "STR",
        "STRAFTER",
        "STRBEFORE",
        "STRDT",
        "STRENDS",
        "STRLANG",
        "STRLANGDIR",
        "STRLEN",
        "STRSTARTS",
    ],
    *[
        "STRUUID",
        "SUBJECT",
        "SUBSTR",
        "SUM",
        "TIMEZONE",
        "TRIPLE",
        "TZ",
        "UCASE",
        "URI",
        "UUID",
        "YEAR",
        "HASLANG",
        "HASLANGDIR",
        "SAMETERM",
        "ADJUST",
    ],
}
_KEYWORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def explain(text: str, message: str, toks: Sequence[Token]) -> str:
    """``message`` (pyoxigraph's SyntaxError about ``text``, whose tokens are ``toks``) as one plain line
    that starts ``line L, column C: ``."""
    m = _ERROR.match(message)
    if m is None:
        return f"line 1, column 1: {_plain_tail(message)}"
    offset = _offset(text, int(m[1]), int(m[2]))
    items = [item.strip() for item in _ITEM.findall(" ".join(m[3].split()))]
    special = _form(text, toks) or _special(text, items, offset, toks)
    if special:
        return special
    words = _words(items)
    # At the end of the text the parser wanted more: say so, unless it gave no useful words, and
    # then the last token is the one that does not fit.
    at_end = offset >= len(text.rstrip()) and bool(words)
    found, start, before = _around(text, len(text) + 1 if at_end else offset, toks)
    where = _where(text, start)
    after = f" after '{before}'" if before else " at the start of the query"
    if at_end:  # the parser's furthest point is the end: what is missing may belong before the last token
        return f"{where}: expected {_either(words)} at the end of the query,{after}"
    shown = "the end of the query" if found is None else f"'{found}'"
    if not words:
        return f"{where}: unexpected {shown}{after}"
    return f"{where}: expected {_either(words)}{after}, found {shown}"


def _offset(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column, as pyoxigraph counts them (characters)."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text)
    return min(start + column - 1, len(text))


def _around(text: str, offset: int, tokens: Sequence[Token]) -> tuple[str | None, int, str]:
    """(the token at fault, where it starts, the two tokens before it) for the parser's position."""
    toks = [(value, at) for _, value, at in tokens]
    index = next((i for i, (value, at) in enumerate(toks) if at <= offset <= at + len(value) - 1), None)
    if index is None:  # between tokens, or just past one: the one that ends here is at fault
        index = next((i for i, (value, at) in enumerate(toks) if at + len(value) == offset), None)
    if index is None:
        index = next((i for i, (_, at) in enumerate(toks) if at > offset), len(toks))
    found = _short(toks[index][0]) if index < len(toks) else None
    start = toks[index][1] if index < len(toks) else len(text.rstrip())
    before = " ".join(value for value, _ in toks[max(0, index - 2) : index])
    return found, start, _short(before, keep_end=True)


def _short(value: str, limit: int = 30, keep_end: bool = False) -> str:
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    return "…" + value[-(limit - 1) :] if keep_end else value[: limit - 1] + "…"


def _where(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"line {line}, column {column}"


def _form(text: str, toks: Sequence[Token]) -> str | None:
    """The query does not start with a form (after its PREFIX and BASE lines): say which word is wrong."""
    i = 0
    while i < len(toks) and toks[i][1].upper() in ("PREFIX", "BASE"):
        i += 3 if toks[i][1].upper() == "PREFIX" else 2
    if i >= len(toks) or toks[i][1].upper() in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
        return None
    return f"{_where(text, toks[i][2])}: expected SELECT, CONSTRUCT, ASK or DESCRIBE, found '{_short(toks[i][1])}'"


def _special(text: str, items: list[str], offset: int, toks: Sequence[Token]) -> str | None:
    """The errors that have a better sentence than a list: an unknown prefix, a bad IRI, an open string."""
    if "Prefix not found" in items:
        start = _around(text, offset, toks)[1]
        names = [(value, at) for _, value, at in toks if at <= offset and ":" in value and not value.startswith("<")]
        if names:
            name, start = names[-1]
            prefix = name.partition(":")[0]
            return f"{_where(text, start)}: unknown prefix '{prefix}:' — declare it with PREFIX {prefix}: <…>, or write the full IRI"
        return f"{_where(text, start)}: unknown prefix — declare it with PREFIX name: <…>, or write the full IRI"
    if "IRI parsing failed" in items:
        start = text.rfind("<", 0, offset)
        end = text.find(">", start)
        iri = _short(text[start : end + 1] if start >= 0 and end > start else text[max(start, 0) : offset])
        return f"{_where(text, max(start, 0))}: '{iri}' is not a valid IRI — an IRI has no spaces and starts with a scheme such as https:"
    if r'"\\u"' in items or r'"\\U"' in items:
        quotes = [(value, at) for kind, value, at in toks if kind == "other" and value in "\"'" and at < offset]
        if quotes:
            quote, start = quotes[-1]
            return f"{_where(text, start)}: this string is not closed — end it with {quote}"
        return f"{_where(text, offset)}: a string is not closed — end it with the quote it starts with"
    return None


def _words(items: list[str]) -> list[str]:
    """The expected items, in plain words: kinds of term first, then punctuation, then keywords."""
    kinds: list[str] = []
    punctuation: list[str] = []
    keywords: list[str] = []
    functions = 0
    for item in items:
        if item.startswith('"'):
            token = item[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            if token in _NOISE:
                continue
            if token in _TERMS:
                _add(kinds, _TERMS[token])
            elif token == "a":
                _add(kinds, "'a'")
            else:
                _add(punctuation, f"'{token}'")
        elif item.startswith("["):
            if "'A'" in item:
                _add(kinds, "a prefixed name")
            elif re.fullmatch(r"\['0' ?\.\.= ?'9'\]", item):
                _add(kinds, "a number")
            # Others are the characters that may go on inside a name, or any character ([_]): no help to a person.
        elif _KEYWORD.fullmatch(item):
            if item.upper() in _FUNCTIONS:
                functions += 1
            elif item.upper() not in _ARTEFACTS:
                _add(keywords, f"'{item.upper()}'")
        elif item:
            _add(kinds, item[0].lower() + item[1:])  # the parser's own sentence ("The SELECT contains …")
    if "a number" in kinds and "a literal" in kinds:
        kinds.remove("a number")
    if functions >= 2 or (functions and (kinds or punctuation)):
        _add(kinds, "an expression (a variable, a value, or a function such as STR)")
    return kinds + punctuation[:6] + keywords[:6]


def _add(into: list[str], word: str) -> None:
    if word not in into:
        into.append(word)


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _plain_tail(message: str) -> str:
    """A message of another shape, on one line, with any Rust character class taken out."""
    text = " ".join(message.split())
    text = re.sub(r"\[[^\]]*\.\.=[^\]]*\]", "a character", text)
    return text if len(text) <= 200 else text[:199] + "…"
