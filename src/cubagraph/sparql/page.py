"""What `serve` needs for the query page apart from HTTP: its files, their Content-Security-Policy, the
settings the page reads, and the parameters a request binds (`param=NAME=VALUE`, as the CLI's --param).

The page itself is static/query.html, query.js and query.css, with Yasqe (YASGUI's editor) vendored
under static/vendor/, whose VENDORED.json records versions, licences and hashes.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from . import queries
from .endpoint import HTTPError

# The query page's files, each by its exact path: nothing under static/ is served that is not named here.
STATIC = {
    "/": "query.html",
    "/static/query.js": "query.js",
    "/static/query.css": "query.css",
    "/static/favicon.svg": "favicon.svg",
    "/favicon.ico": "favicon.svg",  # what a browser asks for when a page names no icon (the viewer's exports)
    # Yasqe, the editor of YASGUI, vendored pinned: static/vendor/VENDORED.json names its version, licences, hashes.
    "/static/vendor/yasqe/yasqe.min.js": "vendor/yasqe/yasqe.min.js",
    "/static/vendor/yasqe/yasqe.min.css": "vendor/yasqe/yasqe.min.css",
}
TYPES = {"html": "text/html", "js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}
# The query page runs with no network access beyond this server. One inline style is allowed, by its
# hash, and only as a style attribute ('unsafe-hashes'): `text-decoration:underline`, which Yasqe's
# syntax-error tooltip writes into its HTML (the bundle's only inline style); without it every hover
# over an error mark logs CSP errors.
YASQE_TOOLTIP_STYLE = "'sha256-EntWS0hFrz2vH7susM+dPUxvHlL6sBswmM8K80E5oUk='"
CSP = (
    "default-src 'none'; script-src 'self'; "
    f"style-src 'self' 'unsafe-hashes' {YASQE_TOOLTIP_STYLE}; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def static(name: str) -> tuple[str, bytes]:
    """(Content-Type, bytes) of one of the page's files, by its name in :data:`STATIC`."""
    data = resources.files("cubagraph.sparql").joinpath("static", *name.split("/")).read_bytes()
    return f"{TYPES[name.rsplit('.', 1)[1]]}; charset=utf-8", data


def settings(prefixes: dict[str, str], base: str) -> dict[str, Any]:
    """What the page needs to show IRIs as prefixed names and to link the graph's own to the view."""
    return {"prefixes": prefixes, "base": base, "viewer": "/viewer"}


def bindings(
    text: str, params: dict[str, list[str]], library: Path
) -> tuple[dict[str, str] | None, tuple[queries.Param, ...]]:
    """The values that `param=NAME=VALUE` binds, and the parameters that say how each becomes a term.

    A parameter is declared by a `# param:` line of the text, or of the saved query named by `saved=`
    (the page sends it: the Oxigraph form of a saved query need not carry the lines). Without any
    `param`, the text runs as it is.
    """
    bound: dict[str, str] = {}
    for item in params.get("param", []):
        name, equals, value = item.partition("=")
        if not equals or not name.strip("?$"):
            raise HTTPError(400, "bad_parameter", f"param={item!r} is not NAME=VALUE, e.g. param=actor=antony-blinken")
        bound[name.strip("?$")] = value
    if not bound:
        return None, ()
    declared = declared_params(text)
    saved = params.get("saved", [""])[0]
    if saved:
        found = queries.library(library).get(saved)
        if found is None:
            raise HTTPError(400, "unknown_query", f"no saved query named {saved!r}; see /queries.json")
        own = {p.name for p in declared}
        declared = (*declared, *(p for p in found.params if p.name not in own))
    return bound, declared


def declared_params(text: str) -> tuple[queries.Param, ...]:
    """The parameters a query's text declares in its `# param:` lines, read as the saved queries' are."""
    found = (queries._PARAM.match(line) for line in text.splitlines())
    return tuple(
        queries.Param(m["name"], m["type"], m["help"].strip()) for m in found if m and m["type"] in queries.PARAM_TYPES
    )
