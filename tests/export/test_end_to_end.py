"""The checkout example's export, unzipped, installed and run against a schema-validating broker."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid

import pytest
from confluent_kafka import Consumer, KafkaError, Producer
from confluent_kafka.admin import AdminClient, ConfigResource

from boards.export import parse_options, plan_export
from boards.export.codegen import command_type, service_name

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def run(python, project, *args, broker=None, timeout=120, **popen):
    env = dict(os.environ, KAFKA_SESSION_TIMEOUT_MS="6000", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if broker:
        env["KAFKA_BOOTSTRAP_SERVERS"] = broker
    return subprocess.run(
        [str(python), *args], cwd=project, env=env, capture_output=True, text=True,
        timeout=timeout, **popen,
    )  # fmt: skip


@pytest.fixture(scope="module")
def plan(checkout):
    return plan_export(checkout, parse_options({}, checkout["name"]))


@pytest.fixture(scope="module")
def provisioned(project_python, checkout_project, broker):
    result = run(project_python, checkout_project, "scripts/provision_topics.py", "--bootstrap", broker)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_provisioning_creates_the_planned_topics_and_is_idempotent(
    provisioned, plan, broker, project_python, checkout_project
):
    admin = AdminClient({"bootstrap.servers": broker})
    topics = admin.list_topics(timeout=10).topics
    for topic in plan.topics:
        assert len(topics[topic.name].partitions) == topic.partitions
    configs = admin.describe_configs([ConfigResource("topic", plan.topics[0].name)])
    (future,) = configs.values()
    found = {k: v.value for k, v in future.result(10).items()}
    assert found["cleanup.policy"] == "delete"
    assert found["retention.ms"] == str(plan.options.retention_ms)
    assert provisioned.count("created") == len(plan.topics)

    again = run(project_python, checkout_project, "scripts/provision_topics.py", "--bootstrap", broker)
    assert again.returncode == 0
    assert again.stdout.count("exists") == len(plan.topics)
    assert "created" not in again.stdout


def test_the_exported_project_passes_its_own_tests_against_the_broker(
    provisioned, project_python, checkout_project, broker
):
    result = run(project_python, checkout_project, "-m", "pytest", "-q", broker=broker, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "skipped" not in result.stdout  # the broker test ran too
    assert " passed" in result.stdout


def chain(plan):
    """A policy whose trigger a command emits and whose command emits events in turn."""
    for policy in plan.policies:
        for trigger in policy.triggers:
            first = next((c for ctx in plan.contexts for c in ctx.commands if trigger in c.emits), None)
            follow = next((c for c in policy.issues if c.emits), None)
            if first and follow:
                return policy, first, trigger, follow
    raise AssertionError("the example board has no command -> event -> policy -> command chain")


def consume(broker, topic, wanted, timeout=30.0):
    consumer = Consumer({
        "bootstrap.servers": broker, "group.id": f"e2e-{uuid.uuid4()}",
        "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
    })  # fmt: skip
    consumer.subscribe([topic])
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            value = json.loads(message.value())
            if wanted(value):
                return message, value
    finally:
        consumer.close()
    raise AssertionError(f"no matching record on {topic} within {timeout} s")


def test_a_command_publishes_an_event_that_a_policy_turns_into_the_next_command(
    provisioned, plan, project_python, checkout_project, broker
):
    policy, first, trigger, follow = chain(plan)
    package = plan.options.package_name
    env = dict(os.environ, KAFKA_BOOTSTRAP_SERVERS=broker, KAFKA_SESSION_TIMEOUT_MS="6000")
    consumer = subprocess.Popen(
        [str(project_python), "-m", package, "policy", policy.group_id,
         "--max-messages", "1", "--timeout", "60"],
        cwd=checkout_project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    aggregate_id = f"e2e-{uuid.uuid4()}"
    first_type = command_type(first)
    sent = run(project_python, checkout_project, "-m", package, "command", first_type,
               "--aggregate-id", aggregate_id, broker=broker)  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    published = [json.loads(line) for line in sent.stdout.splitlines()]
    event = next(p["value"] for p in published if p["value"]["event_type"] == trigger.event_type)

    output, _ = consumer.communicate(timeout=90)
    assert consumer.returncode == 0, output
    assert "processed 1 record" in output

    next_event = follow.emits[0]
    message, value = consume(
        broker,
        next_event.topic.name,
        lambda v: v["event_type"] == next_event.event_type and v["correlation_id"] == event["correlation_id"],
    )
    headers = {k: v.decode() for k, v in message.headers()}
    assert headers["ce_type"] == next_event.event_type
    # Services only: the context that emitted the trigger, then the one that emitted this event.
    assert json.loads(headers["lineage"]) == [
        service_name(plan, trigger.emitter.context),
        service_name(plan, next_event.emitter.context),
    ]
    assert value["aggregate_id"] == aggregate_id  # the skeleton reuses the trigger's id


def test_the_broker_refuses_a_record_that_breaks_the_schema(provisioned, plan, broker):
    topic = plan.event_topics[0]
    results = []
    producer = Producer({"bootstrap.servers": broker})
    for value in ({"event_type": topic.events[0].event_type}, {"not": "an event"}):
        producer.produce(topic.name, key=json.dumps("k-1").encode(), value=json.dumps(value).encode(),
                         on_delivery=lambda err, msg: results.append(err))  # fmt: skip
        producer.flush(10)
    assert [e.code() if e else None for e in results] == [KafkaError.INVALID_RECORD] * 2
