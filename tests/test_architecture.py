"""The packages' imports flow one way, as each package's docstring says, and no modules import each other in a circle.

Each part of ``src/cubagraph`` (a package, or a module at the top) says in its
docstring which parts it may import, in a line that starts ``May import:``.
These tests read every import statement with :mod:`ast`, at any depth: an
import inside a function, or under ``if TYPE_CHECKING``, is a dependency all
the same, and a lazy import that dodges a cycle is still a cycle.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

from support import ROOT

PACKAGE = ROOT / "src" / "cubagraph"
LONG = 400  # lines; a longer module holds two ideas, unless its docstring says why not
WHY_LONG = "Why this module is long:"


def modules(package: Path) -> dict[str, Path]:
    """Every module of the package by dotted name; a package is its ``__init__``."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(package: Path) -> dict[str, set[str]]:
    """Each module's imports of the package's own modules."""
    known = modules(package)
    root = package.name
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = here[: len(here) - node.level + 1]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                # `from pkg import name`: the module pkg.name if there is one, else pkg itself.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            else:
                continue
            found.update(t for t in targets if t == root or t.startswith(root + "."))
        graph[name] = found - {name}
    return graph


def part(module: str) -> str:
    """The part of the package a module belongs to: ``cubagraph.mapping.load`` → ``mapping``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def rules(package: Path) -> dict[str, set[str] | None]:
    """What each part may import, read from its docstring (None: it says nothing)."""
    out: dict[str, set[str] | None] = {}
    for name, path in modules(package).items():
        if name.count(".") > 1 or (name.count(".") == 1 and path.name != "__init__.py" and path.parent != package):
            continue  # a module inside a package: its package's docstring speaks for it
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        found = re.search(r"^May import: (.*?)(?:\n\n|\Z)", doc, re.M | re.S)
        if found is None:
            out[part(name)] = None
            continue
        text = " ".join(found[1].split())
        if text.startswith("nothing"):
            out[part(name)] = set()
        else:
            listed = text.split(":")[-1]  # "the parts below it, all of them: a, b" lists after the last colon
            out[part(name)] = {w.strip(" .") for w in listed.split(",") if w.strip(" .")}
    return out


def violations(package: Path) -> list[str]:
    """Every import of a part that the importing part's docstring does not allow."""
    allowed = rules(package)
    found = []
    for module, targets in sorted(imports(package).items()):
        mine = part(module)
        for target in sorted(targets):
            theirs = part(target)
            # The package itself holds only its version, and any part may read that.
            if theirs not in (mine, "__init__") and theirs not in (allowed.get(mine) or set()):
                found.append(f"{module} imports {target}, but {mine} may not import {theirs}")
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_every_part_says_what_it_may_import() -> None:
    silent = sorted(name for name, allowed in rules(PACKAGE).items() if allowed is None)
    assert silent == [], f"add a 'May import:' line to the docstring of {silent}"
    named = {name for allowed in rules(PACKAGE).values() for name in allowed or ()}
    assert named <= set(rules(PACKAGE)), f"unknown parts named: {named - set(rules(PACKAGE))}"


def test_no_part_imports_what_it_may_not() -> None:
    assert violations(PACKAGE) == []


def test_the_rules_themselves_flow_one_way() -> None:
    allowed = {name: set(parts or ()) for name, parts in rules(PACKAGE).items()}
    assert cycles(allowed) == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert cycles(imports(PACKAGE)) == []


def _copy(tmp_path: Path, name: str) -> Path:
    copy = tmp_path / name / "cubagraph"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert violations(copy) == [] and cycles(imports(copy)) == []
    return copy


def _append(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + code, encoding="utf-8")


def test_an_import_up_the_layers_added_on_purpose_is_caught(tmp_path: Path) -> None:
    """The checks above can fail: rdf may not import the pipeline, even lazily, and that import closes a circle."""
    copy = _copy(tmp_path, "up")
    _append(copy / "rdf" / "terms.py", "\n\ndef _sneaky() -> None:\n    from ..pipeline import build_dataset\n")
    assert violations(copy) == ["cubagraph.rdf.terms imports cubagraph.pipeline, but rdf may not import pipeline"]
    (circle,) = cycles(imports(copy))
    assert {"cubagraph.rdf.terms", "cubagraph.pipeline"} <= set(circle)


def test_a_cycle_inside_a_package_added_on_purpose_is_caught(tmp_path: Path) -> None:
    """Within a package any module may import another, but not in a circle."""
    copy = _copy(tmp_path, "within")
    _append(copy / "export" / "plan.py", "\nif False:\n    from . import html  # noqa: F401\n")
    assert violations(copy) == []
    (circle,) = cycles(imports(copy))  # html imports plan, directly and through drawn
    assert {"cubagraph.export.html", "cubagraph.export.plan"} <= set(circle)


def test_modules_are_short_or_say_why() -> None:
    long = []
    for name, path in modules(PACKAGE).items():
        source = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(source)) or ""
        if source.count("\n") > LONG and WHY_LONG not in doc:
            long.append(f"{name}: {source.count(chr(10))} lines")
    assert long == [], f"split these, or say in the docstring {WHY_LONG!r}: {long}"
