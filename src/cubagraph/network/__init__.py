"""The networkx projection of the graph (``projection``), shared by the analyses,
the network exports and the viewer; paths, neighbours, centrality and
timelines (``analysis``); the seeded layout (``layout``); and how their
answers look in a terminal (``present``).

May import: errors, rdf, mapping.
"""
