"""The strict YAML loader: no YAML 1.1 surprises, no objects, no bombs, and lines for everything."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cubagraph.mapping import yamlfile


def load(text: str) -> yamlfile.Loaded:
    loaded, problems = yamlfile.load("f.yaml", text)
    assert not problems, problems
    assert loaded is not None
    return loaded


def problems(text: str) -> list[str]:
    loaded, found = yamlfile.load("f.yaml", text)
    assert found, f"expected problems, got {loaded}"
    return [p.format() for p in found]


@pytest.mark.parametrize(
    ("scalar", "value"),
    [
        ("NO", "NO"),  # YAML 1.1: false
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("y", "y"),
        ("012345", "012345"),  # YAML 1.1: octal 5349
        ("0o17", "0o17"),
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        ("1:20", "1:20"),  # YAML 1.1: sexagesimal 80
        ("2021-07-11", "2021-07-11"),  # YAML 1.1: a datetime.date
        ("1e3", "1e3"),
        (".inf", ".inf"),
        (".nan", ".nan"),
        ("553", 553),
        ("-3", -3),
        ("0", 0),
        ("275.9", Decimal("275.9")),
        ("true", True),
        ("false", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("'553'", "553"),
        ('"true"', "true"),
    ],
)
def test_scalars_resolve_without_yaml_1_1_surprises(scalar: str, value: object) -> None:
    data = load(f"key: {scalar}\n").data["key"]
    assert data == value
    assert type(data) is type(value)


def test_decimal_fractions_are_exact() -> None:
    assert load("v: 0.1\n").data["v"] + load("v: 0.2\n").data["v"] == Decimal("0.3")


def test_every_value_has_its_line() -> None:
    loaded = load("a: 1\nb:\n  - x: 2\n    y: [3, 4]\n  - z\n")
    assert loaded.line(("a",)) == 1
    assert loaded.line(("b",)) == 2
    assert loaded.line(("b", 0, "x")) == 3
    assert loaded.line(("b", 0, "y", 1)) == 4
    assert loaded.line(("b", 1)) == 5
    # Parts of a location that are not in the data (pydantic union tags) are skipped.
    assert loaded.line(("b", 0, "y", "int", 1)) == 4
    # A missing field falls back to its parent's line.
    assert loaded.line(("b", 0, "missing")) == 3


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    (msg,) = problems("a: 1\nb: 2\na: 3\n")
    assert msg.startswith("f.yaml:3: duplicate key 'a' (first given on line 1)")


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo pwned']\n",
        "a: !!python/name:os.system\n",
        "a: !!binary aGVsbG8=\n",
        "a: !custom x\n",
        "a: !!int '5'\n",
        "a: !!set {x}\n",
    ],
)
def test_tags_never_construct_objects(text: str) -> None:
    (msg,) = problems(text)
    assert msg.startswith("f.yaml:1: YAML tag")
    assert "not allowed" in msg


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    (msg,) = problems("\n".join(lines) + "\n")
    assert "alias expansion is too large" in msg


def test_small_aliases_are_fine() -> None:
    assert load("a: &q hello\nb: *q\n").data == {"a": "hello", "b": "hello"}


def test_recursive_alias_is_refused() -> None:
    (msg,) = problems("a: &a [*a]\n")
    assert "refers to itself" in msg


def test_deep_nesting_is_refused() -> None:
    (msg,) = problems("a: " + "[" * 100 + "]" * 100 + "\n")
    assert "too deep" in msg


def test_malformed_yaml_names_the_line() -> None:
    (msg,) = problems("a: 1\nb: [1, 2\nc: 3\n")
    assert msg.startswith("f.yaml:")
    assert "malformed YAML" in msg


def test_non_text_keys_are_refused() -> None:
    (msg,) = problems("true: 1\n")
    assert "is not text" in msg
    (msg,) = problems("[a]: 1\n")
    assert "key must be plain text" in msg


def test_empty_file_loads_as_nothing() -> None:
    assert load("").data is None
