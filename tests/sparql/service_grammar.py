"""A hypothesis strategy for SPARQL queries that call SERVICE wherever the grammar lets them.

Every query points at ``http://127.0.0.1:PORT/``, a listener the test opens. SERVICE comes after
``.``, ``;``, ``}`` and ``)``, after escaped prefixed names (``ex:a\\#``), inside FILTER (NOT)
EXISTS, OPTIONAL, MINUS, a subquery, UNION, GRAPH and next to property paths; the keyword in any
letter case, glued to SILENT, or with ``\\u``/``\\U`` escapes of its letters; the endpoint as an
IRI (some letters escaped), a prefixed name, or a variable bound by VALUES or BIND.
"""

from __future__ import annotations

from hypothesis import strategies as st

PATTERN = "?s ?p ?o"


def _escape(c: str, long: bool) -> str:
    return f"\\U{ord(c):08X}" if long else f"\\u{ord(c):04x}"


@st.composite
def keyword(draw: st.DrawFn) -> str:
    letters = []
    for c in "SERVICE":
        how = draw(st.sampled_from(["upper", "lower", "upper", "lower", "u", "U"]))
        letters.append(
            c
            if how == "upper"
            else c.lower()
            if how == "lower"
            else _escape(draw(st.sampled_from([c, c.lower()])), how == "U")
        )
    silent = draw(st.sampled_from(["", " SILENT", "SILENT", " silent", "\tSiLeNt"]))
    return "".join(letters) + silent


@st.composite
def endpoint(draw: st.DrawFn, port: int) -> tuple[str, str]:
    """(text before the query, the endpoint as the SERVICE clause names it)."""
    path = draw(st.sampled_from(["", "sparql", "x"]))
    how = draw(st.sampled_from(["iri", "iri-escaped", "prefixed", "variable"]))
    iri = f"http://127.0.0.1:{port}/{path}"
    if how == "iri":
        return "", f"<{iri}>"
    if how == "iri-escaped":
        return "", f"<{iri[:4]}{_escape(iri[4], draw(st.booleans()))}{iri[5:]}>"
    if how == "prefixed":
        return f"PREFIX svc: <http://127.0.0.1:{port}/>\n", f"svc:{path or 'q'}"
    return "", "?svc"  # bound by VALUES or BIND in the query


SEPARATORS = [
    ("?a ?b ?c .", ""),
    ("?a ?b ?c.", ""),
    ("?a ex:b ?c ; ex:d ?e .", ""),
    ("?a ex:b ?c ;", ""),
    ("{ ?a ?b ?c }", ""),
    ("{}", ""),
    ("FILTER(true)", ""),
    ("FILTER(?a != <urn:x>)", ""),
    ("BIND(1 AS ?one)", ""),
    ("?a ex:a\\# ?c .", ""),
    ("?a ex:a\\'b ?c .", ""),
    ("?a ex:a\\#.", ""),
    ("?a ex:p/ex:q* ?c .", ""),
    ("?a (ex:p|^ex:q)+ ?c .", ""),
    ("", ""),
    ("# SERVICE in a comment\n", ""),
    ('BIND("a string that says SERVICE" AS ?lit)', ""),
]

SPACES = ["", " ", "\n", "\t", " # c\n"]


@st.composite
def query(draw: st.DrawFn, port: int) -> str:
    prologue, target = draw(endpoint(port))
    before, _ = draw(st.sampled_from(SEPARATORS))
    call = f"{draw(keyword())}{draw(st.sampled_from(SPACES))}{target} {{ ?s ?p ?o }}"
    if target == "?svc":
        binding = draw(st.sampled_from(["values", "bind"]))
        iri = f"<http://127.0.0.1:{port}/>"
        call = f"VALUES ?svc {{ {iri} }} {call}" if binding == "values" else f"BIND({iri} AS ?svc) {call}"
    group = f"{before}{draw(st.sampled_from(SPACES))}{call}"
    wrap = draw(
        st.sampled_from(
            [
                "{g}",
                "VALUES ?x {{ 1 2 }} FILTER EXISTS {{ {g} }}",
                "VALUES ?x {{ 1 }} FILTER NOT EXISTS {{ {g} }}",
                "VALUES ?x {{ 1 }} FILTER(EXISTS {{ {g} }})",
                "OPTIONAL {{ {g} }}",
                "VALUES ?x {{ 1 }} MINUS {{ {g} }}",
                "{{ SELECT * WHERE {{ {g} }} LIMIT 5 }}",
                "{{ VALUES ?x {{ 1 }} }} UNION {{ {g} }}",
                "GRAPH ?g {{ {g} }}",
                "?s ex:p/ex:q ?o . {{ {g} }}",
            ]
        )
    )
    body = wrap.format(g=group)
    lead = draw(st.sampled_from(["SELECT *", "select *", "ASK", "SELECT (COUNT(*) AS ?n)"]))
    where = draw(st.sampled_from([" WHERE ", " where ", " "]))
    tail = "" if lead == "ASK" else " LIMIT 3"  # cross products stay small: the test is about the sandbox
    return f"{prologue}PREFIX ex: <urn:ex/>\n{lead}{where}{{ {body} }}{tail}"
