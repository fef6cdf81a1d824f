"""What `path` and `neighbors` print: edges that read one way, no redundant tails, a sensible order."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from cubagraph.graph.dataset import Dataset
from cubagraph.network import analysis, projection
from support import Result

A = "https://cubagraph.example/id/actor/"
HOP = re.compile(r"^ +(?:\d+ )?(—[^—←→]+→|←[^—←→]+—) \S")  # a hop line: —label→ or ←label—


@pytest.fixture(scope="module")
def g(dataset: Dataset) -> nx.MultiDiGraph:
    return projection.of(dataset)


def hop_lines(out: str) -> list[str]:
    """The lines that are hops (not the "— document, characters …" line under a quote)."""
    return [line for line in out.splitlines() if re.match(r"^ +(\d+ )?(—\S|←)", line)]


def test_every_edge_reads_one_way(run: Callable[..., Result], root: Path) -> None:
    out = run("path", "Blinken", "Cuban government", "--max", "5", cwd=root).out
    out += run("neighbors", "Cuba", "--depth", "2", cwd=root).out
    lines = hop_lines(out)
    assert len(lines) > 20
    for line in lines:
        assert HOP.match(line), line
    assert "—←" not in out and "←→" not in out


def test_a_reversed_edge_reads_from_the_node_above(run: Callable[..., Result], root: Path) -> None:
    lines = run("neighbors", "Cuba", cwd=root).out.splitlines()
    assert "  1 ←governs— Cuban government  [actor]" in lines  # the government governs Cuba
    lines = run("neighbors", "Cuban government", cwd=root).out.splitlines()
    assert "  1 —governs→ Cuba  [actor]" in lines


def test_neighbors_has_no_tail_and_nests_each_node_under_the_one_that_reaches_it(
    run: Callable[..., Result], root: Path
) -> None:
    out = run("neighbors", "Cuban government", "--depth", "2", cwd=root).out
    assert "(from " not in out
    lines = out.splitlines()
    assert lines[0] == "Cuban government  [actor]"
    depth = [int(m[1]) for line in lines[1:] if (m := re.match(r"^ +(\d+) ", line))]
    assert depth[0] == 1 and 2 in depth
    # A node at distance 2 follows its parent at distance 1 (or a sibling), never another branch's.
    for before, after in itertools.pairwise(depth):
        assert after <= before + 1
    cuba = lines.index("  1 —governs→ Cuba  [actor]")
    assert lines[cuba + 1] == "    2 ←is an organ of the state of— Cuban courts  [actor]"


def test_paths_shortest_then_fewest_reversed_then_by_label(g: nx.MultiDiGraph) -> None:
    found = analysis.paths(g, A + "antony-blinken", A + "cuban-government", limit=5)
    keys = [(len(p.hops), sum(h.label.startswith("←") for h in p.hops)) for p in found]
    assert keys == sorted(keys), keys
    first = found[0]
    assert [h.label for h in first.hops] == ["speaker", "about", "target"]  # the path docs/cli.md shows
    assert found == analysis.paths(g, A + "antony-blinken", A + "cuban-government", limit=5)


def test_path_prints_the_same_twice(run: Callable[..., Result], root: Path) -> None:
    once = run("path", "Blinken", "Cuban government", cwd=root).out
    assert once == run("path", "Blinken", "Cuban government", cwd=root).out
    assert once.splitlines()[2] == "    —speaker→ Antony Blinken: social media post  [statement]"
