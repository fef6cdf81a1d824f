"""cubagraph: a source-grounded knowledge graph of actors, events and claims.

The packages, by what they own, from the bottom up (docs/architecture.md
draws the picture; tests/test_architecture.py keeps it true):

- ``errors``, ``files``, ``digests``, ``project``: the exception hierarchy,
  atomic writes and locks, file digests, where a project's files are;
- ``rdf``: IRIs and their minting, RDF terms as plain values, the ontology;
- ``mapping``: the YAML files, their models, loading and every check;
- ``graph``: models to named graphs;
- ``network``: the networkx projection and the questions SPARQL answers poorly;
- ``export``: one module per export format;
- ``incremental``: the build cache and worker processes;
- ``pipeline``: load → validate → build → export;
- ``sparql``: queries, saved queries, results, the endpoint;
- ``store``: publishing to a shared triple store;
- ``cli``: the command line.

May import: nothing of cubagraph.
"""

__version__ = "0.1.0"
