"""XML text and attribute values for GraphML and GEXF: the standard library's escaping, skipped when there is nothing to escape.

Labels, ids and quotes rarely hold a character XML escapes, and
``xml.sax.saxutils`` makes several passes over every string: at 10,000
documents it was a second of the build. The result is the same bytes.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

_TEXT = re.compile(r"[&<>]")
_ATTRIBUTE = re.compile(r'[&<>"\n\r\t]')  # quoteattr also writes \n, \r and \t as character references


def text(value: str) -> str:
    return value if _TEXT.search(value) is None else escape(value)


def attribute(value: str) -> str:
    """``value`` quoted as an attribute value, as ``quoteattr`` quotes it."""
    return f'"{value}"' if _ATTRIBUTE.search(value) is None else quoteattr(value)
