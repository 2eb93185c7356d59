"""Against a real broker: set KAFKA_BOOTSTRAP_SERVERS and provision the topics first."""

import os
import time
import uuid

import pytest
from confluent_kafka import Consumer
from storming_package import contract, topology
from storming_package.runtime.kafka import EventPublisher, consumer_config, decode, dispatch
from storming_package.runtime.serde import EventSerde

pytestmark = pytest.mark.skipif(
    not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), reason="KAFKA_BOOTSTRAP_SERVERS is not set"
)


def serde() -> EventSerde:
    # Avro needs a registry: without SCHEMA_REGISTRY_URL, the in-process one, shared by both ends.
    url = os.environ.get("SCHEMA_REGISTRY_URL")
    return EventSerde(url or ("mock://broker-test" if contract.VALUE_FORMAT == "avro" else None))


def test_a_published_event_comes_back_to_a_consumer():
    command_type = next(c for c in sorted(topology.COMMANDS) if dispatch(topology.COMMANDS[c].example()))
    events = dispatch(topology.COMMANDS[command_type].example(aggregate_id=f"t-{uuid.uuid4()}"))
    EventPublisher(serde()).publish(events)
    # session.timeout.ms=6000 (see conftest) makes the first group join take about 3 s.
    consumer = Consumer(consumer_config(f"test-{uuid.uuid4()}"))
    consumer.subscribe([events[0].TOPIC])
    wanted = {e.meta.event_id for e in events if e.TOPIC == events[0].TOPIC}
    deadline = time.monotonic() + 30
    try:
        while wanted and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                event = decode(message, serde())
                if event is not None:
                    wanted.discard(event.meta.event_id)
    finally:
        consumer.close()
    assert not wanted
