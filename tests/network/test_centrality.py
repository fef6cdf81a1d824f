"""Our sampled betweenness gives networkx's figures: same sources, same accumulation, same scaling."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from cubagraph.network import centrality


def _graph(n: int, m: int, seed: int) -> tuple[list[str], list[tuple[int, int]]]:
    rng = random.Random(seed)
    names = sorted(f"actor-{i:04d}" for i in range(n))
    pairs = sorted({tuple(sorted(rng.sample(range(n), 2))) for _ in range(m)})
    return names, pairs  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("n", "m", "k", "seed"), [(60, 90, 8, 1), (300, 900, 32, 20), (1200, 2500, 32, 20), (40, 30, 5, 3)]
)
def test_sampled_is_networkx_estimate(n: int, m: int, k: int, seed: int) -> None:
    names, pairs = _graph(n, m, seed)
    g = nx.Graph()
    g.add_nodes_from(names)  # sorted: networkx samples from the nodes in this order
    g.add_edges_from((names[a], names[b]) for a, b in pairs)
    expected = nx.betweenness_centrality(g, k=k, normalized=True, seed=seed)
    got = centrality.sampled(names, pairs, k, seed)
    assert got.keys() == expected.keys()
    assert max(abs(got[v] - expected[v]) for v in names) < 1e-12
    assert any(v > 0 for v in got.values())  # a graph with paths through its nodes: the test says something


def test_exact_is_networkx_exact() -> None:
    names, pairs = _graph(200, 500, 7)
    g = nx.Graph()
    g.add_nodes_from(names)
    g.add_edges_from((names[a], names[b]) for a, b in pairs)
    expected = nx.betweenness_centrality(g, normalized=True)
    got = centrality.exact(names, pairs)
    assert max(abs(got[v] - expected[v]) for v in names) < 1e-12
