"""`cubagraph publish` into a real Virtuoso, and every saved query answered there as locally.

Virtuoso is Debian's ``virtuoso-opensource`` (7.2), started once for this module by
``support.Virtuoso`` (``virtuoso-t +foreground`` in a temporary directory, 127.0.0.1 only,
stopped by its PID). Publishing goes through its authenticated Graph Store endpoint,
``/sparql-graph-crud-auth``, with digest auth as dba (as docs/publishing.md says to); queries go
to ``/sparql``, whose default graph is every graph in the store. scripts/setup.py installs the
package; without it these tests fail rather than skip, so that CI cannot pass without Virtuoso.

Where Virtuoso is known to change a datatype (booleans, and integers above 2^31 - 1: see
``as_virtuoso_means``), the answers are compared after undoing it; nothing else is normalised.
"""

from __future__ import annotations

import re
import shutil
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

import support
from answers import XSD, Row, differences, from_json, local
from cubagraph import project
from cubagraph.graph.dataset import Dataset
from cubagraph.sparql import engine, queries
from cubagraph.store.client import Auth, Client
from support import ROOT, Result, edit

LIBRARY = queries.library(ROOT / "queries")
PARAMS = {"actor": {"actor": "antony-blinken"}}
BOOLEAN, INTEGER = f"<{XSD}boolean>", f"<{XSD}integer>"


def as_virtuoso_means(theirs: Counter[Row], mine: Counter[Row]) -> Counter[Row]:
    """Virtuoso's answers, with the datatypes it is known to change written as loaded.

    Virtuoso 7.2 writes a stored xsd:boolean as "1" or "0" (the same values as "true" and
    "false"), and gives the value of a boolean expression (a comparison, `true`) as the
    xsd:integer 1 or 0: in the columns where cubagraph answers booleans, those become "true"
    and "false". It loads an xsd:integer above 2^31 - 1 as an xsd:decimal (the $3.5 billion
    trade figure): in the columns where cubagraph answers integers, a whole decimal becomes an
    integer again. Nothing else is changed.
    """
    booleans = {var for r in mine for var, value in r if value.endswith(BOOLEAN)}
    integers = {var for r in mine for var, value in r if value.endswith(INTEGER)}
    words = {'"1"': '"true"', '"0"': '"false"'}
    out: Counter[Row] = Counter()
    for r, n in theirs.items():
        fixed = []
        for var, value in r:
            lexical, _, datatype = value.partition("^^")
            if var in booleans and lexical in words and datatype in (BOOLEAN, INTEGER):
                value = f"{words[lexical]}^^{BOOLEAN}"
            elif var in integers and datatype == f"<{XSD}decimal>" and re.fullmatch(r'"-?\d+"', lexical):
                value = f"{lexical}^^{INTEGER}"
            fixed.append((var, value))
        out[tuple(sorted(fixed))] += n
    return out


