"""The one place that reads YAML.

Mapping files are written by hand, so the loader is deliberately narrower than
YAML 1.1, which PyYAML implements:

* Plain scalars resolve by a small, JSON-like schema: ``null``/``~``, ``true``/
  ``false``, decimal integers without leading zeros and decimal fractions.
  Everything else stays text. ``NO`` is the string "NO", ``012345`` is the
  string "012345" (not the octal 5349), ``2021-07-11`` is the string
  "2021-07-11" (dates are parsed later, with their precision).
* Fractions become :class:`decimal.Decimal`, so ``275.9`` is never 275.899….
* Explicit tags (``!!python/object``, ``!!binary``, ``!foo``) are refused:
  a mapping file never constructs objects.
* Duplicate keys are errors, not silent overwrites.
* Aliases are allowed, but expanding them may not build more than
  :data:`MAX_NODES` values, which stops "billion laughs" files.

Every value's line is kept in :attr:`Loaded.lines`, keyed by its path
(``("events", 2, "date")``), so that later validation can say where a
problem is. Parsing uses libyaml's C parser when it is available.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

import yaml

from ..errors import Problem

MAX_NODES = 100_000
MAX_DEPTH = 64

Path = tuple[str | int, ...]

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]+")
_NUMBER_START = frozenset("+-0123456789")
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SCALAR = yaml.ScalarNode

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Composer(_Base):  # type: ignore[misc]
    """Composes nodes without PyYAML's YAML 1.1 implicit typing."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[Any]]] = {}

    # With no implicit and no path resolvers, PyYAML's resolver gives every untagged node
    # its kind's default tag; saying so directly spares two Python calls per node.
    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return _STR if kind is yaml.ScalarNode else _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


@dataclass
class Loaded:
    """A parsed YAML file: plain Python data, with the line of every value."""

    path: str
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, loc: Path) -> int:
        """The line of the deepest known prefix of ``loc`` (1 when none is known).

        ``loc`` may carry extra elements that are not part of the data, such
        as the names of union members in pydantic error locations; those are
        skipped.
        """
        best = self.lines.get((), 1)
        prefix: Path = ()
        for part in loc:
            candidate = (*prefix, part)
            if candidate in self.lines:
                prefix = candidate
                best = self.lines[candidate]
        return best


class _Refused(Exception):
    def __init__(self, line: int, message: str, fix: str):
        super().__init__(message)
        self.problem_line = line
        self.fix = fix


def load(path: str, text: str) -> tuple[Loaded | None, list[Problem]]:
    """Parse ``text`` (the contents of ``path``) strictly.

    Returns the loaded data, or ``None`` with the problems that stopped it.
    Problems that do not stop loading (duplicate keys) are returned beside
    the data.
    """
    try:
        node = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or exc.context or "not valid YAML"
        return None, [Problem(path, line, f"malformed YAML: {what}", "fix the syntax at this line")]
    except yaml.YAMLError as exc:  # reader errors, e.g. control characters
        line = 1
        mark = getattr(exc, "position", None)
        if isinstance(mark, int):
            line = text.count("\n", 0, mark) + 1
        return None, [Problem(path, line, f"malformed YAML: {exc}", "remove the offending character")]
    except RecursionError:
        return None, [Problem(path, 1, "malformed YAML: nesting is too deep", f"nest at most {MAX_DEPTH} levels")]
    loaded = Loaded(path, None)
    if node is None:
        loaded.lines[()] = 1
        return loaded, []
    builder = _Builder(path, loaded)
    try:
        loaded.data = builder.build(node, (), 0)
    except _Refused as exc:
        return None, [*builder.problems, Problem(path, exc.problem_line, str(exc), exc.fix)]
    return loaded, builder.problems


class _Builder:
    def __init__(self, path: str, loaded: Loaded):
        self.path = path
        self.loaded = loaded
        self.count = 0
        self.active: set[int] = set()
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        line = node.start_mark.line + 1
        self.count += 1
        if self.count > MAX_NODES:
            raise _Refused(
                line,
                f"alias expansion is too large (more than {MAX_NODES:,} values)",
                "write the values out instead of nesting aliases",
            )
        if depth > MAX_DEPTH:
            raise _Refused(line, "nesting is too deep", f"nest at most {MAX_DEPTH} levels")
        self.loaded.lines.setdefault(path, line)
        if node.tag not in (_STR, _SEQ, _MAP):
            raise _Refused(
                line,
                f"YAML tag {node.tag!r} is not allowed",
                "remove the tag; mapping files hold plain text, numbers, lists and mappings",
            )
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if id(node) in self.active:
            raise _Refused(line, "an alias refers to itself", "remove the recursive alias")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, path, depth)
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, path, depth)
        finally:
            self.active.discard(id(node))

    def _plain(self, node: yaml.Node, depth: int) -> bool:
        """Whether ``node``, a child at ``depth``, is a text scalar that :meth:`build` would accept as it is.

        Most values are; they are taken in place, with build's checks, which
        spares a call per value.
        """
        if node.__class__ is not _SCALAR or node.tag != _STR or depth > MAX_DEPTH or self.count >= MAX_NODES:
            return False  # build refuses what is too deep or one value too many, with its message
        self.count += 1
        return True

    def _sequence(self, node: yaml.SequenceNode, path: Path, depth: int) -> list[Any]:
        lines = self.loaded.lines
        out = []
        for i, item in enumerate(node.value):
            if self._plain(item, depth + 1):
                lines.setdefault((*path, i), item.start_mark.line + 1)
                out.append(_scalar(item))
            else:
                out.append(self.build(item, (*path, i), depth + 1))
        return out

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                raise _Refused(key_line, "a key must be plain text", "write the key as a word")
            key = _scalar(key_node)
            if not isinstance(key, str):
                # `true:` or `1:` as a key is almost always a mistake in a mapping file.
                raise _Refused(key_line, f"key {key_node.value!r} is not text", "quote the key")
            if key in result:
                first = self.loaded.lines.get((*path, key), key_line)
                self.problems.append(
                    Problem(
                        self.path,
                        key_line,
                        f"duplicate key {key!r} (first given on line {first})",
                        "keep one of them",
                    )
                )
                continue
            # The key's line is more useful in messages than the value's.
            self.loaded.lines[(*path, key)] = key_line
            if self._plain(value_node, depth + 1):
                result[key] = _scalar(value_node)
            else:
                result[key] = self.build(value_node, (*path, key), depth + 1)
                self.loaded.lines[(*path, key)] = key_line
        return result


def _scalar(node: yaml.ScalarNode) -> Any:
    value: str = node.value
    if node.style:  # quoted or block scalars are always text; plain is None or ""
        return value
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    if value[0] in _NUMBER_START:  # not empty: "" is null. Most plain values are words and ids.
        if _INT.fullmatch(value):
            # A long one stays a Decimal: int() refuses over 4,300 digits, and the model says what is wrong.
            return int(value) if len(value) <= 40 else Decimal(value)
        if _DECIMAL.fullmatch(value):
            return Decimal(value)
    return value
