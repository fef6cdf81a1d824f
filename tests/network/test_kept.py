"""The projection the build keeps (network/kept.py) answers as the projection made afresh from the TriG does.

On a generated corpus (benchmarks/corpus.py) and on the seeds: path, neighbors,
timeline and stats, as the library gives them and as the CLI prints them; and
again after an edit, a new document and a removed one, each of which the
kept projection follows by replacing only the graphs that changed.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from cubagraph import project
from cubagraph.network import analysis, kept, projection
from support import ROOT, Result, edit

spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
assert spec is not None and spec.loader is not None
corpus = importlib.util.module_from_spec(spec)
spec.loader.exec_module(corpus)

QUESTIONS = [
    ("path", "actor-0", "actor-50"),
    ("path", "actor-3", "actor-41", "--max", "5"),
    ("path", "actor-29", "actor-7", "--max", "2"),
    ("neighbors", "actor-0"),
    ("neighbors", "actor-12", "--depth", "2"),
    ("timeline",),
    ("timeline", "--actor", "actor-1"),
    ("timeline", "--from", "2015", "--to", "2019-06"),
    ("stats", "--format", "json"),
    ("stats", "--top", "4"),
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("kept") / "corpus"
    corpus.generate(directory, 60)
    return directory


def _both(run: Callable[..., Result], directory: Path, *args: str) -> tuple[Result, Result]:
    """The answer from the kept projection, then from the TriG (the kept file moved aside)."""
    path = directory / ".cubagraph" / kept.NAME
    assert kept.open_kept(path, directory / "exports" / "cubagraph.trig") is not None
    from_kept = run(*args, cwd=directory)
    aside = path.with_name("aside.sqlite")
    path.rename(aside)
    try:
        fresh = run(*args, cwd=directory)
    finally:
        aside.rename(path)
    return from_kept, fresh


def _same_answers(run: Callable[..., Result], directory: Path, questions: list[tuple[str, ...]]) -> None:
    for args in questions:
        from_kept, fresh = _both(run, directory, *args)
        assert from_kept.code == fresh.code, (args, from_kept.err, fresh.err)
        assert from_kept.code == 0 or args[0] == "path", (args, from_kept.err)
        assert from_kept.out == fresh.out, args
        assert from_kept.out.strip(), args


def test_generated_corpus_same_answers_from_kept_and_fresh(run: Callable[..., Result], generated: Path) -> None:
    assert run("build", cwd=generated).code == 0
    _same_answers(run, generated, QUESTIONS)


def test_the_library_answers_alike(generated: Path) -> None:
    """The same through the API: every actor pair's paths, every actor's neighbours, the whole census."""
    proj = project.find(generated)
    whole = analysis.Whole(projection.load(proj.trig))
    net = kept.open_kept(generated / ".cubagraph" / kept.NAME, proj.trig)
    assert net is not None
    actors = sorted(n for n, _ in whole.actors())
    assert sorted(n for n, _ in net.actors()) == actors
    assert net.census() == whole.census()
    assert analysis.stats(net, 50) == analysis.stats(whole, 50)
    assert analysis.timeline(net) == analysis.timeline(whole)
    _same_timelines(net, whole, actors[::11])
    connected = 0
    for a, b in zip(actors[::7], actors[3::5], strict=False):
        ours, theirs = analysis.chains(net, a, b, 3), analysis.chains(whole, a, b, 3)
        assert ours[1] == theirs[1], (a, b)
        connected += bool(ours[1])
        lengths = [len(p.hops) for p in ours[1]]
        assert lengths == sorted(lengths)
    assert connected >= 4
    for a in actors[::9]:
        assert analysis.neighbours(net, a, 2) == analysis.neighbours(whole, a, 2), a
    o1, o2 = net.overview(), whole.overview()
    assert sorted(o1.edges(data=True)) == sorted(o2.edges(data=True))


def test_edits_are_followed_graph_by_graph(run: Callable[..., Result], tmp_path: Path) -> None:
    directory = tmp_path / "corpus"
    corpus.generate(directory, 30)
    assert run("build", cwd=directory).code == 0
    path = directory / ".cubagraph" / kept.NAME

    def graphs() -> dict[str, str]:
        with sqlite3.connect(path) as con:
            return dict(con.execute("SELECT name, id FROM graphs"))

    before = graphs()
    mapping = directory / "data" / "mappings" / "doc-00007.yaml"
    mapping.write_text(mapping.read_text("utf-8").replace('summary: "Claim 0', 'summary: "Edited 0', 1), "utf-8")
    (directory / "data" / "mappings" / "doc-00011.yaml").unlink()
    shutil.copy(directory / "data" / "mappings" / "doc-00003.yaml", directory / "data" / "mappings" / "doc-new.yaml")
    # The copy is a document of its own, with its own text.
    shutil.copy(directory / "data" / "documents" / "doc-00003.txt", directory / "data" / "documents" / "doc-new.txt")
    new = directory / "data" / "mappings" / "doc-new.yaml"
    text = new.read_text("utf-8").replace("id: doc-00003", "id: doc-new", 1)
    new.write_text(text.replace("documents/doc-00003.txt", "documents/doc-new.txt", 1), "utf-8")
    assert run("build", cwd=directory).code == 0, "build after edits"
    after = graphs()
    changed = {name for name in set(before) | set(after) if before.get(name) != after.get(name)}
    assert {name.rsplit("/", 1)[-1] for name in changed} == {"doc-00007", "doc-00011", "doc-new"}
    _same_answers(run, directory, [("timeline",), ("stats", "--format", "json"), ("neighbors", "actor-0")])


def _same_timelines(net: analysis.Net, whole: analysis.Whole, actors: list[str]) -> list[analysis.Cells]:
    """The timeline's rows as printed: the kept table's cells, made in SQL, against Entry.cells, for ranges and actors."""
    for bounds in [(None, None), ("2015", "2019-06"), ("2021-07-11", None), (None, "2012"), ("2030", None)]:
        for actor in [None, *actors]:
            assert analysis.timeline_rows(net, actor, *bounds) == analysis.timeline_rows(whole, actor, *bounds)
    shown, _ = analysis.timeline_rows(net)
    assert {"undated", "unknown"} <= {cell for row in shown for cell in row}
    return shown


def test_seeds_timeline_rows_alike(run: Callable[..., Result], workdir: Path) -> None:
    """On the seeds, whose dates include approximate ones and whose events are told by several documents."""
    assert run("build", cwd=workdir).code == 0
    proj = project.find(workdir)
    whole = analysis.Whole(projection.load(proj.trig))
    net = kept.open_kept(workdir / ".cubagraph" / kept.NAME, proj.trig)
    assert net is not None
    shown = _same_timelines(net, whole, sorted(n for n, _ in whole.actors()))
    assert any(row[0].endswith(" ~") for row in shown)


@pytest.mark.parametrize(
    "date",
    [
        {
            "value": "2021-07",
            "earliest": "2021-07-01",
            "latest": "2021-07-31",
            "precision": "month",
            "approximate": True,
        },
        {"value": "2021", "earliest": "2021-01-01", "latest": "2021-12-31", "precision": "year", "approximate": False},
        {"earliest": "2021-01-01", "latest": "2021-12-31"},
        {"precision": "unknown", "approximate": True},
        {},
    ],
)
@pytest.mark.parametrize("documents", [None, [], ["doc-a"], ["doc-b", "doc-a", "doc-c"]])
@pytest.mark.parametrize("reported", [None, "2023-07 (approx.)"])
def test_the_tables_cells_are_entry_cells(
    date: dict[str, object], documents: list[str] | None, reported: str | None
) -> None:
    """Every rule of Entry.cells, as the SQL that fills the kept timeline applies it (what the corpora lack too)."""
    con = sqlite3.connect(":memory:")
    con.executescript(kept._SCHEMA)
    doc = None if documents is None else json.dumps(documents)
    con.execute(
        "INSERT INTO nodes VALUES (1, 'e1', 'event', 'Protest', 'Protests « in » Havana', ?, ?, ?, '{}')",
        (json.dumps(date) if date else None, reported, doc),
    )
    con.execute(kept._TIMED.format(where="1"))
    (cells,) = con.execute("SELECT shown, precision, label, class, reported, documents FROM timeline").fetchall()
    entry = analysis.Entry("e1", "Protests « in » Havana", "Protest", date, reported or "unknown", documents or [])
    assert cells == entry.cells()


def test_seeds_same_answers(run: Callable[..., Result], workdir: Path) -> None:
    shutil.copytree(ROOT / "queries", workdir / "queries")  # stats runs a saved query too
    assert run("build", cwd=workdir).code == 0
    _same_answers(
        run,
        workdir,
        [
            ("path", "Blinken", "Cuban courts", "--max", "5"),
            ("neighbors", "Cuba", "--depth", "2"),
            ("timeline", "--actor", "Blinken"),
            ("timeline",),
            ("stats", "--format", "json"),
        ],
    )


def test_a_kept_projection_of_another_trig_is_not_used(run: Callable[..., Result], workdir: Path) -> None:
    assert run("build", cwd=workdir).code == 0
    trig = workdir / "exports" / "cubagraph.trig"
    assert kept.open_kept(workdir / ".cubagraph" / kept.NAME, trig) is not None
    trig.write_bytes(trig.read_bytes() + b"\n")  # changed by something else than a build
    assert kept.open_kept(workdir / ".cubagraph" / kept.NAME, trig) is None
    assert run("timeline", cwd=workdir).code == 0  # made afresh from the TriG


def test_the_betweenness_is_kept_until_a_graph_changes(run: Callable[..., Result], workdir: Path) -> None:
    shutil.copytree(ROOT / "queries", workdir / "queries")
    assert run("build", cwd=workdir).code == 0
    path = workdir / ".cubagraph" / kept.NAME

    def memos() -> int:
        with sqlite3.connect(path) as con:
            return int(con.execute("SELECT COUNT(*) FROM memo").fetchone()[0])

    assert memos() == 0
    first = run("stats", "--format", "json", cwd=workdir)
    assert memos() == 1
    assert run("build", cwd=workdir).code == 0 and memos() == 1  # nothing changed
    assert run("stats", "--format", "json", cwd=workdir).out == first.out
    # A label edited: the document's graph changes, the actor overview does not, and the figures are kept.
    mapping = workdir / "data" / "mappings" / "cuba-releases-553-prisoners.yaml"
    edit(mapping, "    label: Cuba releases 553 prisoners\n", "    label: Cuba frees 553 prisoners\n")
    assert run("build", cwd=workdir).code == 0 and memos() == 1
    assert run("stats", "--format", "json", cwd=workdir).out == first.out
    # A document gone: its facts leave the overview, and the figures are computed again.
    mapping.unlink()
    assert run("build", cwd=workdir).code == 0 and memos() == 0
    assert run("stats", "--format", "json", cwd=workdir).out != first.out


def test_the_seeds_census_is_the_same(workdir: Path, run: Callable[..., Result]) -> None:
    """Every count and every actor's degree, unnamed speakers (actors a document defines) included."""
    shutil.copytree(ROOT / "queries", workdir / "queries")
    assert run("build", cwd=workdir).code == 0
    trig = workdir / "exports" / "cubagraph.trig"
    net = kept.open_kept(workdir / ".cubagraph" / kept.NAME, trig)
    assert net is not None
    whole = analysis.Whole(projection.load(trig))
    assert net.census() == whole.census()
    assert analysis.betweenness(net) == analysis.betweenness(whole)


