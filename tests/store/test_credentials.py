"""Credentials stay with their origin, are never printed, and no store holds `publish` past its deadline.

Against live servers on 127.0.0.1 started here: the hostile store of benchmarks/hostile_store.py
(redirecting, echoing, trickling, silent), as the CLI and the client meet it.
"""

from __future__ import annotations

import base64
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cubagraph.errors import CubagraphError
from cubagraph.store import publish, wire
from cubagraph.store.auth import Auth, Redactor, origin, safe_url
from cubagraph.store.client import Client, StoreError
from support import ROOT, Result

sys.path.insert(0, str(ROOT / "benchmarks"))
from hostile_store import HostileStore, echo

USER = "ana"
SECRET = "s3cret Pa55/ü&=x"  # a space, a slash, a non-ASCII letter, & and =: every encoding differs
TOKEN = "tok-s3cret_Pa55%2F"
AUTHS = {
    "basic": Auth("basic", USER, SECRET),
    "bearer": Auth("bearer", token=TOKEN),
    "digest": Auth("digest", USER, SECRET),
}
CODES = (301, 302, 303, 307, 308)
WHERE = ("same origin", "another port", "localhost for 127.0.0.1")


def forms(secret: str) -> list[str]:
    """Every form of a secret that must not be printed."""
    return [
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
        base64.b64encode(f"{USER}:{secret}".encode()).decode(),
    ]


SECRET_FORMS = forms(SECRET) + forms(TOKEN)


@pytest.fixture
def stores() -> Iterator[list[HostileStore]]:
    """Stores made by a test, closed after it."""
    made: list[HostileStore] = []
    yield made
    for store in made:
        store.close()


def leaked(text: str, *also: str) -> list[str]:
    return [form for form in [*SECRET_FORMS, *also] if form and form.lower() in text.lower()]


@pytest.mark.parametrize("kind", AUTHS)
def test_the_redirect_matrix_sends_no_credentials_to_another_origin(kind: str, stores: list[HostileStore]) -> None:
    """301, 302, 303, 307, 308 × same origin, another port, localhost for 127.0.0.1."""
    outcomes = []
    for code in CODES:
        for where in WHERE:
            other = HostileStore("sparql", challenge="digest")  # it would take credentials if offered
            store = HostileStore("redirect", code=code, challenge="digest" if kind == "digest" else None)
            stores += [other, store]
            store.location = {
                "same origin": f"{store.url}/moved",
                "another port": f"{other.url}/moved",
                "localhost for 127.0.0.1": f"http://localhost:{store.port}/moved",
            }[where]
            try:
                Client(AUTHS[kind], retries=0, timeout=5).query(f"{store.url}/query", "ASK {}")
                outcome = "followed"
            except StoreError as exc:
                message = str(exc)
                assert "\n" not in message and not leaked(message), message
                assert "not followed" in message and "pass that URL to --store" in message, message
                outcome = "refused"
            across = other.credentials_from("") + store.credentials_from("localhost")
            assert across == 0, (code, where)
            assert other.seen == [] and store.credentials_from("localhost") == 0
            # The same origin keeps the method only on 307 and 308; those are followed, with credentials.
            expected = "followed" if where == "same origin" and code in (307, 308) else "refused"
            assert outcome == expected, (code, where)
            if outcome == "followed":
                assert [s.path for s in store.seen if s.authorization][-1] == "/moved"
            outcomes.append((code, where, outcome, across))
    print(f"{kind}: {len(outcomes)} redirects, credentials sent across origins: {sum(o[3] for o in outcomes)}")


