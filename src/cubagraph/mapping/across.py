"""The checks between documents: one id each, one mapping per text, `same_as` naming a real event.

Each document is checked on its own first, perhaps in a worker process (see
:mod:`cubagraph.pipeline.documents`); what these checks need of it is its
:class:`Identity`, small enough to send back.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from ..errors import Problem
from . import model
from .load import Source


@dataclass(frozen=True)
class Identity:
    """What the checks across documents need of one: small, so that worker processes can send it back."""

    path: str
    doc_id: str
    id_line: int
    text_file: str
    text_line: int
    # Its confirmed events, each with its `same_as` ("" when none): what other documents may point at.
    events: tuple[tuple[str, str], ...] = ()
    # Its `same_as: other-document/event-id` references: (line, target).
    links: tuple[tuple[int, str], ...] = ()

    def as_json(self) -> list[Any]:
        """For the build cache: a kept document's links are checked again when the others change."""
        return [self.path, self.doc_id, self.id_line, self.text_file, self.text_line, self.events, self.links]

    @classmethod
    def of_json(cls, data: list[Any]) -> Identity:
        path, doc_id, id_line, text_file, text_line, events, links = data
        events = tuple((str(e), str(s)) for e, s in events)
        return cls(path, doc_id, id_line, text_file, text_line, events, tuple((int(n), str(t)) for n, t in links))


def identity(source: Source) -> Identity:
    line = source.loaded.line
    events, links = [], []
    for loc, item in source.items:
        if isinstance(item, model.Event) and not item.suggested:
            events.append((item.id, item.same_as or ""))
            if item.same_as and "/" in item.same_as:
                links.append((line((*loc, "same_as")), item.same_as))
    return Identity(
        source.path,
        source.document.id,
        line(("document", "id")),
        source.text_file,
        line(("document", "text")),
        tuple(events),
        tuple(links),
    )


def same_as(documents: list[Identity]) -> list[Problem]:
    """Every `same_as: document/event` names a confirmed event of another document, itself no copy."""
    events = {d.doc_id: dict(d.events) for d in documents}
    problems = []
    for d in documents:
        for line, target in d.links:
            doc, _, event = target.partition("/")
            if doc == d.doc_id:
                problems.append(
                    Problem(d.path, line, f"same_as {target!r} names this document", "map the event once, here")
                )
            elif doc not in events:
                close = difflib.get_close_matches(doc, sorted(events), n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}/{event}'?" if close else "name a mapped document's id"
                problems.append(Problem(d.path, line, f"same_as {target!r}: unknown document {doc!r}", hint))
            elif event not in events[doc]:
                close = difflib.get_close_matches(event, sorted(events[doc]), n=3, cutoff=0.5)
                hint = (
                    f"did you mean {', '.join(repr(f'{doc}/{c}') for c in close)}?"
                    if close
                    else f"name one of its events: {', '.join(sorted(events[doc])) or 'it has none'}"
                )
                problems.append(Problem(d.path, line, f"same_as {target!r}: {doc!r} has no event {event!r}", hint))
            elif events[doc][event]:
                further = events[doc][event]
                problems.append(
                    Problem(
                        d.path,
                        line,
                        f"same_as {target!r} is itself the same as {further!r}",
                        f"write same_as: {further}, so that every copy names the one event",
                    )
                )
    return problems


def across(documents: list[Identity], known_texts: dict[str, str] | None = None) -> list[Problem]:
    """The checks between documents: one id each, one mapping per text (``known_texts``: text -> cached doc id)."""
    problems = []
    doc_ids: dict[str, str] = {}
    texts: dict[str, str] = {text: f"the document {doc!r}" for text, doc in (known_texts or {}).items()}
    for d in documents:
        if d.doc_id in doc_ids:
            problems.append(
                Problem(
                    d.path,
                    d.id_line,
                    f"duplicate document id {d.doc_id!r} (also in {doc_ids[d.doc_id]})",
                    "give each document its own id",
                )
            )
        doc_ids.setdefault(d.doc_id, d.path)
        if d.text_file in texts:
            problems.append(
                Problem(
                    d.path,
                    d.text_line,
                    f"{d.text_file} is already mapped by {texts[d.text_file]}",
                    "map each text once",
                )
            )
        texts.setdefault(d.text_file, d.path)
    return problems
