"""Prepare and run SPARQL queries safely over the built graph.

Before a query reaches the engine it is scanned, token by token, and refused
if it could do more than read this dataset: ``SERVICE`` (the engine would
fetch from the network), updates and ``LOAD``, ``FROM``/``FROM NAMED`` with a
graph that is not in the dataset, and nesting deeper than the engine's parser
can take. Parameters are bound as RDF terms through the engine's
substitutions (SEP-0007), never pasted into the text.

The scanner reads the text as the engine does (pyoxigraph decodes ``\\u``
escapes inside strings only, and matches keywords without a word boundary:
``SERVICESILENT``, ``.SERVICE``), so that it can give a friendly reason. It
is not what keeps queries off the network: every query is evaluated in a
sandboxed process (``sandbox``), where a ``SERVICE`` that slips past the
scanner fails to open its socket and becomes :class:`QueryRefused` too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..errors import CubagraphError
from ..rdf.namespaces import CG, ID_PATTERN, RDF, RDFS, SKOS, XSD
from . import syntax
from .queries import Param
from .stores import SMALL as SMALL  # the stores moved to stores.py; callers still find them here
from .stores import fill_store as fill_store
from .stores import load_store as load_store
from .stores import open_store as open_store
from .stores import store_copy as store_copy

# Keywords that only occur in updates; a query that contains one is refused.
_UPDATE = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][^\s{}()\[\];,.<>=!|&+*/^"'\#@?$-]+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<word>(?:\\.|[^\s{}()\[\];,<>=!|&+*/^"'\#@?$\\])+)
    | (?P<other>.)
    """,
    re.X | re.S,
)
# SERVICE as the engine's parser finds it in a word: after dots, or glued to SILENT.
_SERVICE = re.compile(r"(?:^|\.)SERVICE(?:SILENT)?$", re.I)
MAX_DEPTH = 200  # brackets deep; pyoxigraph's parser overflows its stack at a few thousand


class QueryError(CubagraphError):
    """A query that cannot be run: its text, its parameters or its graph."""

    exit_code = 2
    code = "bad_query"
    status = 400


class QuerySyntaxError(QueryError):
    code = "syntax_error"


class QueryRefused(QueryError):
    code = "refused"
    status = 403


class QueryTimeout(QueryError):
    code = "timeout"
    status = 503


class ResultTooLarge(QueryError):
    code = "result_too_large"
    status = 413


class QueryMemoryLimit(QueryError):
    """The query needed more memory than its process may use."""

    code = "memory_limit"
    status = 413


