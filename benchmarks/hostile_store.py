"""A triple store on 127.0.0.1 that misbehaves on purpose, and records every request it gets.

Used by tests/store/test_credentials.py and benchmarks/abuse_publish.py. Standard library only.
Modes:

- ``sparql``: an honest, empty store (empty SPARQL results, 204 to PUT and DELETE)
- ``redirect``: answers ``code`` with ``Location: location`` (none if empty); paths under /moved are honest
- ``echo``: answers 400 with a body that echoes the request's headers and every form of the
  secret it can derive from them (the decoded password, URL-encoded, upper-cased hex)
- ``trickle``: 200 with Content-Length 100,000, then one byte every ``interval`` seconds
- ``trickle-headers``: the status line, then one byte of headers every ``interval`` seconds
- ``silent``: accepts the connection and never answers

``tls=(certificate, key)`` serves https. ``challenge="digest"`` answers 401 with a digest challenge to any request without credentials,
so that a client which would answer another origin's challenge gets the chance to.
"""

from __future__ import annotations

import base64
import socket
import ssl
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

EMPTY = b'{"head":{"vars":["g","sha","n"]},"results":{"bindings":[]}}'


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up on a hostile store is doing its job: no traceback


@dataclass
class Seen:
    host: str  # the Host header: which origin the client thought it was talking to
    method: str
    path: str
    authorization: str


class HostileStore:
    def __init__(
        self,
        mode: str = "sparql",
        code: int = 302,
        location: str = "",
        challenge: str | None = None,
        interval: float = 0.2,
        tls: tuple[str, str] | None = None,
    ):
        self.mode, self.code, self.location, self.challenge, self.interval = mode, code, location, challenge, interval
        self.seen: list[Seen] = []
        self.closing = threading.Event()
        self.raw: socket.socket | None = None
        if mode == "silent":  # a listener that never accepts: the connection is made, no byte comes back
            self.raw = socket.socket()
            self.raw.bind(("127.0.0.1", 0))
            self.raw.listen(16)
            self.port = int(self.raw.getsockname()[1])
        else:
            self.server = _Quiet(("127.0.0.1", 0), self._handler())
            self.server.daemon_threads = True
            self.port = int(self.server.server_address[1])
            if tls:  # (certificate, key) files: the same store over https
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(*tls)
                self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def credentials_from(self, host_prefix: str) -> int:
        """How many requests that reached this store as ``host_prefix``… carried credentials."""
        return sum(1 for s in self.seen if s.host.startswith(host_prefix) and s.authorization)

    def close(self) -> None:
        self.closing.set()
        if self.raw is not None:
            self.raw.close()
        else:
            self.server.shutdown()
            self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        store = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                header = self.headers.get("Authorization", "")
                store.seen.append(Seen(self.headers.get("Host", ""), self.command, self.path, header))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if store.challenge == "digest" and not header:
                    challenge = 'Digest realm="store", nonce="n0nce", qop="auth", algorithm=MD5'
                    return self._reply(401, b"who are you?", {"WWW-Authenticate": challenge})
                mode = "sparql" if self.path.startswith("/moved") else store.mode
                if mode == "redirect":
                    return self._reply(store.code, b"moved", {"Location": store.location} if store.location else {})
                if mode == "echo":
                    return self._reply(400, echo(self.headers.items()))
                if mode == "trickle":
                    return self._trickle()
                if mode == "trickle-headers":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    self._drip(b"X-Slow: " + b"a" * 100_000)
                    return None
                if self.command == "POST":
                    return self._reply(200, EMPTY, {"Content-Type": "application/sparql-results+json"})
                return self._reply(204, b"")

            def _trickle(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self._drip(b" " * 100_000)

            def _drip(self, data: bytes) -> None:
                self.close_connection = True
                try:
                    for i in range(len(data)):
                        if store.closing.wait(store.interval):
                            return
                        self.wfile.write(data[i : i + 1])
                        self.wfile.flush()
                except OSError:
                    return  # the client hung up: what a deadline is for

            def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        return Handler


def echo(headers: list[tuple[str, str]]) -> bytes:
    """Everything a careless (or hostile) store might put in an error page about the request."""
    lines: list[str] = []
    for key, value in headers:
        if key.lower() != "authorization":
            continue
        scheme, _, credentials = value.partition(" ")
        secrets = [credentials]
        if scheme.lower() == "basic":
            user, _, password = base64.b64decode(credentials).decode("utf-8", "replace").partition(":")
            secrets += [password, f"{user}:{password}", f"http://{user}:{password}@store/"]
        if scheme.lower() == "digest":
            fields = dict(p.strip().split("=", 1) for p in credentials.split(",") if "=" in p)
            secrets.append(fields.get("response", "").strip('"'))
        for secret in secrets:
            lines += [
                f"you sent {secret}",
                f"encoded {urllib.parse.quote(secret, safe='')}",
                f"plus {urllib.parse.quote_plus(secret)}",
                f"upper {secret.upper()}",
            ]
    lines += [f"{k}: {v}" for k, v in headers]  # the secrets first: a client that cuts the page short still shows them
    return ("\n".join(lines) + "\n").encode()
