"""The projection the build keeps on disk, so that `path`, `neighbors`, `timeline` and `stats` read only what they need.

Projecting the whole TriG for every command took 50-68 s and 3.5 GB at
10,000 documents. But the projection is per graph (see
:class:`cubagraph.network.projection.Context`), and the build already
projects each graph once, for the exports. So each graph's share is also
encoded as rows (:func:`encode`: its nodes, edges, the documents each node
cites, and its share of the actor overview), kept in the build cache beside
its pieces, and loaded into one SQLite file, ``.cubagraph/network.sqlite``
(:func:`update`). A rebuild replaces only the rows of the graphs whose
pieces changed, as ``publish`` replaces only the graphs whose digests
changed.

:class:`Kept` answers :class:`cubagraph.network.analysis.Net`: each
question reads the nodes and edges it needs through the indexes. The file
records the size and modification time of the TriG it was made with;
:func:`open_kept` gives None for any other TriG (then the projection is made
afresh from the TriG, as before).

Why this module is long: the rows a graph is encoded as, the tables they are
loaded into and kept up to date in, and the questions read from those tables
must agree column by column; one module keeps them side by side.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import marshal
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import overview
from .analysis import TIMELINE_KINDS

if TYPE_CHECKING:
    import networkx as nx

    from .analysis import Cells, Census
    from .projection import Projection

PART = "network"  # the name of a graph's rows among its pieces
FORMAT = "4"  # bump when the tables change
NAME = "network.sqlite"
_CHUNK = 500  # ids per IN (...) list

# Per graph (g): its nodes (with what a timeline shows in columns of their own, so that it decodes no
# evidence), edges, share of the actor overview (facts, registry), counts for `stats`, and each actor's
# distinct neighbours in it (ties). Across graphs, kept up to date as graphs come and go: the counts'
# totals, and each actor's degree.
_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE graphs(g INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, id TEXT NOT NULL);
CREATE TABLE nodes(g INTEGER NOT NULL, iri TEXT NOT NULL, kind TEXT NOT NULL, class TEXT NOT NULL,
                   label TEXT NOT NULL, date TEXT, reported TEXT, documents TEXT, data TEXT NOT NULL);
CREATE TABLE edges(g INTEGER NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL, key TEXT NOT NULL,
                   label TEXT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL);
CREATE TABLE facts(g INTEGER NOT NULL, fact TEXT NOT NULL, kind TEXT NOT NULL, actors TEXT NOT NULL);
CREATE TABLE registry(g INTEGER NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL, label TEXT NOT NULL);
CREATE TABLE counts(g INTEGER NOT NULL, what TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE ties(g INTEGER NOT NULL, actor TEXT NOT NULL, other TEXT NOT NULL);
CREATE TABLE totals(what TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (what, key));
CREATE TABLE degree(actor TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE memo(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE timeline(undated INTEGER NOT NULL, earliest TEXT NOT NULL, latest TEXT NOT NULL, label TEXT NOT NULL,
                      iri TEXT NOT NULL, g INTEGER NOT NULL, shown TEXT NOT NULL, precision TEXT NOT NULL,
                      class TEXT NOT NULL, reported TEXT NOT NULL, documents TEXT NOT NULL,
                      PRIMARY KEY (undated, earliest, latest, label, iri, g)) WITHOUT ROWID;
"""
# The timeline's rows, made from the nodes of its kinds, stored in its order (WITHOUT ROWID: a scan reads
# them in key order, from pages that hold nothing else) and with the cells it prints
# (analysis.Entry.cells, the same rule in SQL; tests/network/test_kept.py compares the two). Reading them
# from `nodes`, whose rows are large and scattered, decoding every date and sorting 30,000 entries took
# most of `cubagraph timeline` at 10,000 documents.
_TIMED = """
INSERT INTO timeline
SELECT json_type(date, '$.earliest') IS NULL, COALESCE(json_extract(date, '$.earliest'), ''),
       COALESCE(json_extract(date, '$.latest'), ''), label, iri, g,
       CASE WHEN json_type(date, '$.earliest') IS NULL THEN 'undated'
            ELSE COALESCE(json_extract(date, '$.value'), 'undated') END
       || CASE WHEN json_extract(date, '$.approximate') THEN ' ~' ELSE '' END,
       COALESCE(json_extract(date, '$.precision'), 'unknown'), class, COALESCE(reported, 'unknown'),
       COALESCE((SELECT group_concat(value, ', ') FROM json_each(documents)), '')
FROM nodes WHERE kind IN ({kinds}) AND {{where}}
""".format(kinds=", ".join(f"'{kind}'" for kind in TIMELINE_KINDS))
# Made after a bulk load, which is faster without them.
_INDEXES = """
CREATE INDEX IF NOT EXISTS nodes_iri ON nodes(iri);
CREATE INDEX IF NOT EXISTS nodes_kind ON nodes(kind);
CREATE INDEX IF NOT EXISTS nodes_g ON nodes(g);
CREATE INDEX IF NOT EXISTS edges_a ON edges(a);
CREATE INDEX IF NOT EXISTS edges_b ON edges(b);
CREATE INDEX IF NOT EXISTS edges_g ON edges(g);
CREATE INDEX IF NOT EXISTS facts_g ON facts(g);
CREATE INDEX IF NOT EXISTS registry_g ON registry(g);
CREATE INDEX IF NOT EXISTS counts_g ON counts(g);
CREATE INDEX IF NOT EXISTS ties_g ON ties(g);
CREATE INDEX IF NOT EXISTS ties_actor ON ties(actor, other);
CREATE INDEX IF NOT EXISTS timeline_g ON timeline(g);
CREATE INDEX IF NOT EXISTS timeline_iri ON timeline(iri);
"""
_TABLES = ("nodes", "edges", "facts", "registry", "counts", "ties")
_COLUMNS = {"nodes": 9, "edges": 7, "facts": 4, "registry": 4, "counts": 4, "ties": 3}
ASSERTIONS = ("event", "statement", "figure", "claim", "relation", "role")  # as analysis.ASSERTION_KINDS
# What json.dumps makes with these options, without making an encoder for each of a cold build's 120,000 nodes.
_DATA = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_DATE = json.JSONEncoder(sort_keys=True).encode
_DOCUMENTS = json.JSONEncoder(ensure_ascii=False).encode


