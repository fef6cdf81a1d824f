#!/usr/bin/env python3
"""Set up cubagraph on a fresh machine, then build the graph.

This is the first of the README's two commands. It needs only Python 3.11+:
it creates .venv/, installs cubagraph with its test dependencies, installs
the system programs the tests drive (Debian's Chromium for the viewer tests,
a Java runtime for the HermiT reasoner, Jena and Virtuoso for the saved queries)
when they are missing, and runs
`cubagraph build`, which writes exports/. Run it again at any time; it is
idempotent. `--no-build` skips the build (CI uses it to check the committed
exports instead of rewriting them).
"""

from __future__ import annotations

import argparse
import os
import shutil
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
    system_packages()
    run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(python), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"])
    if not args.no_build:
        run([str(bin_dir / "cubagraph"), "build"])
    return 0


# What the tests need from the system, and the Debian package that provides it.
# Playwright drives Debian's Chromium; it never downloads a browser of its own. Jena's `arq`
# and Virtuoso are the other SPARQL stores the saved queries are tested on.
SYSTEM = {
    "/usr/bin/chromium": "chromium",
    "java": "default-jre-headless",
    "/usr/share/java/jena-arq.jar": "libapache-jena-java",
    "/usr/share/java/slf4j-nop.jar": "libslf4j-java",
    "virtuoso-t": "virtuoso-opensource",
}


def system_packages() -> None:
    missing = [pkg for program, pkg in SYSTEM.items() if not (Path(program).exists() or shutil.which(program))]
    if not missing:
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        run(["apt-get", "update", "-qq"])
        # Virtuoso's package asks for a dba password unless debconf is told not to ask.
        run(["apt-get", "install", "-y", "-qq", *missing], {"DEBIAN_FRONTEND": "noninteractive"})
    else:
        print(
            f"note: the viewer, ontology and store tests need {', '.join(missing)}; install them (e.g. `sudo apt-get install {' '.join(missing)}`)"
        )


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True, env={**os.environ, **env} if env else None)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as exc:
        print(f"setup failed: {' '.join(exc.cmd)} exited with {exc.returncode}", file=sys.stderr)
        sys.exit(exc.returncode or 1)
