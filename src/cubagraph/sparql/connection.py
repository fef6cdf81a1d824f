"""The connection layer of the endpoint: bounded connections and threads, one deadline a request, quiet logs.

``http.server`` alone gives a thread per connection without a bound, a listen
backlog of 5 (so a burst of clients gets TCP resets), a timeout per read (so
a client that trickles a byte a second is never dropped) and tracebacks in the
log. This module keeps ``http.server``'s request parsing and replaces the rest:

- :class:`BoundedServer` accepts with a backlog of 1024 and hands each connection to
  one of at most ``max_connections`` threads; past that, it answers a JSON 503
  itself, from one thread, and reads what the client sends before closing, so
  that the client reads the answer instead of a reset.
- :class:`DeadlineReader` gives each request one deadline for its request line,
  headers and body together; past it a read raises :class:`RequestDeadline`,
  which the handler (``server.Handler``) answers with a JSON 408.
- Nothing here prints a traceback: a connection that ends in an exception (a
  client that left, a signal during shutdown) is one log line.
"""

from __future__ import annotations

import contextlib
import io
import json
import queue
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

BACKLOG = 1024  # the kernel caps it at net.core.somaxconn


def log(line: str) -> None:
    """One log line on stderr, stamped with the UTC time; a closed stderr is no reason to fail."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    try:
        sys.stderr.write(f"{stamp} {line}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # stderr closed: nowhere left to write


def error_body(status: int, code: str, message: str) -> bytes:
    return (
        json.dumps({"error": {"status": status, "code": code, "message": message}}, ensure_ascii=False).encode() + b"\n"
    )


class RequestDeadline(Exception):
    """The client did not send its whole request in time."""


class DeadlineReader(io.RawIOBase):
    """Reads a socket with one deadline for everything read until it is moved."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.deadline = time.monotonic()
        self.received = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise RequestDeadline()
        self.sock.settimeout(remaining)
        try:
            n = self.sock.recv_into(buffer)
        except TimeoutError:
            raise RequestDeadline() from None
        self.received += n
        return n


class Refuser(threading.Thread):
    """Answers connections over the limit with a JSON 503, from one thread, without resets."""

    LINGER = 2.0  # seconds to read what a refused client still sends
    MAX_LINGERING = 512  # past this, a refused socket is closed at once: a flood must not use up the descriptors

    def __init__(self, limit: int, logger: Callable[[str], None]):
        super().__init__(name="refuser", daemon=True)
        self.log = logger
        body = error_body(
            503,
            "busy",
            f"the server has {limit} connections open, its limit (--max-connections); try again shortly",
        )
        self.reply = (
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
            b"Content-Length: %d\r\nRetry-After: 1\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
            b"Connection: close\r\n\r\n%s" % (len(body), body)
        )
        self.incoming: queue.SimpleQueue[socket.socket] = queue.SimpleQueue()
        self.selector = selectors.DefaultSelector()
        self.refused = 0

    def add(self, sock: socket.socket) -> None:
        self.incoming.put(sock)

    def run(self) -> None:
        lingering: dict[socket.socket, float] = {}
        while True:
            while not self.incoming.empty():
                sock = self.incoming.get()
                try:
                    sock.setblocking(False)
                    sock.send(self.reply)  # a few hundred bytes: the send buffer of a new socket takes them
                    sock.shutdown(socket.SHUT_WR)
                    self.refused += 1
                    self.log(f"- - 503 0.0ms busy ({_peer(sock)})")
                    if len(lingering) >= self.MAX_LINGERING:
                        sock.close()
                        continue
                    self.selector.register(sock, selectors.EVENT_READ)
                    lingering[sock] = time.monotonic() + self.LINGER
                except OSError:
                    sock.close()
            for key, _ in self.selector.select(timeout=0.05 if lingering else 0.2):
                sock = key.fileobj  # type: ignore[assignment]
                try:
                    if sock.recv(65536):
                        continue
                except OSError:
                    pass
                lingering[sock] = 0.0
            now = time.monotonic()
            for sock in [s for s, until in lingering.items() if until <= now]:
                self.selector.unregister(sock)
                sock.close()
                del lingering[sock]


def _peer(sock: socket.socket) -> str:
    try:
        return str(sock.getpeername()[0])
    except OSError:
        return "-"


class BoundedServer(HTTPServer):
    """An HTTP server with at most ``max_connections`` connections, each on a thread of a bounded set."""

    allow_reuse_address = True
    request_queue_size = BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        max_connections: int,
        logger: Callable[[str], None] = log,
    ):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.max_connections = max_connections
        self.active = 0
        self.threads = 0
        self.lock = threading.Lock()
        self.jobs: queue.SimpleQueue[tuple[socket.socket, Any] | None] = queue.SimpleQueue()
        self.log = logger
        self.refuser = Refuser(max_connections, logger)
        super().__init__(address, handler)
        self.refuser.start()

    def get_request(self) -> tuple[socket.socket, Any]:
        request, address = super().get_request()
        # The handler writes the headers and then the body: without TCP_NODELAY the body waits for the
        # client's delayed ACK of the headers, 40 ms a request on Linux.
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return request, address

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.lock:
            busy = self.active >= self.max_connections
            if not busy:
                self.active += 1
                grow = self.active > self.threads
                self.threads += grow
        if busy:
            self.refuser.add(request)
            return
        if grow:
            threading.Thread(target=self._work, name=f"connection-{self.threads}", daemon=True).start()
        self.jobs.put((request, client_address))

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            request, address = job
            try:
                self.finish_request(request, address)
            except BaseException as exc:
                self.log(f"- - - connection from {address[0]} ended: {type(exc).__name__}")
            finally:
                self.shutdown_request(request)
                with self.lock:
                    self.active -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        kind = sys.exc_info()[0]
        self.log(f"- - - connection from {client_address[0]} ended: {kind.__name__ if kind else '?'}")

    def server_close(self) -> None:
        super().server_close()
        for _ in range(self.threads):
            self.jobs.put(None)
