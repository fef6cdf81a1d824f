"""`cubagraph new`: store a document's text and start its mapping with suggestions."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import CubagraphError, InvalidData, Problem
from ..files import NotRegular, read_regular, write_atomic
from ..project import Project
from ..rdf.namespaces import ID_RULE, id_problem
from . import dates, load, suggest


@dataclass
class Created:
    text: str
    mapping: str
    found: suggest.Found

    def summary(self) -> str:
        actors = sum(1 for h in self.found.hints if "actor" in h)
        dated = sum(1 for h in self.found.hints if "date" in h)
        return (
            f"Stored {self.text}\n"
            f"Wrote {self.mapping} with {actors} known actors and {dated} dates as hints, "
            f"{len(self.found.figures)} suggested figures and {len(self.found.statements)} suggested statements.\n"
            f"Next: map what the text asserts, confirm or delete each suggestion, then run `cubagraph check`."
        )


def create(
    project: Project,
    path: Path,
    doc_id: str | None,
    title: str | None,
    published: str | None,
    url: str | None,
    language: str,
) -> Created:
    try:
        raw = read_regular(path)  # a FIFO or device given as the text would block a plain read
    except NotRegular as exc:
        raise CubagraphError(f"{path}: refused: {exc.strerror}; give a regular file") from exc
    except OSError as exc:
        raise CubagraphError(f"{path}: cannot read it ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InvalidData(
            [
                Problem(
                    str(path),
                    line,
                    f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                    "re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
                )
            ]
        ) from exc
    if not text.strip():
        raise CubagraphError(f"{path}: the text is empty")
    first_line = next(line.strip() for line in text.splitlines() if line.strip())
    title = title or first_line[:200]
    doc_id = doc_id or _slug(title) or _slug(path.stem)
    problem = id_problem(doc_id)
    if problem:
        raise CubagraphError(f"{problem} — {ID_RULE}; pass --id")
    if published is not None:
        try:
            dates.parse(published)
        except dates.DateError as exc:
            raise CubagraphError(f"--published: {exc}") from exc
    if url is not None and not re.fullmatch(r"https?://[^\s<>\"]+", url):
        raise CubagraphError(f"--url {url!r} is not an http(s) URL")

    mapping = project.data / "mappings" / f"{doc_id}.yaml"
    stored = project.data / "documents" / f"{doc_id}.txt"
    if mapping.exists():
        raise CubagraphError(f"{project.relative(mapping)} already exists — choose another --id")
    digest = hashlib.sha256(raw).hexdigest()
    for other in sorted((project.data / "documents").glob("*")):
        try:
            content = read_regular(other, project.data_resolved)
        except OSError:
            continue  # not a regular file under data/: not a stored text
        if hashlib.sha256(content).hexdigest() == digest:
            raise CubagraphError(f"this text is already stored, as {project.relative(other)}")
    if stored.exists():
        raise CubagraphError(f"{project.relative(stored)} already exists with other content — choose another --id")

    problems: list[Problem] = []
    registry = load.read_registry(project.registry, problems)
    if registry is None or any(not p.warning for p in problems):
        raise InvalidData(problems)
    actors = {a.id: [a.name, *a.aliases] for _, a in registry.actors}
    found = suggest.find(text, actors)
    document = {
        "id": doc_id,
        "text": f"documents/{doc_id}.txt",
        "title": title,
        "language": language,
        "published": published or "unknown",
        "url": url,
    }
    stored.parent.mkdir(parents=True, exist_ok=True)
    mapping.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(stored, raw)  # exactly as given: offsets count this text
    write_atomic(mapping, suggest.skeleton(document, found, "../../schema/mapping.schema.json").encode("utf-8"))
    return Created(project.relative(stored), project.relative(mapping), found)


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "-".join(words)[:60].strip("-")
    return slug
