"""Avro schemas, one per event: schemas/avro/<namespace>.<Event>.avsc."""

from __future__ import annotations

import json
import re

from .plan import EventSpec, ExportPlan, FieldSpec

DECIMAL_PRECISION = 20
DECIMAL_SCALE = 4  # enough for money in any currency; change both to suit the domain
_AVRO_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_SIMPLE: dict[str, object] = {
    "string": "string",
    "integer": "long",
    "number": "double",
    "boolean": "boolean",
    "uuid": {"type": "string", "logicalType": "uuid"},
    "timestamp": {"type": "long", "logicalType": "timestamp-millis"},
    "date": {"type": "int", "logicalType": "date"},
    "decimal": {
        "type": "bytes",
        "logicalType": "decimal",
        "precision": DECIMAL_PRECISION,
        "scale": DECIMAL_SCALE,
    },
    # Avro has no free-form object: such a field carries JSON text, and says so.
    "object": {"type": "string", "contentType": "application/json"},
}


def namespace(plan: ExportPlan, event: EventSpec) -> str:
    """The context's wire name: renaming the board (or the package) leaves every Avro name alone."""
    return event.context.name.wire_snake


def _type(event: EventSpec, spec: FieldSpec) -> object:
    if spec.type == "enum":
        symbols = list(spec.values)
        if all(_AVRO_NAME.match(s) for s in symbols):
            # Record names never hold "_" but after a leading one, so `<Event>_<field>_Enum` can
            # meet neither another event nor `<Event>_Data`, whatever the field is called.
            return {"type": "enum", "name": f"{event.name.wire_pascal}_{spec.wire}_Enum", "symbols": symbols}
        return "string"  # symbols like "2-day" are not Avro names; keep the value as text
    if spec.type == "list":
        return {"type": "array", "items": _SIMPLE[spec.items]}
    return _SIMPLE[spec.type]


def _field(event: EventSpec, spec: FieldSpec) -> dict:
    result: dict[str, object] = {"name": spec.wire, "type": _type(event, spec)}
    if not spec.required:
        result["type"] = ["null", result["type"]]
        result["default"] = None
    if spec.doc:
        result["doc"] = spec.doc
    return result


def event_schema(plan: ExportPlan, event: EventSpec) -> dict:
    assert event.emitter is not None
    return {
        "type": "record",
        "name": event.name.wire_pascal,
        "namespace": namespace(plan, event),
        "doc": f"{event.name.text} ({event.context.name.text})",
        "fields": [
            {"name": "event_id", "type": {"type": "string", "logicalType": "uuid"}},
            {"name": "event_type", "type": "string", "default": event.event_type},
            {"name": "schema_version", "type": "int", "default": event.schema_version},
            {
                "name": "occurred_at",
                "type": {"type": "long", "logicalType": "timestamp-millis"},
            },
            {
                "name": "aggregate_type",
                "type": "string",
                "default": event.emitter.aggregate_type,
            },
            {"name": "aggregate_id", "type": "string"},
            {"name": "aggregate_version", "type": "long"},
            {"name": "correlation_id", "type": "string"},
            {"name": "causation_id", "type": ["null", "string"], "default": None},
            {
                "name": "data",
                "type": {
                    "type": "record",
                    "name": f"{event.name.wire_pascal}_Data",
                    "fields": [_field(event, f) for f in event.fields],
                },
            },
        ],
    }


def schema_path(plan: ExportPlan, event: EventSpec) -> str:
    return f"schemas/avro/{event.event_type}.avsc"


def render(plan: ExportPlan) -> dict[str, bytes]:
    return {
        schema_path(plan, e): (json.dumps(event_schema(plan, e), indent=2, ensure_ascii=False) + "\n").encode()
        for e in plan.events
        if e.topic is not None
    }
