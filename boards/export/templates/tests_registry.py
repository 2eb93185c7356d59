"""Records go through the Schema Registry: confluent-kafka's in-process registry (mock://)."""

import json
import uuid
from pathlib import Path

import pytest
import yaml
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from storming_package import contract, topology
from storming_package.runtime.kafka import HEADERS, cloudevents_headers
from storming_package.runtime.serde import EventSerde, from_avro

ROOT = Path(__file__).resolve().parents[1]


def plain_reader(serde):
    """A consumer that knows nothing of this package: confluent-kafka's own deserializer."""
    if contract.VALUE_FORMAT == "avro":
        return AvroDeserializer(serde.client)
    return JSONDeserializer(None, schema_registry_client=serde.client)


@pytest.mark.parametrize("event_type", sorted(topology.EVENT_TYPES))
def test_a_record_the_service_sends_is_read_by_a_plain_deserializer(event_type):
    serde = EventSerde(f"mock://{uuid.uuid4()}")
    event = topology.EVENT_TYPES[event_type].example()
    data = serde.serialize(event)
    record = plain_reader(serde)(data, SerializationContext(event.TOPIC, MessageField.VALUE))
    if contract.VALUE_FORMAT == "avro":
        record = from_avro(record, json.loads(contract.SCHEMAS[event_type]["schema"]))
    assert record == event.to_value()
    assert serde.client.get_subjects() == [contract.SCHEMAS[event_type]["subject"]]
    assert type(event).from_value(serde.deserialize(event.TOPIC, data)) == event


def test_several_event_types_of_one_topic_register_side_by_side():
    serde = EventSerde(f"mock://{uuid.uuid4()}")
    for event_class in topology.EVENT_TYPES.values():
        serde.serialize(event_class.example())
    assert sorted(serde.client.get_subjects()) == sorted(s["subject"] for s in contract.SCHEMAS.values())


def test_the_headers_an_event_carries_are_the_ones_asyncapi_lists():
    document = yaml.safe_load((ROOT / "asyncapi.yaml").read_text(encoding="utf-8"))
    for event_type, event_class in topology.EVENT_TYPES.items():
        message = document["components"]["messages"][event_type]
        reference = message["headers"]["$ref"].rsplit("/", 1)[-1]
        listed = set(document["components"]["schemas"][reference]["properties"])
        sent = {name for name, _ in cloudevents_headers(event_class.example())}
        assert sent <= listed == set(HEADERS)
        assert message["x-schema-registry-subject"] == contract.SCHEMAS[event_type]["subject"]
