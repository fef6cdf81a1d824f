"""The small ones of issue 15: each bad input gets a clear error (exit 1 or 2), never an internal error (exit 70)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

CUBAGRAPH = [sys.executable, "-m", "cubagraph"]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CUBAGRAPH, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("value", ["<not an iri>", "<>", "<http://a b/>", "actor:a b", "<\x7f>"])
def test_a_param_that_is_not_an_iri_is_exit_2(value: str) -> None:
    result = cli("query", "SELECT ?x WHERE { ?s ?p ?x } LIMIT 1", "--param", f"x={value}")
    assert result.returncode == 2, result.stderr
    assert "is not a valid IRI" in result.stderr and "internal error" not in result.stderr
