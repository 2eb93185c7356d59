"""Kafka plumbing: an idempotent publisher keyed by aggregate id, and the policy runner.

The runner gives at-least-once processing: a record's offset is committed only after the
commands it caused were handled and their events acknowledged by the broker (or the record was
parked on the dead-letter topic). Redelivered records are recognised by event_id and skipped.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer

from .messages import Command, Event, Policy

log = logging.getLogger(__name__)
LINEAGE_HEADER = "lineage"


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


def cloudevents_headers(event: Event, service: str) -> list[tuple[str, bytes]]:
    """CloudEvents binary-mode headers, for consumers that read only headers."""
    m = event.meta
    headers = {
        "ce_specversion": "1.0",
        "ce_id": m.event_id,
        "ce_source": f"/{event.SERVICE.replace('.', '/')}/{event.AGGREGATE_TYPE.rsplit('.', 1)[-1]}",
        "ce_type": event.EVENT_TYPE,
        "ce_time": m.occurred_at,
        "ce_subject": m.aggregate_id,
        "ce_dataschema": f"schemas/json/{event.TOPIC}.json",
        "ce_schemaversion": str(event.SCHEMA_VERSION),
        "ce_aggregatetype": event.AGGREGATE_TYPE,
        "ce_aggregateversion": str(m.aggregate_version),
        "ce_correlationid": m.correlation_id,
        "content-type": "application/json",
        LINEAGE_HEADER: json.dumps([*m.lineage, service]),
    }
    if m.causation_id:
        headers["ce_causationid"] = m.causation_id
    return [(k, v.encode()) for k, v in headers.items()]


def header(message: Message, name: str) -> str | None:
    for key, value in message.headers() or []:
        if key == name and value is not None:
            return value.decode()
    return None


def decode(message: Message) -> Event:
    from .. import topology

    value = json.loads(message.value())
    event_class = topology.EVENT_TYPES[value["event_type"]]
    lineage = tuple(json.loads(header(message, LINEAGE_HEADER) or "[]"))
    return event_class.from_value(value, lineage)


class PublishError(RuntimeError):
    """The broker did not take an event (for example, it broke the topic's schema)."""


class EventPublisher:
    def __init__(self, service: str = "", **overrides: Any) -> None:
        self.service = service
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
                value=json.dumps(event.to_value()).encode(),
                headers=cloudevents_headers(event, self.service or event.SERVICE),
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


class SeenEvents:
    """Event ids already processed by this group member, to skip redeliveries.

    In memory and bounded: it covers the redeliveries of a rebalance or a retry. To make
    duplicates harmless across restarts, store processed ids with the handler's own state.
    """

    def __init__(self, size: int = 100_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids[event_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)


def dead_letter_topic(topic: str, group_id: str) -> str:
    from .. import topology

    return topology.DEAD_LETTER_TOPICS[(topic, group_id)]


class PolicyRunner:
    """Consumes a policy's trigger topics and turns each event into commands, then events."""

    def __init__(self, policy: Policy, **consumer_overrides: Any) -> None:
        self.policy = policy
        self.topics = sorted({t.TOPIC for t in policy.TRIGGERS})
        self.consumer = Consumer(consumer_config(policy.GROUP_ID, **consumer_overrides))
        self.publisher = EventPublisher(service=policy.GROUP_ID)
        self.seen = SeenEvents()
        self.processed = 0

    def run(self, max_messages: int | None = None, timeout: float | None = None) -> int:
        """Process records until max_messages were handled or timeout seconds passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self.consumer.subscribe(self.topics)
        try:
            while max_messages is None or self.processed < max_messages:
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
            event = decode(message)
            if not isinstance(event, self.policy.TRIGGERS):
                return  # another event of the same aggregate: not ours
            if event.meta.event_id in self.seen:
                log.info("skipping redelivered event %s", event.meta.event_id)
                return
            results = [dispatch(command) for command in self.policy.react(event)]
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
