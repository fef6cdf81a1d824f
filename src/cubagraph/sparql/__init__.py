"""Asking the graph in SPARQL: preparing queries safely and running them
(``engine``) over the built graph's store (``stores``), the saved queries
(``queries``), result formats (``results``),
and the read-only HTTP endpoint (``server``) with what it answers apart from HTTP
(``endpoint``), its connection layer (``connection``: bounded connections, one
deadline a request), its worker processes (``workers``) and their sandbox
(``sandbox``), and the query page it serves (``page``: its files, their CSP,
the parameters a request binds).

May import: errors, files, rdf, project, mapping.
"""
