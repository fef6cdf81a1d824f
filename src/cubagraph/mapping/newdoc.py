"""`cubagraph new`: store a document's text and start its mapping with suggestions."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CubagraphError, InvalidData, Problem
from ..files import NotRegular, read_regular
from ..project import Project
from ..rdf import ontology
from ..rdf.namespaces import ID_RULE, id_problem
from ..rdf.ontology import Vocabulary
from . import dates, draft, load, suggest


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
            f"{len(self.found.figures)} suggested figures, {len(self.found.statements)} suggested statements "
            f"and {len(self.found.roles)} suggested roles.\n"
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
        if other.name.startswith("."):
            continue  # hidden: a temporary, not a stored text
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
    found = suggest.find(text, **known(registry, ontology.load(project.ontology).vocabulary), published=published)
    document = {
        "id": doc_id,
        "text": f"documents/{doc_id}.txt",
        "title": title,
        "language": language,
        "published": published or "unknown",
        "url": url,
    }
    skeleton = draft.skeleton(document, found, "../../schema/mapping.schema.json").encode("utf-8")
    try:
        both([(stored, raw), (mapping, skeleton)])  # the text exactly as given: offsets count it
    except OSError as exc:
        raise CubagraphError(
            f"cannot store the document: {exc.strerror or exc}; nothing was added — free some space or make "
            f"{project.relative(project.data)}/ writable, and run it again"
        ) from exc
    return Created(project.relative(stored), project.relative(mapping), found)


def known(registry: load.RegistryFile, vocabulary: Vocabulary) -> dict[str, Any]:
    """What suggestions look for: the registry's actors and posts, and the ontology's units and measures."""
    actors = {a.id: a for _, a in registry.actors}
    return {
        "actors": {a.id: [a.name, *a.aliases] for a in actors.values()},
        "kinds": {a.id: a.type for a in actors.values()},
        "posts": {
            p.id: suggest.Post(
                [p.name, *getattr(p, "aliases", [])],
                [actors[p.organization].name, *actors[p.organization].aliases] if p.organization in actors else [],
                p.role,
            )
            for _, p in registry.posts
        },
        "governments": {r.object: a.id for a in actors.values() for r in a.relations if r.type == "governs"},
        "units": set(vocabulary.keys("unit")),
        "measures": set(vocabulary.keys("measure")),
    }


def both(files: list[tuple[Path, bytes]]) -> None:
    """Write the files all or none: each to a hidden temporary first, then renamed in, in order.

    A kill while writing (a full disk, Ctrl-C) leaves only hidden ``.*.new.tmp``
    files, which nothing reads and the next `new` removes. The renames take
    microseconds; an error between them removes the files already renamed.
    A file already there is never replaced: a link refuses to overwrite.
    """
    for path, _ in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob(".*.new.tmp"):  # a killed `new`'s temporaries
            leftover.unlink(missing_ok=True)
    staged: list[Path] = []
    placed: list[Path] = []
    try:
        for n, (path, data) in enumerate(files):
            if n:
                pause("new-between-writes")
            tmp = path.with_name(f".{path.name}.{os.getpid()}.new.tmp")
            staged.append(tmp)
            with open(tmp, "xb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())  # on disk before it is linked in: a power cut leaves no empty file
            os.chmod(tmp, 0o644)
        for (path, _), tmp in zip(files, staged, strict=True):
            os.link(tmp, path)  # FileExistsError rather than replace a file made meanwhile
            placed.append(path)
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        raise
    finally:
        for tmp in staged:
            tmp.unlink(missing_ok=True)


def pause(point: str) -> None:
    """For tests that kill a real process at ``point``: with CUBAGRAPH_PAUSE_AT=point, say so and wait."""
    if os.environ.get("CUBAGRAPH_PAUSE_AT") == point:
        print(f"cubagraph: paused at {point}", file=sys.stderr, flush=True)
        time.sleep(3600)


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "-".join(words)[:60].strip("-")
    return slug
