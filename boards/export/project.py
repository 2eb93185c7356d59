"""The generated project's own files: pyproject.toml, README.md and docker-compose.yml."""

from __future__ import annotations

import yaml

from .codegen import command_type
from .plan import ExportPlan

CONFLUENT_KAFKA = "confluent-kafka==2.16.1"


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
dependencies = [{toml_string(CONFLUENT_KAFKA)}]

[project.optional-dependencies]
test = ["pytest>=8", "jsonschema>=4.18"]

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
    some_command = next((c for ctx in plan.contexts for c in ctx.commands if c.emits), None)
    some_policy = next(iter(plan.policies), None)
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
        "KAFKA_BOOTSTRAP_SERVERS=localhost:9092 pytest   # also runs tests against the broker",
        f"python -m {pkg} list",
    ]
    if some_policy:
        lines.append(f"python -m {pkg} policy {some_policy.group_id} &")
    if some_command:
        lines.append(f"python -m {pkg} command {command_type(some_command)} --aggregate-id demo-1")
    lines += [
        "```",
        "",
        "Set `KAFKA_BOOTSTRAP_SERVERS` to use another cluster. Tests set",
        "`KAFKA_SESSION_TIMEOUT_MS=6000`: with Kafka's default a consumer's first group join on a",
        "small test broker takes about 23 s, with 6 s about 3 s.",
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
    return ("\n".join(lines) + "\n").encode()


def render(plan: ExportPlan) -> dict[str, bytes]:
    return {
        "pyproject.toml": pyproject(plan),
        "README.md": readme(plan),
        "docker-compose.yml": docker_compose(),
    }
