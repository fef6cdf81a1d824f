"""The query page's vendored files (Yasqe, the editor of YASGUI) are the ones recorded, with their licences.

static/vendor/VENDORED.json names every file taken from another project with its sha256, and every
package bundled in them with its version and licence file. A file changed by hand, a licence missing,
or a file that nobody recorded fails here; so does one that the wheel would leave out.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

from support import ROOT

STATIC = ROOT / "src/cubagraph/sparql/static"
VENDOR = STATIC / "vendor"
MANIFEST = json.loads((VENDOR / "VENDORED.json").read_text(encoding="utf-8"))

# What each licence's text must say, so that an empty or wrong file is caught.
LICENCE_WORDS = {
    "MIT": "Permission is hereby granted, free of charge",
    "(MPL-2.0 OR Apache-2.0)": "Apache License",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_vendored_file_is_intact() -> None:
    assert MANIFEST["files"], "the manifest lists no file"
    for entry in MANIFEST["files"]:
        path = VENDOR / entry["path"]
        assert path.is_file(), f"{entry['path']} is in VENDORED.json but not in static/vendor/"
        assert path.stat().st_size == entry["bytes"], f"{entry['path']} is not the size recorded"
        assert sha256(path) == entry["sha256"], (
            f"{entry['path']} differs from the {entry['package']} {entry['version']} file recorded"
        )
        assert re.fullmatch(r"\d+\.\d+\.\d+", entry["version"]), f"{entry['path']}: the version is not pinned"


def test_every_bundled_package_has_its_licence() -> None:
    names = {p["name"] for p in MANIFEST["packages"]}
    assert {"@zazuko/yasqe", "codemirror", "dompurify"} <= names
    for package in MANIFEST["packages"]:
        path = VENDOR / package["license_file"]
        assert path.is_file(), f"{package['name']}: no licence file {package['license_file']}"
        assert sha256(path) == package["license_sha256"], f"{package['name']}: its licence file changed"
        text = path.read_text(encoding="utf-8")
        assert LICENCE_WORDS[package["license"]] in text, (
            f"{package['name']}: {path.name} is not its {package['license']} licence"
        )
        assert re.fullmatch(r"\d+\.\d+\.\d+", package["version"]), f"{package['name']}: the version is not pinned"
        assert package["npm_integrity"].startswith("sha512-"), f"{package['name']}: no registry hash"
    mpl = (VENDOR / "licenses/dompurify-mpl.txt").read_text(encoding="utf-8")
    assert "Mozilla Public License" in mpl  # DOMPurify is dual-licensed: both texts ship


def test_nothing_under_vendor_is_unrecorded() -> None:
    recorded = {e["path"] for e in MANIFEST["files"]} | {p["license_file"] for p in MANIFEST["packages"]}
    present = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.is_file()} - {"VENDORED.json"}
    assert present == recorded, f"unrecorded: {sorted(present - recorded)}; missing: {sorted(recorded - present)}"


def test_the_wheel_carries_every_page_file() -> None:
    """setuptools' package-data globs (a `*` stays within one folder) cover every file the page serves."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["cubagraph"]
    package = ROOT / "src/cubagraph"
    covered = {p for pattern in globs for p in package.glob(pattern) if p.is_file()}
    missing = sorted(str(p.relative_to(package)) for p in STATIC.rglob("*") if p.is_file() and p not in covered)
    assert not missing, f"pyproject.toml's package-data leaves out {missing}"


def test_the_served_files_are_named_in_the_server() -> None:
    from cubagraph.sparql.page import STATIC as ROUTES

    served = set(ROUTES.values())
    for entry in MANIFEST["files"]:
        if entry["path"].startswith("yasqe/"):
            assert f"vendor/{entry['path']}" in served, f"the server does not serve {entry['path']}"
    page = (STATIC / "query.html").read_text(encoding="utf-8")
    assert "/static/vendor/yasqe/yasqe.min.js" in page and "/static/vendor/yasqe/yasqe.min.css" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "the page must load nothing from elsewhere"
