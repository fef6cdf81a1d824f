#!/usr/bin/env python3
"""Refresh the sample `cubagraph build` output in the README's quick start.

tests/docs/test_readme.py fails when the sample no longer matches what a
fresh clone's first build prints; run this, from the project root, to bring
it up to date. On a fresh clone nothing is cached and every export is as
committed, so the sample keeps "(unchanged)" and has no line about the cache.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    cubagraph = ROOT / ".venv" / "bin" / "cubagraph"
    out = subprocess.run([str(cubagraph), "build"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    out = "".join(line for line in out.splitlines(keepends=True) if "documents unchanged, from" not in line)
    out = re.sub(r"Built in [0-9.]+ s\.", "Built in 0.35 s.", out)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```\n", readme.index("The second runs the tests."))
    end = readme.index("```", start + 4)
    (ROOT / "README.md").write_text(readme[:start] + "```\n" + out + readme[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