class Virtuoso(support.Virtuoso):
    """The real store, what it holds graph by graph, and how to publish to it."""

    def counts(self) -> dict[str, int]:
        res = Client(Auth(), retries=0).query(
            f"{self.url}/sparql", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        return {b["g"]["value"]: int(b["n"]["value"]) for b in res["results"]["bindings"]}

    def select(self, text: str) -> bytes:
        body = urllib.parse.urlencode({"query": text}).encode()
        client = Client(Auth(), retries=0)
        return client.request(
            "POST",
            f"{self.url}/sparql",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
        )


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    assert shutil.which("virtuoso-t"), (
        "Virtuoso is not installed: `python3 scripts/setup.py` installs virtuoso-opensource"
    )
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture
def publish(run: Callable[..., Result], virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """`cubagraph publish` to the Virtuoso, as docs/publishing.md tells a Virtuoso user to."""
    monkeypatch.setenv("CUBAGRAPH_STORE_USER", "dba")
    monkeypatch.setenv("CUBAGRAPH_STORE_PASSWORD", "dba")

    def _publish(*flags: str, cwd: Path = ROOT) -> Result:
        return run("publish", "--store", f"{virtuoso.url}/sparql-graph-crud-auth", "--auth", "digest", *flags, cwd=cwd)

    return _publish


def local_counts(dataset: Dataset) -> dict[str, int]:
    out: dict[str, int] = {}
    for q in dataset.quads:
        assert isinstance(q.graph_name, ox.NamedNode)
        out[q.graph_name.value] = out.get(q.graph_name.value, 0) + 1
    return out


@pytest.fixture
def published(publish: Callable[..., Result], virtuoso: Virtuoso) -> Result:
    result = publish()
    assert result.code == 0, result.err
    return result


def test_publish_loads_every_graph(published: Result, virtuoso: Virtuoso, dataset: Dataset) -> None:
    expected = local_counts(dataset)
    remote = virtuoso.counts()
    assert {g: n for g, n in remote.items() if g in expected} == expected
    assert "https://cubagraph.example/id/publication" in remote
    assert published.out.splitlines()[-1].startswith(f"Published to {virtuoso.url}/sparql-graph-crud-auth: 4 ")


def test_republishing_changes_nothing(published: Result, publish: Callable[..., Result], virtuoso: Virtuoso) -> None:
    before = virtuoso.counts()
    again = publish()
    assert again.code == 0, again.err
    assert again.out.splitlines()[-1].endswith(": 4 unchanged.")
    assert virtuoso.counts() == before
    # Virtuoso's own name for the graph parameter, graph-uri, works as well as ?graph=.
    named = publish("--graph-param", "graph-uri")
    assert named.code == 0, named.err
    assert named.out.splitlines()[-1].endswith(": 4 unchanged.")
    assert virtuoso.counts() == before


def test_without_digest_auth_virtuoso_refuses_and_publish_says_so(
    published: Result, run: Callable[..., Result], virtuoso: Virtuoso, workdir: Path
) -> None:
    before = virtuoso.counts()
    edit(workdir / "data/actors.yaml", "    name: Venezuela\n", "    name: Bolivarian Republic of Venezuela\n")
    assert run("build", cwd=workdir).code == 0
    basic = run(
        "publish", "--store", f"{virtuoso.url}/sparql-graph-crud-auth", "--auth", "basic", "--retries", "0", cwd=workdir
    )
    assert basic.code != 0
    assert "401 Unauthorized" in basic.err + basic.out and "dba" not in basic.err + basic.out
    assert virtuoso.counts() == before


@pytest.fixture(scope="module")
def seeds() -> ox.Store:
    """The same graph as published: exports/cubagraph.trig."""
    store = ox.Store()
    store.load(path=str(ROOT / "exports" / "cubagraph.trig"), format=ox.RdfFormat.TRIG)
    return store


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_virtuoso_gives_every_saved_query_the_same_answers(
    name: str, published: Result, virtuoso: Virtuoso, seeds: ox.Store
) -> None:
    proj, saved = project.find(ROOT), LIBRARY[name]
    params = PARAMS.get(name, {})
    values = {p: str(engine.resolve_actor(v, seeds, proj.prefixes()["actor"])) for p, v in params.items()}
    mine = local(seeds, proj, saved, params)
    assert mine, f"{name} finds nothing in exports/cubagraph.trig"
    theirs = as_virtuoso_means(from_json(virtuoso.select(queries.standalone(saved, proj.prefixes(), values))), mine)
    assert theirs == mine, differences(mine, theirs)


def test_prune_removes_a_deleted_documents_graph(
    published: Result, publish: Callable[..., Result], virtuoso: Virtuoso, workdir: Path, run: Callable[..., Result]
) -> None:
    gone = "https://cubagraph.example/id/graph/cuba-releases-553-prisoners"
    assert gone in virtuoso.counts()
    (workdir / "data/mappings/cuba-releases-553-prisoners.yaml").unlink()
    (workdir / "data/documents/004_1d5170aace06a04f.txt").unlink()
    assert run("build", cwd=workdir).code == 0
    kept = publish(cwd=workdir)
    assert "not in the build (use --prune)" in kept.out and gone in virtuoso.counts()
    pruned = publish("--prune", cwd=workdir)
    assert pruned.code == 0, pruned.err
    assert "deleted" in pruned.out
    counts = virtuoso.counts()
    assert gone not in counts
    assert "https://cubagraph.example/id/graph/blinken-political-prisoners" in counts
    # Put the whole graph back, for whichever test runs next.
    assert publish().code == 0
    assert gone in virtuoso.counts()
