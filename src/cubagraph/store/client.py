"""A small HTTP client for triple stores: SPARQL Graph Store Protocol, SPARQL queries, auth, retries.

It rests on httpx (measured against urllib in benchmarks/abuse_publish.py;
see docs/dependencies.md), with three guarantees of its own:

- Credentials stay with their origin. A redirect is followed only to the
  same scheme, host and port, and only when it keeps the method; any other
  redirect is refused with the URL it points to, so nothing (no header, no
  digest answer) is ever sent to an origin the user did not name.
- One deadline, ``timeout``, bounds each whole request: connect, headers and
  the full body (see ``wire``). A store that trickles its answer is cut off.
- Every message is redacted (``auth.Redactor``) before it can be printed,
  including what a store echoes back in an error body.

Every response body is read whole and checked against its Content-Length.
Some stores answer 200 and then cut the body short when a query fails
midway; a short body is an error, not a smaller answer.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import httpx

from ..errors import CubagraphError
from . import wire
from .auth import PASSWORD_ENV, TOKEN_ENV, USER_ENV, Auth, Redactor, check_token, check_url, find_auth, origin, safe_url

__all__ = [
    "PASSWORD_ENV",
    "TOKEN_ENV",
    "USER_ENV",
    "Auth",
    "Client",
    "StoreError",
    "check_url",
    "find_auth",
    "safe_url",
]

MAX_REDIRECTS = 5
MAX_BODY = 256 << 20  # our queries' answers are kilobytes; a store that sends more is not answering them
ERROR_BODY = 64 * 1024  # enough of an error page to explain it; never the whole of a hostile one


class StoreError(CubagraphError):
    """The store refused, failed, or could not be reached."""

    def __init__(self, message: str, status: int | None = None, transient: bool = False):
        super().__init__(message)
        self.status = status
        self.transient = transient


class Client:
    def __init__(self, auth: Auth, retries: int = 4, backoff: float = 0.5, timeout: float = 60.0):
        if not 0 < timeout <= 86_400:  # also refuses nan and inf, which no timer takes
            raise CubagraphError(f"--timeout {timeout:g} is not a number of seconds between 0 and 86400 — give one")
        self.auth = check_token(auth)
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.redact = Redactor.of(auth)
        self.backend = wire.WatchedBackend()
        self.watchdog = wire.Watchdog(self.backend)
        self.sessions: dict[tuple[str, str, int], httpx.Client] = {}

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()
        self.sessions.clear()

    def request(self, method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
        """Send a request, retrying transient failures with backoff; return the whole body."""
        delay = self.backoff
        for attempt in range(1, self.retries + 2):
            try:
                return self._once(method, url, body, headers or {})
            except StoreError as exc:
                if not exc.transient or attempt > self.retries:
                    if exc.transient:
                        raise StoreError(f"{exc} (after {attempt} attempts)", exc.status, True) from None
                    raise
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _fail(self, message: str, status: int | None = None, transient: bool = False) -> StoreError:
        return StoreError(self.redact.line(message, 2000), status, transient)

    def _session(self, url: str) -> httpx.Client:
        key = origin(url)
        if key not in self.sessions:
            self.sessions[key] = httpx.Client(
                transport=wire.transport(url, self.backend),
                follow_redirects=False,  # followed by hand, origin checked: see _next
                event_hooks={"request": [self._sending]},
            )
        return self.sessions[key]

    def _sending(self, request: httpx.Request) -> None:
        # A digest answer is computed inside httpx: learn it as it leaves, to redact it if echoed.
        if "authorization" in request.headers:
            self.redact.sent(request.headers["authorization"])

    def _once(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> bytes:
        headers = dict(headers)
        if self.auth.kind == "bearer":
            headers["Authorization"] = f"Bearer {self.auth.token}"
        if self.auth.kind == "basic":
            # Send basic credentials up front: some stores answer 403, not 401, to a bare request.
            headers["Authorization"] = f"Basic {self.auth.basic()}"
        where = f"{method} {safe_url(url)}"
        deadline = time.monotonic() + self.timeout
        self.watchdog.arm(self.timeout)
        try:
            return self._exchange(method, url, body, headers, where, deadline)
        except (httpx.TransportError, httpx.StreamError) as exc:
            if isinstance(exc, httpx.TimeoutException) or time.monotonic() >= deadline:
                # Not retried: a store that needs longer than --timeout for one answer will again.
                raise self._fail(
                    f"{where}: no complete answer within --timeout {self.timeout:g} s (the store is stalled or "
                    "trickling its answer) — check the store, or raise --timeout if it is only slow"
                ) from None
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                raise self._fail(
                    f"{where}: the store's TLS certificate is not trusted ({exc}) — add its CA to the system's "
                    "trusted certificates, or point $SSL_CERT_FILE at a file that holds it"
                ) from None
            if isinstance(exc, httpx.RemoteProtocolError) and "expected" in str(exc):
                raise self._fail(f"{where}: {exc} (truncated response)", transient=True) from None
            raise self._fail(f"{where}: cannot reach the store ({exc or type(exc).__name__})", transient=True) from None
        finally:
            self.watchdog.disarm()

    def _exchange(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], where: str, deadline: float
    ) -> bytes:
        session = self._session(url)
        auth = httpx.DigestAuth(self.auth.user, self.auth.password) if self.auth.kind == "digest" else None
        request = session.build_request(method, url, content=body, headers=headers, timeout=self.timeout)
        for _ in range(MAX_REDIRECTS + 1):
            try:
                response = session.send(request, auth=auth, stream=True)
            except httpx.RemoteProtocolError as exc:
                if "location" not in str(exc).lower():
                    raise
                # httpx quotes the bad part of the URL, which may hold a piece of a password: not shown.
                raise self._fail(
                    f"{where}: the store answered a redirect whose Location is not a valid URL; not followed — "
                    "pass the store's own URL to --store (or --query-endpoint)"
                ) from None
            try:
                if response.has_redirect_location:
                    request = self._next(request, response, where)
                    continue
                return self._body(response, where, deadline)
            finally:
                response.close()
        raise self._fail(f"{where}: more than {MAX_REDIRECTS} redirects — pass the store's final URL")

    def _next(self, request: httpx.Request, response: httpx.Response, where: str) -> httpx.Request:
        """The redirect's request, if it stays on the origin and keeps the method; else a clear refusal."""
        follow = response.next_request
        target = safe_url(str(follow.url)) if follow else response.headers.get("location", "")
        code = response.status_code
        if follow is None or origin(str(follow.url)) != origin(str(request.url)):
            scheme, host, port = origin(str(request.url))
            raise self._fail(
                f"{where}: the store answered HTTP {code} pointing to another origin, {target}; not followed, so that "
                f"nothing (credentials included) leaves {scheme}://{host}:{port} — if the store lives there now, "
                "pass that URL to --store (or --query-endpoint)",
                code,
            )
        if follow.method != request.method:
            raise self._fail(
                f"{where}: the store answered HTTP {code}, which would turn this {request.method} into a "
                f"{follow.method} of {target}; not followed — pass that URL to --store (or --query-endpoint)",
                code,
            )
        return follow

    def _body(self, response: httpx.Response, where: str, deadline: float) -> bytes:
        status = response.status_code
        if status >= 400:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= ERROR_BODY or time.monotonic() >= deadline:
                    break
            text = b"".join(chunks)[:ERROR_BODY].decode("utf-8", "replace")
            reason = response.reason_phrase
            if status in (401, 403):
                hint = (
                    "check the credentials (--auth and the environment or netrc)"
                    if status == 401
                    else "the credentials lack the right to do this"
                )
                raise self._fail(f"{where}: HTTP {status} {reason} — {hint}", status)
            detail = self.redact.line(text)
            transient = status >= 500 or status == 429
            raise self._fail(f"{where}: HTTP {status} {reason}{': ' + detail if detail else ''}", status, transient)
        if status >= 300:  # a redirect without a usable Location, or 304: neither is an answer
            raise self._fail(
                f"{where}: HTTP {status} {response.reason_phrase} with no Location to follow — "
                "check the URL with the store's documentation, and pass its own URL"
            )
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BODY:
                raise self._fail(
                    f"{where}: the answer is larger than {MAX_BODY >> 20} MiB — this is not a store's answer"
                )
            chunks.append(chunk)
        data = b"".join(chunks)
        expected = response.headers.get("Content-Length")
        if expected is not None and expected.isdigit() and int(expected) != response.num_bytes_downloaded:
            raise self._fail(
                f"{where}: the store sent {response.num_bytes_downloaded} of {expected} bytes (truncated response)",
                transient=True,
            )
        return data

    def query(self, endpoint: str, text: str, params: dict[str, list[str]] | None = None) -> dict[str, Any]:
        """A SPARQL query over HTTP POST, answered in SPARQL JSON, parsed whole."""
        form = urllib.parse.urlencode({"query": text, **(params or {})}, doseq=True).encode()
        data = self.request(
            "POST",
            endpoint,
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
        )
        try:
            result: dict[str, Any] = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise self._fail(f"POST {safe_url(endpoint)}: the answer is not complete SPARQL JSON ({exc})") from None
        if not isinstance(result, dict) or ("boolean" not in result and "results" not in result):
            raise self._fail(f"POST {safe_url(endpoint)}: the answer is not SPARQL results")
        return result
