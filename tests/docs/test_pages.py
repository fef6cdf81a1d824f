"""The pages link to what exists, name modules that exist, and cover every command.

Module paths change when the code is reorganised; a page that still names the old path fails here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from support import ROOT

PAGES = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
PACKAGE = ROOT / "src" / "cubagraph"


def text(page: str) -> str:
    return (ROOT / page).read_text(encoding="utf-8")


def prose(page: str) -> str:
    """A page without its fenced blocks: what it says, not what it shows."""
    return re.sub(r"(?ms)^ *```.*?^ *```\s*$", "", text(page))


def test_every_relative_link_leads_to_a_file() -> None:
    broken = []
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text(page)):
            if "://" in target:
                continue
            if not ((ROOT / page).parent / target).exists():
                broken.append(f"{page}: {target}")
    assert not broken, broken


def test_every_page_in_docs_is_in_the_readmes_map() -> None:
    readme = text("README.md")
    unlisted = [page for page in PAGES[1:] if f"]({page})" not in readme]
    assert not unlisted, f"add these to the README's docs map: {unlisted}"


def test_every_python_file_a_page_names_exists() -> None:
    """`rdf/namespaces.py` is under src/cubagraph/; `benchmarks/corpus.py` is under the root."""
    missing = []
    for page in PAGES:
        for name in set(re.findall(r"`([\w./-]+\.py)`", prose(page))):
            if not ((ROOT / name).is_file() or (PACKAGE / name).is_file()):
                missing.append(f"{page}: {name}")
    assert not missing, missing


def test_every_command_is_in_the_cli_page() -> None:
    help_text = subprocess.run(
        [str(Path(sys.executable).parent / "cubagraph"), "--help"], capture_output=True, text=True, check=True
    ).stdout
    names = re.findall(r"^    (\w+)", help_text, re.M)  # argparse lists each subcommand, indented by four
    assert len(names) > 10, help_text
    cli = text("docs/cli.md")
    undocumented = [name for name in names if f"`cubagraph {name}" not in cli]
    assert not undocumented, f"add these commands to docs/cli.md: {undocumented}"
