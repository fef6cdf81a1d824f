"""Items that look like what a saved query asks about, but that no saved query would find.

Each saved query says in its header (``# Found: ...``) what a mapping must say for
an item to be found, and docs/mapping.md says the same. A mapper who maps a
$12.5 million export figure without ``measures:`` has mapped it correctly, and
yet trade-figures never lists it. These warnings name the query and the key it
needs, at the item's line. They are warnings: the item is valid, and may be
meant to stay out of every query.
"""

from __future__ import annotations

from ..errors import Problem
from ..rdf.namespaces import CG
from ..rdf.ontology import Vocabulary
from . import model
from .yamlfile import Loaded, Path

NOT_MONEY = frozenset({"persons", "years", "months", "days", "percent"})
# trade-figures selects `measures/skos:broader* cg:TradeValue`; tests/mapping/test_guide_examples.py
# checks that this list is the ontology's.
TRADE = ("trade_value", "export_value", "import_value", "supply_value")


def unfound(loaded: Loaded, items: list[tuple[Path, model.Assertion]], vocab: Vocabulary) -> list[Problem]:
    """A warning for each confirmed item that looks like one a saved query asks about, and that none finds."""
    events = {item.id: item for _, item in items if isinstance(item, model.Event)}
    out = []
    for loc, item in items:
        if item.suggested:
            continue  # not in the graph yet: `check` already says so
        for where, message, fix in _looks(loc, item, events, vocab):
            line = loaded.line(where)
            out.append(Problem(loaded.path, line, message, fix, warning=True))
    return out


def _looks(
    loc: Path, item: model.Assertion, events: dict[str, model.Event], vocab: Vocabulary
) -> list[tuple[Path, str, str]]:
    kind = model.SINGULAR.get(str(loc[0]), "item")
    found: list[tuple[Path, str, str]] = []
    if isinstance(item, model.Figure):
        if item.unit not in NOT_MONEY and item.measures is None:
            found.append((
                (*loc, "unit"),
                f"figure {item.id!r} is an amount of money ({item.unit}) that no saved query finds: trade-figures "
                f"lists figures that say `measures:` {', '.join(TRADE)}",
                "add `measures:` with what it is a figure of (export_value, import_value, supply_value, trade_value, "
                "aid_value, remittance_value, investment_value)",
            ))  # fmt: skip
        if (item.measures or "").startswith("people_") and item.unit != "persons":
            found.append((
                (*loc, "unit"),
                f"figure {item.id!r} counts people ({item.measures}) in unit {item.unit!r}: people-figures lists "
                "figures in `unit: persons`",
                "write `unit: persons`",
            ))  # fmt: skip
        if item.measures == "people_released" and item.unit == "persons":
            releases = [e for e in (events.get(ref) for ref in item.about) if e is not None]
            known = all(vocab.iri("event type", e.type) for e in releases)  # a mistyped type is its own error
            if known and not any(e.type == "prisoner_release" for e in releases):
                found.append((
                    (*loc, "measures"),
                    f"figure {item.id!r} counts people released but is `about` no event of type prisoner_release: "
                    "prisoners-released lists figures about a prisoner_release event",
                    "add the release event's id to its `about:` (map the release as an event if it is not)",
                ))  # fmt: skip
    if isinstance(item, model.Statement):
        for i, demand in enumerate(item.calls_for):
            if "release" in demand.summary.lower() and not demand.about:
                found.append((
                    (*loc, "calls_for", i, "summary"),
                    f"statement {item.id!r} calls for a release about no one: calls-for-release lists demands "
                    "that are `about` the people to be released (political-prisoners)",
                    "add `about:` to the demand, with the actor ids of those whose release it calls for",
                ))  # fmt: skip
    if isinstance(item, model.Event):
        iri = vocab.iri("event type", item.type)
        communication = iri is not None and CG + "Communication" in vocab.supers.get(iri, [])
        if communication and not any(p.role == "agent" for p in item.participants):
            found.append((
                (*loc, "type"),
                f"{kind} {item.id!r} is a {item.type} with no agent: human-rights-reporting lists communications "
                "whose participant `{actor: ORGANIZATION, role: agent}` made them",
                "add `participants: [{actor: ..., role: agent}]`, the actor who made it",
            ))  # fmt: skip
    return found
