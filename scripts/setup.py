#!/usr/bin/env python3
"""Set up cubagraph on a fresh machine, then build the graph.

This is the first of the README's two commands. It needs only Python 3.11+:
it creates .venv/, installs cubagraph with its test dependencies, and runs
`cubagraph build`, which writes exports/. Run it again at any time; it is
idempotent. `--no-build` skips the build (CI uses it to check the committed
exports instead of rewriting them).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="install only; do not run `cubagraph build`")
    args = parser.parse_args()
    if sys.version_info < (3, 11):  # noqa: UP036 -- this script runs before anything checks the version
        print(f"cubagraph needs Python 3.11 or newer; this is {sys.version.split()[0]}", file=sys.stderr)
        return 1
    bin_dir = VENV / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    if not python.exists():
        print(f"creating {VENV.relative_to(ROOT)}/")
        venv.EnvBuilder(with_pip=True).create(VENV)
    run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(python), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"])
    if not args.no_build:
        run([str(bin_dir / "cubagraph"), "build"])
    return 0


def run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as exc:
        print(f"setup failed: {' '.join(exc.cmd)} exited with {exc.returncode}", file=sys.stderr)
        sys.exit(exc.returncode or 1)
