"""Events, commands, aggregates and policies: the shapes every bounded context builds on.

Field values stay JSON-native (ids, timestamps and decimals are strings) so that an event is
exactly what travels on the topic and what schemas/json/<topic>.json describes. A field's Python
attribute may differ from its name on the wire (`class_` for `class`): FIELDS maps one to the other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar


def iso_time(moment: datetime) -> str:
    """RFC 3339 in UTC, to the millisecond: what an Avro timestamp-millis keeps."""
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.astimezone(UTC).isoformat(timespec=spec).replace("+00:00", "Z")


def now() -> str:
    return iso_time(datetime.now(UTC))


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(kw_only=True)
class Envelope:
    """What every event carries besides its own fields (CloudEvents headers repeat it)."""

    aggregate_id: str
    aggregate_version: int = 0
    event_id: str = field(default_factory=new_id)
    occurred_at: str = field(default_factory=now)
    correlation_id: str = ""
    causation_id: str | None = None
    lineage: tuple[str, ...] = ()  # services the causing messages passed through (a header)

    def __post_init__(self) -> None:
        # The first event of a conversation starts its correlation.
        self.correlation_id = self.correlation_id or self.event_id


@dataclass(kw_only=True)
class CommandMeta:
    aggregate_id: str
    command_id: str = field(default_factory=new_id)
    correlation_id: str = ""
    causation_id: str | None = None
    lineage: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.correlation_id = self.correlation_id or self.command_id


class Message:
    EXAMPLE: ClassVar[dict[str, Any]] = {}  # valid sample data by wire name, used by the tests
    FIELDS: ClassVar[dict[str, str]] = {}  # Python attribute -> name on the wire

    def to_data(self) -> dict[str, Any]:
        """The fields by their wire names."""
        return {wire: getattr(self, attribute) for attribute, wire in self.FIELDS.items()}

    @classmethod
    def data_fields(cls) -> set[str]:
        return set(cls.FIELDS.values())

    @classmethod
    def attributes(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Wire names -> keyword arguments; names the class does not know are left out."""
        return {attribute: data[wire] for attribute, wire in cls.FIELDS.items() if wire in data}


@dataclass(kw_only=True)
class Event(Message):
    EVENT_TYPE: ClassVar[str] = ""
    AGGREGATE_TYPE: ClassVar[str] = ""
    TOPIC: ClassVar[str] = ""
    SERVICE: ClassVar[str] = ""  # the bounded context that emits it, named in the lineage
    SCHEMA_VERSION: ClassVar[int] = 1

    meta: Envelope

    def to_value(self) -> dict[str, Any]:
        """The record value: the envelope with the event's fields under `data`."""
        m = self.meta
        return {
            "event_id": m.event_id,
            "event_type": self.EVENT_TYPE,
            "schema_version": self.SCHEMA_VERSION,
            "occurred_at": m.occurred_at,
            "aggregate_type": self.AGGREGATE_TYPE,
            "aggregate_id": m.aggregate_id,
            "aggregate_version": m.aggregate_version,
            "correlation_id": m.correlation_id,
            "causation_id": m.causation_id,
            "data": self.to_data(),
        }

    @classmethod
    def from_value(cls, value: dict[str, Any], lineage: tuple[str, ...] = ()) -> Event:
        meta = Envelope(
            aggregate_id=value["aggregate_id"],
            aggregate_version=value["aggregate_version"],
            event_id=value["event_id"],
            occurred_at=value["occurred_at"],
            correlation_id=value["correlation_id"],
            causation_id=value.get("causation_id"),
            lineage=lineage,
        )
        return cls(meta=meta, **cls.attributes(value["data"]))

    @classmethod
    def example(cls, aggregate_id: str = "example-1") -> Event:
        return cls(meta=Envelope(aggregate_id=aggregate_id), **cls.attributes(cls.EXAMPLE))


@dataclass(kw_only=True)
class Command(Message):
    COMMAND_TYPE: ClassVar[str] = ""

    meta: CommandMeta

    @classmethod
    def from_data(cls, aggregate_id: str, data: dict[str, Any]) -> Command:
        unknown = set(data) - cls.data_fields()
        if unknown:
            raise ValueError(f"{cls.COMMAND_TYPE} has no field(s) {sorted(unknown)}")
        return cls(meta=CommandMeta(aggregate_id=aggregate_id), **cls.attributes(data))

    @classmethod
    def example(cls, aggregate_id: str = "example-1") -> Command:
        return cls.from_data(aggregate_id, dict(cls.EXAMPLE))


class Aggregate:
    """Handles commands for one aggregate id and returns the events they cause.

    The skeleton keeps no state between commands: load it by replaying the aggregate's events
    (or from your database) before `handle`, and check the invariants in each handler.
    """

    AGGREGATE_TYPE: ClassVar[str] = ""
    HANDLERS: ClassVar[dict[type[Command], str]] = {}
    # The events a command may end in: alternatives, of which one handling emits exactly one.
    OUTCOMES: ClassVar[dict[type[Command], tuple[type[Event], ...]]] = {}

    def __init__(self, aggregate_id: str, version: int = 0) -> None:
        self.aggregate_id = aggregate_id
        self.version = version

    def handle(self, command: Command, outcome: type[Event] | None = None) -> list[Event]:
        """Handle a command; `outcome` forces one of its alternatives (tests, the CLI)."""
        method = self.HANDLERS.get(type(command))
        if method is None:
            raise TypeError(f"{type(self).__name__} does not handle {command.COMMAND_TYPE}")
        if outcome is not None and outcome not in self.OUTCOMES.get(type(command), ()):
            raise ValueError(f"{command.COMMAND_TYPE} never ends in {outcome.EVENT_TYPE}")
        return getattr(self, method)(command, outcome)

    def event_meta(self, command: Command) -> Envelope:
        """The envelope of the next event this command causes."""
        self.version += 1
        return Envelope(
            aggregate_id=self.aggregate_id,
            aggregate_version=self.version,
            correlation_id=command.meta.correlation_id,
            causation_id=command.meta.command_id,
            lineage=command.meta.lineage,
        )


class Adapter(Aggregate):
    """The port to an external system: a handler calls the system and reports what happened."""


class Policy:
    """Whenever one of TRIGGERS happens, issue commands. Runs as consumer group GROUP_ID."""

    GROUP_ID: ClassVar[str] = ""
    TRIGGERS: ClassVar[tuple[type[Event], ...]] = ()

    def react(self, event: Event) -> list[Command]:
        raise NotImplementedError

    def command_meta(self, event: Event, aggregate_id: str | None = None) -> CommandMeta:
        return CommandMeta(
            aggregate_id=aggregate_id or event.meta.aggregate_id,
            correlation_id=event.meta.correlation_id,
            causation_id=event.meta.event_id,
            lineage=event.meta.lineage,
        )
