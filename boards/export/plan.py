"""Topic planning: a board snapshot becomes the one model every export format renders.

Contexts hold emitters (aggregates, external systems, and an implicit one for notes that sit in
no aggregate), which handle commands and emit events; policies consume events and issue commands.
Each emitter (or each event, by option) gets a topic keyed by the aggregate id.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from boards.domain.validation import FIELD_TYPES, LIST_ITEM_TYPES
from boards.pictures import context_map_svg

from .naming import RESERVED_MODULES, Name, Namespace
from .options import ExportOptions

DEFAULT_CONTEXT = "default"
MAX_TOPIC_LENGTH = 249  # Kafka's limit
SCHEMA_VERSION = 1
# Attributes of the generated message classes that a field must not shadow.
RESERVED_FIELDS = frozenset(
    {"meta", "to_data", "data_fields", "example", "to_value", "from_value", "from_data", "from_fields", "dataclass"}
)


@dataclass(frozen=True)
class ExportWarning:
    code: str
    message: str
    element: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "element": self.element}


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the Python attribute, unique within its message
    text: str  # what the board says
    type: str
    required: bool
    doc: str = ""
    values: tuple[str, ...] = ()  # enum symbols
    items: str = "string"  # list item type
    wire: str = ""  # the name in JSON and Avro records; the Python name when empty

    def __post_init__(self) -> None:
        if not self.wire:
            object.__setattr__(self, "wire", self.name)


@dataclass(eq=False)
class EventSpec:
    id: str
    name: Name
    context: ContextSpec
    fields: list[FieldSpec]
    emitter: EmitterSpec | None = None
    topic: TopicPlan | None = None
    # The version of this event's schema among the board's releases (boards/export/releases.py).
    schema_version: int = SCHEMA_VERSION

    @property
    def event_type(self) -> str:
        """The wire name: `ce_type`, `event_type`, the Avro full name and the registry subject."""
        return f"{self.context.name.wire_snake}.{self.name.wire_pascal}"


@dataclass(eq=False)
class CommandSpec:
    id: str
    name: Name
    context: ContextSpec
    fields: list[FieldSpec]
    handler: EmitterSpec | None = None
    emits: list[EventSpec] = field(default_factory=list)


@dataclass(eq=False)
class EmitterSpec:
    """Whatever handles commands and emits events: an aggregate or an external system."""

    id: str
    kind: str  # "aggregate", "external_system" or "implicit"
    name: Name
    context: ContextSpec
    commands: list[CommandSpec] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)

    @property
    def aggregate_type(self) -> str:
        return f"{self.context.name.wire_snake}.{self.name.wire_pascal}"


@dataclass(eq=False)
class PolicySpec:
    id: str
    name: Name
    context: ContextSpec
    triggers: list[EventSpec] = field(default_factory=list)
    issues: list[CommandSpec] = field(default_factory=list)

    @property
    def group_id(self) -> str:
        return f"{self.context.name.kebab}.{self.name.kebab}"


@dataclass(eq=False)
class ContextSpec:
    id: str | None
    name: Name
    emitters: list[EmitterSpec] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)
    commands: list[CommandSpec] = field(default_factory=list)
    policies: list[PolicySpec] = field(default_factory=list)


@dataclass(eq=False)
class TopicPlan:
    name: str
    kind: str  # "events" or "dlq"
    partitions: int
    replication_factor: int
    cleanup_policy: str
    retention_ms: int
    context: ContextSpec
    key: str = "aggregate_id"
    events: list[EventSpec] = field(default_factory=list)
    group_id: str | None = None  # the consumer group a dead-letter topic belongs to

    @property
    def configs(self) -> dict[str, str]:
        return {
            "cleanup.policy": self.cleanup_policy,
            "retention.ms": str(self.retention_ms),
        }


@dataclass(frozen=True)
class ReleaseInfo:
    """One released version of the contract, and what it changed against the one before."""

    version: int
    seq: int
    note: str
    at: str
    by: str
    changes: tuple[dict, ...] = ()


@dataclass(frozen=True)
class ContractInfo:
    """Where an export stands among the board's releases."""

    version: int | None  # the latest release, None before the first
    seq: int | None  # the board's seq that release froze
    board_seq: int
    released: bool  # the export is exactly that release: nothing on the wire changed since
    subjects: Mapping[str, int]  # subject -> version of its schema
    releases: tuple[ReleaseInfo, ...] = ()
    changes: tuple[dict, ...] = ()  # since the latest release


