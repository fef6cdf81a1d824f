"""The mapping files: strict YAML, the pydantic models, loading, and every check
(references, keys, dates, quote grounding, look-alike actors, the checks
between documents); suggestions and ``cubagraph new``; the JSON Schemas for
editors. Everything here works on models and text; nothing here knows RDF
beyond the ids that become IRIs.

May import: errors, files, rdf, project.
"""
