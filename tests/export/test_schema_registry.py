"""The export's Schema Registry side: subjects, scripts/register_schemas.py, and Avro for real."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
import uuid

import pytest
import yaml

from boards.export import export_files, parse_options, plan_export

from .conftest import unzip


def exported(checkout, tmp_path, **params):
    from boards.export import build_zip

    options = parse_options(params, checkout["name"])
    return unzip(build_zip(export_files(checkout, options), options.package_name), tmp_path), options


def run_own_tests(project, *args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SCHEMA_REGISTRY_URL")}
    environment.update(PYTHONPATH=str(project / "src"), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize("value_format", ["json", "avro"])
def test_a_record_the_generated_code_sends_is_read_by_a_plain_registry_deserializer(checkout, tmp_path, value_format):
    project, _ = exported(checkout, tmp_path, value_format=value_format)
    result = run_own_tests(project, "tests/test_registry.py", "-rA")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    plan = plan_export(checkout, parse_options({}, checkout["name"]))
    assert result.stdout.count("test_a_record_the_service_sends_is_read_by_a_plain_deserializer[") == len(plan.events)
    assert "failed" not in result.stdout and "skipped" not in result.stdout


def test_avro_subjects_are_event_types_and_several_share_one_topic(checkout):
    files = export_files(checkout, parse_options({"value_format": "avro"}, checkout["name"]))
    document = yaml.safe_load(files["asyncapi.yaml"])
    messages = document["components"]["messages"]
    placed = messages["ordering.OrderPlaced"]
    assert placed["x-schema-registry-subject"] == "ordering.OrderPlaced"
    assert placed["payload"]["schemaFormat"].startswith("application/vnd.apache.avro")
    assert placed["bindings"]["kafka"]["schemaLookupStrategy"] == "RecordNameStrategy"
    assert len(document["components"]["schemas"]["CloudEventsHeaders"]["properties"]) == 14
    channel = document["channels"]["ordering.order.events"]["messages"]
    assert len(channel) > 1  # several event types, each its own subject, on one topic
    readme = files["README.md"].decode()
    assert "record name strategy" in readme and "several event types share one topic" in readme.lower()


def test_register_schemas_registers_each_subject_once_and_sets_the_level(checkout, tmp_path):
    from confluent_kafka.schema_registry import SchemaRegistryClient

    project, options = exported(checkout, tmp_path, value_format="avro", compatibility="full")
    script = runpy.run_path(str(project / "scripts/register_schemas.py"))
    assert script["DEFAULT_COMPATIBILITY"] == "FULL"
    client = SchemaRegistryClient.new_client({"url": f"mock://{uuid.uuid4()}"})
    report = script["register"](client, script["SCHEMAS"], "FULL")
    plan = plan_export(checkout, options)
    assert sorted(s for s, status, _ in report if status == "registered") == sorted(e.event_type for e in plan.events)
    assert sorted(client.get_subjects()) == sorted(e.event_type for e in plan.events)
    again = script["register"](client, script["SCHEMAS"], "FULL")
    assert {status for _, status, _ in again} == {"unchanged"}
    registered = client.get_latest_version("ordering.OrderPlaced").schema
    assert json.loads(registered.schema_str)["name"] == "OrderPlaced"


def test_register_schemas_dry_run_prints_the_plan_and_needs_no_registry(checkout, tmp_path):
    project, _ = exported(checkout, tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "SCHEMA_REGISTRY_URL"}
    result = subprocess.run(
        [sys.executable, "scripts/register_schemas.py", "--dry-run"], cwd=project, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "ordering.OrderPlaced: register JSON schema, compatibility BACKWARD" in result.stdout
    refused = subprocess.run(
        [sys.executable, "scripts/register_schemas.py"], cwd=project, env=env, capture_output=True, text=True
    )
    assert refused.returncode == 2 and "SCHEMA_REGISTRY_URL" in refused.stderr


def test_avro_without_a_registry_says_how_to_name_one(checkout, tmp_path):
    project, options = exported(checkout, tmp_path, value_format="avro")
    probe = (
        f"from {options.package_name}.runtime.serde import EventSerde, RegistryMissing\n"
        "try:\n    EventSerde()\nexcept RegistryMissing as e:\n    print(e)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SCHEMA_REGISTRY_URL"}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=project, env=dict(env, PYTHONPATH=str(project / "src")),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "set SCHEMA_REGISTRY_URL" in result.stdout, result.stderr


def test_ce_dataschema_is_a_uri_and_lineage_names_services(checkout, tmp_path):
    project, options = exported(checkout, tmp_path)
    probe = (
        f"from {options.package_name} import topology\n"
        f"from {options.package_name}.runtime.kafka import cloudevents_headers\n"
        "event = topology.EVENT_TYPES['payment.PaymentRequested'].example()\n"
        "print(dict((k, v.decode()) for k, v in cloudevents_headers(event)))\n"
    )
    for url, expected in ((None, "urn:schema:payment.PaymentRequested"),
                          ("http://registry:8081", "http://registry:8081/subjects/payment.PaymentRequested/versions/latest")):  # fmt: skip
        env = {k: v for k, v in os.environ.items() if k != "SCHEMA_REGISTRY_URL"}
        if url:
            env["SCHEMA_REGISTRY_URL"] = url
        result = subprocess.run(
            [sys.executable, "-c", probe], cwd=project, env=dict(env, PYTHONPATH=str(project / "src")),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        headers = eval(result.stdout)  # noqa: S307 - our own probe's printed dict
        assert headers["ce_dataschema"] == expected, result.stderr
        assert json.loads(headers["lineage"]) == [f"{options.package_name}.payment"]
