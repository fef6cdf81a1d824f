"""The mapping format: strict pydantic models of the hand-written YAML files.

Two kinds of file exist. ``data/actors.yaml`` is the registry of actors and
posts, shared by every document. ``data/mappings/<id>.yaml`` maps one
document: its metadata, and the events, statements, figures, claims,
relations and role holdings it asserts, each with evidence quotes.

The models check the shape of each file. Whether references resolve, keys
exist in the ontology and quotes occur in the text is checked afterwards, in
:mod:`cubagraph.validate`, where the whole corpus is in view.

Models are strict (nothing is coerced: a number where text is expected is an
error) and closed (unknown fields are errors).

Why this module is long: it is the one declaration of the mapping format, both
files' models with their shorthands and JSON Schema hooks, which
:mod:`cubagraph.mapping.schema` turns into the editors' schemas whole. Issue 17
added figures' stated form, unnamed speakers, same_as and the registry's
events; the checks that need more than one model live elsewhere (validate,
slips, figures, sharedevents).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..rdf.namespaces import ID_RULE, id_problem
from . import dates


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _id(value: str) -> str:
    problem = id_problem(value)
    if problem:
        raise ValueError(f"{problem} — {ID_RULE}")
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty — write the text, or remove the field")
    return value


def _url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s<>\"]+", value):
        raise ValueError(f"{value!r} is not an http(s) URL — write it as https://...")
    return value


def _qid(value: str) -> str:
    if not re.fullmatch(r"Q[1-9][0-9]*", value):
        raise ValueError(
            f"{value!r} is not a Wikidata QID — write it as Q followed by digits, e.g. Q241, "
            "or leave it out when unsure"
        )
    return value


Id = Annotated[str, AfterValidator(_id)]
Text = Annotated[str, AfterValidator(_text)]
Ref = Annotated[str, AfterValidator(_text)]  # resolved later, with suggestions
Key = Annotated[str, AfterValidator(_text)]  # checked later against the ontology


class DateSpec(Strict):
    """``2021-07-11``, ``2019-11``, ``2018``, ``unknown``, or a mapping:

    ``{value: 2023-07-11, approximate: true, derived_from: "two years after ..."}``
    or ``{from: 2017, to: 2018}``.
    """

    value: str | None = None
    start: str | None = Field(None, alias="from")
    end: str | None = Field(None, alias="to")
    approximate: bool = False
    derived_from: Text | None = None
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, int) and not isinstance(data, bool) and 1000 <= data <= 9999:
            data = str(data)  # `date: 2018` is a year, as the mapper meant
        if isinstance(data, str):
            return {"value": data}
        if isinstance(data, dict):
            return {k: str(v) if k in ("value", "from", "to") and _is_year(v) else v for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _check(self) -> DateSpec:
        if self.value is not None and (self.start or self.end):
            raise ValueError("give either `value` or `from`/`to`, not both")
        if self.value is None and not (self.start and self.end):
            raise ValueError(f"a date needs `value` ({dates.FORMS}) or both `from` and `to`")
        if self.value is not None and self.value != "unknown":
            dates.parse(self.value)
        if self.start and self.end:
            first, last = dates.parse(self.start), dates.parse(self.end)
            if first.earliest > last.latest:
                raise ValueError(f"the range starts ({self.start}) after it ends ({self.end})")
        if self.approximate and not self.derived_from:
            raise ValueError("an approximate date needs `derived_from`: the passage of the text it is derived from")
        if self.unknown and (self.approximate or self.derived_from):
            raise ValueError("an unknown date cannot be approximate; give the derived value instead")
        return self

    @property
    def unknown(self) -> bool:
        return self.value == "unknown"

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        # The JSON Schema must admit the shorthands the validator accepts.
        return _with_shorthands(
            handler(core_schema),
            handler,
            [
                {
                    "type": "string",
                    "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?|unknown)$",
                    "description": "YYYY, YYYY-MM, YYYY-MM-DD or unknown",
                },
                {"type": "integer", "minimum": 1000, "maximum": 9999, "description": "a year"},
            ],
        )

    @property
    def precision(self) -> str:
        if self.unknown:
            return "unknown"
        if self.value is None:
            return "range"
        return dates.parse(self.value).precision


def _is_year(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 1000 <= v <= 9999


class Quote(Strict):
    """An exact passage of the document's text.

    ``occurrence`` picks one when the passage occurs more than once (1 is the
    first); otherwise a repeated passage is an error, because the evidence
    would not say which place in the text it means.
    """

    quote: Text
    occurrence: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"quote": data} if isinstance(data, str) else data

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        return _with_shorthands(
            handler(core_schema), handler, [{"type": "string", "minLength": 1, "description": "the exact passage"}]
        )


def _with_shorthands(schema: Any, handler: Any, shorthands: list[dict[str, Any]]) -> Any:
    """Turn a model's JSON Schema into "one of these shorthands, or the mapping"."""
    target = handler.resolve_ref_schema(schema)
    mapping = dict(target)
    target.clear()
    target["anyOf"] = [*shorthands, mapping]
    for key in ("title", "description"):
        if key in mapping:
            target[key] = mapping[key]
    return schema