def encode(p: Projection, actors: Collection[str]) -> bytes:
    """One graph's rows: what :func:`update` loads."""
    # Actors defined elsewhere (the registry's), and any this graph defines (an unnamed speaker).
    # The registry's set as it is when the graph defines none (nearly every graph): copying its
    # 4,000 actors for each of 10,000 graphs was a second of the workers' time.
    own = {iri for iri, d in p.nodes if d["kind"] == "actor" and iri not in actors}
    actors = (set(actors) | own) if own or not isinstance(actors, (set, frozenset)) else actors
    nodes = []
    counts: Counter[tuple[str, str]] = Counter()
    for iri, d in p.nodes:
        data = _DATA(d)
        date = _DATE(d["date"]) if "date" in d else None
        documents = _DOCUMENTS(d["documents"]) if "documents" in d else None
        kind = d["kind"]
        reported = d.get("reported")
        row = [str(iri), str(kind), str(d["class"]), str(d["label"]), date, None if reported is None else str(reported)]
        nodes.append([*row, documents, data])  # plain str: IRIs are a str subclass, which marshal refuses
        counts["kind", kind] += 1
        counts["class", f"{kind}: {d['class']}"] += 1
        if kind in ASSERTIONS:
            counts["modality", str(d.get("modality", ""))] += 1
            for doc in d.get("documents", ()):
                counts["document", str(doc)] += 1
    counts["all", "nodes"], counts["all", "edges"] = len(p.nodes), len(p.edges)
    edges, ties = [], set()
    for a, b, key, d in p.edges:
        edges.append([str(a), str(b), str(key), str(d["label"]), str(d["kind"]), str(d["source"])])
        if a != b:
            if a in actors:
                ties.add((str(a), str(b)))
            if b in actors:
                ties.add((str(b), str(a)))
    share = overview.contributions(p.nodes, p.edges, actors)
    facts = [[str(fact), str(kind), " ".join(named)] for fact, (kind, named) in share.facts.items()]
    rows = {
        "nodes": nodes,
        "edges": edges,
        "facts": facts,
        "registry": [[str(a), str(b), str(label)] for a, b, label in share.registry],
        "counts": [[what, str(key), n] for (what, key), n in sorted(counts.items())],
        "ties": [list(tie) for tie in sorted(ties)],
    }
    # marshal, not JSON: a cold build decodes every graph's rows, and json.loads was a third of that
    # (they are the build cache's own bytes, never an export, read by the Python that wrote them).
    return marshal.dumps(rows)


