"""Is the contract now compatible with a released one? Two export plans in, a list of changes out.

Events are matched by their Schema Registry subject. Removing an event, moving it to another
topic or renaming it on the wire breaks its consumers at every level but NONE. A changed schema
is judged at the chosen level:

- Avro: by Apache Avro's own `ReaderWriterCompatibilityChecker` (BACKWARD: the new schema reads
  records written with the released one; FORWARD: the released schema reads new records; FULL:
  both). Its verdict is final; the field-by-field list only explains it.
- JSON Schema: by the rules of `json_reads` below, the same reader/writer question asked of the
  field types the JSON Schemas are generated from (docs/contract.md lists them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from . import avro_schemas, json_schemas, schema_registry
from .options import COMPATIBILITY_LEVELS
from .plan import EventSpec, ExportPlan, FieldSpec

# The Schema Registry's levels; a *_TRANSITIVE level asks the same of every release up to the base.
LEVELS = COMPATIBILITY_LEVELS
DEFAULT_LEVEL = "BACKWARD"
# Field types whose JSON form is a string: a string field reads any of them.
_JSON_STRINGS = frozenset({"string", "uuid", "timestamp", "date", "decimal", "enum"})


@dataclass(frozen=True)
class Change:
    subject: str
    change: str  # added, removed, renamed, topic_changed, field_added, field_removed, ...
    breaking: bool
    message: str
    element: str | None = None  # the sticky, for the checks panel to point at
    consumers: tuple[str, ...] = ()  # consumer groups of the board that read the event

    def as_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "change": self.change,
            "breaking": self.breaking,
            "message": self.message,
            "element": self.element,
            "consumers": list(self.consumers),
        }


def subject_name(plan: ExportPlan, event: EventSpec) -> str:
    """The event's Schema Registry subject, as scripts/register_schemas.py registers it."""
    return schema_registry.subject(event)


def value_schema(plan: ExportPlan, event: EventSpec) -> dict:
    """The schema registered for the event in the plan's value format."""
    if plan.options.value_format == "avro":
        return avro_schemas.event_schema(plan, event)
    return json_schemas.event_schema(event)


def fingerprint(plan: ExportPlan, event: EventSpec) -> str:
    """The schema as text, its version number left out: equal texts, same schema version."""
    schema = value_schema(plan, event)
    if plan.options.value_format == "avro":
        schema["fields"] = [f for f in schema["fields"] if f["name"] != "schema_version"]
    else:
        schema["properties"].pop("schema_version", None)
    return json.dumps(schema, sort_keys=True, ensure_ascii=False)


def subjects(plan: ExportPlan) -> dict[str, EventSpec]:
    return {subject_name(plan, e): e for e in plan.events if e.topic is not None}


def _consumers(plans: Iterable[ExportPlan], event_id: str) -> tuple[str, ...]:
    groups = {p.group_id for plan in plans for p in plan.policies if any(t.id == event_id for t in p.triggers)}
    return tuple(sorted(groups))


def _who(consumers: tuple[str, ...]) -> str:
    if not consumers:
        return "every consumer of it"
    return "consumer group" + ("s " if len(consumers) > 1 else " ") + ", ".join(consumers)


