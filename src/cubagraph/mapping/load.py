"""Files → models: read the registry, the mappings and the texts they map.

Every problem is collected with its file and line; nothing stops at the first
one. Items are validated one by one, so that one broken event does not hide
the problems of the others: the valid items go on to cross-checking, and the
ids of broken ones are remembered so that references to them are not
reported a second time.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import marshal
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Problem
from ..files import NotRegular, read_regular, resolve, write_atomic
from ..project import Project
from . import model, yamlfile
from .evidence import Span, Text
from .yamlfile import Loaded

M = TypeVar("M", bound=BaseModel)


@dataclass
class RegistryFile:
    path: str
    loaded: Loaded
    actors: list[tuple[yamlfile.Path, model.Actor]]
    posts: list[tuple[yamlfile.Path, model.Post]]
    broken_ids: set[str] = field(default_factory=set)
    events: list[tuple[yamlfile.Path, model.RegistryEvent]] = field(default_factory=list)


@dataclass
class Source:
    """One mapped document: its mapping, its text, and where its quotes are."""

    path: str
    loaded: Loaded
    document: model.Document
    # Every assertion with its location, in the order of model.SECTIONS.
    items: list[tuple[yamlfile.Path, model.Assertion]]
    suggestions: list[tuple[yamlfile.Path, model.Suggestion]]
    text_path: Path
    text_file: str  # relative to the project root, for the graph
    text: Text
    sha256: str
    broken_ids: set[str] = field(default_factory=set)
    spans: dict[yamlfile.Path, Span] = field(default_factory=dict)


def read_yaml(
    path: Path, problems: list[Problem], within: Path | None = None, keep: Path | None = None
) -> Loaded | None:
    """The YAML file at ``path`` (refused unless a regular file, under ``within`` if given), or None with problems.

    With ``keep``, a file parsed without problems is kept there (by its bytes' digest) and read back
    from there while the file is unchanged: the registry of 4,000 actors took 0.25 s to parse, on every
    build that checks a new or edited document against it.
    """
    name = str(path)
    try:
        raw = read_regular(path, within)
    except NotRegular as exc:
        problems.append(Problem(name, 1, f"refused: {exc.strerror}", "replace it with a regular file under data/"))
        return None
    except OSError as exc:
        problems.append(Problem(name, 1, f"cannot read the file ({exc.strerror})", "check that it exists"))
        return None
    digest = hashlib.sha256(raw).hexdigest() if keep is not None else ""
    if keep is not None:
        kept = _kept(keep, name, digest)
        if kept is not None:
            return kept
    text = _decode(name, raw, problems)
    if text is None:
        return None
    loaded, found = yamlfile.load(name, text)
    problems.extend(found)
    if keep is not None and loaded is not None and not found:
        with contextlib.suppress(OSError, ValueError):  # Decimals do not marshal: parsed again next time
            keep.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(keep, marshal.dumps([_KEPT, name, digest, loaded.data, loaded.lines]), durable=False)
    return loaded


_KEPT = 1  # the kept parse's format


def _kept(keep: Path, name: str, digest: str) -> Loaded | None:
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        form, kept_name, kept_digest, data, lines = marshal.loads(keep.read_bytes())
        if form == _KEPT and kept_name == name and kept_digest == digest and isinstance(lines, dict):
            return Loaded(name, data, lines)
    return None


def read_registry(path: Path, problems: list[Problem], keep: Path | None = None) -> RegistryFile | None:
    loaded = read_yaml(path, problems, path.parent.resolve(), keep)
    if loaded is None:
        return None
    data = _top(loaded, model.Registry, problems, required=("actors",))
    if data is None:
        return None
    registry = RegistryFile(str(path), loaded, [], [])
    registry.actors = _items(loaded, data, "actors", model.Actor, problems, registry.broken_ids)
    registry.posts = _items(loaded, data, "posts", model.Post, problems, registry.broken_ids)
    registry.events = _items(loaded, data, "events", model.RegistryEvent, problems, registry.broken_ids)
    return registry


def read_mapping(project: Project, path: Path, problems: list[Problem]) -> Source | None:
    loaded = read_yaml(path, problems, project.data_resolved)
    if loaded is None:
        return None
    data = _top(loaded, model.Mapping, problems, required=("document",))
    if data is None:
        return None
    document = _one(loaded, data.get("document"), ("document",), model.Document, problems)
    if document is None:
        return None
    text_path = resolve(project.data / document.text)
    line = loaded.line(("document", "text"))
    if not text_path.is_relative_to(project.data_resolved):
        problems.append(
            Problem(
                str(path),
                line,
                f"text path {document.text!r} leads outside data/",
                "store the text under data/documents/",
            )
        )
        return None
    try:
        raw = read_regular(text_path, project.data_resolved)
    except NotRegular as exc:
        problems.append(
            Problem(
                str(path),
                line,
                f"refused the text {document.text!r}: {exc.strerror}",
                "store the text as a regular file under data/documents/",
            )
        )
        return None
    except OSError as exc:
        problems.append(
            Problem(
                str(path),
                line,
                f"cannot read the text {document.text!r} ({exc.strerror})",
                "check the path; it is relative to data/",
            )
        )
        return None
    decoded = _decode(str(text_path), raw, problems)
    if decoded is None:
        return None
    broken: set[str] = set()
    items: list[tuple[yamlfile.Path, model.Assertion]] = []
    for section, cls in model.SECTIONS.items():
        items.extend(_items(loaded, data, section, cls, problems, broken))
    return Source(
        path=str(path),
        loaded=loaded,
        document=document,
        items=items,
        suggestions=_items(loaded, data, "suggestions", model.Suggestion, problems, set()),
        text_path=text_path,
        text_file=project.relative(text_path, resolved=True),
        text=Text(decoded),
        sha256=hashlib.sha256(raw).hexdigest(),
        broken_ids=broken,
    )


def _decode(name: str, raw: bytes, problems: list[Problem]) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(
            Problem(
                name,
                line,
                f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                "re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
            )
        )
        return None


def _top(
    loaded: Loaded, cls: type[BaseModel], problems: list[Problem], required: tuple[str, ...]
) -> dict[str, Any] | None:
    """Check the top level of a file: a mapping with known sections."""
    data = loaded.data
    if not isinstance(data, dict):
        problems.append(
            Problem(loaded.path, 1, "the file must be a YAML mapping of sections", f"start with `{required[0]}:`")
        )
        return None
    fields = set(cls.model_fields)
    for key in data:
        if key not in fields:
            problems.append(
                Problem(loaded.path, loaded.line((key,)), f"unknown section {key!r}", _suggest(key, fields, "sections"))
            )
    for key in required:
        if key not in data:
            problems.append(Problem(loaded.path, 1, f"missing section {key!r}", f"add `{key}:`"))
            return None
    return data


def _items(
    loaded: Loaded,
    data: dict[str, Any],
    section: str,
    cls: type[M],
    problems: list[Problem],
    broken: set[str],
) -> list[tuple[yamlfile.Path, M]]:
    value = data.get(section)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(
            Problem(
                loaded.path,
                loaded.line((section,)),
                f"{section!r} must be a list",
                "write each item on a line starting with '- '",
            )
        )
        return []
    items: list[tuple[yamlfile.Path, M]] = []
    for i, item in enumerate(value):
        result = _one(loaded, item, (section, i), cls, problems)
        if result is not None:
            items.append(((section, i), result))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            broken.add(item["id"])
    return items


def _one(loaded: Loaded, item: Any, loc: yamlfile.Path, cls: type[M], problems: list[Problem]) -> M | None:
    try:
        return cls.model_validate(item)
    except ValidationError as exc:
        problems.extend(_problems(loaded, loc, exc, cls))
        return None


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "decimal_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "model_type": "a mapping of fields",
    "dict_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
}
_UNION_TAGS = {"int", "decimal", "str", "none"}


def _problems(loaded: Loaded, base: yamlfile.Path, exc: ValidationError, cls: type[BaseModel]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    errors = exc.errors(include_url=False)
    for err in errors:
        loc = tuple(p for p in err["loc"] if p not in _UNION_TAGS or not isinstance(p, str))
        full = (*base, *loc)
        if full in seen:
            continue  # the members of a union fail at the same place
        seen.add(full)
        where = _where(full)
        kind = err["type"]
        if kind == "extra_forbidden":
            name = str(full[-1])
            message, fix = f"unknown field {name!r}", _suggest(name, _fields_at(cls, loc), "fields")
        elif kind == "missing":
            message, fix = f"missing field {where}", "add it"
        elif kind in _EXPECTED:
            expected = _EXPECTED[kind]
            if kind in ("int_type", "decimal_type") and len(base) and "value" in loc:
                expected = "a number"
            message = f"{where} must be {expected}, not {_describe(err['input'])}"
            fix = "put text in quotes" if kind == "string_type" else f"write {expected}"
        elif kind == "too_short":
            message, fix = f"{where} is empty", "give at least one item"
        elif kind == "value_error":
            text = str(err.get("ctx", {}).get("error", err["msg"]))
            message, _, fix = text.partition(" — ")
            message = f"{where}: {message}"
        else:
            message, fix = f"{where}: {err['msg']}", ""
        problems.append(Problem(loaded.path, loaded.line(full), message, fix))
    return problems


def _where(loc: yamlfile.Path) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return type(value).__name__


def _fields_at(cls: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    """The field names allowed where ``loc`` (relative to ``cls``) ends."""
    current: type[BaseModel] | None = cls
    for part in loc[:-1]:
        if current is None:
            break
        if isinstance(part, int):
            continue
        fields = {info.alias or name: info for name, info in current.model_fields.items()}
        info = fields.get(part)
        current = _model_in(info.annotation) if info else None
    if current is None:
        return set()
    return {info.alias or name for name, info in current.model_fields.items()}


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _suggest(name: str, candidates: set[str], what: str) -> str:
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    if candidates:
        return f"remove it; the {what} here are: {', '.join(sorted(candidates))}"
    return "remove it"
