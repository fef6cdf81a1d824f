"""The on-disk query store follows the builds: after an edit, only the named graphs whose parts changed are replaced."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cubagraph.sparql import stores
from support import ROOT, Result

spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
assert spec is not None and spec.loader is not None
corpus = importlib.util.module_from_spec(spec)
spec.loader.exec_module(corpus)

# Run in a process of its own: an on-disk store leaves threads behind, and this process forks for
# `cubagraph query` in other tests (a fork of a process with threads can hang).
SCRIPT = """
import json, sys
from pathlib import Path
import pyoxigraph as ox
from cubagraph.sparql import stores
trig, cache = Path(sys.argv[1]), Path(sys.argv[2])
made = []
path = stores.store_copy(trig, cache, lambda: made.append(1))
out = {"path": str(path), "made": len(made)}
if sys.argv[3:]:
    fresh = ox.Store()
    fresh.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    store = ox.Store.read_only(str(path))
    out["same"] = set(store) == set(fresh)
    out["quads"] = len(fresh)
    out["found"] = len(list(store.query(sys.argv[3])))
print(json.dumps(out))
"""


def _copy(directory: Path, query: str = "") -> dict[str, Any]:
    trig, cache = directory / "exports" / "cubagraph.trig", directory / ".cubagraph"
    args = [sys.executable, "-c", SCRIPT, str(trig), str(cache), *([query] if query else [])]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def test_the_store_follows_edits_graph_by_graph(run: Callable[..., Result], tmp_path: Path) -> None:
    directory = tmp_path / "corpus"
    corpus.generate(directory, 40)
    assert run("build", cwd=directory).code == 0
    first = _copy(directory)
    assert first["made"] == 1
    assert _copy(directory) == {"path": first["path"], "made": 0}  # kept as it is

    mapping = directory / "data" / "mappings" / "doc-00005.yaml"
    mapping.write_text(mapping.read_text("utf-8").replace('summary: "Claim 0', 'summary: "Edited 0', 1), "utf-8")
    (directory / "data" / "mappings" / "doc-00009.yaml").unlink()
    assert run("build", cwd=directory).code == 0
    followed = _copy(directory, 'SELECT ?c WHERE { GRAPH ?g { ?c ?p "Edited 0 of report 5" } }')
    assert followed["path"] == first["path"] and followed["made"] == 0, "followed, not made afresh"
    # Exactly what a store made afresh from the new TriG holds.
    assert followed["same"] and followed["quads"] > 10_000 and followed["found"] == 1
    state = json.loads((directory / ".cubagraph" / stores.STATE).read_text("utf-8"))
    assert len(state["graphs"]) == 39 + 2  # documents, the registry and the ontology

    # A TriG changed by something else than a build: made afresh, and the old copy goes.
    trig = directory / "exports" / "cubagraph.trig"
    trig.write_bytes(trig.read_bytes() + b"\n")
    again = _copy(directory)
    assert again["made"] == 1 and again["path"] != first["path"] and not Path(first["path"]).exists()


def _query(directory: Path, text: str) -> subprocess.CompletedProcess[str]:
    """`cubagraph query` in a process of its own, with the on-disk store even for a small graph."""
    code = "import sys; from cubagraph.sparql import engine, stores; engine.SMALL = stores.SMALL = 0; "
    code += "from cubagraph import cli; sys.exit(cli.main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "query", text], cwd=directory, capture_output=True, text=True, timeout=300
    )


def test_the_first_query_after_an_edit_reads_the_edit(run: Callable[..., Result], tmp_path: Path) -> None:
    directory = tmp_path / "corpus"
    corpus.generate(directory, 30)
    assert run("build", cwd=directory).code == 0
    query = 'SELECT ?c WHERE { GRAPH ?g { ?c ?p "Edited 0 of report 3" } }'
    first = _query(directory, query)
    assert first.returncode == 0 and "making the query store" in first.stderr, first.stderr
    assert "doc-00003.claim-0" not in first.stdout
    mapping = directory / "data" / "mappings" / "doc-00003.yaml"
    mapping.write_text(mapping.read_text("utf-8").replace('summary: "Claim 0', 'summary: "Edited 0', 1), "utf-8")
    assert run("build", cwd=directory).code == 0
    after = _query(directory, query)
    assert after.returncode == 0 and "making the query store" not in after.stderr, after.stderr
    assert "doc-00003.claim-0" in after.stdout


def test_parts_renamed_with_the_trig_unchanged_are_learnt_not_made_afresh(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    """A new cubagraph names every piece anew and may write a TriG of the same bytes: the copy still follows."""
    directory = tmp_path / "corpus"
    corpus.generate(directory, 30)
    assert run("build", cwd=directory).code == 0
    first = _copy(directory)
    assert first["made"] == 1
    # As such a build leaves it: the TriG untouched, the manifest written again with new names for its
    # parts. Here the copy's record is given old names instead, and the manifest rewritten as it was.
    store_state = directory / ".cubagraph" / stores.STATE
    state = json.loads(store_state.read_text("utf-8"))
    names = state["graphs"]
    state["graphs"] = {"old-" + k: v for k, v in names.items()}
    store_state.write_text(json.dumps(state), "utf-8")
    manifest = directory / ".cubagraph" / "exports.json"
    manifest.write_text(manifest.read_text("utf-8"), "utf-8")
    assert _copy(directory) == {"path": first["path"], "made": 0}
    assert json.loads(store_state.read_text("utf-8"))["graphs"] == names  # the manifest's names, learnt

    # The next edit is followed: one graph replaced, no copy made afresh.
    mapping = directory / "data" / "mappings" / "doc-00004.yaml"
    mapping.write_text(mapping.read_text("utf-8").replace('summary: "Claim 0', 'summary: "Edited 0', 1), "utf-8")
    assert run("build", cwd=directory).code == 0
    followed = _copy(directory, 'SELECT ?c WHERE { GRAPH ?g { ?c ?p "Edited 0 of report 4" } }')
    assert followed["path"] == first["path"] and followed["made"] == 0
    assert followed["same"] and followed["found"] == 1
