"""Events told by several documents: the registry's well-known events, and `same_as` between documents.

An event's ``same_as`` is checked like any id. A registry event must exist
(with the closest ids suggested when it does not), and should be of the
event's own type. A ``document/event`` target is checked between documents
(:func:`cubagraph.mapping.across.same_as`), because the other document may
be kept in the build cache while this one changes.
"""

from __future__ import annotations

import difflib

from ..errors import Problem
from . import model
from .yamlfile import Loaded
from .yamlfile import Path as Loc


def same_as(
    loaded: Loaded, loc: Loc, event: model.Event, registry: dict[str, model.RegistryEvent], registry_path: str
) -> list[Problem]:
    """Problems with ``event.same_as`` that this document and the registry can tell."""
    target = event.same_as
    if target is None or "/" in target:
        return []  # none, or another document's event: checked across documents
    line = loaded.line((*loc, "same_as"))
    found = registry.get(target)
    if found is None:
        close = difflib.get_close_matches(target, sorted(registry), n=3, cutoff=0.5)
        hint = (
            f"did you mean {', '.join(repr(c) for c in close)}?"
            if close
            else f"add it under `events:` in {registry_path}, or write same_as: other-document/event-id"
        )
        return [Problem(loaded.path, line, f"unknown event {target!r} in same_as", hint)]
    if found.type != event.type:
        return [
            Problem(
                loaded.path,
                loaded.line((*loc, "type")),
                f"the event is of type {event.type!r}, but {target!r}, which it is the same as, is of type {found.type!r}",
                "give both the same type, or check that they are one event",
                warning=True,
            )
        ]
    return []
