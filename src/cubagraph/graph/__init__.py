"""Models to RDF: one named graph per document, one for the registry, one for
the ontology (``build``), and the in-memory dataset scripts get (``dataset``).

May import: errors, rdf, mapping.
"""