@dataclass(eq=False)
class ExportPlan:
    board_name: str
    options: ExportOptions
    contexts: list[ContextSpec]
    topics: list[TopicPlan]
    warnings: list[ExportWarning]
    # The board's context map as SVG (contexts, aggregates, events crossing between them).
    context_map: str = ""
    contract: ContractInfo | None = None

    @property
    def event_topics(self) -> list[TopicPlan]:
        return [t for t in self.topics if t.kind == "events"]

    @property
    def events(self) -> list[EventSpec]:
        return [e for c in self.contexts for e in c.events]

    @property
    def policies(self) -> list[PolicySpec]:
        return [p for c in self.contexts for p in c.policies]


def topic_name(*parts: str) -> str:
    """Join parts with dots; clip a name Kafka would refuse, keeping it unique with a hash."""
    name = ".".join(parts)
    if len(name) <= MAX_TOPIC_LENGTH:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: MAX_TOPIC_LENGTH - 11]}-{digest}"


def _pinned_first(items: Iterable[dict], pins: Mapping[str, Name]) -> list[dict]:
    # Names a release pinned are claimed first, so that a newcomer never takes a released name;
    # otherwise the board's creation order stands (the sort is stable).
    return sorted(items, key=lambda e: str(e.get("id")) not in pins)


