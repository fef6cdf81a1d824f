"""`publish` as an attacker's store meets it, and the HTTP client chosen for it, measured.

Figures (run() returns them; main() prints them, with every pair):
- credentials sent across origins over the redirect matrix (301, 302, 303, 307, 308 × same origin,
  another port, localhost for 127.0.0.1 × basic, bearer, digest): the client now, and the urllib
  client it replaced (git show BEFORE:src/cubagraph/store/client.py), to show the matrix can see a leak
- secrets printed when a store echoes the credentials back in its error page
- how long a trickling, header-trickling and silent store hold a request, as a ratio to the timeout
- publishing the seed graph to a real Oxigraph server, httpx against urllib, alternated in one run

Usage: .venv/bin/python benchmarks/abuse_publish.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import base64
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import types
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from hostile_store import HostileStore

from cubagraph import project
from cubagraph.store import client as current
from cubagraph.store import publish
from cubagraph.store.client import Auth, Client

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "e57e219"  # the last commit with the urllib client
USER, SECRET, TOKEN = "ana", "s3cret Pa55/ü&=x", "tok-s3cret_Pa55%2F"
CODES, WHERE = (301, 302, 303, 307, 308), ("same", "port", "localhost")
TIMEOUT = 2.0


def urllib_client() -> types.ModuleType | None:
    """The client as it was before httpx, loaded from git, or None outside a clone."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BEFORE}:src/cubagraph/store/client.py"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("cubagraph.store.client_urllib")
    module.__package__ = "cubagraph.store"
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(source, "client_urllib.py", "exec"), module.__dict__)
    return module


def auths(module: Any) -> dict[str, Any]:
    return {
        "basic": module.Auth("basic", USER, SECRET),
        "bearer": module.Auth("bearer", token=TOKEN),
        "digest": module.Auth("digest", USER, SECRET),
    }


def across_origins(module: Any) -> int:
    """Requests carrying credentials that reached an origin other than the one named, over the matrix."""
    total = 0
    for kind, auth in auths(module).items():
        for code in CODES:
            for where in WHERE:
                other = HostileStore("sparql", challenge="digest")
                store = HostileStore("redirect", code=code, challenge="digest" if kind == "digest" else None)
                store.location = {
                    "same": f"{store.url}/moved",
                    "port": f"{other.url}/moved",
                    "localhost": f"http://localhost:{store.port}/moved",
                }[where]
                with contextlib.suppress(Exception):  # refused, or failed elsewhere: only what was sent counts
                    module.Client(auth, retries=0, timeout=5).query(f"{store.url}/query", "ASK {}")
                total += other.credentials_from("") + store.credentials_from("localhost")
                other.close()
                store.close()
    return total


def secrets_printed() -> int:
    """Forms of the credentials found in the messages about stores that echo them."""
    found = 0
    for kind, auth in auths(current).items():
        store = HostileStore("echo", challenge="digest" if kind == "digest" else None)
        try:
            Client(auth, retries=0, timeout=5).query(f"{store.url}/query", "ASK {}")
            message = ""
        except Exception as exc:
            message = str(exc)
        sent = [s.authorization.split(" ", 1)[1] for s in store.seen if s.authorization]
        responses = [p.split("=", 1)[1].strip('"') for h in sent for p in h.split(", ") if p.startswith("response=")]
        store.close()
        for secret in (SECRET, TOKEN, *sent, *responses):
            variants = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
            variants.add(base64.b64encode(f"{USER}:{secret}".encode()).decode())
            found += sum(1 for v in variants if v.lower() in message.lower())
    return found


def stalled(mode: str) -> float:
    """Seconds one request to a ``mode`` store took, over the timeout."""
    store = HostileStore(mode, interval=0.2)
    started = time.monotonic()
    with contextlib.suppress(Exception):
        Client(Auth(), retries=4, timeout=TIMEOUT).query(f"{store.url}/query", "ASK {}")
    took = time.monotonic() - started
    store.close()
    return took / TIMEOUT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def publish_to_fresh_oxigraph(client: Any, proj: project.Project, quads: list[ox.Quad]) -> float:
    """Seconds to publish the seeds with ``client`` to a new, empty Oxigraph server (its start not counted)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "oxigraph"), "serve", "--location", tmp, "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(400):
                try:
                    with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1) as response:
                        response.read()
                    break
                except OSError:
                    time.sleep(0.05)
            target = publish.Target.of(f"{url}/store", None)
            started = time.perf_counter()
            report = publish.publish(proj, quads, target, client, prune=False, dry_run=False)
            took = time.perf_counter() - started
            assert not report.failed and all(g.status == "published" for g in report.graphs)
            return took
        finally:
            server.terminate()
            server.wait()


def compare_clients(rounds: int) -> list[tuple[float, float]]:
    """(httpx seconds, urllib seconds) to publish the seeds, each to a fresh Oxigraph, alternating who goes first."""
    old = urllib_client()
    if old is None:
        return []
    proj = project.find(ROOT)
    quads = list(ox.parse(path=str(proj.trig), format=ox.RdfFormat.TRIG))
    pairs = []
    for i in range(rounds):
        clients = {"httpx": Client(Auth()), "urllib": old.Client(old.Auth())}
        order = ["httpx", "urllib"] if i % 2 == 0 else ["urllib", "httpx"]
        took = {name: publish_to_fresh_oxigraph(clients[name], proj, quads) for name in order}
        pairs.append((took["httpx"], took["urllib"]))
    return pairs


def run(rounds: int = 5) -> dict[str, Any]:
    old = urllib_client()
    pairs = compare_clients(rounds)
    return {
        "credentials sent across origins": across_origins(current),
        "credentials sent across origins, urllib client before": across_origins(old) if old else None,
        "redirects tried (per client)": len(CODES) * len(WHERE) * 3,
        "secrets printed": secrets_printed(),
        "trickling store: duration / timeout": stalled("trickle"),
        "header-trickling store: duration / timeout": stalled("trickle-headers"),
        "silent store: duration / timeout": stalled("silent"),
        "publish pairs (httpx s, urllib s)": pairs,
        "publish httpx / urllib, median": statistics.median(h / u for h, u in pairs) if pairs else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    figures = run(parser.parse_args().rounds)
    for i, (h, u) in enumerate(figures.pop("publish pairs (httpx s, urllib s)"), 1):
        print(f"publish round {i}: httpx {h * 1000:.1f} ms, urllib {u * 1000:.1f} ms, ratio {h / u:.2f}")
    for name, value in figures.items():
        print(f"{name}: {value:.2f}" if isinstance(value, float) else f"{name}: {value}")


if __name__ == "__main__":
    main()
