"""Asking the graph in SPARQL: preparing queries safely and running them
(``engine``), the saved queries (``queries``), result formats (``results``),
and the read-only HTTP endpoint (``server``) with its worker processes
(``workers``).

May import: errors, files, rdf, project, mapping.
"""
