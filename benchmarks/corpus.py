"""A generator of synthetic cubagraph projects, shaped like the real mappings.

Each document is a real text file, and every evidence quote is a passage of
it, so grounding does real work: texts mix straight and curly quotes,
non-breaking spaces and line breaks, as the seeds do. The proportions of
items follow the seed mappings (events, statements, figures, claims,
relations, roles; about one quote per item, plus attribution), and documents
share actors from one registry, a few very often and most rarely.

Usage: .venv/bin/python benchmarks/corpus.py DIR --documents 1000
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPES = ["protest", "meeting", "court_ruling", "prisoner_release", "policy_change", "report", "sanctions", "crackdown"]
ACTOR_TYPES = ["person", "organization", "government_body", "country", "group"]
MODALITIES = ["reported"] * 5 + ["opinion", "speculation", "recommendation"]
WORDS = [
    "government",
    "officials",
    "activists",
    "prisoners",
    "court",
    "ruling",
    "release",
    "policy",
    "reform",
    "sanctions",
    "talks",
    "statement",
    "report",
    "observers",
    "economy",
    "trade",
    "families",
    "lawyers",
    "journalists",
    "authorities",
    "ministry",
    "protest",
    "rights",
    "freedom",
    "island",
    "capital",
    "province",
    "detention",
    "sentence",
    "appeal",
    "election",
    "council",
    "delegation",
    "agreement",
    "aid",
]


def generate(directory: Path, documents: int, seed: int = 11, actors_per_100: int = 40) -> None:
    rng = random.Random(seed)
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "data" / "documents").mkdir(parents=True)
    (directory / "data" / "mappings").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", directory / "ontology")
    shutil.copy(ROOT / "pyproject.toml", directory / "pyproject.toml")
    shutil.copytree(ROOT / "queries", directory / "queries")

    actors = _actors(rng, documents, actors_per_100)
    registry = ["actors:"]
    for actor_id, name, kind in actors:
        registry.append(
            f'  - {{id: {actor_id}, type: {kind}, name: "{name}", aliases: ["{name.split()[-1]} {actor_id[-3:]}"]}}'
        )
    registry.append("posts:")
    registry.append("  - {id: post-0, name: Minister of Things, organization: actor-2, role: head}")
    (directory / "data" / "actors.yaml").write_text("\n".join(registry) + "\n", encoding="utf-8")

    for d in range(documents):
        _document(directory, rng, d, actors, _weights(actors))


def another(directory: Path, documents: int, d: int, seed: int = 11, actors_per_100: int = 40) -> None:
    """Add document ``d`` to a corpus that :func:`generate` made with ``documents``: a new one, of its actors."""
    actors = _actors(random.Random(seed), documents, actors_per_100)
    _document(directory, random.Random(seed * 1_000_003 + d), d, actors, _weights(actors))


def _actors(rng: random.Random, documents: int, actors_per_100: int) -> list[tuple[str, str, str]]:
    n_actors = max(60, documents * actors_per_100 // 100)
    return [(f"actor-{i}", f"Actor {_name(rng, i)}", ACTOR_TYPES[i % len(ACTOR_TYPES)]) for i in range(n_actors)]


def _weights(actors: list[tuple[str, str, str]]) -> list[float]:
    return [1 / (i + 1) ** 0.9 for i in range(len(actors))]  # a few actors in many documents


def _name(rng: random.Random, i: int) -> str:
    return "".join(rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiou") for _ in range(3)).title() + f" {i}"


def _document(
    directory: Path, rng: random.Random, d: int, actors: list[tuple[str, str, str]], weights: list[float]
) -> None:
    doc = f"doc-{d:05d}"
    cast = rng.choices(actors, weights=weights, k=6)
    sentences: list[str] = [f"Report {d}: {' '.join(rng.choices(WORDS, k=6))}."]
    items: dict[str, list[str]] = {k: [] for k in ("events", "statements", "figures", "claims", "relations", "roles")}

    def sentence(core: str) -> str:
        """Put ``core`` in a sentence of filler; return ``core`` as it stands in the text."""
        filler = " ".join(rng.choices(WORDS, k=rng.randint(3, 8)))
        glue = rng.choice([" ", "\u00a0", "\n"])
        sentences.append(f"{filler.capitalize()},{glue}{core} {' '.join(rng.choices(WORDS, k=3))}.")
        return core

    for e in range(2):
        actor = cast[e]
        core = sentence(f"{actor[1]} was part of event {d}-{e} ({rng.choice(WORDS)}) on the {e + 3}rd")
        quote = core
        items["events"].append(
            f'  - id: event-{e}\n    type: {rng.choice(TYPES)}\n    label: "Event {d}-{e}"\n'
            f"    date: {rng.choice(['unknown', f'20{rng.randint(10, 24)}-0{rng.randint(1, 9)}', f'20{rng.randint(10, 24)}'])}\n"
            f"    participants:\n      - {{actor: {actor[0]}, role: agent}}\n      - {{actor: {cast[e + 2][0]}, role: affected}}\n"
            f"    evidence: [{_q(quote)}]"
        )
    speaker = cast[1]
    words = f"We call for the release of everyone detained in case {d}, and we will not stop"
    opening, closing = ("“", "”") if rng.random() < 0.5 else ('"', '"')
    sentences.append(f"{opening}{words},{closing} {speaker[1]} said in statement {d}.")
    items["statements"].append(
        f"  - id: statement-0\n    speaker: {speaker[0]}\n    medium: social_media_post\n    date: unknown\n"
        f"    quote: [{_q(words)}]\n    about: [event-0]\n    evidence: [{_q(f'{speaker[1]} said in statement {d}')}]"
    )
    number = rng.randint(10, 2000)
    core = sentence(f"more than {number} people in case {d}")
    items["figures"].append(
        f"  - id: figure-0\n    value: {number}\n    comparator: more_than\n    unit: persons\n    counts: people\n"
        f"    as_of: unknown\n    about: [event-0]\n    evidence: [{_q(core)}]"
    )
    for c in range(6):
        core = sentence(f"claim {c} of report {d} says {' '.join(rng.choices(WORDS, k=4))}")
        modality = rng.choice(MODALITIES)
        items["claims"].append(
            f'  - id: claim-{c}\n    summary: "Claim {c} of report {d}"\n    about: [{cast[c % 6][0]}]\n'
            f"    modality: {modality}\n    evidence: [{_q(core)}]"
        )
    core = sentence(f"{cast[0][1]} supplies {cast[3][1]} in report {d}")
    items["relations"].append(
        f"  - id: relation-0\n    subject: {cast[0][0]}\n    type: supplies\n    object: {cast[3][0]}\n    evidence: [{_q(core)}]"
    )
    core = sentence(f"{cast[4][1]}, the minister, in report {d}")
    items["roles"].append(
        f"  - id: role-0\n    holder: {cast[4][0]}\n    post: post-0\n    as_of: unknown\n    evidence: [{_q(core)}]"
    )
    text = " ".join(sentences) + "\n"
    (directory / "data" / "documents" / f"{doc}.txt").write_text(text, encoding="utf-8")
    mapping = [
        "# yaml-language-server: $schema=../../schema/mapping.schema.json",
        f'document:\n  id: {doc}\n  text: documents/{doc}.txt\n  title: "Report {d}"\n  language: en\n  published: unknown',
    ]
    for section, entries in items.items():
        mapping.append(f"{section}:\n" + "\n".join(entries))
    (directory / "data" / "mappings" / f"{doc}.yaml").write_text("\n".join(mapping) + "\n", encoding="utf-8")


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    generate(args.directory, args.documents, args.seed)


if __name__ == "__main__":
    main()