def identity(trig: Path) -> str:
    """What names the TriG a kept projection was made with: its size and modification time."""
    st = os.stat(trig)
    return f"{FORMAT}:{st.st_size}:{st.st_mtime_ns}"


def stage(path: Path, graphs: Sequence[tuple[str, str, bytes]]) -> None:
    """Load some graphs' rows (name, pieces' id, rows) into a staging file of their own: a build worker's.

    A cold build's workers stage the rows of the graphs they build, in
    parallel; :func:`update` then copies them in with one ``INSERT … SELECT``
    per table, in C, instead of decoding and inserting every row in the
    parent after the workers end (8.5 s of the parent's ~20 s at 10,000
    documents). Each call is one transaction: a failed one leaves the file
    as it was.
    """
    con = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        con.execute("PRAGMA journal_mode=MEMORY")  # a rollback must work; the file is disposable otherwise
        con.execute("PRAGMA synchronous=OFF")
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'graphs'").fetchone():
            con.executescript(_SCHEMA + _SPANS)
        con.execute("BEGIN")
        top = con.execute("SELECT COALESCE(MAX(g), 0) FROM graphs").fetchone()[0]
        numbered = [(top + i, name, id, (lambda rows=rows: rows)) for i, (name, id, rows) in enumerate(graphs, 1)]
        con.executemany("INSERT INTO spans VALUES (?, ?, ?, ?)", _load(con, numbered, spans=True))
        con.execute("COMMIT")
    finally:
        con.close()


