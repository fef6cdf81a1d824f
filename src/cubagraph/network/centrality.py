"""Betweenness on the actor overview: exact with rustworkx where the overview is small, else estimated from a sample.

rustworkx computes exact betweenness (in Rust) but has no sampled estimate,
and networkx's estimate walks dicts of dicts in Python: 1.8 s for 32 sources
over the 4,000 actors of 10,000 documents, more than the whole of a `stats`
process that reads the rest from the kept projection. :func:`sampled` is the
same algorithm (Brandes' accumulation from each sampled source, networkx's
choice of sources and its scaling) over lists of integers, and gives
networkx's figures (tests/network/test_centrality.py compares them).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Sequence


def exact(names: Sequence[str], pairs: Iterable[tuple[int, int]]) -> dict[str, float]:
    """Normalised betweenness of every node, exactly (rustworkx)."""
    import rustworkx as rx

    r = rx.PyGraph()
    r.add_nodes_from(list(names))
    r.add_edges_from_no_data(list(pairs))
    got = rx.betweenness_centrality(r, normalized=True)
    return {names[i]: got[i] for i in r.node_indices()}


def sampled(names: Sequence[str], pairs: Iterable[tuple[int, int]], k: int, seed: int) -> dict[str, float]:
    """Normalised betweenness estimated from ``k`` sources drawn with ``seed``, as networkx's
    ``betweenness_centrality(G, k, normalized=True, seed=seed)`` gives it for a graph whose nodes are
    ``names`` in that order and whose edges are ``pairs`` (indexes into ``names``) in that order."""
    n = len(names)
    adjacent: list[list[int]] = [[] for _ in range(n)]
    for a, b in pairs:  # in the order networkx's adjacency has them, so that sums add up in its order
        adjacent[a].append(b)
        adjacent[b].append(a)
    # networkx draws its sources with random.Random(seed).sample(list(G), k): by position, as here.
    sources = random.Random(seed).sample(range(n), k)
    score = [0.0] * n
    for s in sources:
        sigma = [0.0] * n
        distance = [-1] * n
        before: list[list[int]] = [[] for _ in range(n)]
        sigma[s], distance[s] = 1.0, 0
        order: list[int] = []
        queue = deque([s])
        while queue:
            v = queue.popleft()
            order.append(v)
            next_distance, paths = distance[v] + 1, sigma[v]
            for w in adjacent[v]:
                if distance[w] < 0:
                    queue.append(w)
                    distance[w] = next_distance
                if distance[w] == next_distance:
                    sigma[w] += paths
                    before[w].append(v)
        delta = [0.0] * n
        while order:
            w = order.pop()
            coefficient = (1 + delta[w]) / sigma[w]
            for v in before[w]:
                delta[v] += sigma[v] * coefficient
            if w != s:
                score[w] += delta[w]
    # networkx's rescaling without endpoints, sampled: a source cannot lie between itself and others.
    every = n - 1  # the (s, t) pairs a node may lie between, per source
    if every < 2 or k < 2:
        return dict(zip(names, score, strict=True))
    chosen = set(sources)
    source_scale, other_scale = 1 / ((k - 1) * (every - 1)), 1 / (k * (every - 1))
    return {name: score[i] * (source_scale if i in chosen else other_scale) for i, name in enumerate(names)}
