"""A read-only SPARQL 1.1 Protocol endpoint over the built graph, with the exports and a query page.

Safe by default: it binds 127.0.0.1, refuses updates, SERVICE, LOAD and
graphs outside the dataset before evaluation, stops queries at a timeout,
caps result sizes, reads at most ``max_body`` bytes of a request, and sends
no CORS headers unless asked. Every error has one JSON shape::

    {"error": {"status": 400, "code": "syntax_error", "message": "..."}}
"""

from __future__ import annotations

import json
import mimetypes
import re
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..project import Project
from . import engine, queries
from .workers import Pool

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
STATIC = {"/": "query.html", "/static/query.js": "query.js", "/static/query.css": "query.css"}
# The query page and the viewer run with no network access beyond this server.
CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 10.0
    max_rows: int = 50_000
    max_body: int = 1 << 20
    workers: int = 2
    cors: str | None = None
    client_timeout: float = 30.0  # a client that sends nothing for this long is dropped


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
        self.pool = Pool(project.trig, self.prefixes, settings.workers)
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
            answer = self.pool.run(prepared, fmt, self.settings.max_rows, self.settings.timeout)
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


class Handler(BaseHTTPRequestHandler):
    server_version = "cubagraph"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    endpoint: Endpoint  # set on the subclass made by make_server

    # -- methods -----------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_POST(self) -> None:
        self._guard(self._post)

    def do_OPTIONS(self) -> None:
        headers = {"Allow": "GET, HEAD, POST, OPTIONS"}
        if self.endpoint.settings.cors:
            headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        self._send(204, "", b"", headers)

    def _refuse_method(self) -> None:
        self._error(
            HTTPError(
                405,
                "method_not_allowed",
                f"{self.command} is not allowed; the endpoint is read-only",
                {"Allow": "GET, HEAD, POST, OPTIONS"},
            )
        )

    do_PUT = do_DELETE = do_PATCH = do_TRACE = do_CONNECT = _refuse_method

    # -- routing -----------------------------------------------------------------------

    def _dispatch(self, head: bool) -> None:
        self._head = head
        self._guard(self._get)

    def _guard(self, action: Any) -> None:
        try:
            action()
        except HTTPError as exc:
            self._error(exc)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # a bug must still give the client a well-formed answer
            self._error(HTTPError(500, "internal_error", f"{type(exc).__name__}: {exc}"))

    def _get(self) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        if url.path == "/sparql":
            if "update" in params:
                raise HTTPError(403, "refused", "updates are not allowed — the endpoint is read-only")
            query = params.get("query")
            if not query:
                raise HTTPError(400, "missing_query", "pass the query as ?query=...")
            self._query(query[0], params)
        elif url.path in STATIC:
            self._static(STATIC[url.path])
        elif url.path == "/queries.json":
            library = queries.library(self.endpoint.project.queries)
            body = [
                {"name": q.name, "question": q.question, "text": q.text, "params": [p.__dict__ for p in q.params]}
                for q in library.values()
            ]
            self._send(200, "application/json; charset=utf-8", json.dumps(body, ensure_ascii=False).encode())
        elif url.path == "/viewer":
            self._export("graph.html")
        elif url.path.startswith("/exports/"):
            self._export(url.path[len("/exports/") :])
        else:
            raise HTTPError(404, "not_found", f"nothing at {url.path}; try /sparql, /exports/ or /")

    def _post(self) -> None:
        self._head = False
        url = urlsplit(self.path)
        if url.path != "/sparql":
            raise HTTPError(404, "not_found", f"nothing to POST to at {url.path}; use /sparql")
        body = self._body()
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError as exc:
                raise HTTPError(400, "bad_request", "the form is not UTF-8") from exc
            if "update" in form:
                raise HTTPError(403, "refused", "updates are not allowed — the endpoint is read-only")
            params = {**params, **form}
            query = form.get("query")
            if not query:
                raise HTTPError(400, "missing_query", "pass the query as query=...")
            text = query[0]
        elif ctype == "application/sparql-query":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise HTTPError(400, "bad_request", "the query is not UTF-8") from exc
        elif ctype == "application/sparql-update":
            raise HTTPError(403, "refused", "updates are not allowed — the endpoint is read-only")
        else:
            raise HTTPError(
                415,
                "unsupported_media_type",
                f"Content-Type {ctype or '(none)'} is not supported; use application/sparql-query or application/x-www-form-urlencoded",
            )
        self._query(text, params)

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked" or length is None:
            self._drain(self.endpoint.settings.max_body)
            raise HTTPError(411, "length_required", "send a Content-Length header")
        try:
            size = int(length)
        except ValueError as exc:
            self._drain(self.endpoint.settings.max_body)
            raise HTTPError(400, "bad_request", "Content-Length is not a number") from exc
        if size < 0 or size > self.endpoint.settings.max_body:
            self._drain(min(max(size, 0), 16 * self.endpoint.settings.max_body))
            raise HTTPError(413, "body_too_large", f"the body is over {self.endpoint.settings.max_body:,} bytes")
        return self.rfile.read(size)

    def _drain(self, limit: int) -> None:
        """Read and drop what the client is sending, up to ``limit``, before refusing it.

        Closing a socket with unread data resets the connection, and the client
        could lose our answer; reading it first lets the client read the error.
        """
        self.close_connection = True  # an unread remainder would be taken for the next request
        previous = self.connection.gettimeout()
        self.connection.settimeout(0.2)
        try:
            while limit > 0:
                chunk = self.rfile.read1(min(limit, 65536))
                if not chunk:
                    break
                limit -= len(chunk)
        except (TimeoutError, OSError):
            pass
        finally:
            self.connection.settimeout(previous)

    # -- answers -----------------------------------------------------------------------

    def _query(self, text: str, params: dict[str, list[str]]) -> None:
        ctype, body = self.endpoint.answer(text, self.headers.get("Accept", ""), params)
        self.endpoint.served += 1
        self._send(200, ctype, body)

    def _static(self, name: str) -> None:
        data = resources.files("cubagraph.sparql").joinpath("static", name).read_bytes()
        ctype = {"html": "text/html", "js": "text/javascript", "css": "text/css"}[name.rsplit(".", 1)[1]]
        self._send(200, f"{ctype}; charset=utf-8", data, {"Content-Security-Policy": CSP})

    def _export(self, name: str) -> None:
        name = unquote(name)
        # One file name, directly in exports/: no separators, no dot files, nothing to climb with.
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) or ".." in name:
            raise HTTPError(404, "not_found", "no such export")
        directory = self.endpoint.project.exports.resolve()
        path = (directory / name).resolve()
        if path.parent != directory or not path.is_file():
            raise HTTPError(404, "not_found", f"no export named {name!r}; run `cubagraph build`")
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        ctype = {".ttl": "text/turtle", ".trig": "application/trig", ".jsonld": "application/ld+json"}.get(
            path.suffix, ctype
        )
        # graph.html carries its own Content-Security-Policy, which allows its inline scripts by hash.
        self._send(200, f"{ctype}; charset=utf-8" if not ctype.startswith("image/") else ctype, path.read_bytes())

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the base class finds (a garbled request line, huge headers) get our JSON shape too."""
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # so that a status line is written at all
        self.close_connection = True
        codes = {
            400: "bad_request",
            408: "timeout",
            414: "uri_too_long",
            431: "headers_too_large",
            501: "not_implemented",
        }
        self._error(HTTPError(code, codes.get(code, "bad_request"), message or HTTPStatus(code).phrase))

    def _error(self, exc: HTTPError) -> None:
        body = json.dumps({"error": {"status": exc.status, "code": exc.code, "message": str(exc)}}, ensure_ascii=False)
        self._send(exc.status, "application/json; charset=utf-8", body.encode() + b"\n", exc.headers)

    def _send(self, status: int, ctype: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        if self.endpoint.settings.cors:
            self.send_header("Access-Control-Allow-Origin", self.endpoint.settings.cors)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not getattr(self, "_head", False):
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # One line a request, on stderr; no query text, which may be long or private. A request
        # whose first line could not be parsed has no command or path yet.
        path = urlsplit(getattr(self, "path", "") or "").path
        status = args[1] if len(args) > 1 else ""
        sys.stderr.write(f"{self.address_string()} {getattr(self, 'command', None) or '-'} {path} {status}\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(project: Project, settings: Settings) -> tuple[Server, Endpoint]:
    endpoint = Endpoint(project, settings)
    # `timeout` is the socket timeout of each connection: a client that stalls is dropped.
    handler = type("BoundHandler", (Handler,), {"endpoint": endpoint, "timeout": settings.client_timeout})
    try:
        server = Server((settings.host, settings.port), handler)
    except OSError:
        endpoint.close()
        raise
    return server, endpoint