class _Planner:
    def __init__(self, snapshot: dict, options: ExportOptions, pins: Mapping[str, Name] | None = None) -> None:
        self.options = options
        # Element id -> the name a release put on the wire; kept whatever the sticky says now.
        self.pins = pins or {}
        self.warnings: list[ExportWarning] = []
        self.frames = {f["id"]: f for f in snapshot.get("frames", [])}
        self.notes = {n["id"]: n for n in snapshot.get("notes", [])}
        # Elements in the order the board lists them, which is the order they were created in:
        # the first of two same-named events keeps its name, whatever their ids.
        self.neighbours: dict[str, dict[str, None]] = {}
        self.sources: dict[str, dict[str, None]] = {}
        for link in snapshot.get("links", []):
            self.neighbours.setdefault(link["from"], {})[link["to"]] = None
            self.neighbours.setdefault(link["to"], {})[link["from"]] = None
            self.sources.setdefault(link["to"], {})[link["from"]] = None
        self.contexts: dict[str | None, ContextSpec] = {}
        self.context_names = Namespace(RESERVED_MODULES)
        self.class_names: dict[tuple[int, str], Namespace] = {}
        self.emitters: dict[str, EmitterSpec] = {}
        self.implicit: dict[int, EmitterSpec] = {}
        self.events: dict[str, EventSpec] = {}
        self.commands: dict[str, CommandSpec] = {}

    def warn(self, code: str, message: str, element: str | None = None) -> None:
        self.warnings.append(ExportWarning(code, message, element))

    def claim(self, context: ContextSpec, kind: str, element: dict, label: str) -> Name:
        space = self.class_names.setdefault((id(context), kind), Namespace())
        text = element.get("text") or element.get("name") or ""
        pinned = self.pinned(space, element, text)
        if pinned is not None:
            return pinned
        if not text.strip():
            self.warn(
                "unnamed",
                f"A {label} has no name; it is exported as 'unnamed'.",
                element["id"],
            )
            text = "unnamed"
        name, renamed = space.claim(text)
        if renamed:
            self.warn(
                "name_collision",
                f"Two {label}s in context '{context.name.text}' are both named like '{text}';"
                f" this one is exported as {name.pascal}.",
                element["id"],
            )
        return name

    def pinned(self, space: Namespace, element: dict, text: str) -> Name | None:
        """The released name of an element, if it has one that is still free in its scope."""
        pin = self.pins.get(str(element.get("id")))
        if pin is None:
            return None
        if not space.keep(pin):
            self.warn(
                "pinned_name_taken",
                f"'{text}' was released as {pin.wire_pascal}, but another element of its scope now has"
                " that name; it gets a new name on the wire.",
                element["id"],
            )
            return None
        return dataclasses.replace(pin, text=text)  # every spelling as released, today's text

    def context_of(self, context_id: str | None) -> ContextSpec:
        if context_id not in self.frames:
            context_id = None
        if context_id not in self.contexts:
            text = self.frames[context_id]["name"] if context_id else DEFAULT_CONTEXT
            pinned = self.pinned(self.context_names, {"id": context_id}, text) if context_id else None
            if pinned is not None:
                self.contexts[context_id] = ContextSpec(id=context_id, name=pinned)
                return self.contexts[context_id]
            name, renamed = self.context_names.claim(text.strip() or "unnamed")
            if renamed and context_id:
                self.warn(
                    "name_collision",
                    f"Two bounded contexts are named like '{text}'; one is exported as {name.snake}.",
                    context_id,
                )
            self.contexts[context_id] = ContextSpec(id=context_id, name=name)
        return self.contexts[context_id]

    def note_context(self, note: dict) -> ContextSpec:
        context_id = note.get("context")
        if not context_id and note.get("aggregate") in self.frames:
            context_id = self.frames[note["aggregate"]].get("context")
        return self.context_of(context_id)

    def implicit_emitter(self, context: ContextSpec) -> EmitterSpec:
        if id(context) not in self.implicit:
            element = {
                "id": f"implicit:{context.name.snake}",
                "name": context.name.text,
            }
            emitter = EmitterSpec(
                id=element["id"],
                kind="implicit",
                name=self.claim(context, "emitter", element, "aggregate"),
                context=context,
            )
            context.emitters.append(emitter)
            self.implicit[id(context)] = emitter
        return self.implicit[id(context)]

    def fields(self, note: dict) -> list[FieldSpec]:
        space = Namespace(RESERVED_FIELDS, shadow_builtins=True)
        result = []
        for raw in note.get("fields") or []:
            text = str(raw.get("name") or "field")
            name, renamed = space.claim(text)
            if renamed:
                self.warn(
                    "name_collision",
                    f"Field '{text}' of '{note.get('text')}' is exported as {name.wire_snake}:"
                    " another field has the same name.",
                    note["id"],
                )
            kind = raw.get("type") or "string"
            if kind not in FIELD_TYPES:
                self.warn(
                    "unknown_type",
                    f"Field '{text}' of '{note.get('text')}' has unknown type {kind!r}; it is exported as a string.",
                    note["id"],
                )
                kind = "string"
            values = tuple(dict.fromkeys(str(v) for v in raw.get("values") or []))
            if kind == "enum" and not values:
                self.warn(
                    "empty_enum",
                    f"Enum field '{text}' of '{note.get('text')}' lists no values; it is exported as a string.",
                    note["id"],
                )
                kind = "string"
            items = raw.get("items") if raw.get("items") in LIST_ITEM_TYPES else "string"
            result.append(
                FieldSpec(
                    name=name.snake,
                    wire=name.wire_snake,
                    text=text,
                    type=kind,
                    required=bool(raw.get("required", False)),
                    doc=str(raw.get("doc") or ""),
                    values=values,
                    items=items,
                )
            )
        return result

    def run(self, board_name: str) -> ExportPlan:
        frames = _pinned_first(self.frames.values(), self.pins)
        for frame in [f for f in frames if f["kind"] == "bounded_context"]:
            self.context_of(frame["id"])
        for frame in [f for f in frames if f["kind"] == "aggregate"]:
            self.add_emitter(frame, "aggregate", self.context_of(frame.get("context")))
        notes = _pinned_first(self.notes.values(), self.pins)
        for note in notes:
            if note["kind"] == "external_system":
                self.add_emitter(note, "external_system", self.note_context(note))
        for note in notes:
            if note["kind"] == "event":
                self.add_event(note)
            elif note["kind"] == "command":
                self.add_command(note)
        for command in self.commands.values():
            command.emits = self.linked(command.id, self.events)
        claimed = {e.id for c in self.commands.values() for e in c.emits}
        for command in self.commands.values():
            self.connect_command(command, claimed)
        for event in self.events.values():
            self.connect_event(event)
        for note in notes:
            if note["kind"] == "policy":
                self.add_policy(note)
        self.warn_about_cycles()
        contexts = [c for c in self.contexts.values() if c.emitters or c.events or c.policies]
        contexts.sort(key=lambda c: c.name.snake)
        topics = self.plan_topics(contexts)
        return ExportPlan(board_name, self.options, contexts, topics, self.warnings)

    def add_emitter(self, element: dict, kind: str, context: ContextSpec) -> None:
        label = "aggregate" if kind == "aggregate" else "external system"
        name = self.claim(context, "emitter", element, label)
        emitter = EmitterSpec(id=element["id"], kind=kind, name=name, context=context)
        context.emitters.append(emitter)
        self.emitters[element["id"]] = emitter

    def add_event(self, note: dict) -> None:
        context = self.note_context(note)
        name = self.claim(context, "event", note, "event")
        event = EventSpec(id=note["id"], name=name, context=context, fields=self.fields(note))
        context.events.append(event)
        self.events[note["id"]] = event

    def add_command(self, note: dict) -> None:
        context = self.note_context(note)
        name = self.claim(context, "command", note, "command")
        command = CommandSpec(id=note["id"], name=name, context=context, fields=self.fields(note))
        context.commands.append(command)
        self.commands[note["id"]] = command

    def linked(self, element_id: str, registry: dict) -> list:
        return [registry[n] for n in self.neighbours.get(element_id, ()) if n in registry]

    def connect_command(self, command: CommandSpec, claimed: set[str]) -> None:
        note = self.notes[command.id]
        handler = self.emitters.get(note.get("aggregate") or "")
        if handler is None:
            handlers = self.linked(command.id, self.emitters)
            handler = handlers[0] if handlers else None
        if handler is None:
            handler = self.implicit_emitter(command.context)
            self.warn(
                "command_without_aggregate",
                f"Command '{note['text']}' is handled by no aggregate or external system;"
                f" it goes to {handler.name.pascal}, a stand-in for context"
                f" '{command.context.name.text}'.",
                command.id,
            )
        if not command.emits:
            # "Place Order -> Order -> Order Placed": the aggregate's own arrows say what its
            # commands cause, except the events another command is linked to directly.
            command.emits = [e for e in self.linked(handler.id, self.events) if e.id not in claimed]
        if not command.emits:
            self.warn(
                "command_without_event",
                f"Command '{note['text']}' emits no event; link it to the events it causes.",
                command.id,
            )
        command.handler = handler
        handler.commands.append(command)

    def connect_event(self, event: EventSpec) -> None:
        note = self.notes[event.id]
        emitter = self.emitters.get(note.get("aggregate") or "")
        if emitter is None:
            emitters = self.linked(event.id, self.emitters)
            emitter = emitters[0] if emitters else None
        if emitter is None:
            causes = [c for c in self.commands.values() if event in c.emits]
            emitter = causes[0].handler if causes else None
        if emitter is None:
            emitter = self.implicit_emitter(event.context)
            self.warn(
                "event_without_aggregate",
                f"Event '{note['text']}' belongs to no aggregate; it is published on the"
                f" topic of {emitter.name.pascal}, a stand-in for context"
                f" '{event.context.name.text}'.",
                event.id,
            )
        event.emitter = emitter
        emitter.events.append(event)

    def add_policy(self, note: dict) -> None:
        context = self.note_context(note)
        policy = PolicySpec(
            id=note["id"],
            name=self.claim(context, "policy", note, "policy"),
            context=context,
        )
        # Only the events linked into a policy trigger it: a name in its text is not a link, and
        # matching names picked one of several same-named events by chance.
        policy.triggers = [self.events[s] for s in self.sources.get(note["id"], ()) if s in self.events]
        policy.issues = self.linked(note["id"], self.commands)
        if not policy.triggers:
            self.warn(
                "policy_without_event",
                f"Policy '{note['text']}' has no event linked into it; link the event it reacts to."
                " It is left out of the consumers.",
                note["id"],
            )
            return
        if not policy.issues:
            self.warn(
                "policy_without_command",
                f"Policy '{note['text']}' issues no command; its consumer only logs the event.",
                note["id"],
            )
        context.policies.append(policy)

    def warn_about_cycles(self) -> None:
        """A policy whose commands cause, through other policies maybe, its own trigger loops forever."""
        policies = [p for c in self.contexts.values() for p in c.policies]
        reacting: dict[str, list[PolicySpec]] = {}
        for policy in policies:
            for event in policy.triggers:
                reacting.setdefault(event.id, []).append(policy)

        def next_policies(policy: PolicySpec) -> list[PolicySpec]:
            return [p for c in policy.issues for e in c.emits for p in reacting.get(e.id, ())]

        for policy in policies:
            seen: set[int] = set()
            todo = next_policies(policy)
            while todo:
                current = todo.pop()
                if current is policy:
                    self.warn(
                        "policy_cycle",
                        f"Policy '{policy.name.text}' issues commands whose events trigger it again:"
                        " its consumer loops forever unless a handler breaks the cycle.",
                        policy.id,
                    )
                    break
                if id(current) not in seen:
                    seen.add(id(current))
                    todo.extend(next_policies(current))

    def plan_topics(self, contexts: list[ContextSpec]) -> list[TopicPlan]:
        o = self.options
        if o.cleanup_policy != "delete":
            self.warn(
                "compaction",
                "Compaction keeps only the latest event of each aggregate; consumers that"
                " replay a topic will miss the history.",
            )
        topics: list[TopicPlan] = []

        def new_topic(name: str, context: ContextSpec, **extra: object) -> TopicPlan:
            topic = TopicPlan(
                name=name,
                kind="events",
                partitions=o.partitions,
                replication_factor=o.replication_factor,
                cleanup_policy=o.cleanup_policy,
                retention_ms=o.retention_ms,
                context=context,
            )
            for key, value in extra.items():
                setattr(topic, key, value)
            topics.append(topic)
            return topic

        for context in contexts:
            context.emitters.sort(key=lambda e: e.name.snake)
            for emitter in context.emitters:
                emitter.events.sort(key=lambda e: e.name.snake)
                emitter.commands.sort(key=lambda c: c.name.snake)
                parts = (context.name.kebab, emitter.name.kebab)
                if o.topic_layout == "aggregate" and emitter.events:
                    topic = new_topic(topic_name(*parts, "events"), context)
                    topic.events = list(emitter.events)
                    for event in emitter.events:
                        event.topic = topic
                elif o.topic_layout == "event":
                    for event in emitter.events:
                        event.topic = new_topic(topic_name(*parts, event.name.kebab), context)
                        event.topic.events = [event]
        for context in contexts:
            for policy in context.policies:
                for topic in dict.fromkeys(e.topic for e in policy.triggers if e.topic):
                    new_topic(
                        topic_name(topic.name, policy.group_id, "dlq"),
                        context,
                        kind="dlq",
                        key="aggregate_id of the failed event",
                        cleanup_policy="delete",
                        group_id=policy.group_id,
                    )
        return topics


def plan_export(snapshot: dict, options: ExportOptions, pins: Mapping[str, Name] | None = None) -> ExportPlan:
    """Read a board snapshot (docs/protocol.md) into the topic model.

    `pins` maps element ids to the names the latest release put on the wire (see releases.py).
    """
    plan = _Planner(snapshot, options, pins).run(str(snapshot.get("name") or "board"))
    try:
        plan.context_map = context_map_svg(snapshot)
    except (KeyError, TypeError, ValueError):
        # A hand-made snapshot without geometry has no picture; the rest of the export stands.
        plan.context_map = ""
    return plan
