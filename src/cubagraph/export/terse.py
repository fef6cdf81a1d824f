"""Sorted rows as Turtle and as a TriG graph block, written in Python.

The layout is pyoxigraph's, byte for byte, on everything cubagraph builds
(a test compares the two writers on the seeds and on a generated corpus):
one subject per paragraph, ``a`` for ``rdf:type``, objects of one predicate
joined by commas, numbers and booleans in their short forms. Writing it here
rather than handing pyoxigraph its own quads spares making 3.3 million
pyoxigraph objects at 10,000 documents.

Where pyoxigraph would escape characters in a prefixed name (``aa:\\.x``),
this writes the whole IRI instead: still valid, and rarer than rare, since
cubagraph mints its IRIs from lowercase ids.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence

from ..rdf.namespaces import RDF, XSD
from ..rdf.terms import IRI, STRING, Literal, Row, quoted

_TYPE = RDF + "type"
_NEXT, _LINE, _INDENTED = " ;\n\t", "\n", "\n\t"
# Turtle's PN_LOCAL, restricted to ASCII, where no character needs a backslash.
_LOCAL = re.compile(r"(?:[A-Za-z0-9_:](?:[A-Za-z0-9_:.\-]*[A-Za-z0-9_:\-])?)?")
_SHORT = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}


LIMIT = 100_000  # IRIs remembered; a document has a few hundred


class Namespaces:
    """The declared namespaces an IRI starts with, longest first."""

    def __init__(self, prefixes: dict[str, str]):
        self.by_namespace: dict[str, str] = {}
        for p, ns in sorted(prefixes.items()):  # two names for one namespace: the first name
            self.by_namespace.setdefault(ns, p)
        self.longest_first = sorted(self.by_namespace.items(), key=lambda kv: (-len(kv[0]), kv[1]))
        # Namespaces end in "/" or "#" (all of cubagraph's do): then only the IRI's own
        # "/" and "#" can end one, and a few dictionary lookups replace a scan of them all.
        self.delimited = all(ns.endswith(("/", "#")) for ns in self.by_namespace)

    def matching(self, iri: str) -> Iterator[tuple[str, str]]:
        if not self.delimited:
            yield from ((ns, p) for ns, p in self.longest_first if iri.startswith(ns))
            return
        end = len(iri)
        while (i := max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))) >= 0:
            prefix = self.by_namespace.get(iri[: i + 1])
            if prefix is not None:
                yield iri[: i + 1], prefix
            end = i


class Names:
    """IRIs as prefixed names where a prefix fits, remembered per IRI."""

    def __init__(self, prefixes: dict[str, str]):
        self.namespaces = Namespaces(prefixes)
        self.seen: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.seen.get(iri)
        if found is not None:
            return found
        result = f"<{iri}>"
        namespaces = self.namespaces
        if namespaces.delimited:  # Namespaces.matching's first answer, without a generator: most IRIs are new
            by_namespace, end = namespaces.by_namespace, len(iri)
            while (i := max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))) >= 0:
                prefix = by_namespace.get(iri[: i + 1])
                if prefix is not None:
                    local = iri[i + 1 :]
                    if _LOCAL.fullmatch(local):
                        result = f"{prefix}:{local}"
                    break  # the longest namespace, as pyoxigraph chooses
                end = i
        else:
            for ns, prefix in namespaces.matching(iri):
                local = iri[len(ns) :]
                if _LOCAL.fullmatch(local):
                    result = f"{prefix}:{local}"
                break  # the longest namespace, as pyoxigraph chooses
        if len(self.seen) >= LIMIT:
            # A document's nodes recur within it, not across documents: start afresh.
            self.seen.clear()
        self.seen[iri] = result
        return result


@functools.lru_cache(maxsize=4)
def names(prefixes: tuple[tuple[str, str], ...]) -> Names:
    return Names(dict(prefixes))


def _literal(o: Literal, name: Names) -> str:
    value, datatype, language = o
    if language:
        return f"{quoted(value)}@{language}"
    if datatype == STRING:
        return quoted(value)
    short = _SHORT.get(datatype)
    if short is not None and short.fullmatch(value):
        return str(value)
    return f"{quoted(value)}^^{name(datatype)}"


def turtle(rows: Sequence[Row], prefixes: dict[str, str]) -> str:
    """Sorted triples as Turtle, without @prefix lines: a paragraph per subject, a line per predicate."""
    name = names(tuple(sorted(prefixes.items())))
    seen = name.seen  # most IRIs are known: look them up without a call
    # One pass over the rows, each one's text put after what its subject and predicate need
    # (" ." a new paragraph, " ;" a new line, " ," one more object): a third faster than
    # grouping subjects, then predicates, then joining each group's objects.
    out: list[str] = []
    append = out.append
    last_s = last_p = None
    for s, p, o in rows:
        obj = (seen.get(o) or name(o)) if isinstance(o, IRI) else _literal(o, name)
        if s != last_s:
            if last_s is not None:
                append(" .\n")
            append(f"{name(s)} {'a' if p == _TYPE else seen.get(p) or name(p)} {obj}")
            last_s, last_p = s, p
        elif p != last_p:
            append(f"{_NEXT}{'a' if p == _TYPE else seen.get(p) or name(p)} {obj}")
            last_p = p
        else:
            append(f" , {obj}")
    if last_s is not None:
        append(" .\n")
    return "".join(out)


def trig_block(graph: str, turtle: str, prefixes: dict[str, str]) -> str:
    """One named graph as TriG, from its Turtle: what pyoxigraph writes for it, without @prefix lines."""
    if not turtle:
        return ""
    # No literal or IRI holds a raw line break (both escape it), so every "\n" ends a line.
    name = names(tuple(sorted(prefixes.items())))
    return f"{name(graph)} {{\n\t{turtle[:-1].replace(_LINE, _INDENTED)}\n}}\n"
