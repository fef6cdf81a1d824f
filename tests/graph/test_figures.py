"""Figures keep the words and the precision they were stated in; units come from a QUDT-aligned vocabulary."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_seed_facts import B, R, one, select

from cubagraph.graph.dataset import Dataset
from cubagraph.mapping import figures, model
from cubagraph.rdf import ontology
from support import ROOT, Result, edit, line_of

QUDT = "http://qudt.org/vocab/unit/"


@pytest.fixture(scope="module")
def store(dataset: Dataset) -> ox.Store:
    return dataset.to_store()


def test_the_units_the_issue_asks_for_are_declared_and_aligned_to_qudt() -> None:
    vocab = ontology.load(ROOT / "ontology" / "cubagraph.ttl").vocabulary
    assert {"persons", "years", "months", "days", "percent", "usd", "eur", "cup"} <= set(vocab.keys("unit"))
    store = ox.Store()
    store.extend(ontology.load(ROOT / "ontology" / "cubagraph.ttl").quads)
    rows = select(
        store, "SELECT ?key ?match WHERE { ?u skos:inScheme cg:Units ; cg:key ?key ; skos:exactMatch ?match }"
    )
    matches = {r["key"]: r["match"] for r in rows}
    assert (
        matches["years"] == QUDT + "YR" and matches["percent"] == QUDT + "PERCENT" and matches["days"] == QUDT + "DAY"
    )
    currencies = select(
        store,
        "SELECT ?key ?code ?match WHERE { ?u a cg:Currency ; cg:key ?key ; skos:notation ?code ; skos:exactMatch ?match }",
    )
    assert len(currencies) >= 10
    for r in currencies:  # ISO 4217: three capitals; the key is the code in lower case; QUDT's unit is CCY_ + code
        assert re.fullmatch(r"[A-Z]{3}", r["code"]) and r["key"] == r["code"].lower(), r
        assert r["match"] == f"{QUDT}CCY_{r['code']}", r


def test_the_export_figure_is_stated_to_a_tenth_of_a_million_not_exact(store: ox.Store) -> None:
    row = one(
        store,
        f"""SELECT ?value ?step ?stated ?label ?measure WHERE {{
            figure:{B}.us-exports-to-cuba-2018 cg:value ?value ; cg:valuePrecision ?step ; cg:stated ?stated ;
                rdfs:label ?label ; cg:measures/cg:key ?measure }}""",
    )
    assert row == {
        "value": "275900000",
        "step": "100000",
        "stated": "$275.9 million",
        "label": "$275.9 million: total value of all U.S. exports to Cuba in 2018",
        "measure": "export_value",
    }
    assert "exactly" not in row["label"]


@pytest.mark.parametrize(
    ("figure", "label", "step"),
    [
        (
            f"{B}.us-provisions-2017",
            "about $3.5 billion: value of provisions from the U.S. to Cuba in 2017",
            "100000000",
        ),
        (
            f"{B}.jailed-more-than-700",
            "more than 700 individuals: individuals who remain in jail for exercising their freedoms of expression and peaceful assembly",
            "1",
        ),
        (f"{R}.prisoners-released-553", "553 prisoners: prisoners released by the Cuban government", "1"),
    ],
)
def test_labels_follow_the_stated_form(store: ox.Store, figure: str, label: str, step: str) -> None:
    assert one(store, f"SELECT ?l ?s WHERE {{ figure:{figure} rdfs:label ?l ; cg:valuePrecision ?s }}") == {
        "l": label,
        "s": step,
    }


def _figure(**fields: object) -> model.Figure:
    base: dict[str, object] = {
        "id": "f",
        "evidence": ["of $275.9 million in 2018"],
        "unit": "usd",
        "comparator": "exact",
        "counts": "exports",
        "as_of": "2018",
        "value": Decimal("275.9"),
        "scale": "million",
    }
    return model.Figure.model_validate({**base, **fields})


def test_quantity_and_step() -> None:
    assert (figures.quantity(_figure()), figures.step(_figure())) == (275_900_000, 100_000)
    assert (figures.quantity(_figure(value=553, scale=None)), figures.step(_figure(value=553, scale=None))) == (553, 1)
    assert figures.step(_figure(value=Decimal("3.50"), scale="billion")) == 10_000_000  # two decimals stated
    assert figures.quantity(_figure(value=Decimal("0.5"), scale=None)) == Decimal("0.5")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    stated: $275.9 million\n",
            "    stated: $275.8 million\n",
            "the stated words '$275.8 million' are not in the figure's evidence",
        ),
        (
            "    value: 275.9\n",
            "    value: 275.95\n",
            "the value 275.95 million is not the number the text states ('$275.9 million')",
        ),
        ("    measures: export_value\n", "    measures: exports\n", "unknown measure 'exports'"),
    ],
)
def test_a_figure_that_says_more_than_its_words_is_refused(
    run: Callable[..., Result], workdir: Path, old: str, new: str, message: str
) -> None:
    path = workdir / "data" / "mappings" / f"{B}.yaml"
    edit(path, old, new)
    result = run("check", cwd=workdir)
    assert result.code == 1
    assert f":{line_of(path, new.strip())}: {message}" in result.err, result.err


def test_any_unit_of_the_vocabulary_can_be_mapped(run: Callable[..., Result], workdir: Path) -> None:
    path = workdir / "data" / "mappings" / f"{B}.yaml"
    edit(path, "    comparator: about\n    unit: usd\n", "    comparator: about\n    unit: eur\n")
    assert run("check", cwd=workdir).code == 0  # the vocabulary is data: no code names the currencies
