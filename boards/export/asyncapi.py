"""asyncapi.yaml: the whole contract as AsyncAPI 3.0.0 with Kafka bindings."""

from __future__ import annotations

import yaml

from . import avro_schemas, json_schemas, schema_registry
from .plan import ExportPlan, TopicPlan

KAFKA_BINDINGS = "0.5.0"
AVRO_FORMAT = "application/vnd.apache.avro;version=1.9.0"
JSON_SCHEMA_FORMAT = "application/schema+json;version=draft-07"
# What the generated runtime sends (runtime/kafka.py HEADERS); its tests hold the two together.
CE_HEADERS = {
    "ce_specversion": "CloudEvents version, 1.0",
    "ce_id": "the event_id",
    "ce_source": "/<service>/<aggregate>",
    "ce_type": "the event type",
    "ce_time": "occurred_at",
    "ce_subject": "the aggregate id",
    "ce_dataschema": "URI of the value's schema: <registry>/subjects/<subject>/versions/latest, or urn:schema:<subject>",
    "ce_schemaversion": "schema_version",
    "ce_aggregatetype": "aggregate_type",
    "ce_aggregateversion": "aggregate_version",
    "ce_correlationid": "correlation_id",
    "ce_causationid": "causation_id, when the event has a cause",
    "content-type": "application/json or application/avro",
    "lineage": "JSON list of the services (bounded contexts) the event passed through",
}
_OPTIONAL_HEADERS = {"ce_causationid"}


def contract_version(plan: ExportPlan) -> str:
    """The board's release as a version: "2.0.0" for release 2, "3.0.0-draft" for changes after it."""
    contract = plan.contract
    if contract is None:
        return "1.0.0"  # a plan made outside a board has no releases to count
    if contract.version is None:
        return "0.1.0-draft"
    return f"{contract.version}.0.0" if contract.released else f"{contract.version + 1}.0.0-draft"


def _headers() -> dict:
    properties = {name: {"type": "string", "description": doc} for name, doc in CE_HEADERS.items()}
    required = [name for name in CE_HEADERS if name not in _OPTIONAL_HEADERS]
    return {"type": "object", "properties": properties, "required": required}


def _channel_binding(topic: TopicPlan) -> dict:
    return {
        "kafka": {
            "topic": topic.name,
            "partitions": topic.partitions,
            "replicas": topic.replication_factor,
            "topicConfiguration": {
                "cleanup.policy": topic.cleanup_policy.split(","),
                "retention.ms": topic.retention_ms,
            },
            "bindingVersion": KAFKA_BINDINGS,
        }
    }


def document(plan: ExportPlan) -> dict:
    avro = plan.options.value_format == "avro"
    messages: dict[str, dict] = {}
    channels: dict[str, dict] = {}
    operations: dict[str, dict] = {}
    for event in plan.events:
        if avro:
            payload = {"schemaFormat": AVRO_FORMAT, "schema": avro_schemas.event_schema(plan, event)}
        else:
            payload = {"schemaFormat": JSON_SCHEMA_FORMAT, "schema": json_schemas.event_schema(event)}
        messages[event.event_type] = {
            "name": event.name.wire_pascal,
            "title": event.name.text,
            "contentType": "application/avro" if avro else "application/json",
            "headers": {"$ref": "#/components/schemas/CloudEventsHeaders"},
            "payload": payload,
            "bindings": {
                "kafka": {
                    "key": {"type": "string", "description": "the aggregate id, as a JSON string"},
                    # The registry's framing: a magic byte and the schema id before the value.
                    "schemaIdLocation": "payload",
                    "schemaIdPayloadEncoding": "confluent",
                    "schemaLookupStrategy": schema_registry.SUBJECT_NAME_STRATEGY,
                    "bindingVersion": KAFKA_BINDINGS,
                }
            },
            "x-schema-registry-subject": schema_registry.subject(event),
        }
    messages["DeadLetter"] = {
        "name": "DeadLetter",
        "summary": "A record a policy could not handle, with dlq_* headers saying why.",
        "payload": {},
    }
    for topic in plan.topics:
        refs = [e.event_type for e in topic.events] if topic.kind == "events" else ["DeadLetter"]
        channels[topic.name] = {
            "address": topic.name,
            "messages": {r: {"$ref": f"#/components/messages/{r}"} for r in refs},
            "bindings": _channel_binding(topic),
        }
        channel_ref = {"$ref": f"#/channels/{topic.name}"}
        message_refs = [{"$ref": f"#/channels/{topic.name}/messages/{r}"} for r in refs]
        operations[f"{topic.name}.send"] = {
            "action": "send",
            "channel": channel_ref,
            "messages": message_refs,
        }
    for policy in plan.policies:
        for topic in dict.fromkeys(e.topic for e in policy.triggers if e.topic):
            operations[f"{policy.group_id}.receive.{topic.name}"] = {
                "action": "receive",
                "title": policy.name.text,
                "channel": {"$ref": f"#/channels/{topic.name}"},
                "messages": [
                    {"$ref": f"#/channels/{topic.name}/messages/{e.event_type}"}
                    for e in policy.triggers
                    if e.topic is topic
                ],
                "bindings": {
                    "kafka": {
                        "groupId": {"type": "string", "enum": [policy.group_id]},
                        "bindingVersion": KAFKA_BINDINGS,
                    }
                },
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": plan.board_name,
            "version": contract_version(plan),
            "description": "Topics and events exported from a Storming board.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "localhost:9092",
                "protocol": "kafka",
                "description": "docker compose up",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": {"CloudEventsHeaders": _headers()}},
    }


def render(plan: ExportPlan) -> dict[str, bytes]:
    # libyaml's emitter where there is one: the pure-Python one takes seconds on a large board.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(document(plan), Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
    return {"asyncapi.yaml": text.encode()}
