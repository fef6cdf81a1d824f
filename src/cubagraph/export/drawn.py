"""What the viewer's page was made from, kept in ``.cubagraph/viewer/`` so that a rebuild reads only what changed.

A page of a large corpus draws from nearly every document, and making it from
scratch took most of a rebuild after one edit. So these are kept between
builds, each under a digest of its inputs, and used only while those inputs
are the same: the choice of nodes (:class:`Ranking`), each graph's share of
the page and the digest of its structure (:class:`Drawn`), and the picture
with its layouts (:mod:`cubagraph.export.picture`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from ..digests import code_digest
from ..files import write_atomic
from . import forked, picture
from .plan import Graph
from .view import Context

NODES, EDGES = "html:nodes", "html:edges"  # the parts of a graph's piece the page draws from, besides plan.INDEX
FORK_SHARES = 500  # graphs whose shares must be read, from which a forked child reads half of them


class Ranking:
    """The last page's choice of nodes, kept while no graph's viewer index changes (most edits change none)."""

    def __init__(self, ctx: Context, cap: int, limit: int, graphs: Sequence[Graph]):
        self.graphs = graphs
        self.path = ctx.memo / "ranking.json" if ctx.memo else None
        self.key = hashlib.sha256(
            json.dumps([2, cap, limit, [g.index_digest for g in graphs]]).encode("utf-8")  # 2: the memo's format
        ).hexdigest()
        self.kept: tuple[list[str], list[Graph], dict[str, Any], list[tuple[str, str, str]]] | None = None
        if self.path is not None:
            with contextlib.suppress(OSError, ValueError, KeyError, IndexError, TypeError):
                memo = json.loads(self.path.read_text(encoding="utf-8"))
                if memo["key"] == self.key:
                    needed = [graphs[i] for i in memo["needed"]]
                    self.kept = (memo["embedded"], needed, memo["meta"], [tuple(s) for s in memo["shares"]])

    def save(
        self, embedded: list[str], needed: list[Graph], meta: dict[str, Any], shares: list[str], drawn: Drawn
    ) -> None:
        if self.path is None:
            return
        position = {id(g): i for i, g in enumerate(self.graphs)}
        memo = {
            "key": self.key,
            "embedded": embedded,
            "needed": [position[id(g)] for g in needed],
            "meta": meta,
            "shares": [[g.id, s, drawn.structures[s]] for g, s in zip(needed, shares, strict=True)],
        }
        data = json.dumps(memo, sort_keys=True).encode("utf-8")
        with contextlib.suppress(OSError):
            if self.path.read_bytes() == data:
                return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, data, durable=False)  # a memo: lost, it is made again


class Drawn:
    """Each graph's share of the page: its nodes there, and its edges that may be.

    A page draws from nearly every document of a large corpus, and reading
    every document's piece to make it took most of a rebuild. So each share
    is kept in ``ctx.memo`` (``drawn.sqlite``) by its digest, and each graph's
    digest by the graph's id and the nodes it had on the page. A graph whose id
    and nodes on the page are unchanged is not read; and if every share's
    digest is as it was, the page is as it was, and is not made at all. Beside
    each share's digest is its structure's (:func:`cubagraph.export.picture.structure`),
    which names what the picture depends on.
    """

    def __init__(self, ctx: Context, keep: set[str]):
        self.ctx, self.keep = ctx, keep
        self.folder = ctx.memo
        self.index: dict[str, list[Any]] = self._load("drawn-index.json")
        self.new_index: dict[str, list[Any]] = {}
        self.fresh: dict[str, list[Any]] = {}  # digest -> share, for shares read from pieces in this build
        self.structures: dict[str, str] = {}  # share digest -> its structure's digest
        self._attributes: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self._con: sqlite3.Connection | None = None

    def _load(self, name: str) -> dict[str, Any]:
        if self.folder is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads((self.folder / name).read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    return loaded
        return {}

    def shares(self, graphs: Sequence[Graph]) -> list[str]:
        """:meth:`share` of each graph. With many to read, a forked child reads the second half of them meanwhile
        (10,000 documents: 3.5 s in one process)."""
        unknown = [int(self._known(g)[1] is None) for g in graphs]
        if sum(unknown) < FORK_SHARES or not forked.available():
            return [self.share(g) for g in graphs]
        half = list(itertools.accumulate(unknown)).index(sum(unknown) // 2) + 1
        child = forked.Forked(functools.partial(self._apart, graphs[half:]))
        mine = [self.share(g) for g in graphs[:half]]
        theirs, fresh, structures, attributes, new_index = child.result()
        self.fresh.update(fresh)
        self.structures.update(structures)
        self._attributes.update(attributes)
        self.new_index.update(new_index)
        return mine + theirs

    def _apart(self, graphs: Sequence[Graph]) -> tuple[list[str], dict[str, Any], dict[str, str], Any, Any]:
        """In the child: the shares of ``graphs``, and what reading them taught (sent back to the parent)."""
        self.fresh, self.structures, self._attributes, self.new_index = {}, {}, {}, {}
        digests = [self.share(g) for g in graphs]
        return digests, self.fresh, self.structures, self._attributes, self.new_index

    def _known(self, g: Graph) -> tuple[list[str], list[Any] | None]:
        """The graph's own nodes on the page, and what the memo holds of its share if still true (else None)."""
        kept = [iri for _, iri in g.index["own"] if iri in self.keep]
        known = self.index.get(g.id)
        if known is not None and len(known) == 3 and known[0] == kept and not g.index["defines_shared"]:
            return kept, known
        return kept, None

    def share(self, g: Graph) -> str:
        """The digest of ``g``'s share of the page, read from its piece only if not known."""
        kept, known = self._known(g)
        if known is not None:
            self.new_index[g.id] = known
            self.structures[known[1]] = known[2]
            return str(known[1])
        nodes, edges = [], []
        actors = self.ctx.network.actors
        # split("\n"), not splitlines(): JSON escapes newlines, but text may hold U+0085 or U+001C.
        for line in g.part(NODES).decode("utf-8").split("\n")[:-1]:
            iri, _, data = line.partition("\t")
            if iri in self.keep:
                nodes.append([iri, data])
        for line in g.part(EDGES).decode("utf-8").split("\n")[:-1]:
            a, b, data = line.split("\t", 2)
            # Edges to actors stay candidates: which actors are on the page can change on its own.
            if (a in self.keep or a in actors) and (b in self.keep or b in actors):
                edges.append(json.loads(data))
        share = [nodes, edges]
        digest = hashlib.sha256(json.dumps(share, separators=(",", ":")).encode("utf-8")).hexdigest()[:32]
        self.fresh[digest] = share
        self.structures[digest] = picture.structure(self.attributes(digest, nodes), edges)
        if not g.index["defines_shared"]:  # the registry's share changes with the ranking: always read it
            self.new_index[g.id] = [kept, digest, self.structures[digest]]
        return digest

    def attributes(self, digest: str, nodes: list[list[str]]) -> list[tuple[str, dict[str, Any]]]:
        """What the picture reads of a share's nodes, parsed once a build."""
        found = self._attributes.get(digest)
        if found is None:
            found = self._attributes[digest] = picture.attributes(nodes)
        return found

    def _db(self) -> sqlite3.Connection | None:
        if self._con is None and self.folder is not None:
            with contextlib.suppress(OSError, sqlite3.Error):
                self.folder.mkdir(parents=True, exist_ok=True)
                con = sqlite3.connect(self.folder / "drawn.sqlite", isolation_level=None, timeout=30)
                con.execute("PRAGMA synchronous=OFF")  # a memo: lost, the shares are read from the pieces again
                con.execute("CREATE TABLE IF NOT EXISTS shares(digest TEXT PRIMARY KEY, share TEXT NOT NULL)")
                self._con = con
        return self._con

    def get(self, g: Graph, digest: str) -> list[Any]:
        if digest in self.fresh:
            return self.fresh[digest]
        con, found = self._db(), None
        if con is not None:
            with contextlib.suppress(sqlite3.Error):
                row = con.execute("SELECT share FROM shares WHERE digest = ?", (digest,)).fetchone()
                if row is not None:
                    found = self.fresh[digest] = json.loads(row[0])
        if found is None:  # the memo lost it: read the piece again
            self.index.pop(g.id, None)
            found = self.fresh[self.share(g)]
        return found

    def save_index(self, graphs: Sequence[Graph]) -> None:
        """Keep what is known of ``graphs``: learnt in this build, or known before and still true."""
        ids = {g.id for g in graphs}
        index = {i: v for i, v in self.index.items() if i in ids} | self.new_index
        if self.folder is not None and index != self.index:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / "drawn-index.json", json.dumps(index, sort_keys=True).encode(), durable=False)

    def save(self, shares: list[str]) -> None:
        """Keep the shares of the page just made (and only those): the new ones are added, the unused dropped."""
        con = self._db()
        if con is None:
            return
        with contextlib.suppress(sqlite3.Error):
            have = {d for (d,) in con.execute("SELECT digest FROM shares")}
            wanted = set(shares)
            con.execute("BEGIN IMMEDIATE")
            con.executemany(
                "INSERT OR REPLACE INTO shares VALUES (?, ?)",
                [
                    (d, json.dumps(self.fresh[d], separators=(",", ":")))
                    for d in sorted(wanted - have)
                    if d in self.fresh
                ],
            )
            con.executemany("DELETE FROM shares WHERE digest = ?", [(d,) for d in sorted(have - wanted)])
            con.execute("COMMIT")

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


