"""JSON Schemas of the mapping files, generated from the pydantic models, for editors.

The schemas live in ``schema/`` and mapping files point at them with a
``# yaml-language-server: $schema=...`` line, so that VS Code (with the YAML
extension) and other editors complete fields and flag mistakes as you type.
The vocabulary keys (event types, roles, modalities...) come from the
ontology, so a schema belongs to its project; `cubagraph schema` rewrites
them and `cubagraph schema --check` fails when they are stale.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from ..rdf.ontology import Vocabulary
from . import model

FILES: dict[str, type[BaseModel]] = {"mapping.schema.json": model.Mapping, "actors.schema.json": model.Registry}

# Which fields take which vocabulary's keys.
KEYS = {
    ("Event", "type"): "event type",
    ("RegistryEvent", "type"): "event type",
    ("Participant", "role"): "role",
    ("Statement", "medium"): "medium",
    ("Figure", "unit"): "unit",
    ("Figure", "comparator"): "comparator",
    ("Figure", "measures"): "measure",
    ("Unnamed", "unnamed"): "unnamed",
    ("Relation", "type"): "relation",
    ("RegistryRelation", "type"): "relation",
    ("Actor", "type"): "actor type",
    ("Post", "role"): "post role",
}
ASSERTIONS = ("Event", "Statement", "Figure", "Claim", "Relation", "RoleHolding")


def generate(vocab: Vocabulary) -> dict[str, bytes]:
    out = {}
    for name, cls in FILES.items():
        schema = cls.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://cubagraph.example/schema/{name}"
        defs: dict[str, Any] = schema.get("$defs", {})
        for (definition, field), family in KEYS.items():
            _enum(defs, definition, field, vocab.keys(family))
        for definition in ASSERTIONS:
            _enum(defs, definition, "modality", vocab.keys("modality"))
        out[name] = (json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    return out


def _enum(defs: dict[str, Any], definition: str, field: str, keys: list[str]) -> None:
    props = defs.get(definition, {}).get("properties", {})
    if field in props:
        props[field]["enum"] = keys
