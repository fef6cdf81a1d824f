"""Every example in README.md and docs/*.md runs, and shows what the code prints today.

Each page's examples run in the order the page gives them, in one fresh copy of the project per page
(what a clone holds: ontology/, data/, queries/, schema/, exports/ and pyproject.toml), with the
virtualenv's ``cubagraph`` first on PATH. Each fenced block is one of:

- ```` ```sh ````: commands, one a line (a trailing ``\\`` continues a line, ``#`` starts a comment).
  Each runs in bash and must exit 0.
- ```` ```console ````: a transcript. Each ``$ command`` runs, and what it prints, stdout and stderr
  together, must be the lines that follow it, after the normalisation below.
- ```` ```python ````: runs in this process, with the page's copy as the working directory.
- ```` ```yaml ````: part of a mapping file; it must parse.
- a block with no language: output shown without its command, or a diagram. Each is listed in
  ``PLAIN`` with the check that keeps it true.

Output is compared exactly, except that: ``\\r\\n`` is read as ``\\n`` (SPARQL's CSV ends lines
with ``\\r\\n``); spaces at the end of a line and blank lines at the end are dropped; the time in
"Built in 0.23 s." is not compared; and the port 7878 that a page shows is the port of the server
the test started.

Some commands need something this test provides:

- ``cubagraph serve`` starts on a free port (``--port 0``) and runs until the page is done;
  ``http://127.0.0.1:7878/...`` in the page's later commands and outputs is its address.
- ``--store http://127.0.0.1:7878/store`` is a real Oxigraph server, started for the page in a
  temporary directory and stopped by its PID; URLs ending in ``/store`` or ``/query`` are its.
- ``cubagraph view`` runs with ``--no-open``: no browser is opened.
- the files a reader brings (``READER_FILES``) are written before the page runs, ``~`` is a
  temporary home directory, and the copy is a git repository, so that ``git commit`` works.

A command that cannot run here (it installs, runs this suite, or takes hours) is listed in
``SYNTAX_ONLY`` with the reason; it runs with ``--help`` appended, from the repository, and each
``--flag`` it uses must appear in that help. A block or a command that is in no list fails the test,
so a new example cannot go untested.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import chdir, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
import yaml

from support import BIN, ROOT, Oxigraph, stop, wait_for

PAGES = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
CLONE = ("ontology", "data", "queries", "schema", "exports", "pyproject.toml")
SHOWN_PORT = "7878"
TIMEOUT = 120  # seconds for one command; the slowest here takes about one

SEED_000 = ROOT / "data" / "documents" / "000_fd0916bb9c006de1.txt"
SEED_000_MAPPING = ROOT / "data" / "mappings" / "blinken-political-prisoners.yaml"

# Files that a page's commands take from the reader. Paths are relative to the project copy, or to
# the home directory when they start with ~/.
READER_FILES: dict[str, Callable[[], str]] = {
    # README: "cubagraph new article.txt": any short article will do.
    "article.txt": lambda: (
        "Blinken calls for release of Cuban prisoners\n\n"
        "U.S. Secretary of State Antony Blinken said on Twitter on July 11, 2023 that more than 700 people"
        ' remain in jail in Cuba. "We call for the immediate release of all political prisoners," he wrote.\n'
    ),
    # docs/queries.md: "cubagraph query -f my-question.rq": the reader's own question.
    "my-question.rq": lambda: "SELECT ?label WHERE { ?e a cg:Event ; rdfs:label ?label } ORDER BY ?label\n",
    # docs/mapping.md maps seed 000 from its text, as downloaded.
    "~/Downloads/blinken.txt": lambda: SEED_000.read_text(encoding="utf-8"),
}


def without_seed_000(copy: Path) -> None:
    """docs/mapping.md maps seed 000 from scratch, so its copy starts without seed 000."""
    (copy / SEED_000.relative_to(ROOT)).unlink()
    (copy / SEED_000_MAPPING.relative_to(ROOT)).unlink()


PAGE_SETUP: dict[str, Callable[[Path], None]] = {"docs/mapping.md": without_seed_000}

# Commands that are checked for syntax only, each with the reason it cannot run here.
SYNTAX_ONLY: dict[str, str] = {
    "python3 scripts/setup.py": "installs cubagraph into .venv/, which is where these tests run from",
    ".venv/bin/python -m pytest": "runs the suite this test is part of",
    ".venv/bin/python benchmarks/reliability.py --fuzz 5000 --kills 30 --documents 1000 --soak-seconds 300 --families --service-queries 20000": (
        "5,000 fuzz cases, 30 killed builds of 1,000 documents, a 300 s soak and 20,000 generated queries: hours, not seconds"
    ),
    ".venv/bin/python -m pytest tests/test_reliability.py --fuzz 5000": (
        "5,000 fuzz cases; the suite runs the same test with 150"
    ),
    "CUBAGRAPH_REFRESH_PICTURE=1 .venv/bin/python -m pytest tests/docs/test_picture.py": (
        "rewrites the committed docs/view.png; test_picture.py draws the same picture into a temporary directory"
    ),
}


# ---------------------------------------------------------------------------------------------
# Reading the pages


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # of the opening fence, 1-based
    lang: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


@dataclass(frozen=True)
class Command:
    block: Block
    line: int
    text: str
    output: str | None = None  # what a transcript shows it printing


FENCE = re.compile(r"^( *)```(\S*)\s*$")


def blocks(page: str) -> list[Block]:
    """The fenced blocks of a page, with their indentation (inside a list item) removed."""
    lines = (ROOT / page).read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang, start = len(m[1]), m[2], i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        assert i < len(lines), f"{page}:{start + 1}: a fence that is never closed"
        found.append(Block(page, start + 1, lang, "\n".join(body) + "\n"))
        i += 1
    return found


def commands(block: Block) -> list[Command]:
    """The commands of a ```sh block, or the commands and shown outputs of a ```console block."""
    found: list[Command] = []
    if block.lang == "sh":
        pending = ""
        for n, line in enumerate(block.text.splitlines(), block.line + 1):
            if pending or (line.strip() and not line.lstrip().startswith("#")):
                pending += line[:-1] + " " if line.endswith("\\") else line
                if not line.endswith("\\"):
                    found.append(Command(block, n, pending.strip()))
                    pending = ""
        return found
    outputs: list[list[str]] = []
    for n, line in enumerate(block.text.splitlines(), block.line + 1):
        if line.startswith("$ "):
            found.append(Command(block, n, line[2:].strip()))
            outputs.append([])
        else:
            assert found, f"{block.where}: a transcript must start with '$ command'"
            outputs[-1].append(line)
    return [Command(c.block, c.line, c.text, "\n".join(out)) for c, out in zip(found, outputs, strict=True)]


def all_blocks() -> list[Block]:
    return [b for page in PAGES for b in blocks(page)]


# ---------------------------------------------------------------------------------------------
# A page's project copy, its servers, and running commands in it


def clone(directory: Path) -> Path:
    """What a fresh clone holds: the committed inputs and exports, and no .cubagraph/ yet."""
    directory.mkdir(parents=True)
    for name in CLONE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, directory / name)
        else:
            shutil.copy2(source, directory / name)
    return directory


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUBAGRAPH_") and k not in ("BROWSER", "DISPLAY")}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),
        PYTHONUNBUFFERED="1",  # stdout and stderr then interleave in the order they were written
        GIT_AUTHOR_NAME="Docs Example",
        GIT_AUTHOR_EMAIL="docs@example.invalid",
        GIT_COMMITTER_NAME="Docs Example",
        GIT_COMMITTER_EMAIL="docs@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        # `git commit` with no -m opens an editor for the message: this one writes it.
        GIT_EDITOR="printf 'Map seed 000, as docs/mapping.md does\\n' >",
    )
    return env


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: str

    def stop(self) -> None:
        stop(self.process)


@dataclass
class Project:
    """One page's copy of the project, and the servers its examples started."""

    root: Path
    home: Path
    env: dict[str, str]
    served: Server | None = None  # `cubagraph serve`
    store: Server | None = None  # Oxigraph, for `cubagraph publish`

    def serve(self, command: str) -> None:
        assert self.served is None, "a page starts `cubagraph serve` once"
        argv = [a for a in shlex.split(command, comments=True) if a != "&"]
        if "--port" in argv:
            del argv[argv.index("--port") : argv.index("--port") + 2]
        process = subprocess.Popen(
            [str(BIN / "cubagraph"), *argv[1:], "--port", "0"],
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
        self.served = Server(process, m[1] if m else "")
        assert m, "`cubagraph serve` did not say where it serves"
        wait_for(f"http://127.0.0.1:{m[1]}/sparql?query=ASK%7B%7D", process)

    def start_store(self) -> Server:
        store = Oxigraph(self.home / "store")
        self.store = Server(store.process, str(store.port))
        return self.store

    def localize(self, text: str) -> str:
        """The page's http://127.0.0.1:7878/... addresses, pointed at the servers this test started."""

        def address(m: re.Match[str]) -> str:
            path = m[1] or ""
            if path.startswith(("/store", "/query")):
                server = self.store or self.start_store()
            elif self.served is None:
                raise AssertionError(f"{m[0]}: the page uses `cubagraph serve` before it starts it")
            else:
                server = self.served
            return f"http://127.0.0.1:{server.port}{path}"

        return re.sub(rf"http://127\.0\.0\.1:{SHOWN_PORT}(/[^\s'\"]*)?", address, text)

    def stop(self) -> None:
        for server in (self.served, self.store):
            if server is not None:
                server.stop()


@contextmanager
def project(page: str, tmp: Path) -> Iterator[Project]:
    root = clone(tmp / "project")
    home = tmp / "home"
    home.mkdir()
    PAGE_SETUP.get(page, lambda _: None)(root)
    for name, text in READER_FILES.items():
        path = home / name[2:] if name.startswith("~/") else root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text(), encoding="utf-8")
    env = environment(home)
    subprocess.run(["git", "init", "-q"], cwd=root, env=env, check=True)
    opened = Project(root, home, env)
    try:
        yield opened
    finally:
        opened.stop()


