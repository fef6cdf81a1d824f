"""A read-only SPARQL 1.1 Protocol endpoint over the built graph, with the exports and a query page.

Safe by default: it binds 127.0.0.1, answers only requests whose ``Host`` names it (no DNS
rebinding), refuses updates, SERVICE, LOAD and graphs outside the dataset before evaluation, stops
queries at a timeout, caps result sizes, reads at most ``max_body`` bytes of a request within one
deadline, serves a bounded number of connections (``connection``), and sends no CORS headers unless
asked. Every error has one JSON shape::

    {"error": {"status": 400, "code": "syntax_error", "message": "..."}}
"""

from __future__ import annotations

import io
import json
import mimetypes
import re
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..project import Project
from . import page, queries
from .connection import BoundedServer, DeadlineReader, RequestDeadline, error_body, log
from .endpoint import CONTENT_TYPES, MEDIA, Endpoint, HTTPError, Settings, host_names, negotiate

__all__ = ["CONTENT_TYPES", "MEDIA", "Endpoint", "HTTPError", "Settings", "host_names", "make_server", "negotiate"]


class Handler(BaseHTTPRequestHandler):
    server_version = "cubagraph"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    endpoint: Endpoint  # set on the subclass made by make_server
    hosts: frozenset[str] = frozenset()  # set by make_server once the port is known

    # -- one deadline a request ------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.reader = DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self.reader)
        self.served_before = False  # a request has been answered on this connection

    def handle_one_request(self) -> None:
        self.started = time.monotonic()
        self.reader.deadline = self.started + self.endpoint.settings.client_timeout
        self.reader.received = 0
        self.command, self.path, self.request_version = None, "", "HTTP/1.1"  # type: ignore[assignment]
        try:
            super().handle_one_request()
        except RequestDeadline:
            self.close_connection = True
            # A new connection that sends too little is told why; an idle keep-alive one is closed
            # without a word, as a client may be reusing it at that very moment.
            if self.reader.received or not self.served_before:
                self._error(self._late())
        self.served_before = True

    def _late(self) -> HTTPError:
        self.close_connection = True
        limit = self.endpoint.settings.client_timeout
        return HTTPError(
            408,
            "timeout",
            f"the request was not sent within {limit:g} s — send it whole, faster (serve --client-timeout)",
        )

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.headers.defects:
            # The header parser stops at a line that is not `Name: value` and takes the rest for the
            # body: a Transfer-Encoding or Connection after it would go unseen, and the body be read
            # as the next request. Refuse, and close.
            self.close_connection = True
            self._drain(self.endpoint.settings.max_body)
            self._error(HTTPError(400, "bad_request", "a header line is not `Name: value`; fix the request's headers"))
            return False
        if self.command != "POST" and (
            "Transfer-Encoding" in self.headers or self.headers.get("Content-Length", "0").strip() != "0"
        ):
            # Only POST bodies are read. Any other body, left in the socket, would be taken for the next
            # request: drop it, and close after the answer.
            self._drain(self.endpoint.settings.max_body)
        given = self.headers.get_all("Host") or []
        host = given[0].strip().lower() if len(given) == 1 else ""  # two Host headers name no one host
        if host not in self.hosts:
            self.close_connection = True
            if len(given) > 1:
                why = "the request has two Host headers"
            elif not host:
                why = "the request has no Host header"
            else:
                why = f"Host {host[:100]!r} is not a name this server answers for"
            if "Content-Length" in self.headers or "Transfer-Encoding" in self.headers:
                self._drain(self.endpoint.settings.max_body)  # so that the client reads the answer, not a reset
            self._error(
                HTTPError(
                    421,
                    "unknown_host",
                    f"{why} (it answers for 127.0.0.1, localhost, [::1] and --host); to add a name, start it"
                    " with `--allow-host NAME`",
                )
            )
            return False
        return True

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
        except RequestDeadline:
            self._error(self._late())
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
        elif url.path in page.STATIC:
            ctype, data = page.static(page.STATIC[url.path])
            self._send(200, ctype, data, {"Content-Security-Policy": page.CSP})
        elif url.path == "/page.json":
            shown = page.settings(self.endpoint.prefixes, self.endpoint.project.base)
            self._send(200, "application/json; charset=utf-8", json.dumps(shown, ensure_ascii=False).encode())
        elif url.path == "/queries.json":
            library = queries.library(self.endpoint.project.queries)
            body = [
                # text is what cubagraph runs; portable, the SPARQL 1.1 form for any store (the same where no
                # faster Oxigraph form exists), which the query page offers too.
                {
                    "name": q.name,
                    "question": q.question,
                    "text": q.text,
                    "portable": q.portable or q.text,
                    "params": [p.__dict__ for p in q.params],
                }
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
        previous = self.reader.deadline
        self.reader.deadline = min(previous, time.monotonic() + 0.2)
        try:
            while limit > 0:
                chunk = self.rfile.read1(min(limit, 65536))
                if not chunk:
                    break
                limit -= len(chunk)
        except (RequestDeadline, OSError):
            pass
        finally:
            self.reader.deadline = previous

    # -- answers -----------------------------------------------------------------------

    def _query(self, text: str, params: dict[str, list[str]]) -> None:
        # `param=NAME=VALUE` binds a parameter, as the CLI's --param does (the query page sends one a field).
        bound, declared = page.bindings(text, params, self.endpoint.project.queries)
        accept = self.headers.get("Accept", "")
        ctype, body = self.endpoint.answer(text, accept, params, bound, declared)
        self.endpoint.served += 1
        self._send(200, ctype, body)

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
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # an HTTP/0.9 answer has no status line: the error would not show
        body = error_body(exc.status, exc.code, str(exc))
        try:
            self._send(exc.status, "application/json; charset=utf-8", body, exc.headers)
        except OSError:
            self.close_connection = True  # the client left before its answer: nothing to tell

    def _send(self, status: int, ctype: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        # Writing has its own bound: a client that stops reading is dropped after client_timeout.
        self.connection.settimeout(self.endpoint.settings.client_timeout)
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

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # One line a request, on stderr: when, method, path, status, duration. No query text, which
        # may be long or private. A request whose first line could not be parsed has no method yet.
        path = urlsplit(getattr(self, "path", "") or "").path or "-"
        ms = (time.monotonic() - getattr(self, "started", time.monotonic())) * 1000
        log(f"{self.command or '-'} {path} {int(code) if isinstance(code, int) else code} {ms:.1f}ms")

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the base class's other messages (timeouts, errors) are answered and logged by us


class Server(BoundedServer):
    pass


def make_server(project: Project, settings: Settings) -> tuple[Server, Endpoint]:
    endpoint = Endpoint(project, settings)
    handler: type[Handler] = type("BoundHandler", (Handler,), {"endpoint": endpoint})
    try:
        server = Server((settings.host, settings.port), handler, settings.max_connections, log)
    except OSError:
        endpoint.close()
        raise
    handler.hosts = host_names(settings, int(server.server_address[1]))
    return server, endpoint
