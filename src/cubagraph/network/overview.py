"""The actor overview: one node per actor, two actors linked when facts link them.

The full projection (:mod:`cubagraph.network.projection`) draws every event,
statement, figure and claim as a node of its own. That is what provenance
needs, but it is a hairball to look at. The overview folds the facts away:
two actors are linked when one fact has both among its roles (speaker, about,
calls for, agent, affected, target, subject, object, holds/in, asserted by
...), and the link carries the facts behind it, so nothing is lost; it is
only counted.

A statement and its demands are one bundle: the demand "calls for" what the
statement's speaker asks, so Antony Blinken is linked to Political prisoners
by the statement (speaker → about) and by its demand (about Political
prisoners, made by Blinken). Facts are not followed into other facts (a
statement *about* an event does not tie its speaker to the event's agents):
that would link nearly everyone.

The registry's own structure between actors (governs, is part of) is not a
fact from a document; it is kept on the edge apart, under ``registry``.

API (small on purpose; helper code such as sampled betweenness reads only this):

- :func:`overview` — the overview of a whole projection (``nx.MultiDiGraph``).
- :func:`contributions` — one graph's share (a document's nodes and edges,
  e.g. a :class:`~cubagraph.network.projection.Projection`), and
  :func:`combine` — the overview from those shares. A document's facts link
  only within the document and to actors, so the shares add up exactly to
  :func:`overview` of the whole.

The result is an undirected ``nx.Graph``. Node attributes: ``label``,
``class``, ``kind`` (always ``"actor"``), ``facts`` (how many facts name the
actor). Edge attributes: ``weight`` (how many facts), ``kinds`` (fact kind →
count, e.g. ``{"statement": 1, "demand": 1}``), ``facts`` (the fact node ids,
sorted) and ``registry`` (labels of registry relations, sorted; may be empty,
in which case ``weight`` may be 0).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

FACTS = ("event", "statement", "figure", "claim", "relation", "role", "demand")


@dataclass
class Share:
    """One graph's contribution to the overview."""

    actors: dict[str, dict[str, Any]] = field(default_factory=dict)  # actors defined in this graph: id -> attributes
    facts: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # fact -> (kind, its actors, sorted)
    registry: list[tuple[str, str, str]] = field(default_factory=list)  # (actor, actor, label)


def contributions(
    nodes: Iterable[tuple[str, Mapping[str, Any]]],
    edges: Iterable[tuple[str, str, Any, Mapping[str, Any]]],
    actors: Iterable[str],
) -> Share:
    """One graph's share: each fact with the actors it names, and the registry's links between actors.

    ``nodes`` are ``(id, attributes)`` pairs and ``edges`` ``(from, to, key,
    attributes)`` as in a :class:`~cubagraph.network.projection.Projection`;
    ``actors`` are the ids of every actor (those defined elsewhere included).
    """
    # Only asked whether a node is an actor: a set given is used as it is, not copied (a registry of
    # 4,000 actors was copied for each of 10,000 graphs).
    actor_ids = actors if isinstance(actors, (set, frozenset)) else set(actors)
    kinds: dict[str, str] = {}
    share = Share()
    for node, data in nodes:
        if data["kind"] == "actor":
            share.actors[node] = {"label": data["label"], "class": data["class"]}
        elif data["kind"] in FACTS:
            kinds[node] = data["kind"]
    named: dict[str, set[str]] = defaultdict(set)
    demands: dict[str, set[str]] = defaultdict(set)  # statement -> its demands
    for a, b, _, data in edges:
        if data["kind"] == "registry":
            if a in actor_ids and b in actor_ids and a != b:
                share.registry.append((a, b, data["label"]))
            continue
        if a in kinds and b in actor_ids:
            named[a].add(b)
        elif b in kinds and a in actor_ids:
            named[b].add(a)
        elif a in kinds and b in kinds and data["label"] == "calls for":
            demands[a].add(b)
    # A statement and its demands name the same actors: the speaker asks, the demand says for what.
    for statement, asked in demands.items():
        bundle = set(named[statement]).union(*(named[d] for d in asked))
        for fact in (statement, *asked):
            named[fact] = bundle
    for fact in sorted(kinds):
        share.facts[fact] = (kinds[fact], tuple(sorted(named.get(fact, ()))))
    share.registry.sort()
    return share


def combine(shares: Iterable[Share]) -> nx.Graph:
    """The overview from every graph's share. Deterministic: nodes and edges in sorted order."""
    import networkx as nx

    attributes: dict[str, dict[str, Any]] = {}
    count: dict[str, int] = defaultdict(int)
    links: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # pair -> (fact, kind)
    registry: dict[tuple[str, str], set[str]] = defaultdict(set)
    for share in shares:
        attributes.update(share.actors)
        for fact, (kind, named) in share.facts.items():
            for actor in named:
                count[actor] += 1
            for a, b in itertools.combinations(named, 2):  # named is sorted, so a < b
                links[(a, b)].append((fact, kind))
        for a, b, label in share.registry:
            registry[(min(a, b), max(a, b))].add(label)
    g = nx.Graph()
    for actor in sorted(attributes):
        g.add_node(actor, kind="actor", facts=count.get(actor, 0), **attributes[actor])
    for pair in sorted(set(links) | set(registry)):
        if pair[0] not in attributes or pair[1] not in attributes:
            continue  # an actor no graph defines: the registry is missing, nothing to draw
        facts = sorted(set(links.get(pair, [])))
        kinds: dict[str, int] = defaultdict(int)
        for _, kind in facts:
            kinds[kind] += 1
        g.add_edge(
            *pair,
            weight=len(facts),
            kinds=dict(sorted(kinds.items())),
            facts=[f for f, _ in facts],
            registry=sorted(registry.get(pair, ())),
        )
    return g


def overview(g: nx.MultiDiGraph) -> nx.Graph:
    """The actor overview of a whole projection (:func:`cubagraph.network.projection.of`)."""
    actors = [n for n, d in g.nodes(data=True) if d["kind"] == "actor"]
    return combine([contributions(g.nodes(data=True), g.edges(keys=True, data=True), actors)])


def describe(kinds: Mapping[str, int]) -> str:
    """``{"statement": 1, "demand": 1}`` as "1 statement, 1 demand": what an edge's label says."""
    plural = {"claim": "claims", "event": "events", "figure": "figures", "statement": "statements"}
    plural |= {"relation": "relations", "role": "roles", "demand": "demands"}
    return ", ".join(f"{n} {kind if n == 1 else plural[kind]}" for kind, n in kinds.items())
