"""The guide and the saved queries agree: what docs/mapping.md shows is what the queries find.

Each saved query says in its header (``# Found: ...``) what a mapping must say for an item to be
found; the guide's table says the same words. Every example item of the guide is mapped into a
scratch project and looked for in every saved query that asks about its kind. An item that looks
like one a query asks about, and that no query finds, gets a warning from `check`.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from cubagraph import project
from cubagraph.errors import Problem
from cubagraph.mapping import findable, load, model, yamlfile
from cubagraph.mapping.evidence import Text
from cubagraph.rdf import ontology
from support import ROOT, Result, edit, line_of

GUIDE = ROOT / "docs" / "mapping.md"
SEED_000 = "data/mappings/blinken-political-prisoners.yaml"
SEEDS = (SEED_000, "data/mappings/cuba-releases-553-prisoners.yaml")
ARTICLES = ROOT / "tests" / "fixtures" / "articles"


def found_paragraph(path: Path) -> str | None:
    """The header's ``# Found: ...`` paragraph, as one line of words."""
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        text = line[1:].strip()
        if text.startswith("Found:"):
            words.append(text.removeprefix("Found:").strip())
        elif words and text and not text.startswith("param:"):
            words.append(text)
        elif words:
            break
    return " ".join(words) or None


def guide_rows() -> dict[str, str]:
    rows = re.findall(r"^\| `([a-z-]+)` \| (.+) \|$", GUIDE.read_text(encoding="utf-8"), re.M)
    return {name: " ".join(text.split()) for name, text in rows}


@pytest.mark.parametrize("path", sorted((ROOT / "queries").glob("*.rq")), ids=lambda p: p.stem)
def test_each_saved_query_says_what_it_finds_and_the_guide_says_the_same(path: Path) -> None:
    said = found_paragraph(path)
    assert said, f"{path.name}: add a '# Found: ...' paragraph to its header: what a mapping must say to be found"
    assert guide_rows().get(path.stem) == " ".join(said.split()), (
        f"docs/mapping.md's table (section 10) must give {path.stem}'s Found: paragraph word for word"
    )


def test_the_trade_measures_are_the_ontologys() -> None:
    onto = ontology.load(ROOT / "ontology" / "cubagraph.ttl")
    store = ox.Store()
    store.bulk_extend(onto.quads)
    rows = store.query(
        "PREFIX cg: <https://cubagraph.example/ns#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?key WHERE { ?m skos:broader* cg:TradeValue ; cg:key ?key }",
        use_default_graph_as_union=True,
    )
    assert sorted(r["key"].value for r in rows) == sorted(findable.TRADE)  # type: ignore[union-attr]


# -- the guide's examples, mapped --------------------------------------------------------------


def guide_items() -> dict[str, dict[str, dict[str, Any]]]:
    """Every example item of the guide, by section and id (a later example of one id replaces the earlier)."""
    items: dict[str, dict[str, dict[str, Any]]] = {section: {} for section in model.SECTIONS}
    text = GUIDE.read_text(encoding="utf-8")
    for _indent, block in re.findall(r"^( *)```yaml\n(.*?)^\1```", text, re.M | re.S):
        # A block may show two files, each under a comment naming it: only mapping parts are examples.
        for part in re.split(r"^(?=# data/)", textwrap.dedent(block), flags=re.M):
            if not part.strip() or part.startswith("# data/actors.yaml"):
                continue
            loaded, problems = yamlfile.load("docs/mapping.md", part)
            assert loaded is not None and not problems, problems
            if not isinstance(loaded.data, dict):
                continue
            for section in model.SECTIONS:
                for item in loaded.data.get(section) or []:
                    items[section][item["id"]] = item
    return items


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project where seed 000's mapping holds every example of the guide, as the guide shows it."""
    root = tmp_path_factory.mktemp("guide")
    for name in ("data", "ontology", "queries", "exports"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    # Each example goes to the seed whose text holds its words (the guide draws on both seeds).
    seeds = {}
    for mapping in SEEDS:
        path = root / mapping
        loaded, problems = yamlfile.load(str(path), path.read_text(encoding="utf-8"))
        assert loaded is not None and not problems
        seeds[mapping] = (loaded.data, Text((root / "data" / loaded.data["document"]["text"]).read_text("utf-8")))
    for section, examples in guide_items().items():
        for example in examples.values():
            mapping = next(m for m, (_, text) in seeds.items() if all(text.find(w) for w in _words(example)))
            data = seeds[mapping][0]
            kept = [item for item in data.get(section) or [] if item["id"] != example["id"]]
            data[section] = [*kept, example]
    for mapping, (data, _) in seeds.items():
        (root / mapping).write_text(
            yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
        )
    return root


def _rows(run: Callable[..., Result], root: Path, name: str, *params: str) -> list[dict[str, str]]:
    result = run("query", "--name", name, *params, "--format", "json", cwd=root)
    assert result.code == 0, result.err
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(result.out)["results"]["bindings"]]


