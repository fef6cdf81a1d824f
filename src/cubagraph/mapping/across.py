"""The checks between documents: one id each, one mapping per text.

Each document is checked on its own first, perhaps in a worker process (see
:mod:`cubagraph.pipeline.documents`); what these checks need of it is its
:class:`Identity`, small enough to send back.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Problem
from .load import Source


@dataclass(frozen=True)
class Identity:
    """What the checks across documents need of one: small, so that worker processes can send it back."""

    path: str
    doc_id: str
    id_line: int
    text_file: str
    text_line: int


def identity(source: Source) -> Identity:
    line = source.loaded.line
    return Identity(
        source.path, source.document.id, line(("document", "id")), source.text_file, line(("document", "text"))
    )


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
