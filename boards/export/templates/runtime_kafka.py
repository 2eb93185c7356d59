"""Kafka plumbing: an idempotent publisher keyed by aggregate id, and the policy runner.

The runner gives at-least-once processing: a record's offset is committed only after the
commands it caused were handled and their events acknowledged by the broker (or the record was
parked on the dead-letter topic). Redelivered records are recognised by event_id and skipped.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer

from .messages import Command, Event, Policy
from .serde import EventSerde, data_schema_uri

log = logging.getLogger(__name__)
LINEAGE_HEADER = "lineage"
# Every header an event carries; asyncapi.yaml lists the same (a test holds them together).
HEADERS = (
    "ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "ce_dataschema",
    "ce_schemaversion", "ce_aggregatetype", "ce_aggregateversion", "ce_correlationid", "ce_causationid",
    "content-type", LINEAGE_HEADER,
)  # fmt: skip


def bootstrap_servers() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")


def consumer_config(group_id: str, **overrides: Any) -> dict[str, Any]:
    config = {
        "bootstrap.servers": bootstrap_servers(),
        "group.id": group_id,
        "enable.auto.commit": False,  # commit after processing, never before
        "auto.offset.reset": "earliest",
        # Kafka's default of 45 s makes the first group join slow on small test brokers;
        # tests set KAFKA_SESSION_TIMEOUT_MS=6000 (about 3 s to join instead of about 23 s).
        "session.timeout.ms": int(os.environ.get("KAFKA_SESSION_TIMEOUT_MS", "45000")),
    }
    config.update(overrides)
    return config


def encode_key(aggregate_id: str) -> bytes:
    # Keys are JSON too (a string key is "\"order-1\""), as schema-validating brokers expect.
    return json.dumps(aggregate_id).encode()


def cloudevents_headers(event: Event) -> list[tuple[str, bytes]]:
    """CloudEvents binary-mode headers, for consumers that read only headers."""
    from .. import contract

    m = event.meta
    headers = {
        "ce_specversion": "1.0",
        "ce_id": m.event_id,
        "ce_source": f"/{event.SERVICE.replace('.', '/')}/{event.AGGREGATE_TYPE.rsplit('.', 1)[-1]}",
        "ce_type": event.EVENT_TYPE,
        "ce_time": m.occurred_at,
        "ce_subject": m.aggregate_id,
        "ce_dataschema": data_schema_uri(event.EVENT_TYPE),
        "ce_schemaversion": str(event.SCHEMA_VERSION),
        "ce_aggregatetype": event.AGGREGATE_TYPE,
        "ce_aggregateversion": str(m.aggregate_version),
        "ce_correlationid": m.correlation_id,
        "content-type": "application/avro" if contract.VALUE_FORMAT == "avro" else "application/json",
        # The services (bounded contexts) the causing messages passed through, then this one.
        LINEAGE_HEADER: json.dumps([*m.lineage, event.SERVICE]),
    }
    if m.causation_id:
        headers["ce_causationid"] = m.causation_id
    return [(k, v.encode()) for k, v in headers.items()]


def header(message: Message, name: str) -> str | None:
    for key, value in message.headers() or []:
        if key == name and value is not None:
            return value.decode()
    return None


def decode(message: Message, serde: EventSerde | None = None) -> Event | None:
    """The event a record holds, or None for an event type this contract does not know."""
    from .. import topology

    value = (serde or EventSerde()).deserialize(message.topic(), message.value())
    event_class = topology.EVENT_TYPES.get(value.get("event_type"))
    if event_class is None:
        return None
    lineage = tuple(json.loads(header(message, LINEAGE_HEADER) or "[]"))
    return event_class.from_value(value, lineage)


class PublishError(RuntimeError):
    """The broker did not take an event (for example, it broke the topic's schema)."""


class EventPublisher:
    def __init__(self, serde: EventSerde | None = None, **overrides: Any) -> None:
        self.serde = serde or EventSerde()
        config = {
            "bootstrap.servers": bootstrap_servers(),
            "enable.idempotence": True,  # no duplicates or reordering from producer retries
            "acks": "all",
            "linger.ms": 5,
        }
        config.update(overrides)
        self._producer = Producer(config)

    def publish(self, events: Iterable[Event], timeout: float = 30.0) -> None:
        """Send events keyed by aggregate id, and wait until the broker has them all."""
        errors: list[str] = []

        def delivered(err: KafkaError | None, msg: Message) -> None:
            if err is not None:
                errors.append(f"{msg.topic()}: {err.str()}")

        for event in events:
            self._producer.produce(
                event.TOPIC,
                key=encode_key(event.meta.aggregate_id),
                value=self.serde.serialize(event),
                headers=cloudevents_headers(event),
                on_delivery=delivered,
            )
        remaining = self._producer.flush(timeout)
        if remaining:
            errors.append(f"{remaining} event(s) not delivered within {timeout} s")
        if errors:
            raise PublishError("; ".join(errors))

    def send_raw(self, topic: str, key: bytes | None, value: bytes | None, headers: list) -> None:
        errors: list[str] = []
        self._producer.produce(
            topic,
            key=key,
            value=value,
            headers=headers,
            on_delivery=lambda err, msg: errors.append(err.str()) if err else None,
        )
        self._producer.flush(30)
        if errors:
            raise PublishError("; ".join(errors))


def dispatch(command: Command, outcome: type[Event] | None = None) -> list[Event]:
    """Run a command through the aggregate (or adapter) that handles it."""
    from .. import topology

    handler_class = topology.HANDLERS[type(command)]
    return handler_class(command.meta.aggregate_id).handle(command, outcome)


class ProcessedEvents:
    """Event ids a consumer group has handled, in a small SQLite file the service owns.

    It outlives restarts, so a redelivered event (a lost commit, a producer's retry) is skipped
    even by the next process. To swap it, give PolicyRunner any object with the same
    `__contains__` and `add`, e.g. a table in the database that holds the handlers' state.
    """

    def __init__(self, group_id: str, path: str | None = None) -> None:
        self.group_id = group_id
        self._db = sqlite3.connect(path or os.environ.get("PROCESSED_EVENTS_DB", "processed-events.sqlite3"))
        with self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS processed_event"
                " (group_id TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (group_id, event_id))"
            )

    def __contains__(self, event_id: str) -> bool:
        query = "SELECT 1 FROM processed_event WHERE group_id = ? AND event_id = ?"
        return self._db.execute(query, (self.group_id, event_id)).fetchone() is not None

    def add(self, event_id: str) -> None:
        with self._db:
            self._db.execute("INSERT OR IGNORE INTO processed_event VALUES (?, ?)", (self.group_id, event_id))

    def close(self) -> None:
        self._db.close()