def update(
    path: Path,
    graphs: Sequence[tuple[str, str, Callable[[], bytes]]],
    trig: Path,
    staged: Sequence[Path] = (),
    made: Path | None = None,
) -> int:
    """Bring the file at ``path`` to ``graphs`` (name, pieces' id, its rows): replace only what changed.

    Returns how many graphs' rows were loaded. With no file, or with most
    graphs changed, a new file is made and renamed in; else the changed
    graphs' rows are replaced in one transaction. ``staged`` are files
    :func:`stage` made: a new file copies the graphs they hold (by name and
    id) from them, rather than decoding their rows again. ``made`` is the new
    file :func:`prepare` made for these graphs: it is stamped and renamed in.
    """
    if made is not None:
        _finish(made, path, trig)
        return len(graphs)
    con, have, changed, gone, fresh = _compare(path, graphs)
    if fresh:
        if con is not None:
            con.close()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        _make(tmp, graphs, staged)
        _finish(tmp, path, trig)
        return len(graphs)
    assert con is not None
    if not (changed or gone):  # nothing changed: the memo (the betweenness) stays good
        try:
            if dict(con.execute("SELECT key, value FROM meta")).get("trig") != identity(trig):
                _stamp(con, trig)
        finally:
            con.close()
        return 0
    try:
        con.execute("BEGIN IMMEDIATE")
        stale = gone + [have[name][0] for name, _, _ in changed if name in have]
        touched: set[str] = set()  # actors whose degree may change
        before: Counter[tuple[str, ...]] = Counter()  # the stale graphs' share of the actor overview
        for start in range(0, len(stale), _CHUNK):
            chunk = stale[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            before.update(_overview_rows(con, f"g IN ({marks})", chunk))
            touched.update(a for (a,) in con.execute(f"SELECT DISTINCT actor FROM ties WHERE g IN ({marks})", chunk))
            _add_totals(con, f"SELECT what, key, -SUM(n) FROM counts WHERE g IN ({marks}) GROUP BY what, key", chunk)
            for table in (*_TABLES, "timeline", "graphs"):
                con.execute(f"DELETE FROM {table} WHERE g IN ({marks})", chunk)
        top = con.execute("SELECT COALESCE(MAX(g), 0) FROM graphs").fetchone()[0]
        _load(con, [(top + i, name, id, load) for i, (name, id, load) in enumerate(changed, 1)])
        con.execute(_TIMED.format(where="g > ?"), (top,))
        _add_totals(con, "SELECT what, key, SUM(n) FROM counts WHERE g > ? GROUP BY what, key", [top])
        con.execute("DELETE FROM totals WHERE n = 0")
        touched.update(a for (a,) in con.execute("SELECT DISTINCT actor FROM ties WHERE g > ?", (top,)))
        ordered = sorted(touched)
        for start in range(0, len(ordered), _CHUNK):
            actors = ordered[start : start + _CHUNK]
            marks = ",".join("?" * len(actors))
            con.execute(f"DELETE FROM degree WHERE actor IN ({marks})", actors)
            con.execute(
                f"INSERT INTO degree SELECT actor, COUNT(DISTINCT other) FROM ties WHERE actor IN ({marks}) GROUP BY actor",
                actors,
            )
        # The memo holds what the actor overview alone gives (the betweenness): an edit that leaves every
        # fact's actors, the registry's links and the actors as they were (a label, a quote) keeps it.
        if _overview_rows(con, "g > ?", [top]) != before:
            con.execute("DELETE FROM memo")
        _stamp(con, trig)
        con.execute("COMMIT")
    finally:
        con.close()
    return len(changed)


def prepare(
    path: Path, graphs: Sequence[tuple[str, str, Callable[[], bytes]]], staged: Sequence[Path], tmp: Path
) -> bool:
    """What :func:`update` does first, before the TriG is written: if it would make a new file, make it at ``tmp``.

    All but the TriG's stamp, which :func:`update` adds (with ``made=tmp``).
    Returns whether it made one. Most of the work is SQLite's, which lets
    go of Python's lock: a thread can do it while the build assembles the
    exports (:mod:`cubagraph.pipeline.staged`).
    """
    con, _, _, _, fresh = _compare(path, graphs)
    if con is not None:
        con.close()
    if fresh:
        _make(tmp, graphs, staged)
    return fresh


def _compare(
    path: Path, graphs: Sequence[tuple[str, str, Callable[[], bytes]]]
) -> tuple[sqlite3.Connection | None, dict[str, tuple[int, str]], list[Any], list[int], bool]:
    """The file at ``path`` (None: none, or not usable), its graphs, those changed and gone; and whether to make it anew."""
    wanted = {name: id for name, id, _ in graphs}
    have: dict[str, tuple[int, str]] = {}
    con = _connect(path) if path.is_file() else None
    if con is not None:
        try:
            if dict(con.execute("SELECT key, value FROM meta")).get("format") != FORMAT:
                raise sqlite3.DatabaseError("another format")
            have = {name: (g, id) for g, name, id in con.execute("SELECT g, name, id FROM graphs")}
        except sqlite3.DatabaseError:
            con.close()
            con, have = None, {}
    changed = [(name, id, load) for name, id, load in graphs if have.get(name, (0, ""))[1] != id]
    gone = [g for name, (g, _) in have.items() if name not in wanted]
    return con, have, changed, gone, con is None or 2 * (len(changed) + len(gone)) > len(graphs)


def _make(tmp: Path, graphs: Sequence[tuple[str, str, Callable[[], bytes]]], staged: Sequence[Path]) -> None:
    """A new file at ``tmp`` holding ``graphs``, with its indexes and totals: all but the TriG's stamp."""
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.executescript(_SCHEMA)
        con.execute("BEGIN")
        numbered = [(i, name, id, load) for i, (name, id, load) in enumerate(graphs, 1)]
        if staged:
            _merge(con, numbered, staged, tmp)
        else:
            _load(con, numbered)
        con.execute(_TIMED.format(where="1"))
        for statement in filter(str.strip, _INDEXES.split(";")):  # executescript would commit first
            con.execute(statement)
        con.execute("INSERT INTO totals SELECT what, key, SUM(n) FROM counts GROUP BY what, key")
        con.execute("INSERT INTO degree SELECT actor, COUNT(DISTINCT other) FROM ties GROUP BY actor")
        con.execute("COMMIT")
        con.close()
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise


def _finish(tmp: Path, path: Path, trig: Path) -> None:
    """Stamp the new file at ``tmp`` with the TriG it was made for, and rename it in."""
    try:
        con = _connect(tmp)
        try:
            _stamp(con, trig)
        finally:
            con.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None, timeout=30)
    con.execute("PRAGMA synchronous=OFF")  # a kept projection is disposable: made again from the cache if lost
    return con


