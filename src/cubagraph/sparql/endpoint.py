"""What the endpoint answers, apart from HTTP: running a query through the worker pool, choosing the
result format from Accept, the settings, and the names the server answers for.

``server`` wraps this in HTTP; keeping it apart keeps both modules small, and lets a benchmark put
the same endpoint behind another HTTP server to compare them.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from ..project import Project
from . import engine, sandbox
from .queries import Param
from .workers import MAX_BYTES, Pool

# What each query form can be written as: media type -> format, in the server's order of preference
# (a tie between two types the client likes equally goes to the earlier one here).
MEDIA = {
    "solutions": {
        "application/sparql-results+json": "json",
        "application/json": "json",
        "application/sparql-results+xml": "xml",
        "application/xml": "xml",
        "text/csv": "csv",
        "text/tab-separated-values": "tsv",
    },
    "graph": {
        "text/turtle": "turtle",
        "application/turtle": "turtle",
        # Turtle is valid N3, so N3 clients get Turtle.
        "text/n3": "turtle",
        "text/rdf+n3": "turtle",
        "application/n3": "turtle",
        "application/n-triples": "ntriples",
        "text/plain": "ntriples",
        "application/rdf+xml": "rdfxml",
        "application/xml": "rdfxml",
        "application/ld+json": "jsonld",
        "application/x-json+ld": "jsonld",  # SPARQLWrapper asks for it too
        "application/json": "jsonld",
        "application/trig": "trig",
        "application/n-quads": "nquads",
        "text/x-nquads": "nquads",
    },
}
# The non-standard `format` parameter that some clients send (SPARQLWrapper, Virtuoso's), for each form.
ALIASES = {
    "solutions": {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"},
    "graph": {
        "turtle": "turtle",
        "ttl": "turtle",
        "n3": "turtle",
        "ntriples": "ntriples",
        "nt": "ntriples",
        "rdfxml": "rdfxml",
        "rdf+xml": "rdfxml",
        "rdf": "rdfxml",
        "xml": "rdfxml",
        "jsonld": "jsonld",
        "json-ld": "jsonld",
        "json": "jsonld",
        "trig": "trig",
        "nquads": "nquads",
        "nq": "nquads",
    },
}
CONTENT_TYPES = {
    "json": "application/sparql-results+json; charset=utf-8",
    "xml": "application/sparql-results+xml; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples; charset=utf-8",
    "rdfxml": "application/rdf+xml; charset=utf-8",
    "jsonld": "application/ld+json",  # JSON-LD is UTF-8 by definition and takes no charset
    "trig": "application/trig; charset=utf-8",
    "nquads": "application/n-quads; charset=utf-8",
}


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 10.0
    max_rows: int = 50_000
    max_body: int = 1 << 20
    workers: int = 2
    cors: str | None = None
    client_timeout: float = 30.0  # the deadline for a whole request, from its first byte to its body's last
    max_connections: int = 32  # connections served at once; one more is answered 503
    allow_hosts: tuple[str, ...] = ()  # more names the Host header may give (serve --allow-host)
    max_memory: int = sandbox.DEFAULT_MEMORY  # address space a query worker may use, in bytes (serve --max-memory)
    max_bytes: int = MAX_BYTES  # largest rendered result, in bytes (serve --max-result)


def host_names(settings: Settings, port: int) -> frozenset[str]:
    """The ``Host`` values this server answers: its loopback names, ``--host`` and ``--allow-host``."""
    names = {"127.0.0.1", "localhost", "[::1]", *(h.lower() for h in settings.allow_hosts)}
    names.add(f"[{settings.host}]" if ":" in settings.host else settings.host.lower())
    return frozenset({*names, *(f"{n}:{port}" for n in names)})


class HTTPError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.headers = status, code, headers or {}


class Endpoint:
    """What the handler needs: the pool, a read-only store for lookups, and settings."""

    def __init__(self, project: Project, settings: Settings):
        self.project = project
        self.settings = settings
        self.prefixes = project.prefixes()
        self.pool = Pool(project.trig, self.prefixes, settings.workers, max_memory=settings.max_memory)
        self.store = self.pool.store()
        self.graphs = {g.value for g in self.store.named_graphs()}
        self.lock = threading.Lock()  # the lookup store is shared by request threads
        self.served = 0

    def close(self) -> None:
        self.pool.close()

    def answer(
        self,
        query: str,
        accept: str,
        params: dict[str, list[str]],
        bindings: dict[str, str] | None = None,
        declared: tuple[Param, ...] = (),
    ) -> tuple[str, bytes]:
        """Run ``query``; return (content type, body) or raise :class:`HTTPError`."""
        default = params.get("default-graph-uri", [])
        named = params.get("named-graph-uri", [])
        for iri in [*default, *named]:
            if iri not in self.graphs:
                raise HTTPError(403, "refused", f"graph <{iri}> is not in this dataset")
        try:
            with self.lock:
                prepared = engine.prepare(query, self.store, self.prefixes, bindings, declared, base=self.project.base)
        except engine.QueryError as exc:
            raise HTTPError(exc.status, exc.code, str(exc)) from exc
        if default or named:
            prepared.graphs = sorted({*default, *named})
        kind = "graph" if prepared.form in ("CONSTRUCT", "DESCRIBE") else "solutions"
        fmt, ctype = choose(accept, params.get("format", [""])[0], kind)
        try:
            answer = self.pool.run(
                prepared, fmt, self.settings.max_rows, self.settings.timeout, max_bytes=self.settings.max_bytes
            )
        except engine.QueryError as exc:
            raise HTTPError(exc.status, exc.code, str(exc)) from exc
        if answer.status != 200:
            raise HTTPError(answer.status, answer.code, answer.body.decode())
        return ctype, answer.body


def negotiate(accept: str, override: str, kind: str) -> str:
    """The result format for an Accept header, or for a ``format`` parameter (see :func:`choose`)."""
    return choose(accept, override, kind)[0]


def choose(accept: str, override: str, kind: str) -> tuple[str, str]:
    """(format, Content-Type) for an Accept header (RFC 9110, section 12.5.1), or for a ``format`` parameter.

    Each type this query can be written as takes the weight of the most specific range that matches it
    (``text/csv`` over ``text/*`` over ``*/*``); ``q=0`` refuses it. The type with the highest weight wins;
    a tie goes to the more specific match, then to the range the client listed first, then to this
    server's order (:data:`MEDIA`). A member that does not parse is ignored, and a header with no member
    left counts as absent. Nothing acceptable is a 406 that lists what is offered.

    The answer is labelled with the type chosen, so that a client that refuses ``text/turtle`` but takes
    ``*/*`` gets Turtle as ``application/turtle``, never as the type it refused.
    """
    formats = MEDIA[kind]
    # A `format` hint that does not fit the query form is ignored in favour of Accept.
    hinted = ALIASES[kind].get(override.strip().lower())
    if hinted is not None:
        return hinted, CONTENT_TYPES[hinted]
    ranges = accept_ranges(accept)
    if not ranges:
        first = next(iter(formats.values()))
        return first, CONTENT_TYPES[first]
    best: tuple[float, int, int, int] | None = None
    chosen = ""
    for order, media in enumerate(formats):
        weight = weigh(media, ranges)
        if weight is None or weight[0] <= 0:
            continue
        key = (weight[0], weight[1], -weight[2], -order)
        if best is None or key > best:
            best, chosen = key, media
    if best is None:
        offered = ", ".join(formats)
        raise HTTPError(
            406, "not_acceptable", f"none of the types in Accept: {accept!r} fits; this query can give {offered}"
        )
    fmt = formats[chosen]
    _, semicolon, charset = CONTENT_TYPES[fmt].partition(";")
    return fmt, chosen + semicolon + charset


@dataclass(frozen=True)
class MediaRange:
    """One member of an Accept header: ``type/subtype``, its parameters (but q), its weight, its position."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float
    position: int


_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_MEMBER = re.compile(
    # Whitespace is matched in one place only between two semicolons, so that a long run of it cannot backtrack.
    rf"[ \t]*({_TOKEN})/({_TOKEN})[ \t]*((?:;[ \t]*(?:{_TOKEN}[ \t]*=[ \t]*(?:{_TOKEN}|{_QUOTED})[ \t]*)?)*)"
)
_PARAM = re.compile(rf";[ \t]*(?:({_TOKEN})[ \t]*=[ \t]*({_TOKEN}|{_QUOTED})[ \t]*)?")
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")
_SPLIT = re.compile(rf"(?:{_QUOTED}|[^,\"])+|\"")  # members: commas inside quoted strings do not split


def accept_ranges(accept: str) -> list[MediaRange]:
    """The media ranges of an Accept header, in order; members that do not parse are left out."""
    out: list[MediaRange] = []
    for position, m in enumerate(_SPLIT.finditer(accept)):
        member = _MEMBER.fullmatch(m.group())
        if member is None:
            continue
        q, params, valid = 1.0, [], True
        for name, value in _PARAM.findall(member[3]):
            if not name:
                continue  # an empty parameter (`;;`) is allowed by the grammar
            if name.lower() == "q":
                if not _QVALUE.fullmatch(value):
                    valid = False
                    break
                q = float(value)
                break  # what follows the weight is an extension of it, not a parameter of the type
            params.append((name.lower(), value.strip('"').lower()))
        if valid:
            out.append(MediaRange(member[1].lower(), member[2].lower(), tuple(params), q, position))
    return out


def weigh(media: str, ranges: list[MediaRange]) -> tuple[float, int, int] | None:
    """(weight, specificity, position) of the most specific range that matches ``media``; None if none does."""
    kind, _, sub = media.partition("/")
    found: tuple[float, int, int] | None = None
    for r in ranges:
        if r.type == "*" and r.subtype == "*":
            specificity = 0
        elif r.type == kind and r.subtype == "*":
            specificity = 1
        elif r.type == kind and r.subtype == sub:
            specificity = 2 + len(r.params)
        else:
            continue
        charset = dict(r.params).get("charset")
        if charset not in (None, "utf-8", "utf8", "*"):
            continue  # every body here is UTF-8
        if found is None or specificity > found[1]:
            found = (r.q, specificity, r.position)
    return found
