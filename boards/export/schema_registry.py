"""The Schema Registry side of the contract: one subject per event type, and the script that registers them.

Subjects follow the record name strategy (the subject is the record's full name, which is the
event type): several event types share a topic, and an event keeps its subject whatever topic
layout is chosen. The topic name strategy, Confluent's default, would allow one type per topic.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import avro_schemas, json_schemas
from .plan import EventSpec, ExportPlan

SUBJECT_NAME_STRATEGY = "RecordNameStrategy"
REGISTER_TEMPLATE = Path(__file__).with_name("templates") / "register_schemas.py"
_PLACEHOLDER = "SCHEMAS: list[dict[str, str]] = []  # the export writes the subjects here"
_LEVEL_PLACEHOLDER = 'DEFAULT_COMPATIBILITY = "BACKWARD"  # the export writes its option here'


def subject(event: EventSpec) -> str:
    return event.event_type


def schema_text(plan: ExportPlan, event: EventSpec) -> str:
    """The schema registered for an event's values, in the contract's value format."""
    if plan.options.value_format == "avro":
        return json.dumps(avro_schemas.event_schema(plan, event), ensure_ascii=False)
    return json.dumps({"$schema": json_schemas.DRAFT, **json_schemas.event_schema(event)}, ensure_ascii=False)


def subjects(plan: ExportPlan) -> list[dict[str, str]]:
    schema_type = "AVRO" if plan.options.value_format == "avro" else "JSON"
    return [
        {"event_type": e.event_type, "subject": subject(e), "schema_type": schema_type, "schema": schema_text(plan, e)}
        for e in plan.events
        if e.topic is not None
    ]


def contract_module(plan: ExportPlan) -> bytes:
    """src/<package>/contract.py: what the runtime serializes with."""
    schemas = {s["event_type"]: {k: v for k, v in s.items() if k != "event_type"} for s in subjects(plan)}
    lines = [
        '"""The contract this package speaks: the value format, and each event\'s schema and subject."""',
        "",
        f"VALUE_FORMAT = {plan.options.value_format!r}",
        f"COMPATIBILITY = {plan.options.compatibility!r}",
        f"SUBJECT_NAME_STRATEGY = {SUBJECT_NAME_STRATEGY!r}",
        f"SCHEMAS: dict[str, dict[str, str]] = {schemas!r}",
    ]
    return ("\n".join(lines) + "\n").encode()


def register_script(plan: ExportPlan) -> bytes:
    source = REGISTER_TEMPLATE.read_text(encoding="utf-8")
    assert _PLACEHOLDER in source and _LEVEL_PLACEHOLDER in source
    schemas = [{k: v for k, v in s.items() if k != "event_type"} for s in subjects(plan)]
    source = source.replace(_PLACEHOLDER, f"SCHEMAS: list[dict[str, str]] = {schemas!r}")
    return source.replace(_LEVEL_PLACEHOLDER, f"DEFAULT_COMPATIBILITY = {plan.options.compatibility!r}").encode()


def render(plan: ExportPlan) -> dict[str, bytes]:
    return {
        f"src/{plan.options.package_name}/contract.py": contract_module(plan),
        "scripts/register_schemas.py": register_script(plan),
    }