def _load(
    con: sqlite3.Connection, graphs: Sequence[tuple[int, str, str, Callable[[], bytes]]], spans: bool = False
) -> list[tuple[int, str, int, int]]:
    """Insert ``graphs``' rows, graph by graph; with ``spans``, return where each graph's rows went in each table.

    A span is (g, table, first rowid, last rowid + 1): rows appended to a
    table that no row has left take the rowids after its largest.
    """
    rows: dict[str, list[list[Any]]] = {table: [] for table in _TABLES}
    where: list[tuple[int, str, int, int]] = []
    con.executemany("INSERT INTO graphs VALUES (?, ?, ?)", [(g, name, id) for g, name, id, _ in graphs])
    for g, _, _, load in graphs:
        decoded = marshal.loads(load())
        for table in _TABLES:
            out = rows[table]
            first = len(out)
            for row in decoded.get(table, ()):
                row.insert(0, g)
                out.append(row)
            where.append((g, table, first, len(out)))
    base = {}
    for table in _TABLES:
        if spans:
            base[table] = con.execute(f"SELECT COALESCE(MAX(rowid), 0) + 1 FROM {table}").fetchone()[0]
        marks = ",".join("?" * _COLUMNS[table])
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[table])
    return [(g, table, base[table] + lo, base[table] + hi) for g, table, lo, hi in where] if spans else []


_ATTACHED = 9  # SQLite attaches at most 10 files; one is the parent's own staging file
_SPANS = "CREATE TABLE spans(g INTEGER NOT NULL, tbl TEXT NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL);"