Quotes = Annotated[list[Quote], Field(min_length=1)]


class Unnamed(Strict):
    """A speaker or source the document does not name: ``{unnamed: spokesperson, of: us-department-of-state}``.

    "A State Department spokesperson" is not the State Department: the graph
    keeps an unnamed source, affiliated with the actor, never the actor itself.
    """

    unnamed: Key
    of: Ref

    def __str__(self) -> str:
        return f"{{unnamed: {self.unnamed}, of: {self.of}}}"


class Assertion(Strict):
    """What every asserted item carries: an id, evidence, an asserter, a modality.

    ``suggested: true`` marks an item that `cubagraph new` proposed. It is
    checked for shape and its quotes are located, but it stays out of the
    graph until the mapper confirms it by deleting the flag.
    """

    id: Id
    # May be empty while the item is suggested; `check` refuses it empty once confirmed (mapping/slips.py).
    evidence: list[Quote]
    modality: Key = "reported"
    asserted_by: Ref | Unnamed = "article"
    via: Ref | None = None
    note: Text | None = None
    suggested: bool = False


class Participant(Strict):
    actor: Ref
    role: Key = "participant"


class Event(Assertion):
    """Something that happened, as this document tells it.

    ``same_as`` says that it is an event another source tells too: a
    well-known event of the registry (``same_as: us-sanctions-on-cuba``), or
    an event of another document (``same_as: other-document/event-id``).
    The graph then has one node for it, with this document's evidence,
    attribution and date in this document's graph.
    """

    type: Key
    label: Text
    date: DateSpec
    same_as: Ref | None = None
    place: Ref | None = None
    participants: list[Participant] = []
    about: list[Ref] = []


class Demand(Strict):
    summary: Text
    about: list[Ref] = []
    evidence: Quotes


class Statement(Assertion):
    speaker: Ref | Unnamed
    medium: Key
    platform: Text | None = None
    date: DateSpec
    quote: Quotes
    about: list[Ref] = []
    calls_for: list[Demand] = []
    evidence: list[Quote] = []  # the attribution ("Blinken said in a Twitter post")


DIGITS = 30  # a figure's significant digits at most: more is a typo, or an attack on the number parsers


def _sized(value: int | Decimal) -> int | Decimal:
    # Written out in full: 0.000…1 and 1E+5000 are as long as the digits they stand for.
    _sign, figures, exponent = Decimal(value).as_tuple()
    digits = max(len(figures), -int(exponent), len(figures) + int(exponent))
    if digits > DIGITS:
        raise ValueError(f"the number has {digits:,} digits; a figure has at most {DIGITS} — check the value")
    return value


