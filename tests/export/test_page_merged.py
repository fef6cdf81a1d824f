"""A node that several graphs describe is drawn once, with every graph's documents and evidence; ids and commas hold.

No generated corpus has such a node, so the page's per-share items are checked
here on hand-made shares against the page made whole (every share's nodes in
order, merged, numbered by position).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cubagraph.export import html, page
from cubagraph.export.drawn import Drawing, Drawn, merged
from cubagraph.export.plan import Lazy
from cubagraph.export.view import Context
from cubagraph.network.projection import Context as NetworkContext

A = "https://x.example/actor/"


def _node(iri: str, kind: str, label: str, docs: list[str], quote: str) -> list[str]:
    info = {"kind": kind, "class": "Person" if kind == "actor" else kind, "label": label, "documents": docs}
    info["evidence"] = [{"document": docs[0], "start": len(quote), "quote": quote}]
    return [iri, html._script_json({"label": label, "color": "#123456", "info": info})]


def _shares() -> list[list[Any]]:
    shared = f"{A}event-shared"
    one = [[_node(f"{A}a", "actor", "A", ["d1"], "a"), _node(shared, "event", "Shared", ["d1"], "first")], []]
    two = [[_node(f"{A}b", "actor", "B", ["d2"], "b"), _node(shared, "event", "Shared", ["d2"], "second")], []]
    three = [[_node(shared, "event", "Shared", ["d3"], "third")], []]
    one[1] = [[f"{A}a", shared, "agent", "link", ""]]
    two[1] = [[f"{A}b", shared, "agent", "link", ""], [f"{A}b", f"{A}a", "knows", "registry", ""]]
    three[1] = [[f"{A}b", shared, "affected", "link", ""]]
    return [one, two, three]


def test_a_node_of_several_shares_is_merged_into_its_first_share(tmp_path: Path) -> None:
    shares = _shares()
    actors = frozenset({f"{A}a", f"{A}b"})
    ctx = Context({}, {}, NetworkContext({}, actors), memo=None)
    embedded = sorted({iri for nodes, _ in shares for iri, _ in nodes})
    drawn = Drawn(ctx, set(embedded))
    digests = []
    for i, share in enumerate(shares):
        digest = f"share-{i}"
        drawn.fresh[digest] = share
        drawn.structures[digest] = digest
        digests.append(digest)
    graphs = [SimpleNamespace(id=d, index={"reader": {}}, sizes={}) for d in digests]
    made = Drawing(graphs, digests, drawn, embedded, set(embedded), {"documents": []}, ctx, html._script_json)  # type: ignore[arg-type]
    items = page.items(made, lambda marks: "<p>" + "|".join(marks.values()) + "</p>", lambda m: "{}", html._script_json)
    text = b"".join(i if isinstance(i, bytes) else i.make() for i in items if isinstance(i, bytes | Lazy)).decode()

    nodes = json.loads(text[3:].split("|")[0])
    whole = merged([(iri, data) for nodes_, _ in shares for iri, data in nodes_], html._script_json)
    assert [n["id"] for n in nodes] == list(range(len(whole))) == [0, 1, 2]
    assert [n["info"]["label"] for n in nodes] == [json.loads(d)["info"]["label"] for _, d in whole]
    event = next(n for n in nodes if n["info"]["kind"] == "event")
    assert event["info"]["documents"] == ["d1", "d2", "d3"]  # drawn once, with every graph's documents
    assert [q["quote"] for q in event["info"]["evidence"]] == ["first", "second", "third"]

    edges = json.loads(text[3:].split("|")[1])
    assert [e["id"] for e in edges] == [0, 1, 2, 3]
    ids = {n["info"]["label"]: n["id"] for n in nodes}
    assert [(e["from"], e["to"]) for e in edges] == [
        (ids["A"], ids["Shared"]),
        (ids["B"], ids["Shared"]),
        (ids["B"], ids["A"]),
        (ids["B"], ids["Shared"]),
    ]
    # The first share's item is named by the others' digests too: an edit to a later share's
    # description of the node makes the first share's item again.
    assert made.order == {0: [1, 2]}


def test_a_picture_kept_with_text_for_numbers_never_reaches_the_page(run: Any, workdir: Path) -> None:
    """The picture read back from .cubagraph/ is trusted to hold numbers; where they go into the page unescaped,
    they are made numbers, so a tampered memo fails the build instead of writing script into graph.html."""
    import marshal

    from cubagraph.export import picture

    assert run("build", cwd=workdir).code == 0
    kept = workdir / ".cubagraph" / "viewer" / picture.NAME
    fields = marshal.loads(kept.read_bytes())
    evil = '0,"x":1}];</script><script>alert(1)</script><script>['
    fields["positions"] = {iri: [evil, evil] for iri in fields["positions"]}
    kept.write_bytes(marshal.dumps(fields))
    (workdir / "exports" / "graph.html").unlink()  # every item of the page is made again, from the memo
    try:
        result = run("build", cwd=workdir)
        assert result.code != 0
    except ValueError:
        pass
    page_file = workdir / "exports" / "graph.html"
    assert not page_file.exists() or "alert(1)" not in page_file.read_text(encoding="utf-8")
