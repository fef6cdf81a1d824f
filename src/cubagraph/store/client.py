"""A small HTTP client for triple stores: SPARQL Graph Store Protocol, SPARQL queries, auth, retries.

Credentials come from the environment or a netrc file, never from the
command line, and never appear in output: URLs are shown without their
user-info, and neither headers nor request bodies are ever printed.

Every response body is read whole and checked against its Content-Length.
Some stores answer 200 and then cut the body short when a query fails
midway; a short body is an error, not a smaller answer.
"""

from __future__ import annotations

import base64
import http.client
import json
import netrc
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from ..errors import CubagraphError

USER_ENV, PASSWORD_ENV, TOKEN_ENV = "CUBAGRAPH_STORE_USER", "CUBAGRAPH_STORE_PASSWORD", "CUBAGRAPH_STORE_TOKEN"


class StoreError(CubagraphError):
    """The store refused, failed, or could not be reached."""

    def __init__(self, message: str, status: int | None = None, transient: bool = False):
        super().__init__(message)
        self.status = status
        self.transient = transient


def safe_url(url: str) -> str:
    """``url`` without user-info, for messages."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def check_url(url: str, what: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CubagraphError(f"{what} {safe_url(url)!r} is not an http(s) URL")
    if parts.username or parts.password:
        # Say so without echoing them: a URL in a shell history is a leaked password.
        raise CubagraphError(
            f"{what} {safe_url(url)} carries credentials in the URL — remove them, and set "
            f"{USER_ENV}/{PASSWORD_ENV} or {TOKEN_ENV}, or use a netrc file"
        )
    return url


@dataclass
class Auth:
    kind: str = "none"  # none, basic, digest or bearer
    user: str = ""
    password: str = ""
    token: str = ""

    def __repr__(self) -> str:  # never show secrets, even in a debugger or a traceback
        return f"Auth(kind={self.kind!r})"


def find_auth(kind: str, url: str) -> Auth:
    """Credentials for ``kind`` from the environment, else from netrc (``$NETRC`` or ~/.netrc)."""
    if kind == "none":
        return Auth()
    if kind == "bearer":
        token = os.environ.get(TOKEN_ENV, "")
        if not token:
            raise CubagraphError(f"--auth bearer needs the token in ${TOKEN_ENV}")
        return Auth("bearer", token=token)
    user, password = os.environ.get(USER_ENV, ""), os.environ.get(PASSWORD_ENV, "")
    if not (user and password):
        host = urllib.parse.urlsplit(url).hostname or ""
        try:
            entry = netrc.netrc(os.environ.get("NETRC")).authenticators(host)
        except (FileNotFoundError, netrc.NetrcParseError, OSError):
            entry = None
        if entry:
            user, _, password = entry
            password = password or ""
    if not (user and password):
        raise CubagraphError(
            f"--auth {kind} needs a user and password: set ${USER_ENV} and ${PASSWORD_ENV}, "
            "or add the store's host to your netrc file"
        )
    return Auth(kind, user=user, password=password)


class Client:
    def __init__(self, auth: Auth, retries: int = 4, backoff: float = 0.5, timeout: float = 60.0):
        self.auth = auth
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = []
        # Digest answers the store's challenge; basic and bearer go up front (see _once).
        self.passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        if auth.kind == "digest":
            handlers.append(urllib.request.HTTPDigestAuthHandler(self.passwords))
        self.opener = urllib.request.build_opener(*handlers)

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

    def _once(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> bytes:
        headers = dict(headers)
        if self.auth.kind == "digest":
            parts = urllib.parse.urlsplit(url)
            self.passwords.add_password(None, f"{parts.scheme}://{parts.netloc}/", self.auth.user, self.auth.password)
        if self.auth.kind == "bearer":
            headers["Authorization"] = f"Bearer {self.auth.token}"
        if self.auth.kind == "basic":
            # Send basic credentials up front: some stores answer 403, not 401, to a bare request.
            token = base64.b64encode(f"{self.auth.user}:{self.auth.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        where = f"{method} {safe_url(url)}"
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                data: bytes = response.read()
                expected = response.headers.get("Content-Length")
                if expected is not None and int(expected) != len(data):
                    raise StoreError(
                        f"{where}: the store sent {len(data)} of {expected} bytes (truncated response)", transient=True
                    )
                return data
        except urllib.error.HTTPError as exc:
            detail = _detail(exc)
            if exc.code in (401, 403):
                hint = (
                    "check the credentials (--auth and the environment or netrc)"
                    if exc.code == 401
                    else "the credentials lack the right to do this"
                )
                raise StoreError(f"{where}: HTTP {exc.code} {exc.reason} — {hint}", exc.code) from None
            transient = exc.code >= 500 or exc.code == 429
            raise StoreError(f"{where}: HTTP {exc.code} {exc.reason}{detail}", exc.code, transient) from None
        except http.client.IncompleteRead as exc:
            got, more = len(exc.partial), exc.expected
            raise StoreError(
                f"{where}: the store sent {got} bytes and then stopped ({more} more were announced): a truncated response",
                transient=True,
            ) from None
        except (TimeoutError, urllib.error.URLError, ConnectionError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"{where}: cannot reach the store ({reason})", transient=True) from None

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
            raise StoreError(f"POST {safe_url(endpoint)}: the answer is not complete SPARQL JSON ({exc})") from None
        if "boolean" not in result and "results" not in result:
            raise StoreError(f"POST {safe_url(endpoint)}: the answer is not SPARQL results")
        return result


def _detail(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read(300).decode("utf-8", "replace").strip()
    except Exception:
        return ""
    return f": {' '.join(text.split())[:200]}" if text else ""
