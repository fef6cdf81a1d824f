"""The seed graph against a reviewer's list of facts drawn from the two texts.

Each test asks the built graph a question in SPARQL and checks the answer
against what the text says, including its attributions, modalities and the
dates it does (or does not) give.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from cubagraph.graph.dataset import Dataset
from cubagraph.rdf.namespaces import PREFIXES

PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()) + (
    "PREFIX actor: <https://cubagraph.example/id/actor/>\n"
    "PREFIX post: <https://cubagraph.example/id/post/>\n"
    "PREFIX document: <https://cubagraph.example/id/document/>\n"
    "PREFIX event: <https://cubagraph.example/id/event/>\n"
    "PREFIX statement: <https://cubagraph.example/id/statement/>\n"
    "PREFIX figure: <https://cubagraph.example/id/figure/>\n"
)
B = "blinken-political-prisoners"
R = "cuba-releases-553-prisoners"


@pytest.fixture(scope="module")
def store(dataset: Dataset) -> ox.Store:
    return dataset.to_store()


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    rows = store.query(PROLOGUE + query, use_default_graph_as_union=True)
    out = []
    for row in rows:  # type: ignore[union-attr]
        out.append({v.value: row[v].value for v in rows.variables if row[v] is not None})  # type: ignore[union-attr]
    return out


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(PROLOGUE + "ASK " + query, use_default_graph_as_union=True))


def one(store: ox.Store, query: str) -> dict[str, str]:
    rows = select(store, query)
    assert len(rows) == 1, rows
    return rows[0]


def test_blinken_statement_calls_for_release_of_political_prisoners(store: ox.Store) -> None:
    row = one(
        store,
        f"""SELECT ?medium ?platform ?demand ?value ?approx ?derived WHERE {{
            statement:{B}.blinken-twitter-post a cg:Statement ; cg:speaker actor:antony-blinken ;
                cg:medium/rdfs:label ?medium ; cg:platform ?platform ;
                cg:callsFor [ rdfs:label ?demand ; cg:about actor:political-prisoners ] ;
                cg:date [ cg:dateValue ?value ; cg:approximate ?approx ; cg:derivedFrom/oa:hasTarget/oa:hasSelector/oa:exact ?derived ] .
        }}""",
    )
    assert row == {
        "medium": "social media post",
        "platform": "Twitter",
        "demand": "The immediate release of all political prisoners",
        "value": "2023-07",
        "approx": "true",
        "derived": "Two years after the historic July 11 protests",
    }
    quotes = {r["q"] for r in select(store, f"SELECT ?q WHERE {{ statement:{B}.blinken-twitter-post cg:quote ?q }}")}
    assert (
        "We share the Cuban people's dream of democracy and call for the immediate release of all political prisoners."
        in quotes
    )


def test_cuba_released_553_prisoners_on_no_given_date(store: ox.Store) -> None:
    agents = {r["a"] for r in select(store, f"SELECT ?a WHERE {{ event:{R}.release-of-553-prisoners cg:agent ?a }}")}
    assert agents == {"https://cubagraph.example/id/actor/cuba", "https://cubagraph.example/id/actor/cuban-government"}
    assert ask(
        store,
        f"{{ event:{R}.release-of-553-prisoners a cg:PrisonerRelease ; cg:affected actor:released-prisoners-553 }}",
    )
    assert ask(store, f"{{ event:{R}.release-of-553-prisoners cg:date/cg:precision cg:UnknownPrecision }}")
    assert not ask(store, f"{{ event:{R}.release-of-553-prisoners cg:date/(cg:dateValue|cg:earliest|cg:latest) ?any }}")
    figure = one(
        store,
        f"""SELECT ?value ?comparator ?unit ?precision WHERE {{
            figure:{R}.prisoners-released-553 cg:value ?value ; cg:comparator ?comparator ; cg:unit ?unit ;
                cg:asOf/cg:precision ?precision ; cg:about event:{R}.release-of-553-prisoners .
        }}""",
    )
    assert figure == {
        "value": "553",
        "comparator": PREFIXES["cg"] + "Exactly",
        "unit": PREFIXES["cg"] + "Persons",
        "precision": PREFIXES["cg"] + "UnknownPrecision",
    }


@pytest.mark.parametrize(
    ("figure", "value", "comparator", "unit", "as_of", "asserted_by"),
    [
        (f"{B}.jailed-more-than-700", "700", "MoreThan", "Persons", "2023-07", "actor/antony-blinken"),
        (f"{B}.convictions-upheld-more-than-380", "380", "MoreThan", "Persons", None, "actor/human-rights-watch"),
        (f"{B}.us-exports-to-cuba-2018", "275900000", "Exactly", "USD", "2018", f"document/{B}"),
        (f"{B}.us-provisions-2017", "3500000000", "About", "USD", "2017", "actor/us-department-of-state"),
        (f"{R}.prisoners-released-553", "553", "Exactly", "Persons", None, f"document/{R}"),
    ],
)
def test_figures(
    store: ox.Store, figure: str, value: str, comparator: str, unit: str, as_of: str | None, asserted_by: str
) -> None:
    row = one(
        store,
        f"""SELECT ?value ?comparator ?unit ?asof ?by WHERE {{
            figure:{figure} cg:value ?value ; cg:comparator ?comparator ; cg:unit ?unit ; cg:assertedBy ?by ;
                cg:asOf ?date . OPTIONAL {{ ?date cg:dateValue ?asof }}
        }}""",
    )
    expected = {
        "value": value,
        "comparator": PREFIXES["cg"] + comparator,
        "unit": PREFIXES["cg"] + unit,
        "by": "https://cubagraph.example/id/" + asserted_by,
    }
    if as_of:
        expected["asof"] = as_of
    assert row == expected


def test_blinkens_700_figure_is_a_quoted_claim_made_via_his_post(store: ox.Store) -> None:
    assert ask(
        store,
        f"{{ figure:{B}.jailed-more-than-700 cg:modality cg:Quoted ; cg:assertedVia statement:{B}.blinken-twitter-post }}",
    )


def test_dates_keep_their_precision(store: ox.Store) -> None:
    rows = {
        r["label"]: (r["precision"].rsplit("#", 1)[1], r.get("value"), r.get("approx"))
        for r in select(
            store,
            """SELECT ?label ?precision ?value ?approx WHERE {
                ?e a cg:Event ; rdfs:label ?label ; cg:date ?d . ?d cg:precision ?precision .
                OPTIONAL { ?d cg:dateValue ?value } OPTIONAL { ?d cg:approximate ?approx }
            }""",
        )
    }
    assert rows["July 11, 2021 protests in Cuba"] == ("DayPrecision", "2021-07-11", "false")
    assert rows["Bipartisan roundtable with Cuban pro-democracy activists"] == ("DayPrecision", "2023-07-07", "true")
    assert rows["November 2019 State Department release"] == ("MonthPrecision", "2019-11", "false")
    assert rows["1959 Cuban revolution"] == ("YearPrecision", "1959", "false")
    for undated in (
        "Cuba releases 553 prisoners",
        "U.S. reversal of aspects of its Cuba policy",
        "Diplomatic thaw initiated during the Obama administration",
    ):
        assert rows[undated] == ("UnknownPrecision", None, None)


def test_roundtable_held_by_both_chairmen_with_activists(store: ox.Store) -> None:
    roles = {
        (r["role"].rsplit("#", 1)[1], r["actor"].rsplit("/", 1)[1])
        for r in select(
            store,
            f"SELECT ?role ?actor WHERE {{ event:{B}.roundtable-with-activists ?role ?actor . ?role rdfs:subPropertyOf* cg:participant }}",
        )
    }
    assert roles == {
        ("organizer", "mario-diaz-balart"),
        ("organizer", "michael-mccaul"),
        ("participant", "cuban-pro-democracy-activists"),
    }


@pytest.mark.parametrize(
    ("holder", "post", "organization"),
    [
        ("antony-blinken", "us-secretary-of-state", "us-department-of-state"),
        ("mario-diaz-balart", "chair-sfops-subcommittee", "sfops-subcommittee"),
        ("michael-mccaul", "chair-house-foreign-affairs-committee", "house-foreign-affairs-committee"),
        ("mario-diaz-balart", "us-representative", "us-house-of-representatives"),
    ],
)
def test_posts_and_roles(store: ox.Store, holder: str, post: str, organization: str) -> None:
    assert ask(
        store,
        f"""{{ ?r a cg:RoleHolding ; org:member actor:{holder} ; cg:post post:{post} ; org:organization actor:{organization} ;
               cg:evidence ?e . post:{post} org:postIn actor:{organization} }}""",
    )


def test_seed_004_speculates_that_cuba_may_bolster_ties_with_venezuela_and_russia(store: ox.Store) -> None:
    partners = {
        r["o"].rsplit("/", 1)[1]
        for r in select(
            store,
            "SELECT ?o WHERE { ?r a cg:AttributedRelation ; cg:subject actor:cuba ; cg:relation cg:hasTiesWith ; cg:object ?o ; cg:modality cg:Speculation }",
        )
    }
    assert partners == {"venezuela", "russia"}
    # A speculation is never a bare fact.
    assert not ask(store, "{ actor:cuba cg:hasTiesWith ?x }")


def test_seed_004_recommendations_and_speculations_keep_their_modality(store: ox.Store) -> None:
    counts = {
        r["m"].rsplit("#", 1)[1]: int(r["n"])
        for r in select(
            store,
            f"SELECT ?m (COUNT(?c) AS ?n) WHERE {{ GRAPH <https://cubagraph.example/id/graph/{R}> {{ ?c cg:modality ?m }} }} GROUP BY ?m",
        )
    }
    assert counts["Recommendation"] == 9
    assert counts["Speculation"] >= 10
    assert counts["Opinion"] >= 8
    assert ask(
        store,
        """{ ?c cg:modality cg:Recommendation ; cg:evidence/oa:hasTarget/oa:hasSelector/oa:exact
              "Skill Development Programs: Implement vocational training tailored to local job markets to enhance employability" }""",
    )


def test_the_biden_u_turn_is_recorded_as_the_article_says_it(store: ox.Store) -> None:
    assert ask(
        store,
        f"""{{ event:{R}.us-policy-reversal a cg:PolicyChange ; cg:agent actor:biden-administration ;
               cg:assertedBy document:{R} ; cg:modality cg:Reported }}""",
    )


def test_reports_by_human_rights_watch_and_amnesty(store: ox.Store) -> None:
    rows = {
        (r["who"].rsplit("/", 1)[1], r["type"].rsplit("#", 1)[1])
        for r in select(
            store,
            "SELECT ?who ?type WHERE { ?e a cg:Communication , ?type ; cg:agent ?who . FILTER(?type NOT IN (cg:Communication, cg:Event)) }",
        )
    }
    assert ("human-rights-watch", "Report") in rows
    assert ("amnesty-international", "ExpressionOfConcern") in rows
    assert ("us-department-of-state", "PressRelease") in rows
    assert ("diaz-balart-office", "PressRelease") in rows


def test_registry_structure(store: ox.Store) -> None:
    assert ask(store, "{ actor:cuban-government cg:governs actor:cuba }")
    assert ask(store, "{ actor:cuban-courts cg:organOf actor:cuba }")
    assert ask(
        store,
        "{ actor:cuba a cg:Country . actor:cuban-government a cg:GovernmentBody . actor:political-prisoners a cg:Group }",
    )


def test_wikidata_ids_are_exactly_the_confirmed_ones(store: ox.Store) -> None:
    qids = {
        r["a"].rsplit("/", 1)[1]: r["q"].rsplit("/", 1)[1]
        for r in select(store, "SELECT ?a ?q WHERE { ?a a cg:Actor ; skos:exactMatch ?q }")
    }
    assert qids == {
        "cuba": "Q241",
        "united-states": "Q30",
        "venezuela": "Q717",
        "russia": "Q159",
        "barack-obama": "Q76",
        "joe-biden": "Q6279",
        "mario-diaz-balart": "Q767270",
        "michael-mccaul": "Q539509",
        "amnesty-international": "Q42970",
        "us-department-of-state": "Q789915",
    }


def test_actors_shared_across_documents_are_one_node(store: ox.Store) -> None:
    shared = {
        r["a"].rsplit("/", 1)[1]
        for r in select(
            store,
            """SELECT DISTINCT ?a WHERE {
                GRAPH ?g1 { ?x ?p1 ?a } GRAPH ?g2 { ?y ?p2 ?a } ?a a cg:Actor .
                ?g1 ^cg:namedGraph ?d1 . ?g2 ^cg:namedGraph ?d2 . FILTER(?d1 != ?d2)
            }""",
        )
    }
    assert {"cuba", "cuban-government", "united-states"} <= shared


def test_every_assertion_is_grounded_attributed_and_sourced(store: ox.Store) -> None:
    ungrounded = select(
        store,
        """SELECT ?x WHERE {
            VALUES ?cls { cg:Event cg:Statement cg:Figure cg:Claim cg:AttributedRelation cg:RoleHolding }
            ?x a ?cls .
            FILTER NOT EXISTS { ?x cg:evidence/oa:hasTarget/oa:hasSelector/oa:exact ?q ;
                                   cg:assertedBy ?by ; cg:modality ?m ; prov:wasDerivedFrom ?d . ?d a cg:Document }
        }""",
    )
    assert ungrounded == []


def test_every_offset_points_at_its_exact_quote(store: ox.Store, root: Path, dataset: Dataset) -> None:
    rows = select(
        store,
        """SELECT ?file ?exact ?prefix ?suffix ?start ?end WHERE {
            ?ev a cg:Evidence ; oa:hasTarget ?t . ?t oa:hasSource/cg:textFile ?file ;
               oa:hasSelector [ oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix ] , [ oa:start ?start ; oa:end ?end ] .
        }""",
    )
    assert len(rows) == dataset.counts["quotes"] > 100
    texts: dict[str, str] = {}
    for r in rows:
        text = texts.setdefault(r["file"], (root / r["file"]).read_bytes().decode("utf-8"))
        start, end = int(r["start"]), int(r["end"])
        assert text[start:end] == r["exact"]
        assert text[:start].endswith(r["prefix"])
        assert text[end:].startswith(r["suffix"])


def test_documents_record_their_text_and_honest_dates(store: ox.Store, root: Path) -> None:
    rows = {
        r["d"].rsplit("/", 1)[1]: r
        for r in select(
            store,
            """SELECT ?d ?title ?file ?sha ?precision ?value WHERE {
                ?d a cg:Document ; dcterms:title ?title ; cg:textFile ?file ; cg:sha256 ?sha ; cg:published ?p .
                ?p cg:precision ?precision . OPTIONAL { ?p cg:dateValue ?value }
            }""",
        )
    }
    assert set(rows) == {B, R}
    for row in rows.values():
        assert row["sha"] == hashlib.sha256((root / row["file"]).read_bytes()).hexdigest()
    assert rows[R]["precision"].endswith("UnknownPrecision") and "value" not in rows[R]
    assert rows[B]["precision"].endswith("MonthPrecision") and rows[B]["value"] == "2023-07"
