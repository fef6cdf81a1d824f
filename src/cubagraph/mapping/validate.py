"""Cross-checks that need the whole corpus in view.

The models have checked each file's shape. Here every reference is resolved
(with "did you mean" suggestions), every key is looked up in the ontology,
ids are checked for uniqueness, attributions are checked for consistency,
and every evidence quote is located in its document's text. All problems are
collected; the caller raises them once.
"""

from __future__ import annotations

import difflib
import time
from typing import Any

from ..errors import Problem
from ..rdf.ontology import Vocabulary
from . import figures, model, placeholders, sharedevents, slips
from .across import across, identity, same_as
from .load import RegistryFile, Source
from .lookalikes import lookalikes
from .slips import short as _short
from .yamlfile import Loaded
from .yamlfile import Path as Loc

ARTICLE = "article"  # `asserted_by: article`: the document itself asserts it


class Checker:
    def __init__(self, vocab: Vocabulary, registry: RegistryFile | None, registry_path: str):
        self.vocab = vocab
        self.problems: list[Problem] = []
        self.registry = registry
        self.registry_path = registry_path
        self.actors: dict[str, model.Actor] = {}
        self.posts: dict[str, model.Post] = {}
        self.events: dict[str, model.RegistryEvent] = {}
        self.broken: set[str] = set()
        self.names: dict[str, str] = {}  # lowercased id, name or alias -> actor id
        self.local: dict[str, Any] = {}  # the items of the document being checked
        self.grounding = 0.0  # seconds spent locating quotes, for the benchmarks
        self.local_broken: set[str] = set()
        if registry is not None:
            self.broken |= registry.broken_ids
            self._index(registry)

    # -- the registry ------------------------------------------------------

    def _index(self, registry: RegistryFile) -> None:
        loaded = registry.loaded
        seen: dict[str, int] = {}
        entries: list[tuple[Loc, model.Actor | model.Post | model.RegistryEvent]]
        entries = [*registry.actors, *registry.posts, *registry.events]
        for loc, item in entries:
            line = loaded.line((*loc, "id"))
            if item.id == ARTICLE:
                self._add(loaded, line, f"{ARTICLE!r} is reserved", "choose another id")
            if item.id in seen:
                self._add(
                    loaded,
                    line,
                    f"duplicate id {item.id!r} (first on line {seen[item.id]})",
                    "give each actor and post its own id",
                )
                continue
            seen[item.id] = line
            if isinstance(item, model.Actor):
                self.actors[item.id] = item
                for name in (item.id, item.name, *item.aliases):
                    self.names.setdefault(name.lower(), item.id)
            elif isinstance(item, model.Post):
                self.posts[item.id] = item
            else:
                self.events[item.id] = item

    def check_registry(self) -> None:
        if self.registry is None:
            return
        loaded = self.registry.loaded
        for at, actor in self.registry.actors:
            self.key(loaded, (*at, "type"), "actor type", actor.type)
            self.problems += slips.alias_slips(loaded, at, actor)
            for j, rel in enumerate(actor.relations):
                self.key(loaded, (*at, "relations", j, "type"), "relation", rel.type)
                self.actor(loaded, (*at, "relations", j, "object"), rel.object)
            for j, other in enumerate(actor.distinct_from):
                self.actor(loaded, (*at, "distinct_from", j), other)
        for at, post in self.registry.posts:
            self.actor(loaded, (*at, "organization"), post.organization)
            self.key(loaded, (*at, "role"), "post role", post.role)
        for at, event in self.registry.events:
            self.key(loaded, (*at, "type"), "event type", event.type)
        self.problems += lookalikes(self.registry, self.actors)

    # -- the documents -----------------------------------------------------

    def check_sources(self, sources: list[Source], known_texts: dict[str, str] | None = None) -> None:
        """Check ``sources``; ``known_texts`` are the texts that cached documents map (text -> id)."""
        identities = [identity(s) for s in sources]
        self.problems += across(identities, known_texts) + same_as(identities)
        for source in sources:
            self.check_one(source)

    def check_one(self, source: Source) -> None:
        """Everything about one document that does not involve the others (see :func:`across`)."""
        doc = source.document
        stem = source.path.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".yaml")
        if stem != doc.id:
            self._add(
                source.loaded,
                source.loaded.line(("document", "id")),
                f"document id {doc.id!r} differs from the file name {stem!r}",
                f"rename the file to {doc.id}.yaml or change the id",
            )
        self._check_source(source)

    def _check_source(self, source: Source) -> None:
        loaded = source.loaded
        doc = source.document
        self.date(source, ("document", "published"), doc.published)
        if doc.publisher is not None:
            self.actor(loaded, ("document", "publisher"), doc.publisher)
        self.local = self._items(source)
        self.local_broken = source.broken_ids
        for loc, item in source.items:
            if item.suggested:
                self._suggested(source, loc, item)
            else:
                self.problems += slips.placeholders_left(loaded, loc) + slips.empty_evidence(loaded, loc, item)
                self._assertion(source, loc, item, self.local)
        self.problems += slips.reported_on_judging_words(loaded, source.items, source.spans)
        for loc, hint in source.suggestions:
            # A hint only needs to be somewhere in the text; which occurrence does not matter.
            if not source.text.find(hint.quote):
                self._add(
                    loaded,
                    loaded.line((*loc, "quote")),
                    f"suggestion quote not found in {source.text_file}: {_short(hint.quote)}",
                    "fix or delete the hint",
                )
            what = f"actor {hint.actor!r}" if hint.actor else f"date {hint.date!r}" if hint.date else "a passage"
            self._warn(
                loaded,
                loaded.line(loc),
                f"unused suggestion: {what} ({_short(hint.quote, 40)} on line {hint.line} of the text)",
                "use it in the mapping, then delete it from `suggestions:`",
            )

    def _suggested(self, source: Source, loc: Loc, item: Any) -> None:
        """A proposed item: its quotes must be in the text; the rest waits for the mapper."""
        for name in ("evidence", "quote"):
            for i, quote in enumerate(getattr(item, name, [])):
                self.quote(source, (*loc, name, i), quote)
        kind = model.SINGULAR.get(str(loc[0]), "item")
        message = f"suggested {kind} {item.id!r} is not confirmed, so it is not in the graph"
        self._warn(source.loaded, source.loaded.line((*loc, "id")), message, "check it, then delete `suggested: true`")

    def _items(self, source: Source) -> dict[str, Any]:
        """The document's items by id, after checking ids are unique."""
        loaded = source.loaded
        items: dict[str, Any] = {}
        for loc, item in source.items:
            line = loaded.line((*loc, "id"))
            if item.id in items:
                self._add(loaded, line, f"duplicate id {item.id!r}", "give each item of a document its own id")
            elif item.id in self.actors or item.id in self.posts:
                self._add(
                    loaded,
                    line,
                    f"id {item.id!r} is already an actor or post id",
                    "choose another id, so that references are unambiguous",
                )
            elif item.id == ARTICLE:
                self._add(loaded, line, f"{ARTICLE!r} is reserved", "choose another id")
            items.setdefault(item.id, item)
        return items

    def _assertion(self, source: Source, loc: Loc, item: Any, items: dict[str, Any]) -> None:
        loaded = source.loaded
        self.key(loaded, (*loc, "modality"), "modality", item.modality)
        self._attribution(source, loc, item, items)
        for i, quote in enumerate(item.evidence):
            self.quote(source, (*loc, "evidence", i), quote)
        fields = type(item).model_fields  # not hasattr: a model's missing attribute raises inside pydantic, slowly
        for name in ("date", "as_of"):
            if name in fields:
                self.date(source, (*loc, name), getattr(item, name))
        for i, ref in enumerate(getattr(item, "about", [])):
            self.ref(loaded, (*loc, "about", i), ref)
        if isinstance(item, model.Event):
            self.key(loaded, (*loc, "type"), "event type", item.type)
            self.problems += sharedevents.same_as(loaded, loc, item, self.events, self.registry_path)
            if item.place is not None:
                self.actor(loaded, (*loc, "place"), item.place)
            for i, p in enumerate(item.participants):
                self.actor(loaded, (*loc, "participants", i, "actor"), p.actor)
                self.key(loaded, (*loc, "participants", i, "role"), "role", p.role)
        elif isinstance(item, model.Statement):
            self.actor(loaded, (*loc, "speaker"), item.speaker)
            self.key(loaded, (*loc, "medium"), "medium", item.medium)
            for i, quote in enumerate(item.quote):
                self.quote(source, (*loc, "quote", i), quote)
            for i, demand in enumerate(item.calls_for):
                for j, ref in enumerate(demand.about):
                    self.ref(loaded, (*loc, "calls_for", i, "about", j), ref)
                for j, quote in enumerate(demand.evidence):
                    self.quote(source, (*loc, "calls_for", i, "evidence", j), quote)
        elif isinstance(item, model.Figure):
            self.key(loaded, (*loc, "unit"), "unit", item.unit)
            self.key(loaded, (*loc, "comparator"), "comparator", item.comparator)
            if item.measures is not None:
                self.key(loaded, (*loc, "measures"), "measure", item.measures)
            self.problems += figures.problems(loaded, loc, item)
        elif isinstance(item, model.Relation):
            self.actor(loaded, (*loc, "subject"), item.subject)
            self.key(loaded, (*loc, "type"), "relation", item.type)
            self.ref(loaded, (*loc, "object"), item.object, events_only=True)
        elif isinstance(item, model.RoleHolding):
            self.actor(loaded, (*loc, "holder"), item.holder)
            if item.post not in self.posts and item.post not in self.broken and self.registry is not None:
                self._unknown(loaded, (*loc, "post"), "post", item.post, list(self.posts), self.registry_path)

    def _attribution(self, source: Source, loc: Loc, item: Any, items: dict[str, Any]) -> None:
        loaded = source.loaded
        by = item.asserted_by
        if by != ARTICLE:
            self.actor(loaded, (*loc, "asserted_by"), by)
        elif item.modality == "quoted":
            self._add(
                loaded,
                loaded.line((*loc, "modality")),
                "a quoted claim needs `asserted_by`: the speaker",
                "name the speaker's actor id in asserted_by",
            )
        if item.via is None:
            return
        via = items.get(item.via)
        line = loaded.line((*loc, "via"))
        if via is None:
            if item.via not in source.broken_ids:
                candidates = [k for k, v in items.items() if isinstance(v, (model.Event, model.Statement))]
                self._unknown(loaded, (*loc, "via"), "statement or event", item.via, candidates, "this mapping")
        elif not isinstance(via, (model.Event, model.Statement)):
            self._add(
                loaded,
                line,
                f"`via` must name a statement or an event, and {item.via!r} is neither",
                "name the statement, report or release it was asserted in",
            )
        elif by == ARTICLE:
            self._add(loaded, line, "`via` needs `asserted_by`", f"add asserted_by: the actor behind {item.via!r}")
        else:
            who = {via.speaker} if isinstance(via, model.Statement) else {p.actor for p in via.participants}
            if not all(isinstance(w, model.Unnamed) or w in self.actors for w in who):
                return  # an unknown actor there is reported where it is named
            if by not in who:  # an unnamed spokesperson's words are theirs, not their organisation's
                self._add(
                    loaded,
                    line,
                    f"{item.via!r} is not made by {str(by)!r} (it names {', '.join(sorted(map(str, who))) or 'no actor'})",
                    "fix asserted_by or via",
                )

    # -- single checks -----------------------------------------------------

    def key(self, loaded: Loaded, loc: Loc, family: str, value: str) -> None:
        known = self.vocab.keys(family)
        if value in known or placeholders.is_placeholder(value):  # a placeholder is reported as one
            return
        close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(known)}"
        self._add(
            loaded, loaded.line(loc), f"unknown {family} {value!r}", f"{hint} (declared in ontology/cubagraph.ttl)"
        )

    def actor(self, loaded: Loaded, loc: Loc, ref: str | model.Unnamed) -> None:
        if isinstance(ref, model.Unnamed):  # "a spokesperson for X": what kind, and X
            self.key(loaded, (*loc, "unnamed"), "unnamed", ref.unnamed)
            ref, loc = ref.of, (*loc, "of")
        # Without a readable registry every actor reference would look unknown: the registry's problem is reported.
        if ref in self.actors or ref in self.broken or self.registry is None or placeholders.is_placeholder(ref):
            return
        self._unknown(loaded, loc, "actor", ref, list(self.actors), self.registry_path)

    def ref(self, loaded: Loaded, loc: Loc, ref: str, events_only: bool = False) -> None:
        """An actor, or an item of this document."""
        if ref in self.actors or ref in self.broken or ref in self.local_broken or placeholders.is_placeholder(ref):
            return
        if self.registry is None and ref not in self.local:
            return
        local = self.local.get(ref)
        if local is not None and local.suggested:
            self._add(
                loaded,
                loaded.line(loc),
                f"{ref!r} is a suggestion not yet confirmed",
                f"confirm {ref!r} first: delete its `suggested: true`",
            )
            return
        if local is not None:
            if events_only and not isinstance(local, model.Event):
                self._add(loaded, loaded.line(loc), f"{ref!r} is not an actor or an event", "name an actor or an event")
            return
        pool = list(self.actors) + [k for k, v in self.local.items() if not events_only or isinstance(v, model.Event)]
        self._unknown(
            loaded,
            loc,
            "actor or event" if events_only else "actor or item",
            ref,
            pool,
            f"{self.registry_path} or this mapping",
        )

    def _unknown(self, loaded: Loaded, loc: Loc, what: str, ref: str, pool: list[str], where: str) -> None:
        guess = difflib.get_close_matches(ref, pool, n=1, cutoff=0.6)
        if not guess and what.startswith("actor"):
            by_name = difflib.get_close_matches(ref.lower().replace("-", " "), list(self.names), n=1, cutoff=0.6)
            guess = [self.names[by_name[0]]] if by_name else []
        hint = f"did you mean {guess[0]!r}?" if guess else f"define it in {where}"
        self._add(loaded, loaded.line(loc), f"unknown {what} {ref!r}", hint)

    def quote(self, source: Source, loc: Loc, quote: model.Quote) -> None:
        loaded = source.loaded
        started = time.perf_counter()
        found = source.text.find(quote.quote)
        self.grounding += time.perf_counter() - started
        if len(found) == 1 and quote.occurrence is None:  # most quotes: no message, so no line or short form
            source.spans[loc] = source.text.span(*found[0])
            return
        line = loaded.line(loc)
        short = _short(quote.quote)
        if not found:
            near = source.text.closest(quote.quote)
            if near is None:
                self._add(
                    loaded,
                    line,
                    f"quote not found in {source.text_file}: {short}",
                    "copy the passage from the text exactly",
                )
            else:
                passage, text_line, diff = near
                self._add(
                    loaded,
                    line,
                    f"quote not found in {source.text_file}: {short}; the closest passage, on line {text_line} of the text, is {_short(passage, 100)}",
                    f"{diff}; make the quote match the text word for word" if diff else "make the quote match the text",
                )
            return
        if quote.occurrence is None:  # found more than once, and no occurrence chosen
            lines = ", ".join(str(source.text.span(s, e).line) for s, e in found)
            self._add(
                loaded,
                line,
                f"quote occurs {len(found)} times in {source.text_file} (lines {lines}): {short}",
                "quote more words, or add `occurrence: N`",
            )
            return
        if quote.occurrence > len(found):
            self._add(
                loaded,
                line,
                f"occurrence {quote.occurrence} asked, but the quote occurs {len(found)} time(s)",
                "lower the occurrence",
            )
            return
        source.spans[loc] = source.text.span(*found[quote.occurrence - 1])

    def date(self, source: Source, loc: Loc, date: model.DateSpec) -> None:
        if date.derived_from:
            self.quote(source, (*loc, "derived_from"), model.Quote(quote=date.derived_from))
            self.problems += slips.derived_too_fine(source.loaded, loc, date)

    def _add(self, loaded: Loaded, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(loaded.path, line, message, fix))

    def _warn(self, loaded: Loaded, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(loaded.path, line, message, fix, warning=True))


def check(
    vocab: Vocabulary,
    registry: RegistryFile | None,
    registry_path: str,
    sources: list[Source],
    timings: dict[str, float] | None = None,
    known_texts: dict[str, str] | None = None,
    registry_checked: bool = False,
) -> list[Problem]:
    """Every problem in ``sources`` and the registry; with ``registry_checked``, the registry's own checks
    (types, references, look-alike names) are skipped: the build cache kept their result."""
    checker = Checker(vocab, registry, registry_path)
    if not registry_checked:
        checker.check_registry()
    checker.check_sources(sources, known_texts)
    if timings is not None:
        timings["grounding"] = checker.grounding
    return checker.problems
