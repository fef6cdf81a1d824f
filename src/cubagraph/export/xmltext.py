"""XML text and attribute values for GraphML and GEXF: the standard library's escaping, skipped when there is nothing to escape.

Labels, ids and quotes rarely hold a character XML escapes, and
``xml.sax.saxutils`` makes several passes over every string: at 10,000
documents it was a second of the build. The result is the same bytes.
"""

from __future__ import annotations

import re

_TEXT = re.compile(r"[&<>]")
_ATTRIBUTE = re.compile(r'[&<>"\n\r\t]')  # quoteattr also writes \n, \r and \t as character references


def text(value: str) -> str:
    if _TEXT.search(value) is None:
        return value
    from xml.sax.saxutils import escape  # imported when first needed: it pulls in urllib and http (15 ms)

    return escape(value)


def attribute(value: str) -> str:
    """``value`` quoted as an attribute value, as ``quoteattr`` quotes it."""
    if _ATTRIBUTE.search(value) is None:
        return f'"{value}"'
    from xml.sax.saxutils import quoteattr

    return quoteattr(value)