def test_publish_refuses_a_redirect_to_another_origin(
    run: Callable[..., Result], stores: list[HostileStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUBAGRAPH_STORE_USER", USER)
    monkeypatch.setenv("CUBAGRAPH_STORE_PASSWORD", SECRET)
    other = HostileStore("sparql")
    stores.append(other)
    # The Location itself carries the password, escaped or raw: it must not be printed either.
    for password, said in (
        (urllib.parse.quote(SECRET, safe=""), f"pointing to another origin, http://127.0.0.1:{other.port}/moved; "),
        (SECRET, "a redirect whose Location is not a valid URL; "),
    ):
        location = f"http://{USER}:{password}@127.0.0.1:{other.port}/moved"
        store = HostileStore("redirect", code=302, location=location)
        stores.append(store)
        result = run("publish", "--store", f"{store.url}/store", "--auth", "basic", cwd=ROOT)
        assert result.code == 1
        assert result.err.count("\n") == 1, result.err
        assert said + "not followed" in result.err, result.err
        assert not leaked(result.out + result.err, "s3cret", "Pa55"), result.err
        assert other.seen == []
        assert [s.authorization.split(" ")[0] for s in store.seen] == ["Basic"]  # its own origin: once, not retried


@pytest.mark.parametrize("kind", AUTHS)
def test_echoed_credentials_are_never_printed(
    kind: str, run: Callable[..., Result], stores: list[HostileStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUBAGRAPH_STORE_USER", USER)
    monkeypatch.setenv("CUBAGRAPH_STORE_PASSWORD", SECRET)
    monkeypatch.setenv("CUBAGRAPH_STORE_TOKEN", TOKEN)
    store = HostileStore("echo", challenge="digest" if kind == "digest" else None)
    stores.append(store)
    result = run("publish", "--store", f"{store.url}/store", "--auth", kind, "--retries", "0", cwd=ROOT)
    assert result.code == 1
    assert "HTTP 400 Bad Request: " in result.err and "[redacted]" in result.err, result.err
    sent = [s.authorization for s in store.seen if s.authorization]
    assert sent, "the store got no credentials to echo"
    digest_responses = [part.split("=", 1)[1].strip('"') for h in sent for part in h.split(", ") if "response=" in part]
    assert not leaked(result.out + result.err, *digest_responses, *(h.split(" ", 1)[1] for h in sent))
    # The whole page, not only the part that fits on the line, is clean once redacted.
    redact = Redactor.of(AUTHS[kind])
    for header in sent:
        redact.sent(header)
    page = redact(echo([("Authorization", h) for h in sent]).decode())
    assert not leaked(page, *digest_responses), page


def test_a_bad_bearer_token_is_a_clear_error_not_a_crash(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUBAGRAPH_STORE_TOKEN", "tok-é\nX-Injected: 1")
    result = run("publish", "--store", "http://127.0.0.1:9/store", "--auth", "bearer", cwd=ROOT)
    assert result.code == 1
    assert "$CUBAGRAPH_STORE_TOKEN holds a space, a control or a non-ASCII character" in result.err
    assert "tok-" not in result.err


@pytest.mark.parametrize("mode", ["trickle", "trickle-headers", "silent"])
def test_a_stalled_store_is_cut_off_at_the_deadline(
    mode: str, run: Callable[..., Result], stores: list[HostileStore]
) -> None:
    """One deadline bounds the whole request: a byte every 0.2 s does not keep publish alive."""
    timeout = 2.0
    store = HostileStore(mode, interval=0.2)
    stores.append(store)
    started = time.monotonic()
    result = run("publish", "--store", f"{store.url}/store", "--timeout", str(timeout), cwd=ROOT)
    took = time.monotonic() - started
    print(f"{mode}: publish --timeout {timeout:g} ended after {took:.2f} s ({took / timeout:.2f} × the timeout)")
    assert result.code == 1
    assert f"no complete answer within --timeout {timeout:g} s" in result.err and result.err.count("\n") == 1
    assert took <= 2 * timeout


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "1e9"])
def test_a_timeout_that_is_not_a_duration_is_a_clear_error(value: str, run: Callable[..., Result]) -> None:
    result = run("publish", "--store", "http://127.0.0.1:9/store", "--timeout", value, cwd=ROOT)
    assert result.code == 1
    assert "is not a number of seconds between 0 and 86400" in result.err and result.err.count("\n") == 1


def test_a_secret_is_redacted_in_every_form_a_store_may_quote_it() -> None:
    """Raw, URL-encoded (both ways, any case), base64, HTML- and JSON-escaped, and in a URL's userinfo."""
    import html
    import json

    redact = Redactor.of(AUTHS["basic"])
    redact.add(TOKEN)
    quoted = [
        *forms(SECRET),
        *forms(TOKEN)[:3],  # a bearer token is never base64-encoded with a user
        urllib.parse.quote(SECRET, safe="").lower(),
        html.escape(SECRET),
        json.dumps(SECRET)[1:-1],
        json.dumps(TOKEN)[1:-1],
        f"http://{USER}:{urllib.parse.quote(SECRET, safe='')}@127.0.0.1:9/x",
        f"Authorization: Basic {base64.b64encode(f'{USER}:{SECRET}'.encode()).decode()}",
    ]
    for form in quoted:
        shown = redact.line(f"<p>you sent {form} to us</p>")
        assert not leaked(shown, html.escape(SECRET), json.dumps(SECRET)[1:-1], "s3cret"), (form, shown)


def test_the_environments_proxy_is_used_as_urllib_used_it(
    stores: list[HostileStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """http_proxy sends the request through the proxy; no_proxy names hosts reached directly."""
    proxy, direct = HostileStore("sparql"), HostileStore("sparql")
    stores += [proxy, direct]
    for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", proxy.url)
    Client(Auth(), retries=0, timeout=5).query("http://store.invalid:7878/query", "ASK {}")
    assert [s.path for s in proxy.seen] == ["http://store.invalid:7878/query"]
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    Client(Auth(), retries=0, timeout=5).query(f"{direct.url}/query", "ASK {}")
    assert len(proxy.seen) == 1 and [s.path for s in direct.seen] == ["/query"]


PIECES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)


@settings(max_examples=400, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
    userinfo=st.sampled_from(["", "ana:s3cret-PW@", "s3cret-PW@", "ana:s3cret-PW:x@", "ana:s3cret-PW@x@"]),
    host=st.one_of(st.sampled_from(["127.0.0.1", "localhost", "[::1]", "xn--", "[::1", "é.invalid"]), PIECES),
    port=st.one_of(st.just(""), st.integers(-1, 70_000).map(lambda n: f":{n}"), PIECES.map(lambda s: ":" + s)),
    path=st.one_of(st.just("/store"), PIECES.map(lambda s: "/" + s)),
)
def test_any_store_url_is_taken_or_refused_clearly(scheme: str, userinfo: str, host: str, port: str, path: str) -> None:
    """No URL on the command line gets past the checks and then breaks the client (exit 70)."""
    url = f"{scheme}://{userinfo}{host}{port}{path}"
    try:
        target = publish.Target.of(url, url)
    except CubagraphError as exc:
        assert "\n" not in str(exc) and "s3cret-PW" not in str(exc), exc
        return
    origin(target.store)
    safe_url(target.store)
    wire.transport(target.store, wire.WatchedBackend()).close()
    Client(Auth(), retries=0, timeout=1)._session(target.store).build_request("POST", target.query)


@settings(max_examples=300, deadline=None)
@given(
    password=st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\uffff"), min_size=1, max_size=24
    ),
    token=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=24),
    around=st.lists(st.text(st.characters(exclude_characters="\uffff"), max_size=12), min_size=6, max_size=6),
)
def test_every_form_of_a_secret_is_redacted(password: str, token: str, around: list[str]) -> None:
    """Whatever the password and token, no form of them a store could echo survives the redactor."""
    user = "ana"
    forms = []
    for secret in (password, token):
        forms += [secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)]
        forms += [urllib.parse.quote(secret, safe="").lower(), f"{user}:{secret}"]
    forms.append(base64.b64encode(f"{user}:{password}".encode()).decode())
    page = "".join(a + f for a, f in zip(around, forms, strict=False)) + " ".join(forms)
    redact = Redactor.of(Auth("basic", user, password))
    redact.add(token)
    for shown in (redact(page), redact.line(page, 10**6)):
        shown = shown.replace("[redacted]", "\uffff")  # a mark no generated text holds
        left = [f for f in forms if f.lower() in shown.lower()]
        assert not left, (shown, left)


@pytest.mark.parametrize(
    ("code", "location", "said"), [(302, "", "no Location to follow"), (307, "/query", "redirects")]
)
def test_a_redirect_that_leads_nowhere_is_a_clear_error(
    code: int, location: str, said: str, stores: list[HostileStore]
) -> None:
    store = HostileStore("redirect", code=code, location=location)
    stores.append(store)
    with pytest.raises(StoreError, match=said) as caught:
        Client(Auth(), retries=3, timeout=5).query(f"{store.url}/query", "ASK {}")
    assert "\n" not in str(caught.value) and len(store.seen) <= 6  # not retried: it would loop again


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, made by openssl for this test."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    make = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
    subprocess.run(
        [*make, "-keyout", str(key), "-out", str(cert), "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


def test_https_trusts_the_systems_cas_and_ssl_cert_file(
    certificate: tuple[str, str], stores: list[HostileStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = HostileStore("sparql", tls=certificate)
    stores.append(store)
    wire._system_tls.cache_clear()
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with pytest.raises(StoreError, match=r"TLS certificate is not trusted .* \$SSL_CERT_FILE") as caught:
        Client(Auth(), retries=3, timeout=5).query(f"{store.url}/query", "ASK {}")
    assert "\n" not in str(caught.value) and len(store.seen) == 0  # not retried, nothing sent
    wire._system_tls.cache_clear()
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])
    try:
        assert Client(Auth(), retries=0, timeout=5).query(f"{store.url}/query", "ASK {}")["results"] == {"bindings": []}
        # From https to http on the same host and port is another origin: refused, like any other.
        down = HostileStore("redirect", code=307, tls=certificate)
        stores.append(down)
        down.location = f"http://127.0.0.1:{down.port}/moved"
        with pytest.raises(StoreError, match="pointing to another origin"):
            Client(AUTHS["basic"], retries=0, timeout=5).query(f"{down.url}/query", "ASK {}")
        assert [s.path for s in down.seen] == ["/query"]
    finally:
        wire._system_tls.cache_clear()