def compare(base: ExportPlan, current: ExportPlan, level: str = DEFAULT_LEVEL) -> list[Change]:
    """What changed on the wire from `base` (a release) to `current`, and what of it breaks."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}.")
    level = level.removesuffix("_TRANSITIVE")
    strict = level != "NONE"
    old, new = subjects(base), subjects(current)
    new_by_id = {e.id: (s, e) for s, e in new.items()}
    changes: list[Change] = []
    for subject, event in old.items():
        consumers = _consumers((base, current), event.id)
        if subject not in new:
            moved = new_by_id.get(event.id)
            if moved is not None:
                message = (
                    f"'{event.name.text}' is now published as {moved[0]} instead of {subject}:"
                    f" this breaks {_who(consumers)}, which still read {subject}."
                )
                changes.append(Change(subject, "renamed", strict, message, event.id, consumers))
            else:
                message = f"Event '{event.name.text}' ({subject}) is gone: this breaks {_who(consumers)}."
                changes.append(Change(subject, "removed", strict, message, event.id, consumers))
            continue
        now = new[subject]
        if event.topic and now.topic and event.topic.name != now.topic.name:
            message = (
                f"'{now.name.text}' moves from topic {event.topic.name} to {now.topic.name}:"
                f" this breaks {_who(consumers)}, which subscribe to the old topic."
            )
            changes.append(Change(subject, "topic_changed", strict, message, now.id, consumers))
        if fingerprint(base, event) != fingerprint(current, now):
            changes.extend(_schema_changes(subject, base, event, current, now, level, consumers))
    for subject, event in new.items():
        if subject not in old and event.id not in {e.id for e in old.values()}:
            message = f"New event '{event.name.text}' ({subject}): nothing reads it yet."
            changes.append(Change(subject, "added", False, message, event.id))
        elif subject not in old:
            message = f"'{event.name.text}' gets the new subject {subject}."
            changes.append(Change(subject, "added", False, message, event.id))
    return changes


def _schema_changes(
    subject: str,
    base: ExportPlan,
    old: EventSpec,
    current: ExportPlan,
    new: EventSpec,
    level: str,
    consumers: tuple[str, ...],
) -> list[Change]:
    if current.options.value_format == "avro":
        broken, other = _avro_verdict(
            avro_schemas.event_schema(base, old), avro_schemas.event_schema(current, new), level
        )
    else:
        broken, other = _json_verdict(old.fields, new.fields, level)
    changes = []
    before = {f.wire: f for f in old.fields}
    after = {f.wire: f for f in new.fields}
    name = new.name.text
    for field_name in [*before, *(n for n in after if n not in before)]:
        was, now = before.get(field_name), after.get(field_name)
        if was == now:
            continue
        breaking = field_name in broken
        why = f": this breaks {_who(consumers)}" if breaking else ""
        if was is None:
            assert now is not None
            what = "required field" if now.required else "optional field"
            change, message = "field_added", f"'{name}' gets a new {what} '{field_name}' ({_kind(now)}){why}."
        elif now is None:
            change, message = "field_removed", f"'{name}' loses its field '{field_name}'{why}."
        elif (was.type, was.values, was.items) != (now.type, now.values, now.items):
            message = f"Field '{field_name}' of '{name}' changes type from {_kind(was)} to {_kind(now)}{why}."
            change = "field_type_changed"
        elif was.required != now.required:
            state = "required" if now.required else "optional"
            change, message = "field_required_changed", f"Field '{field_name}' of '{name}' becomes {state}{why}."
        else:
            change, message = "field_doc_changed", f"The description of field '{field_name}' of '{name}' changes."
        changes.append(Change(subject, change, breaking, message, new.id, consumers))
    unexplained = [m for m in other if m]
    if unexplained:
        message = f"'{name}' changes its schema incompatibly ({'; '.join(sorted(unexplained))})."
        changes.append(Change(subject, "schema_incompatible", True, message, new.id, consumers))
    if not changes:
        changes.append(Change(subject, "schema_changed", False, f"The description of '{name}' changes.", new.id))
    return changes


def _kind(spec: FieldSpec) -> str:
    if spec.type == "enum":
        return f"enum({', '.join(spec.values)})"
    if spec.type == "list":
        return f"list({spec.items})"
    return spec.type


def _directions(level: str) -> list[str]:
    return {"BACKWARD": ["backward"], "FORWARD": ["forward"], "FULL": ["backward", "forward"]}.get(level, [])


# --- Avro: the checker decides ----------------------------------------------------------------


def _avro_verdict(old: dict, new: dict, level: str) -> tuple[set[str], list[str]]:
    """Fields of `data` the checker found incompatible, and its other findings as text."""
    broken: set[str] = set()
    other: list[str] = []
    for direction in _directions(level):
        reader, writer = (new, old) if direction == "backward" else (old, new)
        result = ReaderWriterCompatibilityChecker().get_compatibility(
            avro.schema.parse(json.dumps(reader)), avro.schema.parse(json.dumps(writer))
        )
        if result.compatibility is SchemaCompatibilityType.compatible:
            continue
        # The checker also reports the root ("/") once it has looked at a record; it says nothing.
        found = {_data_field(reader, location) for location in result.locations if location != "/"}
        broken |= {f for f in found if f}
        if None in found or not found:
            other.extend(f"Avro: {kind.value}" for kind in result.incompatibilities)
            other.extend(str(m) for m in result.messages)
    return broken, other


def _data_field(schema: dict, location: str) -> str | None:
    """The name of the event field a checker location points into (None: the envelope)."""
    node: object = schema
    names = []
    steps = [s for s in location.split("/") if s]
    for previous, step in zip([None, *steps], steps, strict=False):
        try:
            node = node[int(step)] if isinstance(node, list) else node[step]  # type: ignore[index]
        except (KeyError, IndexError, ValueError, TypeError):
            return None
        if previous == "fields" and isinstance(node, dict):
            names.append(node.get("name"))
    return names[1] if len(names) > 1 and names[0] == "data" else None


# --- JSON Schema: documented rules ------------------------------------------------------------


def _json_verdict(old: list[FieldSpec], new: list[FieldSpec], level: str) -> tuple[set[str], list[str]]:
    before = {f.wire: f for f in old}
    after = {f.wire: f for f in new}
    broken = set()
    for direction in _directions(level):
        readers, writers = (after, before) if direction == "backward" else (before, after)
        for name in {*readers, *writers}:
            if not json_reads(readers.get(name), writers.get(name)):
                broken.add(name)
    return broken, []


def json_reads(reader: FieldSpec | None, writer: FieldSpec | None) -> bool:
    """Does a reader with field `reader` accept every record written with field `writer`?

    The generated JSON Schemas allow properties they do not list, so a field the reader lacks
    is fine; a required field the writer lacks is not; a field that may be null or missing
    cannot become required; and the reader's type must accept every value of the writer's.
    """
    if reader is None:
        return True
    if writer is None:
        return not reader.required
    if reader.required and not writer.required:
        return False
    return _json_type_reads(reader, writer)


def _json_type_reads(reader: FieldSpec, writer: FieldSpec) -> bool:
    if (reader.type, reader.values, reader.items) == (writer.type, writer.values, writer.items):
        return True
    if reader.type == "number" and writer.type == "integer":
        return True
    if reader.type == "string" and writer.type in _JSON_STRINGS:
        return True
    if reader.type == "enum" and writer.type == "enum":
        return set(writer.values) <= set(reader.values)
    if reader.type == "list" and writer.type == "list":
        item = FieldSpec(name="", text="", type=reader.items, required=True)
        return _json_type_reads(item, FieldSpec(name="", text="", type=writer.items, required=True))
    return False
