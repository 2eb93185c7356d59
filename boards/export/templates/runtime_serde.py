"""Record values on the wire, through confluent-kafka's Schema Registry serializers.

Avro: AvroSerializer/AvroDeserializer against SCHEMA_REGISTRY_URL (required). JSON: with
SCHEMA_REGISTRY_URL set, JSONSerializer/JSONDeserializer (the registry's framing, a magic byte and
the schema id before the JSON); without it, plain JSON, the form a schema-validating broker such
as Tansu checks. Readers accept both JSON forms, so a topic can move to the registry gradually.

Subjects follow the record name strategy: the subject is the event type (`ordering.OrderPlaced`),
so one topic carries several event types and an event keeps its subject whatever topic layout
is chosen. `mock://<name>` is confluent-kafka's in-process registry, for tests.
"""

from __future__ import annotations

import functools
import json
import os
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from confluent_kafka.schema_registry import SchemaRegistryClient, record_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from .. import contract
from .messages import Event, iso_time

MAGIC_BYTE = b"\x00"  # the first byte of every value framed by a registry serializer


class RegistryMissing(RuntimeError):
    """Avro needs a Schema Registry; the message says how to name one."""


def registry_url() -> str | None:
    return os.environ.get("SCHEMA_REGISTRY_URL") or None


@functools.cache
def registry_client(url: str) -> SchemaRegistryClient:
    # One client per URL and process: a mock:// registry lives in its client.
    return SchemaRegistryClient.new_client({"url": url})


def auto_register() -> bool:
    """Let serializers register schemas (handy locally); in production run scripts/register_schemas.py."""
    return os.environ.get("SCHEMA_REGISTRY_AUTO_REGISTER", "true").lower() in ("1", "true", "yes")


def data_schema_uri(event_type: str) -> str:
    """`ce_dataschema`: a URI naming the schema, in the registry when there is one."""
    subject = contract.SCHEMAS[event_type]["subject"]
    url = registry_url()
    return f"{url.rstrip('/')}/subjects/{subject}/versions/latest" if url else f"urn:schema:{subject}"


def to_avro(value: Any, schema: Any) -> Any:
    """A JSON-native value as the Avro serializer wants it (datetimes, dates, decimals)."""
    if isinstance(schema, list):
        if value is None:
            return None
        return to_avro(value, next(s for s in schema if s != "null"))
    if not isinstance(schema, dict) or value is None:
        return value
    kind, logical = schema["type"], schema.get("logicalType")
    if kind == "record":
        return {f["name"]: to_avro(value.get(f["name"]), f["type"]) for f in schema["fields"]}
    if kind == "array":
        return [to_avro(v, schema["items"]) for v in value]
    if logical == "timestamp-millis":
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if logical == "date":
        return date.fromisoformat(value)
    if logical == "decimal":
        return Decimal(value)
    if schema.get("contentType") == "application/json":
        return json.dumps(value)
    return value


def from_avro(value: Any, schema: Any) -> Any:
    """What the Avro deserializer gives, back to the JSON-native values the events hold."""
    if isinstance(schema, list):
        if value is None:
            return None
        return from_avro(value, next(s for s in schema if s != "null"))
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if not isinstance(schema, dict) or value is None:
        return value
    if schema["type"] == "record":
        return {f["name"]: from_avro(value.get(f["name"]), f["type"]) for f in schema["fields"]}
    if schema["type"] == "array":
        return [from_avro(v, schema["items"]) for v in value]
    if schema.get("contentType") == "application/json":
        return json.loads(value)
    return value


class EventSerde:
    """Serializes events to record values and back, in the contract's value format."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or registry_url()
        if contract.VALUE_FORMAT == "avro" and not self.url:
            raise RegistryMissing(
                "This contract sends Avro, which needs a Schema Registry: set SCHEMA_REGISTRY_URL"
                " (for example http://localhost:8081, or mock://local for an in-process one)."
            )
        self.client = registry_client(self.url) if self.url else None
        self._serializers: dict[str, Any] = {}
        self._conf = {"subject.name.strategy": record_subject_name_strategy, "auto.register.schemas": auto_register()}

    def _serializer(self, event_type: str) -> Any:
        if event_type not in self._serializers:
            schema = contract.SCHEMAS[event_type]["schema"]
            if contract.VALUE_FORMAT == "avro":
                avro_schema = json.loads(schema)
                self._serializers[event_type] = AvroSerializer(
                    self.client, schema, to_dict=lambda value, ctx: to_avro(value, avro_schema), conf=self._conf
                )
            else:
                self._serializers[event_type] = JSONSerializer(schema, self.client, conf=self._conf)
        return self._serializers[event_type]

    def serialize(self, event: Event) -> bytes:
        value = event.to_value()
        if self.client is None:
            return json.dumps(value).encode()
        context = SerializationContext(event.TOPIC, MessageField.VALUE)
        return self._serializer(event.EVENT_TYPE)(value, context)

    def deserialize(self, topic: str, data: bytes) -> dict[str, Any]:
        """The record value, JSON-native, whichever form it came in."""
        if not data.startswith(MAGIC_BYTE):
            return json.loads(data)
        if self.client is None:
            raise RegistryMissing("A registry-framed record arrived: set SCHEMA_REGISTRY_URL to read it.")
        context = SerializationContext(topic, MessageField.VALUE)
        if contract.VALUE_FORMAT == "avro":
            record = AvroDeserializer(self.client)(data, context)
            known = contract.SCHEMAS.get(record.get("event_type", ""))
            return from_avro(record, json.loads(known["schema"]) if known else None)
        return JSONDeserializer(None, schema_registry_client=self.client)(data, context)