@dataclass
class Prepared:
    """A checked query, ready for the engine."""

    text: str
    form: str
    substitutions: dict[str, str] = field(default_factory=dict)  # variable -> N-Triples term
    graphs: list[str] | None = None  # None: the union of all graphs

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :meth:`pyoxigraph.Store.query`."""
        out: dict[str, Any] = {}
        if self.graphs is None:
            out["use_default_graph_as_union"] = True
        else:
            nodes = [ox.NamedNode(g) for g in self.graphs]
            out["default_graph"] = nodes
            out["named_graphs"] = nodes
        if self.substitutions:
            out["substitutions"] = {ox.Variable(k): _term(v) for k, v in self.substitutions.items()}
        return out


def too_deep(text: str, limit: int = MAX_DEPTH) -> int | None:
    """Where brackets (outside strings, IRIs and comments) first nest deeper than ``limit``; None if never."""
    level = 0
    for kind, value, at in tokens(text):
        if kind == "other" and value in "({[":
            level += 1
            if level > limit:
                return at
        elif kind == "other" and value in ")}]":
            level -= 1
    return None


def tokens(text: str) -> Iterator[tuple[str, str, int]]:
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield kind, m.group(), m.start()


def scan(text: str, prefixes: dict[str, str], graphs: Container[str]) -> str:
    """Refuse what a read-only query over this dataset must not do; return its form."""
    declared = dict(prefixes)
    toks = list(tokens(text))
    form = ""
    for i, (kind, value, at) in enumerate(toks):
        if kind != "word":
            continue
        word = value.upper()
        if _SERVICE.search(word):
            word = "SERVICE"
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 2][0] == "iri":
            declared[toks[i + 1][1].rstrip(":")] = toks[i + 2][1][1:-1]
        elif word == "SERVICE":
            raise QueryRefused(
                f"{_where(text, at)}: SERVICE is not allowed — cubagraph answers from its own graph and never fetches from the network"
            )
        elif word in _UPDATE:
            raise QueryRefused(
                f"{_where(text, at)}: {word} is not allowed — the graph is read-only; edit the mappings instead"
            )
        elif word == "FROM":
            j = i + 1
            if j < len(toks) and toks[j][1].upper() == "NAMED":
                j += 1
            if j < len(toks):
                iri = _resolve(toks[j], declared)
                if iri is not None and iri not in graphs:
                    raise QueryRefused(
                        f"{_where(text, at)}: FROM <{iri}> names a graph that is not in this dataset — use one of its named graphs"
                    )
        elif word in _FORMS and not form:
            form = word
    return form or "SELECT"


def _resolve(token: tuple[str, str, int], prefixes: dict[str, str]) -> str | None:
    kind, value, _ = token
    if kind == "iri":
        return value[1:-1]
    if kind == "word" and ":" in value:
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def _where(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"line {line}, column {column}"


def prepare(
    text: str,
    store: ox.Store,
    prefixes: dict[str, str],
    params: dict[str, str] | None = None,
    declared: tuple[Param, ...] = (),
    graph: str | None = None,
    base: str = "",
) -> Prepared:
    """Check ``text`` and bind ``params``; raise :class:`QueryError` with the reason."""
    at = too_deep(text)
    if at is not None:
        raise QueryError(
            f"{_where(text, at)}: brackets nest more than {MAX_DEPTH} deep here, more than a query may — flatten it"
        )
    form = scan(text, prefixes, _NamedGraphs(store))
    prepared = Prepared(text, form)
    if graph is not None:
        names = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
        prepared.graphs = _graphs_for(graph, names, base)
    if params:
        types = {p.name: p.type for p in declared}
        for name, value in params.items():
            if declared and name not in types:
                raise QueryError(f"unknown parameter {name!r} — this query takes: {', '.join(types) or 'none'}")
            prepared.substitutions[name] = str(_bind(value, types.get(name), store, prefixes))
    missing = [p.name for p in declared if not params or p.name not in params]
    if missing:
        raise QueryError(f"missing parameter {missing[0]!r} — pass --param {missing[0]}=VALUE")
    return prepared


class _NamedGraphs:
    """The store's named graphs, as a container asked one IRI at a time.

    Listing them all takes tens of milliseconds at 10,000 documents; most
    queries name no graph at all, and one that does asks about one or two.
    """

    def __init__(self, store: ox.Store):
        self.store = store

    def __contains__(self, iri: object) -> bool:
        try:
            return isinstance(iri, str) and self.store.contains_named_graph(ox.NamedNode(iri))
        except ValueError:  # not a valid IRI, so not a graph of ours
            return False


def _graphs_for(graph: str, names: set[str], base: str) -> list[str]:
    """A document's graph, with the registry and the ontology it refers to."""
    iri = graph[1:-1] if graph.startswith("<") else f"{base}graph/{graph}"
    if iri not in names:
        docs = sorted(n.rsplit("/", 1)[-1] for n in names if n.startswith(f"{base}graph/"))
        close = [d for d in docs if d.startswith(graph)] or difflib.get_close_matches(graph, docs, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"documents are: {', '.join(docs)}"
        raise QueryError(f"no document graph {graph!r} — {hint}")
    shared = [n for n in names if not n.startswith(f"{base}graph/")]
    return sorted({iri, *shared})


def _bind(value: str, kind: str | None, store: ox.Store, prefixes: dict[str, str]) -> ox.NamedNode | ox.Literal:
    if kind == "actor":
        return resolve_actor(value, store, prefixes.get("actor"))
    if kind == "integer":
        if not re.fullmatch(r"[-+]?\d+", value):
            raise QueryError(f"{value!r} is not an integer")
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "integer"))
    if kind == "date":
        from ..mapping import dates

        try:
            day = dates.parse(value)
        except dates.DateError as exc:
            raise QueryError(str(exc)) from exc
        return ox.Literal(str(day), datatype=ox.NamedNode(XSD + day.xsd_type))
    if kind == "string":
        return ox.Literal(value)
    prefix, colon, local = value.partition(":")
    iri = value[1:-1] if value.startswith("<") and value.endswith(">") else None
    if iri is not None or (colon and prefix in prefixes):
        try:
            return ox.NamedNode(prefixes[prefix] + local if iri is None else iri)
        except ValueError as exc:  # Oxigraph's IRI check: a space, no scheme, ...
            raise QueryError(f"{value!r} is not a valid IRI ({exc}) — write <https://...> or prefix:name") from exc
    if kind in ("iri", "document"):
        raise QueryError(f"{value!r} is not an IRI — write <https://...> or prefix:name")
    return ox.Literal(value)


