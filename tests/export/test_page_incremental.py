"""The page and the Gephi files after edits: the bytes of a build from nothing, with only what an edit touched made again.

A generated corpus (benchmarks/corpus.py) of 150 documents puts about 1,750
nodes on the page, more than picture.NOVERLAP, so labels do not move the
layout: an edited label keeps the picture (positions, sizes, colours), and
only the edited document's share of graph.html, GraphML and GEXF is made
again. Each step is compared, byte for byte, with a build of the same inputs
in a directory that never had a cache or a memo.
"""

from __future__ import annotations

import importlib.util
import json
import marshal
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cubagraph.export import picture
from cubagraph.network import layout
from support import ROOT, Result, digest, edit

spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
assert spec is not None and spec.loader is not None
corpus = importlib.util.module_from_spec(spec)
spec.loader.exec_module(corpus)

N = 150


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("page") / "corpus"
    corpus.generate(directory, N)
    return directory


def _fresh(run: Callable[..., Result], directory: Path, scratch: Path) -> dict[str, str]:
    """The exports of ``directory``'s inputs built where nothing was built before."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir()
    for name in ("data", "ontology", "queries"):
        shutil.copytree(directory / name, scratch / name)
    shutil.copy(directory / "pyproject.toml", scratch / "pyproject.toml")
    result = run("build", cwd=scratch)
    assert result.code == 0, result.err
    return digest(scratch / "exports")


def _items(directory: Path, name: str) -> list[str]:
    manifest = json.loads((directory / ".cubagraph" / "exports.json").read_text(encoding="utf-8"))
    keys: list[str] = manifest[name]["keys"]
    return keys


def test_edits_give_the_bytes_of_a_build_from_nothing(
    run: Callable[..., Result], generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The core laid out by force: its best-connected nodes, as 1,000 of a 1,000-document corpus's
    # 12,000 are (here 1,000 of 1,750 would reach down to nodes of one document).
    monkeypatch.setattr(layout, "CORE", 150)
    assert run("build", cwd=generated).code == 0
    memo = generated / ".cubagraph" / "viewer"
    drawn = marshal.loads((memo / picture.NAME).read_bytes())
    assert len(drawn["ids"]) > picture.NOVERLAP  # else labels would move the layout, and this test would say less
    before = (memo / picture.NAME).stat().st_mtime_ns
    page_before = _items(generated, "graph.html")
    gephi_before = _items(generated, "cubagraph.graphml")

    # A label: the picture is kept, and one share's items change in each drawn file.
    mapping = generated / "data" / "mappings" / "doc-00040.yaml"
    edit(mapping, 'summary: "Claim 0', 'summary: "Edited claim 0')
    assert run("build", cwd=generated).code == 0
    assert (memo / picture.NAME).stat().st_mtime_ns == before
    page_after = _items(generated, "graph.html")
    gephi_after = _items(generated, "cubagraph.graphml")
    assert len(page_after) == len(page_before) > 2 * N
    changed = [k for k, (a, b) in enumerate(zip(page_before, page_after, strict=True)) if a != b]
    assert 1 <= len(changed) <= 2, changed  # the document's nodes, and its edges if an edge label changed
    # The document's nodes (with the drawing put in) and its edges, each named by the graph's id.
    assert sum(a != b for a, b in zip(gephi_before, gephi_after, strict=True)) == 2
    assert "Edited claim 0" in (generated / "exports" / "graph.html").read_text(encoding="utf-8")
    assert digest(generated / "exports") == _fresh(run, generated, tmp_path / "a")

    # A document removed: the page's structure changes, and the picture is made again.
    (generated / "data" / "mappings" / "doc-00007.yaml").unlink()
    assert run("build", cwd=generated).code == 0
    assert (memo / picture.NAME).stat().st_mtime_ns != before
    assert digest(generated / "exports") == _fresh(run, generated, tmp_path / "b")

    # A document added that tells of actors already linked: the best-connected nodes and the edges
    # between them are as they were, and their force layout is read back, not made again.
    core = (memo / picture.CORE).stat().st_mtime_ns
    mappings = generated / "data" / "mappings"
    copied = (mappings / "doc-00040.yaml").read_text(encoding="utf-8")
    (mappings / "doc-00150.yaml").write_text(copied.replace("doc-00040", "doc-00150"), encoding="utf-8")
    text = next((generated / "data" / "documents").glob("doc-00040*"))
    shutil.copy(text, text.with_name(text.name.replace("doc-00040", "doc-00150")))
    assert run("build", cwd=generated).code == 0
    assert (memo / picture.NAME).stat().st_mtime_ns != before
    assert (memo / picture.CORE).stat().st_mtime_ns == core
    assert digest(generated / "exports") == _fresh(run, generated, tmp_path / "b2")

    # A text changed where no quote is: the reader's block, nothing drawn.
    text = next((generated / "data" / "documents").glob("doc-00012*"))
    text.write_text(text.read_text(encoding="utf-8") + "\nA line added later.\n", encoding="utf-8")
    assert run("build", cwd=generated).code == 0
    assert digest(generated / "exports") == _fresh(run, generated, tmp_path / "c")

    # A memo lost: the page is made from the pieces, with the same bytes.
    for kept in memo.iterdir():
        kept.unlink()
    edit(mapping, 'summary: "Edited claim 0', 'summary: "Claim 0')
    assert run("build", cwd=generated).code == 0
    assert digest(generated / "exports") == _fresh(run, generated, tmp_path / "d")
