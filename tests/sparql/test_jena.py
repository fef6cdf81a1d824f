"""Apache Jena answers every saved query (its SPARQL 1.1 form) over the exported TriG as cubagraph does.

Jena is Debian's ``libapache-jena-java`` (4.5), run as its ``arq`` command (the class
``arq.sparql``), one JVM a query, with ``--syntax=SPARQL_11``: a query that used LATERAL or
any other extension would be refused. scripts/setup.py installs the package; without it this
test fails rather than skips, so that CI cannot pass without running Jena.

The dataset is exports/cubagraph.trig, as cubagraph queries it: the default graph is the
union of the named graphs (``--graph`` gives Jena that union as its default graph, since
arq's in-memory dataset has no union switch).
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from answers import differences, from_json, local
from cubagraph import project
from cubagraph.sparql import engine, queries
from support import ROOT

JARS = Path("/usr/share/java")
# jena-*.jar and what Debian's package depends on, by the names Debian links to the versions.
DEPENDENCIES = [
    *("commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3"),
    *("dexx.collection", "gson", "guava", "httpclient", "httpcore", "jackson-core", "jackson-databind"),
    *("jsonld-java", "protobuf", "thrift", "titanium-json-ld", "slf4j-api", "slf4j-nop"),
]
# One JVM a query, each for a second of work: the quick compiler and the serial collector halve
# the CPU a start takes (3.8 s of user time to 2.1 s, measured on one query).
QUICK_START = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
PARAMS = {"actor": {"actor": "antony-blinken"}}
LIBRARY = queries.library(ROOT / "queries")


@pytest.fixture(scope="module")
def classpath(tmp_path_factory: pytest.TempPathFactory) -> str:
    jena = sorted(
        p for p in JARS.glob("jena-*.jar") if not p.stem[-1].isdigit()
    )  # jena-arq.jar, not jena-arq-4.5.0.jar
    assert shutil.which("java") and jena, (
        "Jena is not installed: `python3 scripts/setup.py` installs default-jre-headless and libapache-jena-java"
    )
    missing = [name for name in DEPENDENCIES if not (JARS / f"{name}.jar").is_file()]
    assert not missing, f"Jena's dependencies are missing from {JARS}: {', '.join(missing)}"
    # Debian's jena-core moves Jena's shaded Xerces classes to xerces/ but leaves their message
    # files under org/apache/jena/ext/xerces/, where those classes never look: without them,
    # Jena's start fails with "internal error" in XSSimpleTypeDecl. Put the messages where the
    # classes look, first on the classpath.
    fix = tmp_path_factory.mktemp("jena-xerces")
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(JARS / "jena-core.jar") as jar:
        for entry in jar.namelist():
            if entry.startswith(prefix) and not entry.endswith("/"):
                target = fix / "xerces" / entry[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(entry))
    assert (fix / "xerces" / "impl" / "msg" / "XMLSchemaMessages.properties").is_file()
    return ":".join([str(fix), *map(str, jena), *(str(JARS / f"{name}.jar") for name in DEPENDENCIES)])


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[ox.Store, Path]:
    """exports/cubagraph.trig in an Oxigraph store, and its union as N-Triples for Jena's default graph."""
    trig = ROOT / "exports" / "cubagraph.trig"
    store = ox.Store()
    store.load(path=str(trig), format=ox.RdfFormat.TRIG)
    union = tmp_path_factory.mktemp("jena") / "union.nt"
    ox.serialize((q.triple for q in store), str(union), format=ox.RdfFormat.N_TRIPLES)
    return store, union


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_jena_gives_every_saved_query_the_same_answers(
    name: str, classpath: str, exported: tuple[ox.Store, Path], tmp_path: Path
) -> None:
    store, union = exported
    proj, saved = project.find(ROOT), LIBRARY[name]
    params = PARAMS.get(name, {})
    values = {p: str(engine.resolve_actor(v, store, proj.prefixes()["actor"])) for p, v in params.items()}
    query = tmp_path / f"{name}.rq"
    query.write_text(queries.standalone(saved, proj.prefixes(), values), encoding="utf-8")
    ran = subprocess.run(
        [
            *("java", *QUICK_START, "-cp", classpath, "arq.sparql", "--syntax=SPARQL_11", "--results=json"),
            *("--data", str(ROOT / "exports" / "cubagraph.trig"), "--graph", str(union), "--query", str(query)),
        ],
        capture_output=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr.decode(errors="replace")[-2000:]
    theirs = from_json(ran.stdout)
    mine = local(store, proj, saved, params)
    assert mine, f"{name} finds nothing in exports/cubagraph.trig"
    assert theirs == mine, differences(mine, theirs)