def resolve_actor(value: str, store: ox.Store, namespace: str | None = None) -> ox.NamedNode:
    """An actor by id, name or alias (case-insensitive), with suggestions when unknown.

    An exact id (under ``namespace``, the actor IRI prefix) or an exact name or
    alias is found through the store's indexes. Anything else (another case, a
    typo) reads every actor's names, which takes a quarter of a second at
    10,000 documents.
    """
    found = _exact_actor(value, store, namespace)
    if found is not None:
        return found
    names: dict[str, str] = {}
    query = (
        f"SELECT ?a ?name WHERE {{ ?a a <{CG}Actor> . "
        f"{{ ?a <{RDFS}label> ?name }} UNION {{ ?a <{SKOS}altLabel> ?name }} }}"
    )
    for row in store.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
        iri, name = row["a"].value, row["name"].value
        names.setdefault(iri.rsplit("/", 1)[-1], iri)
        names.setdefault(name.lower(), iri)
    key = value if value in names else value.lower()
    if key in names:
        return ox.NamedNode(names[key])
    close = difflib.get_close_matches(value.lower(), list(names), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else "see data/actors.yaml"
    raise QueryError(f"unknown actor {value!r} — {hint}")


def _exact_actor(value: str, store: ox.Store, namespace: str | None) -> ox.NamedNode | None:
    """The actor whose id, or else whose one name or alias, is exactly ``value``; None if none or several."""
    kind, actor = ox.NamedNode(RDF + "type"), ox.NamedNode(CG + "Actor")

    def is_actor(node: ox.NamedNode) -> bool:
        return next(store.quads_for_pattern(node, kind, actor), None) is not None

    if namespace and ID_PATTERN.fullmatch(value):
        node = ox.NamedNode(namespace + value)
        if is_actor(node):
            return node
    named = {
        q.subject.value
        for p in (RDFS + "label", SKOS + "altLabel")
        for q in store.quads_for_pattern(None, ox.NamedNode(p), ox.Literal(value))
        if isinstance(q.subject, ox.NamedNode) and is_actor(q.subject)
    }
    return ox.NamedNode(named.pop()) if len(named) == 1 else None


def run(store: ox.Store, prepared: Prepared, prefixes: dict[str, str]) -> Any:
    """Run a prepared query; a syntax error names its line and column, and says what was expected in plain words."""
    try:
        return store.query(prepared.text, prefixes=prefixes, **prepared.kwargs())
    except SyntaxError as exc:
        raise QuerySyntaxError(
            f"syntax error at {syntax.explain(prepared.text, str(exc), list(tokens(prepared.text)))}"
        ) from exc
    except (RuntimeError, ValueError, OSError) as exc:
        refused = network_refusal(exc)
        if refused is not None:
            raise refused from exc
        m = re.search(r"variable \?(\w+) in its SELECT projection", str(exc))
        if m:
            # Substitution binds projected variables only (SEP-0007).
            raise QueryError(
                f"parameter ?{m[1]} must appear in the SELECT clause — add it there, or use SELECT *"
            ) from exc
        raise QueryError(f"the query cannot be evaluated: {_one_line(str(exc))}") from exc


def network_refusal(exc: BaseException) -> QueryRefused | None:
    """The error for a query whose engine error is the sandbox refusing a socket; None if it is another."""
    from .sandbox import is_network_refusal

    if isinstance(exc, (OSError, RuntimeError, ValueError)) and is_network_refusal(str(exc)):
        return QueryRefused(
            "the query tried to open a network connection (SERVICE), and was stopped"
            " — cubagraph answers from its own graph and never fetches from the network"
        )
    return None


def evaluation_error(exc: BaseException) -> QueryError | None:
    """The error for what the engine raised while results were read (lazily, after :func:`run`); None if not the engine's."""
    if not isinstance(exc, (OSError, RuntimeError, ValueError)):
        return None
    return network_refusal(exc) or QueryError(f"the query cannot be evaluated: {_one_line(str(exc))}")


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _term(nt: str) -> ox.NamedNode | ox.Literal:
    """The inverse of ``str(term)`` for the terms parameters produce."""
    triple = next(iter(ox.parse(f"<urn:s> <urn:p> {nt} .".encode(), format=ox.RdfFormat.N_TRIPLES)))
    obj = triple.object
    assert isinstance(obj, (ox.NamedNode, ox.Literal))
    return obj