class Figure(Assertion):
    """A number as the text states it (see :mod:`cubagraph.mapping.figures`).

    ``value`` is the number as written (275.9), ``scale`` the word after it
    (million), ``stated`` the words themselves ("$275.9 million"), and
    ``measures`` the kind of quantity (export_value), for queries.
    """

    value: Annotated[int | Decimal, AfterValidator(_sized)]
    scale: Literal["thousand", "million", "billion", "trillion"] | None = None
    stated: Text | None = None
    unit: Key
    comparator: Key
    measures: Key | None = None
    counts: Text
    as_of: DateSpec
    about: list[Ref] = []
    label: Text | None = None

    @model_validator(mode="after")
    def _finite(self) -> Figure:
        if isinstance(self.value, Decimal) and not self.value.is_finite():
            raise ValueError("value must be a finite number")
        return self


class Claim(Assertion):
    summary: Text
    about: Annotated[list[Ref], Field(min_length=1)]


class Relation(Assertion):
    subject: Ref
    type: Key
    object: Ref
    summary: Text | None = None


class RoleHolding(Assertion):
    holder: Ref
    post: Ref
    as_of: DateSpec


def _text_path(value: str) -> str:
    # A NUL cannot be in a path at all (the OS refuses it); other control characters only hide what a path says.
    bad = next((c for c in value if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0), None)
    if bad is not None:
        raise ValueError(
            f"the text path holds the control character U+{ord(bad):04X} — name the file with printable characters"
        )
    return value


class Document(Strict):
    id: Id
    text: Annotated[Text, AfterValidator(_text_path)]
    title: Text
    language: Text
    published: DateSpec
    publisher: Ref | None = None
    url: Annotated[str, AfterValidator(_url)] | None = None
    note: Text | None = None


class Suggestion(Strict):
    """A hint `cubagraph new` found in the text: a known actor, or a date.

    Hints are never part of the graph. Use them, then delete them; `check`
    reminds you of the ones left.
    """

    actor: Ref | None = None
    date: str | None = None
    quote: Text
    line: Annotated[int, Field(ge=1)]
    note: Text | None = None


class Mapping(Strict):
    """One document's mapping: ``data/mappings/<id>.yaml``."""

    document: Document
    suggestions: list[Suggestion] = []
    events: list[Event] = []
    statements: list[Statement] = []
    figures: list[Figure] = []
    claims: list[Claim] = []
    relations: list[Relation] = []
    roles: list[RoleHolding] = []


# The sections of a mapping that hold assertions, in order, with their models,
# and the singular of each, which also names its IRI namespace (event/, figure/...).
SINGULAR = {
    "events": "event",
    "statements": "statement",
    "figures": "figure",
    "claims": "claim",
    "relations": "relation",
    "roles": "role",
}
SECTIONS: dict[str, type[Assertion]] = {
    "events": Event,
    "statements": Statement,
    "figures": Figure,
    "claims": Claim,
    "relations": Relation,
    "roles": RoleHolding,
}


class RegistryRelation(Strict):
    """Structure the registry curates (the Cuban government governs Cuba).

    Relations that a document asserts belong in its mapping, with evidence.
    """

    type: Key
    object: Ref
    note: Text | None = None


class Actor(Strict):
    id: Id
    type: Key
    name: Text
    aliases: list[Text] = []
    wikidata: Annotated[str, AfterValidator(_qid)] | None = None
    description: Text | None = None
    relations: list[RegistryRelation] = []
    # Actors whose names look alike but which are, on purpose, not the same.
    distinct_from: list[Ref] = []


class Post(Strict):
    id: Id
    name: Text
    # Other words for the post, for suggestions ("Secretary of State", "Congressman"); not in the graph.
    aliases: list[Text] = []
    organization: Ref
    role: Key


class RegistryEvent(Strict):
    """A well-known event that several documents tell: the U.S. sanctions on Cuba.

    It holds no evidence of its own: each document that names it with
    ``same_as`` adds its words, attribution and date, in its own graph.
    """

    id: Id
    type: Key
    name: Text
    aliases: list[Text] = []
    wikidata: Annotated[str, AfterValidator(_qid)] | None = None
    description: Text | None = None


class Registry(Strict):
    """The shared registry: ``data/actors.yaml``, with the actors, their posts and well-known events."""

    actors: list[Actor]
    posts: list[Post] = []
    events: list[RegistryEvent] = []
