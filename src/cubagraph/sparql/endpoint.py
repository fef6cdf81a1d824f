"""What the endpoint answers, apart from HTTP: running a query through the worker pool, choosing the
result format from Accept, the settings, and the names the server answers for.

``server`` wraps this in HTTP; keeping it apart keeps both modules small, and lets a benchmark put
the same endpoint behind another HTTP server to compare them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..project import Project
from . import engine, sandbox
from .workers import MAX_BYTES, Pool

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
    },
}
# The non-standard `format` parameter that some clients send (SPARQLWrapper, Virtuoso's).
ALIASES = {
    "json": "json",
    "xml": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "turtle",
    "ttl": "turtle",
    "n3": "turtle",
    "ntriples": "ntriples",
    "nt": "ntriples",
}
CONTENT_TYPES = {
    "json": "application/sparql-results+json; charset=utf-8",
    "xml": "application/sparql-results+xml; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples; charset=utf-8",
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

    def answer(self, query: str, accept: str, params: dict[str, list[str]]) -> tuple[str, bytes]:
        """Run ``query``; return (content type, body) or raise :class:`HTTPError`."""
        default = params.get("default-graph-uri", [])
        named = params.get("named-graph-uri", [])
        for iri in [*default, *named]:
            if iri not in self.graphs:
                raise HTTPError(403, "refused", f"graph <{iri}> is not in this dataset")
        try:
            with self.lock:
                prepared = engine.prepare(query, self.store, self.prefixes, base=self.project.base)
        except engine.QueryError as exc:
            raise HTTPError(exc.status, exc.code, str(exc)) from exc
        if default or named:
            prepared.graphs = sorted({*default, *named})
        kind = "graph" if prepared.form in ("CONSTRUCT", "DESCRIBE") else "solutions"
        fmt = negotiate(accept, params.get("format", [""])[0], kind)
        try:
            answer = self.pool.run(
                prepared, fmt, self.settings.max_rows, self.settings.timeout, max_bytes=self.settings.max_bytes
            )
        except engine.QueryError as exc:
            raise HTTPError(exc.status, exc.code, str(exc)) from exc
        if answer.status != 200:
            raise HTTPError(answer.status, answer.code, answer.body.decode())
        return CONTENT_TYPES[fmt], answer.body


def negotiate(accept: str, override: str, kind: str) -> str:
    """The result format for an Accept header (or a ``format`` parameter)."""
    formats = MEDIA[kind]
    # A `format` hint that does not fit the query form is ignored in favour of Accept.
    if ALIASES.get(override.lower()) in formats.values():
        return ALIASES[override.lower()]
    default = "json" if kind == "solutions" else "turtle"
    if not accept.strip():
        return default
    ranked = []
    for i, part in enumerate(accept.split(",")):
        media, *options = (p.strip() for p in part.split(";"))
        q = 1.0
        for option in options:
            if option.startswith("q="):
                try:
                    q = float(option[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, media.lower()))
    for neg_q, _, media in sorted(ranked):
        if neg_q == 0:
            continue
        if media in formats:
            return formats[media]
        if media in ("*/*", "text/*", "application/*") or media.endswith("/html"):
            return default
    raise HTTPError(406, "not_acceptable", f"none of {accept!r} fits; this query can give {', '.join(formats)}")
