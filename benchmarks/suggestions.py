"""Precision and recall of `cubagraph new`'s suggestions on hand-checked articles.

Each article in tests/fixtures/articles/NAME.txt has NAME.expected.yaml beside it: what a careful
mapper wants suggested, given the registry in data/actors.yaml and the publication date it gives.
The suggestions are made as `cubagraph new` makes them (mapping/newdoc.known: the registry's actors
and posts, the ontology's units and measures), and scored per kind:

- speaker: a quoted statement's speaker (an actor id, or "unnamed spokesperson of X"); a suggestion
  for a quote whose expected speaker is null (someone the registry lacks) is a false positive;
- date: a dated hint (its value, and a quote that overlaps the expected one); "unknown" hints are
  not counted, since they suggest nothing;
- figure: value, unit and comparator, at an overlapping quote;
- role: holder and post;
- asserter: a figure's `asserted_by` when it names an actor (not `article`, not the placeholder).

Precision is right suggestions / suggestions made; recall is right suggestions / expected ones.
"Overall" adds up the counts of every kind (micro-average). The figures are printed for all
articles, then for each set: `set: development` articles were written while the heuristics were,
and the heuristics were tuned until they did well on them, so their figures flatter; `set: held-out`
articles were written afterwards and not tuned on, so theirs say how a new article fares.

Usage: .venv/bin/python benchmarks/suggestions.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cubagraph import project  # noqa: E402
from cubagraph.errors import Problem  # noqa: E402
from cubagraph.mapping import load, newdoc, placeholders, suggest  # noqa: E402
from cubagraph.rdf import ontology  # noqa: E402

ARTICLES = ROOT / "tests" / "fixtures" / "articles"
KINDS = ("speaker", "date", "figure", "role", "asserter")


@dataclass
class Score:
    right: int = 0
    made: int = 0
    expected: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.right += other.right
        self.made += other.made
        self.expected += other.expected
        self.misses += other.misses

    @property
    def precision(self) -> float:
        return self.right / self.made if self.made else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


def _norm(text: str) -> str:
    return " ".join(text.replace("“", '"').replace("”", '"').replace("’", "'").lower().split()).strip(' ".,')


def _overlap(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    return bool(a and b) and (a in b or b in a)


def _quote(item: dict[str, Any], key: str) -> str:
    first = item[key][0]
    return str(first["quote"])


def _speaker(statement: dict[str, Any]) -> str | None:
    s = statement["speaker"]
    if isinstance(s, dict):
        return f"unnamed {s['unnamed']} of {s['of']}"
    return None if s == placeholders.SPEAKER else str(s)


def score_article(name: str, known: dict[str, Any]) -> dict[str, Score]:
    raw = (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
    want = yaml.safe_load((ARTICLES / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    found = suggest.find(raw, **known, published=want["published"])
    scores = {kind: Score() for kind in KINDS}

    s = scores["speaker"]
    for st in found.statements:
        got = _speaker(st)
        exp = next((e for e in want["speakers"] if _overlap(e["quote"], _quote(st, "quote"))), None)
        wanted = exp["speaker"] if exp else None
        s.made += got is not None
        s.expected += wanted is not None
        if got is not None and got == wanted:
            s.right += 1
        elif got is not None or wanted is not None:
            s.misses.append(f"{name}: speaker of {_quote(st, 'quote')[:40]!r}: suggested {got}, expected {wanted}")
    for e in want["speakers"]:
        if e["speaker"] is not None and not any(_overlap(e["quote"], _quote(st, "quote")) for st in found.statements):
            s.expected += 1
            s.misses.append(f"{name}: quote {e['quote'][:40]!r} not found")

    _match(
        scores["date"], name, "date",
        [(h["quote"], h["date"]) for h in found.hints if "date" in h and h["date"] != "unknown"],
        [(e["quote"], str(e["date"])) for e in want["dates"]],
    )  # fmt: skip
    _match(
        scores["figure"], name, "figure",
        [(_quote(f, "evidence"), (_full(f), f["unit"], f["comparator"])) for f in found.figures],
        [(e["quote"], (str(Decimal(str(e["value"]))), e["unit"], e["comparator"])) for e in want["figures"]],
    )  # fmt: skip
    _match(
        scores["role"], name, "role",
        [("", (r["holder"], r["post"])) for r in found.roles],
        [("", (e["holder"], e["post"])) for e in want["roles"] or []],
    )  # fmt: skip
    _match(
        scores["asserter"], name, "asserter",
        [
            (_quote(f, "evidence"), f["asserted_by"])
            for f in found.figures
            if f.get("asserted_by") not in (None, "article", placeholders.ASSERTER)
        ],
        [(e["figure"], e["asserted_by"]) for e in want["asserters"] or []],
    )  # fmt: skip
    return scores


def _full(figure: dict[str, Any]) -> str:
    """A suggested figure's value in full: 12.5 with scale million is 12500000."""
    scale = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}.get(figure.get("scale", ""), 1)
    full = Decimal(str(figure["value"])) * scale
    return str(full.quantize(Decimal(1)) if full == full.to_integral_value() else full)