def normalise(text: str) -> str:
    text = re.sub(r"Built in [0-9.]+ s\.", "Built in (time) s.", text.replace("\r\n", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")


def difference(shown: str, printed: str) -> str:
    return "\n".join(
        difflib.unified_diff(shown.split("\n"), printed.split("\n"), "the page shows", "the code prints", lineterm="")
    )


def shell(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
    )


# ---------------------------------------------------------------------------------------------
# What each kind of example must do


def same_command(a: str, b: str) -> bool:
    return shlex.split(a, comments=True) == shlex.split(b, comments=True)


def syntax_only(command: str) -> str | None:
    return next((reason for known, reason in SYNTAX_ONLY.items() if same_command(command, known)), None)


def check_syntax(command: Command, env: dict[str, str]) -> None:
    """Run the command with --help appended, from the repository: it must know every flag it is given."""
    argv = shlex.split(command.text, comments=True)
    while argv and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", argv[0]):
        argv.pop(0)  # an environment assignment: it changes what the command does, not what it accepts
    for arg in argv[1:]:
        if arg.endswith(".py"):
            assert (ROOT / arg).is_file(), f"{arg} does not exist"
    result = shell(shlex.join([*argv, "--help"]), ROOT, env)
    assert result.returncode == 0, f"`{shlex.join(argv)} --help` exited {result.returncode}:\n{result.stdout}"
    for flag in (a for a in argv if a.startswith("--")):
        assert flag in result.stdout, f"{flag} is not in the help of `{shlex.join(argv)}`"


def run(command: Command, where: Project) -> None:
    text = where.localize(command.text)
    argv = shlex.split(text, comments=True)
    if argv[:2] == ["cubagraph", "serve"]:
        where.serve(text)
        return
    if argv[:2] == ["cubagraph", "view"] and "--no-open" not in argv:
        text = text.replace("cubagraph view", "cubagraph view --no-open", 1)
    result = shell(text, where.root, where.env)
    if result.returncode != 0:
        raise AssertionError(f"exited {result.returncode}:\n{result.stdout}")
    if command.output is not None:
        shown, printed = normalise(where.localize(command.output)), normalise(result.stdout)
        if printed != shown:
            raise AssertionError("its output differs:\n" + difference(shown, printed))


def run_python(block: Block, where: Project) -> None:
    with chdir(where.root):
        exec(compile(block.text, block.where, "exec"), {"__name__": "__docs__"})


def parse_yaml(block: Block) -> None:
    assert yaml.safe_load(block.text) is not None, "an empty YAML block"


# Blocks with no language: output shown without its command, or a diagram. Each is found by how it
# starts, and has a check that keeps it true.


@dataclass(frozen=True)
class Shown:
    """Output a page shows: what `command` prints in a fresh clone after `edits`, and how it exits."""

    why: str
    command: str
    edits: tuple[tuple[str, str, str], ...] = ()  # (file, text, replacement): each text occurs once
    status: int = 0

    def check(self, block: Block, tmp: Path) -> None:
        root = clone(tmp / "shown")
        for name, old, new in self.edits:
            text = (root / name).read_text(encoding="utf-8")
            assert text.count(old) == 1, f"{old!r} is not in {name} exactly once"
            (root / name).write_text(text.replace(old, new), encoding="utf-8")
        home = tmp / "shown-home"
        home.mkdir()
        result = shell(self.command, root, environment(home))
        if result.returncode != self.status:
            raise AssertionError(f"`{self.command}` exited {result.returncode}, not {self.status}:\n{result.stdout}")
        shown, printed = normalise(block.text), normalise(result.stdout)
        if printed != shown:
            raise AssertionError(f"`{self.command}` ({self.why}) prints otherwise:\n" + difference(shown, printed))


@dataclass(frozen=True)
class Diagram:
    why: str
    check_text: Callable[[str], None]

    def check(self, block: Block, tmp: Path) -> None:
        self.check_text(block.text)


def terms_are_declared(text: str) -> None:
    """Every cg: term in the data model's diagram is declared in the ontology."""
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "cubagraph.ttl")
    cg = rdflib.Namespace(dict(ontology.namespaces())["cg"])
    undeclared = sorted({t for t in re.findall(r"\bcg:(\w+)", text) if (cg[t], None, None) not in ontology})
    assert not undeclared, f"not declared in ontology/cubagraph.ttl: {undeclared}"


def layout_exists(text: str) -> None:
    """Every path at the start of a line of the layout is in the repository, and so is every dir/file.py it names."""
    named = [line.split()[0] for line in text.splitlines() if line[:1].strip()]
    modules = re.findall(r"\w+(?:/\w+)+\.py\b", text)
    missing = [n for n in named if not (ROOT / n).exists()]
    missing += [m for m in modules if not ((ROOT / m).is_file() or (ROOT / "src" / "cubagraph" / m).is_file())]
    assert not missing, f"not in the repository: {missing}"


def packages_exist(text: str) -> None:
    """Every package and module at the start of a line of the drawing is in src/cubagraph/."""
    named = [n for line in text.splitlines() for n in re.split(r"\s{2,}", line.strip())[0].split()]
    missing = [n for n in named if not (ROOT / "src" / "cubagraph" / n).exists()]
    assert not missing, f"not in src/cubagraph/: {missing}"


SEED_000_MISTAKES = (
    ("data/mappings/blinken-political-prisoners.yaml", "    speaker: antony-blinken\n", "    speaker: blinkin\n"),
    ("data/mappings/blinken-political-prisoners.yaml", "    date: 2019-11\n", "    date: 2019-02-30\n"),
)
MISQUOTE = (
    "data/mappings/blinken-political-prisoners.yaml",
    "          - call for the immediate release of all political prisoners.\n",
    "          - call for the prompt release of all political prisoners.\n",
)

PLAIN: dict[str, Shown | Diagram] = {
    "2 documents, ": Shown("the quick start's build, on a fresh clone", "cubagraph build"),
    "data/mappings/blinken-political-prisoners.yaml:146: ": Shown(
        "seed 000 with an unknown actor, a misquote and an impossible date",
        "cubagraph check",
        (*SEED_000_MISTAKES, MISQUOTE),
        status=1,
    ),
    "data/mappings/blinken-political-prisoners.yaml:188: ": Shown(
        "seed 000 with one word of a quote changed", "cubagraph check", (MISQUOTE,), status=1
    ),
    "registry graph (one, shared)": Diagram("the data model, drawn", terms_are_declared),
    "ontology/ ": Diagram("the README's layout", layout_exists),
    "cli/ ": Diagram("docs/architecture.md's drawing of the packages", packages_exist),
}


def plain(block: Block) -> Shown | Diagram:
    found = [check for start, check in PLAIN.items() if block.text.startswith(start)]
    assert len(found) == 1, (
        f"{block.where}: a block with no language must be output or a diagram listed in PLAIN in {Path(__file__).name}"
    )
    return found[0]


KINDS = ("sh", "console", "python", "yaml", "")


def run_page(page: str, tmp: Path) -> list[str]:
    """Run every example of a page in order; the problems, one for each example that failed."""
    problems: list[str] = []
    with project(page, tmp) as where:
        for block in blocks(page):
            try:
                if block.lang not in KINDS:
                    raise AssertionError(f"a ```{block.lang} block; this test runs {KINDS}")
                if block.lang == "python":
                    run_python(block, where)
                elif block.lang == "yaml":
                    parse_yaml(block)
                elif block.lang == "":
                    plain(block).check(block, tmp / f"block-{block.line}")
            except Exception as e:  # each problem is reported, and the page goes on
                problems.append(f"{block.where}: {type(e).__name__}: {e}")
            for command in commands(block) if block.lang in ("sh", "console") else []:
                try:
                    if syntax_only(command.text) is not None:
                        check_syntax(command, where.env)
                    else:
                        run(command, where)
                except Exception as e:
                    problems.append(f"{command.block.page}:{command.line}: `{command.text}`: {e}")
    return problems


# ---------------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize("page", PAGES)
def test_the_examples_of_a_page_run_and_print_what_it_shows(page: str, tmp_path: Path) -> None:
    problems = run_page(page, tmp_path)
    assert not problems, f"{len(problems)} example(s) in {page} no longer hold:\n\n" + "\n\n".join(problems)


def test_every_example_is_of_a_kind_this_test_runs() -> None:
    problems = []
    for block in all_blocks():
        if block.lang not in KINDS:
            problems.append(f"{block.where}: a ```{block.lang} block; this test runs {KINDS}")
        elif block.lang == "":
            try:
                plain(block)
            except AssertionError as e:
                problems.append(str(e))
        elif block.lang in ("sh", "console") and not commands(block):
            problems.append(f"{block.where}: a ```{block.lang} block with no command")
    assert not problems, "\n".join(problems)


def test_every_exception_is_still_used() -> None:
    """The lists of exceptions shrink when the pages do: nothing in them is stale."""
    texts = {page: (ROOT / page).read_text(encoding="utf-8") for page in PAGES}
    every = [c.text for b in all_blocks() if b.lang in ("sh", "console") for c in commands(b)]
    assert [k for k in SYNTAX_ONLY if not any(same_command(k, c) for c in every)] == []
    assert [k for k in PLAIN if not any(b.lang == "" and b.text.startswith(k) for b in all_blocks())] == []
    assert [k for k in READER_FILES if not any(k in t for t in texts.values())] == []
    assert [k for k in PAGE_SETUP if k not in PAGES] == []