def dead_letter_topic(topic: str, group_id: str) -> str:
    from .. import topology

    return topology.DEAD_LETTER_TOPICS[(topic, group_id)]


class PolicyRunner:
    """Consumes a policy's trigger topics and turns each event into commands, then events.

    A failing handler is retried with exponential backoff (POLICY_RETRIES, POLICY_BACKOFF_S)
    before its record is parked on the dead-letter topic; `python -m ... replay` sends parked
    records back. `stop()` (SIGTERM in the CLI) finishes the current record and closes cleanly.
    """

    def __init__(self, policy: Policy, processed: Any = None, **consumer_overrides: Any) -> None:
        self.policy = policy
        self.topics = sorted({t.TOPIC for t in policy.TRIGGERS})
        self.consumer = Consumer(consumer_config(policy.GROUP_ID, **consumer_overrides))
        self.publisher = EventPublisher()
        self.seen = processed if processed is not None else ProcessedEvents(policy.GROUP_ID)
        self.retries = int(os.environ.get("POLICY_RETRIES", "3"))
        self.backoff = float(os.environ.get("POLICY_BACKOFF_S", "0.5"))
        self.processed = 0
        self.stopping = False

    def stop(self) -> None:
        self.stopping = True

    def run(self, max_messages: int | None = None, timeout: float | None = None) -> int:
        """Process records until max_messages were handled, timeout seconds passed, or stop()."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self.consumer.subscribe(self.topics)
        try:
            while not self.stopping and (max_messages is None or self.processed < max_messages):
                if deadline is not None and time.monotonic() > deadline:
                    break
                message = self.consumer.poll(0.5)
                if message is None:
                    continue
                if message.error():
                    if message.error().fatal():
                        raise KafkaException(message.error())
                    log.warning("consumer: %s", message.error())
                    continue
                self.process(message)
                self.consumer.commit(message=message, asynchronous=False)
        finally:
            self.consumer.close()
        return self.processed

    def process(self, message: Message) -> None:
        try:
            event = decode(message, self.publisher.serde)
        except Exception as error:  # noqa: BLE001 - a record nobody can read is parked at once
            log.exception("parking unreadable record %s:%s", message.topic(), message.offset())
            self.park(message, error)
            self.processed += 1
            return
        if event is None or not isinstance(event, self.policy.TRIGGERS):
            return  # another event type of a shared topic: not ours, and not an error
        if event.meta.event_id in self.seen:
            log.info("skipping event %s, already processed", event.meta.event_id)
            self.processed += 1
            return
        try:
            results = self.react_with_retries(event)
        except Exception as error:  # noqa: BLE001 - a record the code cannot handle is parked
            log.exception("parking record %s:%s on the DLQ", message.topic(), message.offset())
            self.park(message, error)
            self.processed += 1
            return
        # A publish failure propagates: the offset stays uncommitted and the record comes back.
        for events in results:
            self.publisher.publish(events)
        self.seen.add(event.meta.event_id)
        self.processed += 1

    def react_with_retries(self, event: Event) -> list[list[Event]]:
        for attempt in range(self.retries + 1):
            try:
                return [dispatch(command) for command in self.policy.react(event)]
            except Exception:
                if attempt == self.retries or self.stopping:
                    raise
                delay = self.backoff * 2**attempt
                log.warning("handling %s failed; retry %d in %.1f s", event.meta.event_id, attempt + 1, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def park(self, message: Message, error: Exception) -> None:
        headers = list(message.headers() or [])
        headers += [
            ("dlq_error", repr(error)[:1000].encode()),
            ("dlq_topic", message.topic().encode()),
            ("dlq_partition", str(message.partition()).encode()),
            ("dlq_offset", str(message.offset()).encode()),
            ("dlq_group", self.policy.GROUP_ID.encode()),
        ]
        target = dead_letter_topic(message.topic(), self.policy.GROUP_ID)
        # If even the DLQ refuses the record, raise: the offset stays uncommitted.
        self.publisher.send_raw(target, message.key(), message.value(), headers)


def replay_dead_letters(group_id: str, max_messages: int | None = None, timeout: float = 30.0) -> int:
    """Send a group's parked records back to the topics they came from, as they were."""
    from .. import topology

    topics = sorted(t for (_, group), t in topology.DEAD_LETTER_TOPICS.items() if group == group_id)
    consumer = Consumer(consumer_config(f"{group_id}.replay"))
    publisher = EventPublisher()
    replayed = 0
    deadline = time.monotonic() + timeout
    consumer.subscribe(topics)
    try:
        while time.monotonic() < deadline and (max_messages is None or replayed < max_messages):
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            original = [(k, v) for k, v in message.headers() or [] if not k.startswith("dlq_")]
            publisher.send_raw(header(message, "dlq_topic") or "", message.key(), message.value(), original)
            consumer.commit(message=message, asynchronous=False)
            replayed += 1
    finally:
        consumer.close()
    return replayed