def _merge(
    con: sqlite3.Connection,
    graphs: Sequence[tuple[int, str, str, Callable[[], bytes]]],
    staged: Sequence[Path],
    tmp: Path,
) -> None:
    """:func:`_load`, with the rows of the graphs ``staged`` holds copied from there: the same rows, in the same order.

    The rows go in as :func:`_load` puts them, graph by graph in ``g``'s
    order, so that a read without ORDER BY sees them as before (an actor
    that two graphs describe takes the last one's label). Graphs that follow
    each other in a staged file and in ``g``'s order (a worker's batch) are
    one run of rowids there, copied by one ``INSERT … SELECT`` per table:
    no row passes through Python, and nothing is sorted (an ORDER BY over
    all the files took 3.3 s at 10,000 documents, the runs 0.9 s). The
    graphs no staged file holds are staged here first.
    """
    sources: list[Path] = []
    where: dict[tuple[str, str], tuple[int, int]] = {}  # (name, id) -> (source, its g there)
    spans: list[dict[tuple[int, str], tuple[int, int]]] = []  # per source: (its g, table) -> rowids
    for file in staged[:_ATTACHED]:
        try:
            other = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
            try:
                held = other.execute("SELECT g, name, id FROM graphs").fetchall()
                spans.append({(g, table): (lo, hi) for g, table, lo, hi in other.execute("SELECT * FROM spans")})
            finally:
                other.close()
        except sqlite3.Error:
            continue  # a worker's file that cannot be read: its graphs are loaded from their rows
        sources.append(file)
        where.update(((name, id), (len(sources) - 1, g)) for g, name, id in held)
    rest = [(name, id, load()) for _, name, id, load in graphs if (name, id) not in where]
    own = tmp.with_name(tmp.name + ".rest")
    own.unlink(missing_ok=True)
    try:
        if rest:
            stage(own, rest)
            with contextlib.closing(sqlite3.connect(f"file:{own}?mode=ro", uri=True)) as other:
                spans.append({(g, table): (lo, hi) for g, table, lo, hi in other.execute("SELECT * FROM spans")})
            sources.append(own)
            where.update(((name, id), (len(sources) - 1, g)) for g, (name, id, _) in enumerate(rest, 1))
        con.executemany("INSERT INTO graphs VALUES (?, ?, ?)", [(g, name, id) for g, name, id, _ in graphs])
        for k, file in enumerate(sources):
            con.execute(f"ATTACH DATABASE ? AS s{k}", (str(file),))
        runs: list[list[int]] = []  # [source, its first g, its last g, the first g here]
        for g, name, id, _ in graphs:
            k, lg = where[name, id]
            if runs and runs[-1][0] == k and runs[-1][2] == lg - 1 and runs[-1][3] + (lg - runs[-1][1]) == g:
                runs[-1][2] = lg
            else:
                runs.append([k, lg, lg, g])
        for table in _TABLES:
            columns = ", ".join(c for _, c, *_ in con.execute(f"PRAGMA main.table_info({table})") if c != "g")
            for k, first, last, g in runs:
                lo, hi = spans[k][first, table][0], spans[k][last, table][1]
                if lo < hi:
                    con.execute(
                        f"INSERT INTO main.{table} SELECT g + ?, {columns} FROM s{k}.{table}"
                        " WHERE rowid >= ? AND rowid < ? ORDER BY rowid",
                        (g - first, lo, hi),
                    )
    finally:  # the files stay attached until the caller closes ``con`` (no DETACH inside a transaction)
        own.unlink(missing_ok=True)


def _overview_rows(con: sqlite3.Connection, where: str, args: Sequence[Any]) -> Counter[tuple[str, ...]]:
    """What the graphs ``where`` selects give the actor overview: facts with their actors, registry links, actors."""
    rows: Counter[tuple[str, ...]] = Counter()
    rows.update(("fact", *r) for r in con.execute(f"SELECT fact, kind, actors FROM facts WHERE {where}", args))
    rows.update(("registry", *r) for r in con.execute(f"SELECT a, b, label FROM registry WHERE {where}", args))
    sql = f"SELECT iri FROM nodes WHERE kind = 'actor' AND {where}"
    rows.update(("actor", iri) for (iri,) in con.execute(sql, args))
    return rows


def _add_totals(con: sqlite3.Connection, select: str, args: Sequence[Any]) -> None:
    con.executemany(
        "INSERT INTO totals VALUES (?, ?, ?) ON CONFLICT (what, key) DO UPDATE SET n = n + excluded.n",
        con.execute(select, args).fetchall(),
    )


def _stamp(con: sqlite3.Connection, trig: Path) -> None:
    con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [("format", FORMAT), ("trig", identity(trig))])