def _words(item: dict[str, Any]) -> list[str]:
    quotes = [*item.get("quote", []), *item.get("evidence", [])]
    return [q if isinstance(q, str) else q["quote"] for q in quotes]


def _registry() -> tuple[dict[str, model.Actor], set[str]]:
    problems: list[Problem] = []
    registry = load.read_registry(project.find(ROOT).registry, problems)
    assert registry is not None
    onto = ontology.load(ROOT / "ontology" / "cubagraph.ttl").vocabulary
    communications = {
        key
        for key in onto.keys("event type")
        if "https://cubagraph.example/ns#Communication" in onto.supers.get(onto.iri("event type", key) or "", [])
    }
    return {a.id: a for _, a in registry.actors}, communications


def asked(section: str, item: dict[str, Any], events: dict[str, dict[str, Any]]) -> list[tuple[str, str, list[str]]]:
    """The saved queries that ask about ``item``'s kind: (query, column, any of these words), per its Found: line."""
    actors, communications = _registry()
    out = []
    if section in ("events", "statements"):
        what = item["label"] if section == "events" else actors[item["speaker"]].name
        out.append(("timeline", "what", [what]))
    if section == "figures" and item["unit"] == "persons":
        out.append(("people-figures", "counts", [item["counts"]]))
    if section == "figures" and item.get("measures") in findable.TRADE:
        out.append(("trade-figures", "quote", _words(item)))
    if item.get("modality") in ("speculation", "opinion", "recommendation"):
        out.append(("not-reported-fact", "quotes", _words(item)))
    for demand in item.get("calls_for", []):
        if "political-prisoners" in demand.get("about", []) and "release" in demand["summary"].lower():
            out.append(("calls-for-release", "demand", [demand["summary"]]))
    via = events.get(item.get("via") or "")  # said via a communication, or a communication itself
    for event in [e for e in (item if section == "events" else None, via) if e is not None]:
        agents = [p["actor"] for p in event.get("participants", []) if p.get("role") == "agent"]
        if event["type"] in communications and any(actors[a].type == "organization" for a in agents):
            out.append(("human-rights-reporting", "words", _words(item)))
    return out


def test_every_guide_example_is_in_every_saved_query_that_asks_about_its_kind(
    run: Callable[..., Result], scratch: Path
) -> None:
    built = run("build", cwd=scratch)
    assert built.code == 0, built.err
    assert "warning" not in built.err, built.err  # the guide's examples draw no warning either
    events = {}
    for mapping in SEEDS:
        path = scratch / mapping
        loaded, _ = yamlfile.load(str(path), path.read_text(encoding="utf-8"))
        assert loaded is not None
        events |= {e["id"]: e for e in loaded.data["events"]}
    cache: dict[tuple[str, ...], list[dict[str, str]]] = {}
    checked, missing = 0, []
    for section, examples in guide_items().items():
        for item_id, item in examples.items():
            wanted = asked(section, item, events)
            # The actor query, for the first actor the item names.
            linked = [item.get(k) for k in ("speaker", "holder", "subject")] + [
                p["actor"] for p in item.get("participants", [])
            ]
            linked += [*item.get("about", []), item.get("asserted_by")]
            actor = next((a for a in linked if a and a != "article" and a not in events), None)
            if actor:
                wanted.append((f"actor --param actor={actor}", "quotes", _words(item)))
            for query, column, words in wanted:
                name, *params = query.split()
                key = (name, *params)
                if key not in cache:
                    cache[key] = _rows(run, scratch, name, *params)
                checked += 1
                if not any(w in row.get(column, "") for row in cache[key] for w in words):
                    missing.append(f"{section}/{item_id} not in {query} (column {column})")
    assert not missing, missing
    assert checked >= 15  # every section's examples were looked for
    assert {name for name, *_ in cache} >= {"timeline", "people-figures", "trade-figures", "not-reported-fact"}


# -- the $12.5 million export figure, and check's warning --------------------------------------


