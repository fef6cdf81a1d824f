"""Publish the seed graph to a fresh Oxigraph server and query it back, timed end to end.

Server start included: start `oxigraph serve` on an empty directory, wait
until it answers, publish, run every saved query remotely, stop it.

Usage: .venv/bin/python benchmarks/publish_roundtrip.py
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from cubagraph import project
from cubagraph.sparql import queries
from cubagraph.store import publish
from cubagraph.store.client import Auth, Client

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    proj = project.find(ROOT)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "oxigraph"), "serve", "--location", tmp, "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1) as r:
                        r.read()
                    break
                except OSError:
                    time.sleep(0.02)
            t1 = time.perf_counter()
            target = publish.Target.of(f"http://127.0.0.1:{port}/store", None)
            client = Client(Auth())
            quads = list(ox.parse(path=str(proj.trig), format=ox.RdfFormat.TRIG))
            report = publish.publish(proj, quads, target, client, prune=False, dry_run=False)
            assert not report.failed
            t2 = time.perf_counter()
            graphs = sorted({q.graph_name.value for q in quads})
            library = queries.library(proj.queries)
            for saved in library.values():
                params = {"actor": "<https://cubagraph.example/id/actor/antony-blinken>"} if saved.params else None
                publish.run_query(client, target, saved.text, proj.prefixes(), graphs, params)
            t3 = time.perf_counter()
        finally:
            server.terminate()
            server.wait()
    print(
        f"server start {t1 - t0:.2f} s; publish {t2 - t1:.2f} s ({len(quads):,} quads); {len(library)} saved queries {t3 - t2:.2f} s; total {t3 - t0:.2f} s"
    )


if __name__ == "__main__":
    main()
