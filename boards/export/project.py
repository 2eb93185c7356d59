"""The generated project's own files: pyproject.toml, README.md and docker-compose.yml."""

from __future__ import annotations

import yaml

from .codegen import command_type
from .plan import ExportPlan

CONFLUENT_KAFKA = "confluent-kafka[avro,json,schemaregistry]==2.16.1"
# What the serializers import (the extras above, pinned): Avro, JSON Schema, the registry's client.
SERIALIZER_PINS = (
    "fastavro==1.13.1", "avro==1.12.2", "jsonschema==4.26.0", "httpx2==2.16.2", "attrs==26.1.0",
    "cachetools==8.0.2", "authlib==1.9.10", "certifi==2026.10.19.post1",
)  # fmt: skip


def toml_string(text: str) -> str:
    """A TOML basic string; JSON's escapes differ for control and astral characters."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def pyproject(plan: ExportPlan) -> bytes:
    pkg = plan.options.package_name
    return f"""[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = {toml_string(pkg.replace("_", "-"))}
version = "0.1.0"
description = {toml_string("Kafka services of the board " + plan.board_name)}
requires-python = ">=3.11"
dependencies = [{", ".join(toml_string(d) for d in (CONFLUENT_KAFKA, *SERIALIZER_PINS))}]

[project.optional-dependencies]
test = ["pytest>=8", "pyyaml>=6"]

[project.scripts]
{pkg.replace("_", "-")} = "{pkg}.__main__:main"

[tool.setuptools.packages.find]
where = ["src"]

[tool.pytest.ini_options]
testpaths = ["tests"]
""".encode()


def docker_compose() -> bytes:
    # A single-node KRaft broker on localhost:9092, enough to run the services locally.
    broker = {
        "image": "apache/kafka:3.9.0",
        "ports": ["9092:9092"],
        "environment": {
            "KAFKA_NODE_ID": 1,
            "KAFKA_PROCESS_ROLES": "broker,controller",
            "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
            "KAFKA_ADVERTISED_LISTENERS": "PLAINTEXT://localhost:9092",
            "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": 1,
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": 1,
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": 1,
            "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
        },
    }
    return yaml.safe_dump({"services": {"kafka": broker}}, sort_keys=False).encode()


def _cell(text: str) -> str:
    # Board text inside a Markdown table: keep it on one line and out of the table syntax.
    return " ".join(text.split()).replace("|", "\\|").replace("`", "'")


def readme(plan: ExportPlan) -> bytes:
    pkg = plan.options.package_name
    # The demo starts a policy, then sends a command that ends in the event the policy waits for.
    some_policy, some_command, outcome = None, None, None
    for policy in plan.policies:
        for command in (c for ctx in plan.contexts for c in ctx.commands):
            trigger = next((e for e in command.emits if e in policy.triggers), None)
            if trigger and some_policy is None:
                some_policy, some_command, outcome = policy, command, trigger
    if some_command is None:
        some_command = next((c for ctx in plan.contexts for c in ctx.commands if c.emits), None)
    lines = [
        f"# {_cell(plan.board_name)}: Kafka services",
        "",
        "Exported from a Storming board: topics, schemas and a Python skeleton of the services.",
        "Look for `TODO(team)` in `src/` for the rules only your team can write.",
        "",
        "## Run it",
        "",
        "```sh",
        "docker compose up -d                      # a local Kafka on localhost:9092",
        "python -m venv .venv && . .venv/bin/activate",
        "pip install -e '.[test]'",
        "pytest                                    # the skeleton's own tests",
        "python scripts/provision_topics.py --bootstrap localhost:9092",
        "python scripts/register_schemas.py --url http://localhost:8081   # --dry-run shows the plan",
        "KAFKA_BOOTSTRAP_SERVERS=localhost:9092 pytest   # also runs tests against the broker",
        f"python -m {pkg} list",
    ]
    if some_policy:
        lines.append(f"python -m {pkg} policy {some_policy.group_id} &")
    if some_command:
        choice = f" --outcome {outcome.event_type}" if outcome and len(some_command.emits) > 1 else ""
        lines.append(f"python -m {pkg} command {command_type(some_command)} --aggregate-id demo-1{choice}")
    lines += [
        "```",
        "",
        "Set `KAFKA_BOOTSTRAP_SERVERS` to use another cluster. Tests set",
        "`KAFKA_SESSION_TIMEOUT_MS=6000`: with Kafka's default a consumer's first group join on a",
        "small test broker takes about 23 s, with 6 s about 3 s.",
        "",
        "## Schema Registry",
        "",
        f"Values are {'Avro' if plan.options.value_format == 'avro' else 'JSON'}, written and read with",
        "confluent-kafka's registry serializers against `SCHEMA_REGISTRY_URL`"
        + (
            " (required for Avro)."
            if plan.options.value_format == "avro"
            else "; without it, values are plain JSON, the form a schema-validating broker such as Tansu checks."
        ),
        "Subjects follow the **record name strategy**: the subject is the event type",
        "(`<context>.<Event>`). Several event types share one topic (one per aggregate, in order), which",
        "the default topic name strategy would refuse; and an event keeps its subject if the topic",
        "layout changes. `scripts/register_schemas.py` registers each schema under its subject and sets",
        f"the compatibility level ({plan.options.compatibility} unless `--compatibility` says otherwise).",
        "In production, register first and set `SCHEMA_REGISTRY_AUTO_REGISTER=false` on the services.",
        "Tests use confluent-kafka's in-process registry (`mock://`).",
        "",
        "Consumers skip an event id they already handled, also after a restart: the ids live in a",
        "small SQLite file (`PROCESSED_EVENTS_DB`, default `processed-events.sqlite3`). A failing",
        "handler is retried with backoff (`POLICY_RETRIES`, `POLICY_BACKOFF_S`) before its record goes",
        f"to the dead-letter topic; `python -m {pkg} replay <group>` sends parked records back.",
        "",
        "## What is where",
        "",
        "- `asyncapi.yaml`: the whole contract (AsyncAPI 3.0, Kafka bindings).",
        "- `schemas/json/<topic>.json`: JSON Schema with `key` and `value` properties, the layout a",
        "  schema-validating broker reads (Tansu: `--schema-registry file://./schemas/json`).",
        "- `schemas/avro/`: the same events as Avro records.",
        "- `topics/topics.yaml`, `topics/strimzi/`: the topics, also as Strimzi `KafkaTopic`s.",
        "- `scripts/provision_topics.py`: creates missing topics, reports existing or different",
        "  ones, never deletes.",
        f"- `src/{pkg}/<context>/`: one package per bounded context: `events.py`, `commands.py`,",
        "  `aggregates.py` (a handler per command), `adapters.py` (external systems) and",
        "  `policies.py` (consumers: at-least-once, dedup by event_id, dead-letter topic).",
        "",
        "Events carry the envelope (event_id, event_type, schema_version, occurred_at,",
        "aggregate_type, aggregate_id, aggregate_version, correlation_id, causation_id) with their",
        "fields under `data`; CloudEvents `ce_*` headers repeat it and the `lineage` header lists",
        "the services an event passed through. Keys are the aggregate id as a JSON string.",
        "",
        "## Topics",
        "",
        "| topic | partitions | key | events / group |",
        "|---|---|---|---|",
    ]
    for topic in plan.topics:
        what = ", ".join(e.event_type for e in topic.events) or f"DLQ of {topic.group_id}"
        lines.append(f"| `{topic.name}` | {topic.partitions} | {topic.key} | {_cell(what)} |")
    if plan.contract is not None:
        version = plan.contract.version
        state = "not released yet" if version is None else f"release {version}"
        if version is not None and not plan.contract.released:
            state += " plus changes since (a draft)"
        lines += [
            "",
            "## Contract version",
            "",
            f"This export is the board's contract at {state}. `contract.json` gives each subject's",
            "schema version (the `schema_version` its events carry); `CHANGELOG.md` lists the releases.",
        ]
    if plan.warnings:
        lines += ["", "## Warnings from the export", ""]
        lines += [f"- {_cell(w.message)}" for w in plan.warnings]
    return ("\n".join(lines) + "\n").encode()


def render(plan: ExportPlan) -> dict[str, bytes]:
    return {
        "pyproject.toml": pyproject(plan),
        "README.md": readme(plan),
        "docker-compose.yml": docker_compose(),
    }