class Drawing:
    """The page's nodes, edges and meta, and the :class:`~cubagraph.export.picture.Picture` drawn from them:
    made once a build, for the page and for Gephi."""

    def __init__(
        self,
        graphs: Sequence[Graph],
        shares: list[str],
        drawn: Drawn,
        embedded: list[str],
        shown: set[str],
        meta: dict[str, Any],
        ctx: Context,
        dump: Callable[[Any], str],
    ):
        self.graphs, self.shares, self.drawn = graphs, shares, drawn
        self.embedded, self.shown, self.meta, self.ctx, self.dump = embedded, shown, meta, ctx, dump

    @functools.cached_property
    def structure_key(self) -> str:
        """Names the picture: the page's nodes, which are shown, and each share's structure.

        A page small enough to be pulled apart by its labels' boxes depends on
        every label: there each share's own digest stands for its structure.
        """
        small = len(self.embedded) <= picture.NOVERLAP
        each = [s if small else self.drawn.structures[s] for s in self.shares]
        data = [code_digest(), self.embedded, len(self.shown), each]
        return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode("utf-8")).hexdigest()

    @functools.cached_property
    def order(self) -> dict[int, list[int]]:
        """Each share that holds the first of a node several shares describe -> the others, in order."""
        found = picture.kept_order(self.structure_key, self.ctx.memo)
        if found is None:
            found = picture.order(self.picture)
        return found

    @functools.cached_property
    def picture(self) -> picture.Picture:
        found = picture.kept(self.structure_key, self.ctx.memo)
        if found is None:
            shares = []
            for g, s in zip(self.graphs, self.shares, strict=True):
                nodes, edges = self.drawn.get(g, s)
                shares.append((self.drawn.attributes(s, nodes), edges))
            found = picture.make(self.structure_key, shares, self.keep, self.ctx.memo)
            picture.keep(found, self.ctx.memo)
        return found

    def nodes(self, i: int) -> list[tuple[str, str]]:
        """The page's nodes that share ``i`` is the first to describe, as ``(iri, JSON)``, merged with the others'."""
        first = self.picture.dups
        own, others = [], self.order.get(i, [])
        drawn_nodes = self.drawn.get(self.graphs[i], self.shares[i])[0]
        more: dict[str, list[tuple[str, str]]] = {}
        for j in others:
            for iri, data in self.drawn.get(self.graphs[j], self.shares[j])[0]:
                where = first.get(iri)
                if where is not None and where[0] == i:
                    more.setdefault(iri, []).append((iri, data))
        for iri, data in drawn_nodes:
            where = first.get(iri)
            if where is None:
                own.append((iri, data))
            elif where[0] == i:
                own.append(merged([(iri, data), *more.get(iri, [])], self.dump)[0])
        return own

    @functools.cached_property
    def keep(self) -> set[str]:
        return set(self.embedded)

    @functools.cached_property
    def ids(self) -> dict[str, int]:
        """Each node's id on the page: its place in the page's order of nodes."""
        return {iri: i for i, iri in enumerate(self.picture.ids)}

    def edges(self, i: int) -> list[list[str]]:
        """Share ``i``'s edges on the page: both ends drawn."""
        keep = self.keep
        return [row for row in self.drawn.get(self.graphs[i], self.shares[i])[1] if row[0] in keep and row[1] in keep]

    @functools.cached_property
    def viz(self) -> dict[str, tuple[float, float, float, str]]:
        """Each node on the page: its position, size and colour in the full view (what Gephi gets)."""
        p = self.picture
        # Numbers as numbers: they go into GraphML and GEXF as they are (see export/page.py).
        return {
            str(iri): (float(x), float(y), float(p.sizes[str(iri)]), p.colours[str(iri)])
            for iri, (x, y) in p.positions.items()
        }


def merged(node_json: list[tuple[str, str]], dump: Callable[[Any], str]) -> list[tuple[str, str]]:
    """One entry per node: a node several graphs describe (an event reported by two documents) is drawn once,
    with every graph's documents and evidence."""
    seen: dict[str, int] = {}
    out: list[tuple[str, str]] = []
    for iri, data in node_json:
        if iri not in seen:
            seen[iri] = len(out)
            out.append((iri, data))
            continue
        first, other = json.loads(out[seen[iri]][1]), json.loads(data)
        info, more = first["info"], other["info"]
        info["documents"] = sorted({*info.get("documents", []), *more.get("documents", [])})
        evidence = info.get("evidence", []) + [q for q in more.get("evidence", []) if q not in info.get("evidence", [])]
        info["evidence"] = sorted(evidence, key=lambda q: (q.get("document", ""), q.get("start", 0)))
        out[seen[iri]] = (iri, dump(first))
    return out
