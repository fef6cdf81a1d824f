"""cubagraph: a source-grounded knowledge graph of actors, events and claims."""

__version__ = "0.1.0"