def test_an_export_figure_mapped_from_a_suggestion_is_in_the_trade_query(
    run: Callable[..., Result], workdir: Path
) -> None:
    shutil.copytree(ROOT / "queries", workdir / "queries")
    article = ARTICLES / "farm-exports.txt"
    made = run("new", str(article), "--id", "farm-exports", "--published", "2024-05-15", cwd=workdir)
    assert made.code == 0, made.err
    path = workdir / "data/mappings/farm-exports.yaml"
    text = path.read_text(encoding="utf-8")
    # Keep the $12.5 million figure as suggested, confirmed; drop every other suggestion.
    figure = re.search(r"  - id: figure-12-5-usd\n(?:    .*\n|      .*\n)+", text)
    assert figure is not None, text
    block = figure.group(0).replace("    suggested: true\n", "")
    block = block.replace('counts: "(what is counted?)"', 'counts: "U.S. exports of food and agricultural products"')
    assert "    measures: export_value" in block and "    asserted_by: us-department-of-state" in block
    head = text[: text.index("\nsuggestions:")]
    path.write_text(
        f"{head}\nsuggestions: []\nevents: []\nstatements: []\nfigures:\n{block}claims: []\nrelations: []\nroles: []\n",
        encoding="utf-8",
    )
    built = run("build", cwd=workdir)
    assert built.code == 0, built.err
    rows = _rows(run, workdir, "trade-figures")
    (row,) = [r for r in rows if r["document"].endswith("/farm-exports")]
    assert (row["value"], row["stated"], row["measure"]) == ("12500000", "$12.5 million", "value of exports")
    assert row["asserted_by"] == "U.S. Department of State"

    # Without `measures:`, no saved query lists it, and check says so at the figure's unit.
    edit(path, "    measures: export_value  # what the figure is a figure of: check\n", "")
    result = run("check", cwd=workdir)
    assert result.code == 0, result.err
    line = line_of(path, "    unit: usd")
    assert (
        f"data/mappings/farm-exports.yaml:{line}: warning: figure 'figure-12-5-usd' is an amount of money (usd) "
        "that no saved query finds: trade-figures lists figures that say `measures:` trade_value, export_value, "
        "import_value, supply_value — add `measures:`"
    ) in result.err


@pytest.mark.parametrize(
    ("old", "new", "at", "says"),
    [
        (
            "    measures: people_detained\n    stated: more than 700 individuals\n",
            "    measures: people_detained\n    stated: more than 700 individuals\n",
            None,
            None,
        ),
        (
            "    unit: persons\n    measures: people_detained\n",
            "    unit: percent\n    measures: people_detained\n",
            "    unit: percent",
            "figure 'jailed-more-than-700' counts people (people_detained) in unit 'percent': people-figures lists",
        ),
        (
            "      - {actor: human-rights-watch, role: agent}\n    about: [july-11-protests]\n",
            "      - {actor: human-rights-watch, role: organizer}\n    about: [july-11-protests]\n",
            "  - id: hrw-report-on-protests\n+1",  # the line below it: its type
            "event 'hrw-report-on-protests' is a report with no agent: human-rights-reporting lists communications",
        ),
        (
            "        about: [political-prisoners]\n        evidence:\n          - call for the immediate",
            "        evidence:\n          - call for the immediate",
            "      - summary: The immediate release of all political prisoners",
            "statement 'blinken-twitter-post' calls for a release about no one: calls-for-release lists demands",
        ),
    ],
    ids=["unchanged: no warning", "people in percent", "a report with no agent", "a release about no one"],
)
def test_check_warns_at_the_line_of_an_item_no_query_finds(
    run: Callable[..., Result], workdir: Path, old: str, new: str, at: str | None, says: str | None
) -> None:
    _warns(run, workdir, SEED_000, old, new, at, says)


@pytest.mark.parametrize(
    ("old", "new", "at", "says"),
    [
        (
            "    about: [released-prisoners-553, release-of-553-prisoners]\n",
            "    about: [released-prisoners-553]\n",
            "    measures: people_released",
            "figure 'prisoners-released-553' counts people released but is `about` no event of type "
            "prisoner_release: prisoners-released lists figures about a prisoner_release event",
        ),
    ],
    ids=["release figure about no release"],
)
def test_check_warns_about_seed_004_items_no_query_finds(
    run: Callable[..., Result], workdir: Path, old: str, new: str, at: str | None, says: str | None
) -> None:
    _warns(run, workdir, SEEDS[1], old, new, at, says)


def _warns(
    run: Callable[..., Result], workdir: Path, mapping: str, old: str, new: str, at: str | None, says: str | None
) -> None:
    path = workdir / mapping
    edit(path, old, new)
    result = run("check", cwd=workdir)
    assert result.code == 0, result.err
    if says is None:
        assert "no saved query" not in result.err and "lists figures" not in result.err
    else:
        assert at is not None
        needle, _, below = at.partition("\n+")
        assert f"{mapping}:{line_of(path, needle) + int(below or 0)}: warning: {says}" in result.err
