"""RDF basics: the namespaces and the one place that mints IRIs, RDF terms as plain
Python values for the build's hot path, and the ontology with the vocabularies
that mappings may use.

May import: errors.
"""
