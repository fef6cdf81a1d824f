"""Every saved query has a SPARQL 1.1 form that any store runs, and its faster Oxigraph form gives the same answers.

``queries/<name>.rq`` is the portable form; ``queries/oxigraph/<name>.rq``, where it exists, is
what cubagraph runs (LATERAL, SEP-0006). Both are run here by Oxigraph, on the seeds and on a
generated corpus of 120 documents, whole and cut to a page of 5; the portable form is also run
by rdflib, whose parser knows SPARQL 1.1 and nothing more. Jena (tests/sparql/test_jena.py) and
Virtuoso (tests/store/test_virtuoso.py) run it too.
"""

from __future__ import annotations

import re
from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib

from answers import Row, differences, local, term
from cubagraph import pipeline, project
from cubagraph.graph.dataset import Dataset
from cubagraph.sparql import engine, queries
from support import ROOT

LIBRARY = queries.library(ROOT / "queries")
PARAMS = {"actor": {"actor": "antony-blinken"}}
GENERATED_PARAMS = {"actor": {"actor": "actor-0"}}
# The columns each query orders by: a page cut at a tie may hold either row, so pages are
# compared on these.
ORDERED_BY = {
    "actor": ("document",),
    "calls-for-release": ("speaker", "date"),
    "human-rights-reporting": ("organization", "said"),
    "not-reported-fact": ("modality", "document", "claim"),
    "people-figures": ("value", "document"),
    "shared-actors": ("name",),
    "timeline": ("dated", "what"),
}


def test_the_portable_forms_are_sparql_1_1_only() -> None:
    for name, saved in LIBRARY.items():
        words = {value.upper() for kind, value, _ in engine.tokens(saved.portable) if kind == "word"}
        assert "LATERAL" not in words, f"queries/{name}.rq uses LATERAL; put that form in queries/oxigraph/{name}.rq"
        for param in saved.params:
            assert re.search(queries.values_line(param.name), saved.portable), (
                f"queries/{name}.rq: parameter {param.name} needs a line VALUES ?{param.name} {{ UNDEF }}"
            )


def test_an_oxigraph_form_is_kept_only_beside_a_portable_one() -> None:
    fast = sorted(p.stem for p in (ROOT / "queries" / queries.OXIGRAPH).glob("*.rq"))
    assert set(fast) <= set(LIBRARY)
    assert fast == sorted(n for n, q in LIBRARY.items() if q.has_oxigraph_form)
    # The benchmark showed no gain for this one (docs/queries.md): one form is enough.
    assert not LIBRARY["roundtable"].has_oxigraph_form


def test_standalone_declares_its_prefixes_and_binds_its_parameters() -> None:
    proj = project.find(ROOT)
    iri = proj.prefixes()["actor"] + "antony-blinken"
    text = queries.standalone(LIBRARY["actor"], proj.prefixes(), {"actor": f"<{iri}>"})
    assert text.startswith("PREFIX ")
    assert "{ UNDEF }" not in text and text.count(f"VALUES ?actor {{ <{iri}> }}") == 3


@pytest.fixture(scope="module")
def seeds(dataset: Dataset) -> ox.Store:
    return dataset.to_store()


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_both_forms_give_the_same_answers_on_the_seeds(name: str, seeds: ox.Store) -> None:
    saved, proj = LIBRARY[name], project.find(ROOT)
    params = PARAMS.get(name, {})
    mine = local(seeds, proj, saved, params)
    assert mine, f"{name} finds nothing on the seeds"
    portable = local(seeds, proj, saved, params, portable=True)
    assert portable == mine, differences(mine, portable)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[ox.Store, project.Project]:
    """A generated corpus of 120 documents and 180 actors, built in memory."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    directory = tmp_path_factory.mktemp("generated") / "corpus"
    bench.generate(directory, 120, actors_per_100=150)
    proj = project.find(directory)
    return pipeline.build_dataset(proj, use_cache=False).to_store(), proj


def _paged(saved: queries.SavedQuery, size: int) -> queries.SavedQuery:
    def cut(text: str) -> str:
        return re.sub(r"LIMIT (100|25)\b", f"LIMIT {size}", text.replace("< 100", f"< {size}"))

    return queries.SavedQuery(
        saved.name, saved.path, saved.question, cut(saved.text), saved.params, cut(saved.portable)
    )


def _project(rows: Counter[Row], columns: tuple[str, ...]) -> Counter[tuple[str, ...]]:
    out: Counter[tuple[str, ...]] = Counter()
    for r, n in rows.items():
        values = dict(r)
        out[tuple(values.get(c, "") for c in columns)] += n
    return out


@pytest.mark.parametrize("name", sorted(n for n, q in LIBRARY.items() if q.has_oxigraph_form))
def test_both_forms_give_the_same_answers_on_a_generated_corpus(
    name: str, generated: tuple[ox.Store, project.Project]
) -> None:
    store, proj = generated
    saved = LIBRARY[name]
    params = GENERATED_PARAMS.get(name, {})
    whole = _paged(saved, 100000)
    mine = local(store, proj, whole, params)
    portable = local(store, proj, whole, params, portable=True)
    assert portable == mine, differences(mine, portable)
    page = _paged(saved, 5)
    columns = ORDERED_BY.get(name)
    if columns and sum(mine.values()) > 5:
        first = _project(local(store, proj, page, params), columns)
        assert _project(local(store, proj, page, params, portable=True), columns) == first


@pytest.fixture(scope="module")
def rdflib_dataset(dataset: Dataset) -> rdflib.Dataset:
    ds: rdflib.Dataset = dataset.to_rdflib()
    ds.default_union = True  # as cubagraph's queries see the graph: the union of its graphs
    return ds


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_rdflib_runs_the_portable_form(name: str, seeds: ox.Store, rdflib_dataset: rdflib.Dataset) -> None:
    saved, proj = LIBRARY[name], project.find(ROOT)
    params = PARAMS.get(name, {})
    values = {p: str(engine.resolve_actor(v, seeds, proj.prefixes()["actor"])) for p, v in params.items()}
    text = queries.standalone(saved, proj.prefixes(), values)
    got: Counter[Row] = Counter()
    for found in rdflib_dataset.query(text):
        assert isinstance(found, rdflib.query.ResultRow)
        pairs = []
        for var, t in found.asdict().items():
            if isinstance(t, rdflib.URIRef):
                pairs.append((var, term("uri", str(t))))
            elif isinstance(t, rdflib.Literal):
                dt = str(t.datatype) if t.datatype else None
                pairs.append((var, term("literal", str(t), dt, t.language)))
        got[tuple(sorted(pairs))] += 1
    mine = local(seeds, proj, saved, params)
    assert got == mine, differences(mine, got)
