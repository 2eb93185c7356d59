"""JSON Schemas in the layout a schema-validating broker (Tansu) reads: schemas/json/<topic>.json.

The broker validates a record's key and value against the `key` and `value` properties on their
own, so each must be self-contained: a `$ref` into the document root silently disables the
value check (seen with Tansu 0.6), which is why event schemas are inlined rather than shared.
"""

from __future__ import annotations

import json

from .plan import EventSpec, ExportPlan, FieldSpec, TopicPlan

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"  # decimals travel as strings to keep their precision

ENVELOPE_REQUIRED = (
    "event_id", "event_type", "schema_version", "occurred_at", "aggregate_type",
    "aggregate_id", "aggregate_version", "correlation_id",
)  # fmt: skip
_SIMPLE = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "uuid": {"type": "string", "format": "uuid"},
    "timestamp": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "decimal": {"type": "string", "pattern": DECIMAL_PATTERN},
    "object": {"type": "object"},
}


def type_schema(kind: str, values: tuple[str, ...] = (), items: str = "string") -> dict:
    if kind == "enum":
        return {"type": "string", "enum": list(values)}
    if kind == "list":
        return {"type": "array", "items": dict(_SIMPLE[items])}
    return dict(_SIMPLE[kind])


def field_schema(spec: FieldSpec) -> dict:
    schema = type_schema(spec.type, spec.values, spec.items)
    if spec.doc:
        schema["description"] = spec.doc
    if not spec.required:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def data_schema(fields: list[FieldSpec]) -> dict:
    return {
        "type": "object",
        "properties": {f.wire: field_schema(f) for f in fields},
        "required": [f.wire for f in fields if f.required],
        # Open, so that a reader of an older release still reads records that carry a field
        # added since (an optional field is a compatible change; see docs/contract.md).
        "additionalProperties": True,
    }


def event_schema(event: EventSpec) -> dict:
    """The value of one event: the envelope of DESIGN.md with the event's fields under `data`."""
    assert event.emitter is not None
    return {
        "title": event.event_type,
        "description": f"{event.name.text} ({event.context.name.text})",
        "type": "object",
        "properties": {
            "event_id": {"type": "string", "format": "uuid"},
            "event_type": {"const": event.event_type},
            # Not a const: a reader of version 2 still reads the records written at version 1.
            "schema_version": {"type": "integer", "minimum": 1, "default": event.schema_version},
            "occurred_at": {"type": "string", "format": "date-time"},
            "aggregate_type": {"const": event.emitter.aggregate_type},
            "aggregate_id": {"type": "string", "minLength": 1},
            "aggregate_version": {"type": "integer", "minimum": 0},
            "correlation_id": {"type": "string", "minLength": 1},
            "causation_id": {"type": ["string", "null"]},
            "data": data_schema(event.fields),
        },
        "required": [*ENVELOPE_REQUIRED, "data"],
        "additionalProperties": False,
    }


def topic_schema(topic: TopicPlan) -> dict:
    values = [event_schema(e) for e in topic.events]
    return {
        "$schema": DRAFT,
        "title": topic.name,
        "type": "object",
        "properties": {
            "key": {
                "type": "string",
                "minLength": 1,
                "description": "the aggregate id",
            },
            "value": values[0] if len(values) == 1 else {"oneOf": values},
        },
        "required": ["key", "value"],
    }


def schema_path(topic: TopicPlan) -> str:
    return f"schemas/json/{topic.name}.json"


def render(plan: ExportPlan) -> dict[str, bytes]:
    return {
        schema_path(t): (json.dumps(topic_schema(t), indent=2, ensure_ascii=False) + "\n").encode()
        for t in plan.event_topics
    }
