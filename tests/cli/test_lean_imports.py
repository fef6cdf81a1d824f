"""The runtime stays lean: what `-X importtime` says each command imports.

pyvis 0.3.2's ``__init__`` imports ``pyvis.network``, which imports IPython, jinja2 and jsonpickle
(0.3 s here). The build needs none of them: it takes the vis-network file that pyvis ships, found
without importing pyvis (docs/dependencies.md). `--help` imports none of the heavy libraries at all.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from support import ROOT

NEVER = ("pyvis", "IPython", "jinja2", "jsonpickle")


def imported(*args: str, cwd: Path = ROOT) -> set[str]:
    """The modules that `python -X importtime -m cubagraph ARGS` imports, from its stderr."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cubagraph", *args], cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                names.add(name)
    assert "cubagraph.cli" in names, "-X importtime printed nothing that could be read"
    return names


def _top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def test_help_imports_no_heavy_library() -> None:
    top = _top(imported("--help"))
    for heavy in (*NEVER, "networkx", "pyoxigraph", "pydantic", "rdflib", "httpx", "yaml"):
        assert heavy not in top, f"--help imports {heavy}"


def test_a_build_with_the_view_imports_neither_pyvis_nor_ipython(tmp_path: Path) -> None:
    for name in ("data", "ontology", "queries", "exports"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "exports" / "graph.html").unlink()  # so that the view is drawn again
    top = _top(imported("build", "--no-cache", cwd=tmp_path))
    assert "networkx" in top, "the build drew no view: the test would prove nothing"
    for never in NEVER:
        assert never not in top, f"the build imports {never}"
    page = (tmp_path / "exports" / "graph.html").read_text(encoding="utf-8")
    assert "vis-network" in page or "vis.Network" in page  # the library pyvis ships is still inlined