def _rows(n: int) -> bytes:
    """A graph's rows as :func:`kept.encode` gives them, ``n`` of each kind (none for 0)."""
    import marshal

    return marshal.dumps(
        {
            "nodes": [[f"n{n}-{i}", "actor", "Person", f"label {n}", None, None, None, "{}"] for i in range(n)],
            "edges": [[f"n{n}-{i}", f"n{n}-0", "k", "l", "edge", "s"] for i in range(n)],
            "facts": [[f"f{n}-{i}", "event", f"n{n}-0"] for i in range(n)],
            "registry": [],
            "counts": [["kind", "actor", n]] if n else [],
            "ties": [[f"n{n}-{i}", f"n{n}-0"] for i in range(n)],
        }
    )


def test_rows_staged_by_workers_are_copied_as_loaded(tmp_path: Path) -> None:
    """A new file made from staged files holds the same rows, in the same order, as one made from the rows."""
    graphs = [(f"g{i:02}", f"id{i}", _rows(i % 4)) for i in range(30)]
    trig = tmp_path / "t.trig"
    trig.write_text("")
    loaded, merged = tmp_path / "loaded.sqlite", tmp_path / "merged.sqlite"
    kept.update(loaded, [(name, id, lambda r=rows: r) for name, id, rows in graphs], trig)
    # Two workers' files, each in batches of its own and out of the graphs' order; graphs g00-g02 staged
    # by none (as the registry's), and one staged with an id that is not wanted (its rows come from the cache).
    one, two = tmp_path / "1.sqlite", tmp_path / "2.sqlite"
    kept.stage(one, graphs[20:25] + graphs[3:6])
    kept.stage(two, graphs[6:20])
    kept.stage(one, [*graphs[25:29], ("g29", "stale", _rows(1))])
    kept.update(merged, [(name, id, lambda r=rows: r) for name, id, rows in graphs], trig, [one, two])

    def dump(path: Path) -> list[list[tuple[object, ...]]]:
        with sqlite3.connect(path) as con:
            tables = (*kept._TABLES, "graphs", "totals", "degree")
            return [con.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall() for table in tables]

    assert dump(merged) == dump(loaded)
    assert sum(len(rows) for rows in dump(merged)) > 100
    # Made ahead by prepare() (in a thread, while the exports are written), then stamped and renamed in.
    ahead, made = tmp_path / "ahead.sqlite", tmp_path / "made.sqlite.new"
    listed = [(name, id, lambda r=rows: r) for name, id, rows in graphs]
    assert kept.prepare(ahead, listed, [one, two], made)
    assert kept.update(ahead, listed, trig, [one, two], made) == len(graphs)
    assert dump(ahead) == dump(loaded) and not made.exists()
    assert kept.open_kept(ahead, trig) is not None
    assert list(tmp_path.glob("*.rest")) == []


def test_a_check_keeps_nothing_the_workers_staged(run: Callable[..., Result], tmp_path: Path) -> None:
    """`build --check` writes nothing: the rows workers staged for the kept projection go too."""
    directory = tmp_path / "corpus"
    corpus.generate(directory, 70)  # enough documents for workers (fanout.MIN_ITEMS)
    result = run("build", "--check", cwd=directory)
    assert result.code != 0 and "stale" in (result.out + result.err).lower()  # nothing was built yet
    left = [p.name for p in (directory / ".cubagraph").rglob("*") if "staged" in str(p) or p.name.endswith(".new")]
    assert [name for name in left if name != "network-staged"] == []
    assert not (directory / ".cubagraph" / kept.NAME).exists()