def _match(score: Score, name: str, kind: str, made: list[tuple[str, Any]], wanted: list[tuple[str, Any]]) -> None:
    """Pair each suggestion with an expected item of the same value at an overlapping quote, at most once each."""
    left = list(wanted)
    score.made += len(made)
    score.expected += len(wanted)
    for quote, value in made:
        hit = next((w for w in left if w[1] == value and (not quote or _overlap(quote, w[0]))), None)
        if hit is None:
            score.misses.append(f"{name}: {kind} suggested but not expected: {value} at {quote!r}")
        else:
            left.remove(hit)
            score.right += 1
    score.misses += [f"{name}: {kind} expected but not suggested: {v} at {q!r}" for q, v in left]


def known_here() -> dict[str, Any]:
    proj = project.find(ROOT)
    problems: list[Problem] = []
    registry = load.read_registry(proj.registry, problems)
    assert registry is not None, problems
    return newdoc.known(registry, ontology.load(proj.ontology).vocabulary)


def run(which: str | None = None) -> tuple[dict[str, Score], list[str]]:
    """The scores over the articles of one set ("development", "held-out"), or of all (None)."""
    known = known_here()
    names = []
    for path in sorted(ARTICLES.glob("*.expected.yaml")):
        if which is None or yaml.safe_load(path.read_text(encoding="utf-8")).get("set") == which:
            names.append(path.name.removesuffix(".expected.yaml"))
    total = {kind: Score() for kind in KINDS}
    for name in names:
        for kind, score in score_article(name, known).items():
            total[kind].add(score)
    return total, names


def table(title: str, total: dict[str, Score], misses: bool) -> None:
    overall = Score()
    print(title)
    print(f"{'kind':<10} {'right':>5} {'made':>5} {'expected':>8} {'precision':>9} {'recall':>7}")
    for kind in KINDS:
        s = total[kind]
        overall.add(s)
        print(f"{kind:<10} {s.right:>5} {s.made:>5} {s.expected:>8} {s.precision:>9.1%} {s.recall:>7.1%}")
    o = overall
    print(f"{'overall':<10} {o.right:>5} {o.made:>5} {o.expected:>8} {o.precision:>9.1%} {o.recall:>7.1%}")
    if misses:
        for miss in overall.misses:
            print("  " + miss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="also list every wrong or missing suggestion")
    args = parser.parse_args()
    for which, what in (
        (None, "all"),
        ("development", "the development set: the heuristics were written against these"),
        ("held-out", "the held-out set: written afterwards, not tuned on"),
    ):
        total, names = run(which)
        print()
        table(f"Suggestions on {len(names)} hand-checked articles, {what}", total, args.misses and which is not None)


if __name__ == "__main__":
    main()
