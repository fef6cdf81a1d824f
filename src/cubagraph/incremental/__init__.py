"""The incremental build: the cache of each document's built graph and pieces
(``cache``, ``entries``, ``packs``), and worker processes for many new
documents (``fanout``). The pipeline asks the cache; nothing below the
pipeline knows it exists.

May import: errors, files, digests, rdf, project, network, export.
"""
