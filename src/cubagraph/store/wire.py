"""The sockets under the HTTP client, and the deadline that cuts them.

httpx's timeouts bound each read, not the response: a store that sends one
byte a second keeps every read short and the request alive for ever. So the
client arms a watchdog for each request, and when its deadline passes, ``cut`` shuts down every
socket this client has open. A blocked read then returns at once, whatever
it was reading (headers, body, a TLS record).
"""

from __future__ import annotations

import functools
import socket
import ssl
import threading
import time
import typing
import urllib.request

import httpcore
import httpx


class _Stream(httpcore.NetworkStream):
    """A network stream whose socket the backend can shut down from another thread."""

    def __init__(self, inner: httpcore.NetworkStream, backend: WatchedBackend):
        self.inner, self.backend = inner, backend
        backend.watch(self)

    def socket(self) -> socket.socket | None:
        sock = self.inner.get_extra_info("socket")
        return sock if isinstance(sock, socket.socket) else None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, timeout)

    def close(self) -> None:
        self.backend.forget(self)
        self.inner.close()

    def start_tls(
        self, ssl_context: typing.Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        self.backend.forget(self)
        return _Stream(self.inner.start_tls(ssl_context, server_hostname, timeout), self.backend)

    def get_extra_info(self, info: str) -> typing.Any:
        return self.inner.get_extra_info(info)


class WatchedBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, each remembered while open, so that ``cut`` can end them all."""

    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()
        self.lock = threading.Lock()
        self.live: set[_Stream] = set()

    def watch(self, stream: _Stream) -> None:
        with self.lock:
            self.live.add(stream)

    def forget(self, stream: _Stream) -> None:
        with self.lock:
            self.live.discard(stream)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_tcp(host, port, timeout, local_address, socket_options), self)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: typing.Iterable[typing.Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_unix_socket(path, timeout, socket_options), self)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)

    def cut(self) -> None:
        """Shut down every open socket: a read blocked on one returns at once."""
        with self.lock:
            streams = list(self.live)
        for stream in streams:
            sock = stream.socket()
            try:
                if sock is not None:
                    sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its own thread: nothing left to cut


class Watchdog:
    """Cuts ``backend``'s sockets when the armed deadline passes: one thread per client, not one per request.

    A timer thread per request cost 1.6 ms each (starting it and waiting for it to start), which
    made a publish measurably slower; this thread is started once, and leaves after 5 s idle.
    """

    def __init__(self, backend: WatchedBackend):
        self.backend = backend
        self.cond = threading.Condition()
        self.deadline: float | None = None
        self.thread: threading.Thread | None = None

    def arm(self, seconds: float) -> None:
        with self.cond:
            self.deadline = time.monotonic() + seconds
            if self.thread is None:
                self.thread = threading.Thread(target=self._watch, name="cubagraph-store-deadline", daemon=True)
                self.thread.start()
            self.cond.notify()

    def disarm(self) -> None:
        with self.cond:
            self.deadline = None

    def _watch(self) -> None:
        with self.cond:
            while True:
                if self.deadline is None:
                    if not self.cond.wait(5.0) and self.deadline is None:
                        self.thread = None  # idle: leave, and let the next arm start another
                        return
                    continue
                left = self.deadline - time.monotonic()
                if left > 0:
                    self.cond.wait(left)
                    continue
                self.deadline = None
                self.backend.cut()


@functools.cache
def _system_tls() -> ssl.SSLContext:
    """The system's trusted CAs (and $SSL_CERT_FILE), as urllib used: a company CA installed there still works."""
    return ssl.create_default_context()


def _trusts_nothing() -> ssl.SSLContext:
    """For a plain-http origin, which redirects never leave: no TLS happens, so no CA bundle is loaded.

    httpx would otherwise load certifi's bundle for every transport (50 ms, measured); this
    context verifies as strictly as any, and fails closed should TLS ever be attempted.
    """
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def transport(url: str, backend: WatchedBackend) -> httpx.HTTPTransport:
    """A transport for ``url`` on ``backend``'s sockets, through the proxy the environment names for it.

    The environment's proxies (``http_proxy``, ``https_proxy``, ``no_proxy``) are read
    the way urllib read them, so a store behind a proxy is reached as before.
    """
    parts = httpx.URL(url)
    proxy = None
    if not urllib.request.proxy_bypass(parts.host):
        proxy = urllib.request.getproxies().get(parts.scheme)
    # No keep-alive: a publish makes a dozen requests, and a pooled socket outlives the command's
    # output unless someone closes it; a fresh connection per request costs well under a millisecond here.
    tls = proxy is not None and proxy.startswith("https:")
    made = httpx.HTTPTransport(
        proxy=proxy,
        verify=_system_tls() if parts.scheme == "https" or tls else _trusts_nothing(),
        limits=httpx.Limits(max_keepalive_connections=0),
    )
    # httpx takes no network backend of its own; its pool (plain or proxied) holds one here.
    # The one private seam used: the tests of the trickling store fail if a new httpx moves it.
    made._pool._network_backend = backend
    return made
