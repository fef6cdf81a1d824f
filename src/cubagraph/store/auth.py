"""Credentials for a triple store: where they come from, and keeping them out of anything printed.

Credentials come from the environment or a netrc file, never from the
command line. Whatever is printed (an error, a store's echoed body, a URL)
first goes through a ``Redactor`` that knows every form the secret takes on
the wire: the raw password or token, URL-encoded, the Basic base64, and each
digest response actually sent.
"""

from __future__ import annotations

import base64
import html
import json
import netrc
import os
import re
import urllib.parse
from dataclasses import dataclass, field

import httpx

from ..errors import CubagraphError

USER_ENV, PASSWORD_ENV, TOKEN_ENV = "CUBAGRAPH_STORE_USER", "CUBAGRAPH_STORE_PASSWORD", "CUBAGRAPH_STORE_TOKEN"
REDACTED = "[redacted]"


def safe_url(url: str) -> str:
    """``url`` without user-info, for messages.

    A URL that does not parse, or keeps an ``@`` after parsing (a password with a ``/`` in it
    moves the rest into the path), is shown from its last ``@`` on: too little rather than a secret.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port:
            host += f":{parts.port}"
        shown = urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    except ValueError:
        shown = url
    return shown if "@" not in shown else "…" + shown[shown.rindex("@") + 1 :]


def origin(url: str) -> tuple[str, str, int]:
    """Scheme, host and port: what a browser calls the origin, and what credentials are bound to."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def check_url(url: str, what: str) -> str:
    example = "give one like http://127.0.0.1:7878/store"
    if re.search(r"[\x00-\x20\x7f-\x9f]", url):
        raise CubagraphError(f"{what} holds a space or a control character — {example}")
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # parsed lazily: a bad port raises here, not in the middle of a publish
        _ = httpx.URL(url).host  # the client's own parse: IDNA host names, brackets
    except (ValueError, httpx.InvalidURL) as exc:
        reason = f" ({exc})" if "@" not in url else ""  # the reason may quote part of a password
        raise CubagraphError(f"{what} {safe_url(url)!r} is not a valid URL{reason} — {example}") from None
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

    def basic(self) -> str:
        return base64.b64encode(f"{self.user}:{self.password}".encode()).decode()


def check_token(auth: Auth) -> Auth:
    """``auth``, if its bearer token can go in a header: printable ASCII with no space (RFC 6750)."""
    if auth.kind == "bearer" and not _TOKEN.fullmatch(auth.token):
        # Said without the token itself, which may be a real one with a stray character.
        raise CubagraphError(
            f"${TOKEN_ENV} holds a space, a control or a non-ASCII character, which a bearer token "
            "cannot have — check what was pasted into it"
        )
    return auth


def find_auth(kind: str, url: str) -> Auth:
    """Credentials for ``kind`` from the environment, else from netrc (``$NETRC`` or ~/.netrc)."""
    if kind == "none":
        return Auth()
    if kind == "bearer":
        token = os.environ.get(TOKEN_ENV, "")
        if not token:
            raise CubagraphError(f"--auth bearer needs the token in ${TOKEN_ENV}")
        return check_token(Auth("bearer", token=token))
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


_TOKEN = re.compile(r"[\x21-\x7e]+")
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s@]*@")
_AUTH_HEADER = re.compile(r"(?i)(authorization\s*[:=]\s*)[^\r\n]*")
_DIGEST_RESPONSE = re.compile(r'(?i)\bresponse="?([0-9a-f]{16,})"?')
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass
class Redactor:
    """Removes every known form of the credentials from text that is about to be printed."""

    secrets: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, auth: Auth) -> Redactor:
        redactor = cls()
        for secret in (auth.password, auth.token):
            redactor.add(secret)
        if auth.password:
            redactor.add(auth.basic())
            redactor.add(f"{auth.user}:{auth.password}")
        return redactor

    def add(self, secret: str) -> None:
        """Remember ``secret`` in each form a store might echo it in."""
        if not secret:
            return  # a short one is still removed, even where it mangles an ordinary word: never shown beats legible
        forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
        forms |= {urllib.parse.quote(secret), secret.encode("unicode_escape").decode("ascii")}
        forms |= {base64.b64encode(secret.encode()).decode()}
        # As an HTML error page or a JSON error body would quote it.
        forms |= {html.escape(secret), html.escape(secret, quote=False), json.dumps(secret)[1:-1]}
        forms |= {json.dumps(secret, ensure_ascii=False)[1:-1]}
        self.secrets |= {f for f in forms if f}

    def sent(self, header: str) -> None:
        """Remember an Authorization header as it was sent, with the digest response inside it."""
        value = header.split(" ", 1)[-1]
        self.add(value)
        for match in _DIGEST_RESPONSE.finditer(header):
            self.add(match.group(1))

    def __call__(self, text: str) -> str:
        text = _USERINFO.sub(r"\1", text)
        text = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = _replace_folded(text, secret)
        return text

    def line(self, text: str, limit: int = 200) -> str:
        """``text`` as one printable line of at most ``limit`` characters, redacted before it is cut."""
        # Redacted before (a secret with a newline in it) and after (one split by a newline) the collapse.
        text = self(" ".join(_UNPRINTABLE.sub(" ", self(text)).split()))
        return text if len(text) <= limit else text[: limit - 1] + "…"


def _replace_folded(text: str, secret: str) -> str:
    """Replace ``secret`` in ``text`` ignoring case: a store may echo a hex digest or %-escape in upper case."""
    return re.sub(re.escape(secret), REDACTED, text, flags=re.IGNORECASE)