def open_kept(path: Path, trig: Path) -> Kept | None:
    """The kept projection at ``path``, if it was made with the TriG at ``trig`` as it is now; else None."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        meta = dict(con.execute("SELECT key, value FROM meta"))
        if meta.get("format") == FORMAT and meta.get("trig") == identity(trig):
            return Kept(con, path)
    except (sqlite3.Error, OSError):
        pass
    con.close()
    return None


class Sub:
    """A few nodes and the edges between them, as a networkx graph is read: ``nodes[n]``, ``get_edge_data(a, b)``.

    (So that an answer from the kept projection needs no networkx, whose import alone takes 0.3-0.7 s.)
    """

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self._edges: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}

    def add_edge(self, a: str, b: str, key: str, data: dict[str, Any]) -> None:
        self._edges.setdefault((a, b), {})[key] = data

    def get_edge_data(self, a: str, b: str, default: Any = None) -> Any:
        return self._edges.get((a, b), default)


class Kept:
    """A :class:`cubagraph.network.analysis.Net` read from the kept projection."""

    def __init__(self, con: sqlite3.Connection, path: Path):
        self.con, self.path = con, path

    def close(self) -> None:
        self.con.close()

    def _chunks(self, ids: Collection[str]) -> Iterator[tuple[str, list[str]]]:
        ordered = sorted(set(ids))
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            yield ",".join("?" * len(chunk)), chunk

    def adjacent(self, nodes: Collection[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {n: set() for n in nodes}
        for marks, chunk in self._chunks(nodes):
            for x, y in self.con.execute(
                f"SELECT a, b FROM edges WHERE a IN ({marks}) UNION ALL SELECT b, a FROM edges WHERE b IN ({marks})",
                chunk + chunk,
            ):
                if x != y:
                    out[x].add(y)
        return out

    def subgraph(self, nodes: Collection[str], whole: bool = True) -> Sub:
        g = Sub()
        wanted = set(nodes)
        for marks, chunk in self._chunks(wanted):
            if whole:
                for iri, data in self.con.execute(f"SELECT iri, data FROM nodes WHERE iri IN ({marks})", chunk):
                    g.nodes[iri] = json.loads(data)
            else:  # what naming a node needs: no evidence to decode
                sql = f"SELECT iri, kind, label, class FROM nodes WHERE iri IN ({marks})"
                for iri, kind, label, klass in self.con.execute(sql, chunk):
                    g.nodes[iri] = {"kind": kind, "label": label, "class": klass}
        for marks, chunk in self._chunks(wanted):
            for a, b, key, label, kind, source in self.con.execute(
                f"SELECT a, b, key, label, kind, source FROM edges WHERE a IN ({marks})", chunk
            ):
                if b in wanted:
                    g.add_edge(a, b, key, {"label": label, "kind": kind, "source": source})
        return g

    def of_kinds(self, kinds: Collection[str], around: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Each node's kind, label, class, date, reported and documents: what a timeline shows, without its evidence."""
        marks = ",".join("?" * len(kinds))
        # One JSON array made by SQLite, decoded in one call: a call per row was most of a timeline's time.
        row = "json_array(iri, kind, label, class, json(date), reported, json(documents))"
        if around is None:
            sql = f"SELECT json_group_array({row}) FROM nodes WHERE kind IN ({marks})"
            rows = json.loads(self.con.execute(sql, list(kinds)).fetchone()[0])
        else:
            rows = []
            for m, chunk in self._chunks(self.adjacent([around])[around]):
                sql = f"SELECT json_group_array({row}) FROM nodes WHERE iri IN ({m}) AND kind IN ({marks})"
                rows += json.loads(self.con.execute(sql, chunk + list(kinds)).fetchone()[0])
        out = []
        for iri, kind, label, klass, date, reported, documents in rows:
            d: dict[str, Any] = {"kind": kind, "label": label, "class": klass}
            if date is not None:
                d["date"] = date
            if reported is not None:
                d["reported"] = reported
            if documents is not None:
                d["documents"] = documents
            out.append((iri, d))
        return out

    def timeline(self, around: str | None, lo: str | None, hi: str | None) -> tuple[list[Cells], int]:
        """The timeline's cells in its order (the table's own), within ``lo``..``hi``; and the undated ones a range hid."""
        order, cells = "undated, earliest, latest, label, iri, g", "shown, precision, label, class, reported, documents"
        ranged = bool(lo or hi)
        if around is None:
            # An interval overlaps the range: the source's date could fall inside it.
            where = " AND ".join(
                ["undated = 0"] * ranged + ["latest >= :lo"] * bool(lo) + ["earliest <= :hi"] * bool(hi)
            )
            sql = f"SELECT {cells} FROM timeline {'WHERE ' + where if where else ''} ORDER BY {order}"
            rows = self.con.execute(sql, {"lo": lo, "hi": hi}).fetchall()
            hidden = self.con.execute("SELECT COUNT(*) FROM timeline WHERE undated = 1").fetchone()[0] if ranged else 0
            return rows, hidden
        keyed, hidden = [], 0
        for m, chunk in self._chunks(self.adjacent([around])[around]):
            for row in self.con.execute(f"SELECT {order}, {cells} FROM timeline WHERE iri IN ({m})", chunk):
                if ranged and row[0]:
                    hidden += 1
                elif not ((lo and row[2] < lo) or (hi and row[1] > hi)):
                    keyed.append(row)
        keyed.sort()
        return [row[6:] for row in keyed], hidden

    def actors(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            (iri, json.loads(data))
            for iri, data in self.con.execute("SELECT iri, data FROM nodes WHERE kind = 'actor'")
        ]

    def census(self) -> Census:
        from .analysis import Census

        totals: dict[str, dict[str, int]] = {}
        for what, key, n in self.con.execute("SELECT what, key, n FROM totals"):
            totals.setdefault(what, {})[key] = n
        labels = dict(self.con.execute("SELECT iri, label FROM nodes WHERE kind = 'actor'"))
        degree = dict.fromkeys(labels, 0)
        degree.update((a, n) for a, n in self.con.execute("SELECT actor, n FROM degree") if a in degree)
        every = totals.get("all", {})
        return Census(
            every.get("nodes", 0),
            every.get("edges", 0),
            totals.get("kind", {}),
            totals.get("class", {}),
            totals.get("document", {}),
            totals.get("modality", {}),
            degree,
            labels,
        )

    def overview(self) -> nx.Graph:
        share = overview.Share()
        for iri, klass, label in self.con.execute("SELECT iri, class, label FROM nodes WHERE kind = 'actor'"):
            share.actors[iri] = {"label": label, "class": klass}
        for fact, kind, actors in self.con.execute("SELECT fact, kind, actors FROM facts"):
            share.facts[fact] = (kind, tuple(actors.split(" ")) if actors else ())
        share.registry = [(a, b, label) for a, b, label in self.con.execute("SELECT a, b, label FROM registry")]
        return overview.combine([share])

    def links(self) -> tuple[list[str], set[tuple[str, str]]]:
        """As :meth:`overview` gives them, without the facts on each link: what betweenness reads."""
        # A set first: an actor two graphs describe is one node of the overview, as in overview().
        actors = sorted({iri for (iri,) in self.con.execute("SELECT iri FROM nodes WHERE kind = 'actor'")})
        known = set(actors)
        linked: set[tuple[str, str]] = set()
        for (named,) in self.con.execute("SELECT DISTINCT actors FROM facts WHERE actors LIKE '% %'"):
            linked.update(itertools.combinations(named.split(" "), 2))  # sorted, so a < b
        for a, b in self.con.execute("SELECT a, b FROM registry WHERE a != b"):
            linked.add((min(a, b), max(a, b)))
        # As the overview: a link to an actor no graph defines is not drawn.
        return actors, {(a, b) for a, b in linked if a in known and b in known and a != b}

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``, kept in the file until the next build changes it (read-only: computed each time)."""
        found = self.con.execute("SELECT value FROM memo WHERE key = ?", (key,)).fetchone()
        if found is not None:
            return json.loads(found[0])
        value = make()
        with contextlib.suppress(sqlite3.Error):  # another process holds it, or the file is read-only
            writer = _connect(self.path)
            try:
                writer.execute("INSERT OR REPLACE INTO memo VALUES (?, ?)", (key, json.dumps(value)))
            finally:
                writer.close()
        return value
