"""Every rendered format is valid by its own standard, on the checkout example and hostile names."""

import ast
import datetime
import decimal
import io
import json
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import fastavro
import jsonschema
import pytest
import yaml

from boards.export import build_zip, export_files, parse_options, plan_export
from boards.export.topics import PROVISION_TEMPLATE
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
CHECKOUT = json.loads((ROOT / "boards/examples/checkout.json").read_text())
SPECS = ROOT / "var/asyncapi-specs"
ASYNCAPI_SCHEMA = SPECS / "node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json"
ASYNCAPI_SPECS_PACKAGE = "@asyncapi/specs@6.11.1"
HOSTILE = '"""\'; import os; os.system("echo pwned") #\n: - {x: [y]} ⚠ Ünïcødé'


def hostile_board():
    fields = [
        {"name": HOSTILE, "type": "enum", "required": True, "doc": HOSTILE, "values": ["a b", HOSTILE]},
        {"name": "class", "type": "list", "required": False, "doc": "", "items": "decimal"},
    ]
    notes = [
        {"id": "c1", "kind": "command", "text": HOSTILE, "aggregate": "a1", "context": "ctx", "fields": fields},
        {"id": "e1", "kind": "event", "text": HOSTILE, "aggregate": "a1", "context": "ctx", "fields": fields},
        {"id": "p1", "kind": "policy", "text": HOSTILE, "aggregate": None, "context": "ctx", "fields": []},
    ]
    frames = [
        {"id": "ctx", "kind": "bounded_context", "name": HOSTILE, "context": None},
        {"id": "a1", "kind": "aggregate", "name": "import", "context": "ctx"},
    ]
    links = [("c1", "e1"), ("e1", "p1"), ("p1", "c1")]
    return {
        "id": "h", "name": HOSTILE, "notes": notes, "frames": frames,
        "links": [{"id": f"l{i}", "from": a, "to": b} for i, (a, b) in enumerate(links)],
    }  # fmt: skip


BOARDS = {"checkout": CHECKOUT, "hostile": hostile_board()}


@pytest.fixture(scope="module", params=sorted(BOARDS))
def exported(request):
    snapshot = BOARDS[request.param]
    options = parse_options({}, snapshot["name"])
    return plan_export(snapshot, options), export_files(snapshot, options)


@pytest.fixture(scope="session")
def asyncapi_schema():
    """The official AsyncAPI 3.0.0 schema from the npm registry (make test installs it)."""
    if not ASYNCAPI_SCHEMA.exists() and shutil.which("npm"):
        subprocess.run(
            ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(SPECS),
             ASYNCAPI_SPECS_PACKAGE],
            capture_output=True, timeout=300, check=False,
        )  # fmt: skip
    need(
        f"npm package {ASYNCAPI_SPECS_PACKAGE}", ASYNCAPI_SCHEMA.exists(), f"is not in {SPECS} (make test installs it)"
    )
    return json.loads(ASYNCAPI_SCHEMA.read_text())


@pytest.mark.parametrize("value_format", ["json", "avro"])
def test_asyncapi_validates_against_the_official_3_0_0_schema(asyncapi_schema, value_format):
    for snapshot in BOARDS.values():
        options = parse_options({"value_format": value_format}, snapshot["name"])
        document = yaml.safe_load(export_files(snapshot, options)["asyncapi.yaml"])
        jsonschema.Draft7Validator(asyncapi_schema).validate(document)
        assert document["asyncapi"] == "3.0.0"


def test_asyncapi_carries_the_kafka_bindings():
    plan = plan_export(CHECKOUT, parse_options({"partitions": "4"}))
    document = yaml.safe_load(export_files(CHECKOUT, plan.options)["asyncapi.yaml"])
    binding = document["channels"]["ordering.order.events"]["bindings"]["kafka"]
    assert binding["partitions"] == 4
    assert binding["topicConfiguration"] == {"cleanup.policy": ["delete"], "retention.ms": 604800000}
    receive = document["operations"]["payment.whenever-order-placed-then-request-payment.receive.ordering.order.events"]
    assert receive["bindings"]["kafka"]["groupId"]["enum"] == ["payment.whenever-order-placed-then-request-payment"]


def test_every_json_schema_is_draft_2020_12_and_self_contained(exported):
    plan, files = exported
    paths = sorted(p for p in files if p.startswith("schemas/json/"))
    assert paths == sorted(f"schemas/json/{t.name}.json" for t in plan.event_topics)
    for path in paths:
        schema = json.loads(files[path])
        jsonschema.Draft202012Validator.check_schema(schema)
        assert set(schema["properties"]) == {"key", "value"}
        # The broker checks key and value apart: a reference to the root would not resolve.
        assert "$ref" not in files[path].decode()


def test_json_schemas_accept_the_envelope_and_refuse_a_broken_event():
    files = export_files(CHECKOUT, parse_options({}))
    schema = json.loads(files["schemas/json/payment.payment.events.json"])
    value = {
        "event_id": "0b5c1b9e-3f7e-4e0a-9e43-2b6f4a1f1c11", "event_type": "payment.PaymentRequested",
        "schema_version": 1, "occurred_at": "2026-01-01T12:00:00Z", "aggregate_type": "payment.Payment",
        "aggregate_id": "pay-1", "aggregate_version": 1, "correlation_id": "c", "causation_id": None,
        "data": {"payment_id": "p", "order_id": "o", "amount": "10.00", "currency": "EUR",
                 "requested_at": "2026-01-01T12:00:00Z"},
    }  # fmt: skip
    jsonschema.validate({"key": "pay-1", "value": value}, schema)
    for broken in ({"currency": "XYZ"}, {"amount": 10}, {"payment_id": None}):
        bad = dict(value, data=value["data"] | broken)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"key": "pay-1", "value": bad}, schema)
    # A field added by a later release does not stop this schema reading the record.
    jsonschema.validate({"key": "pay-1", "value": dict(value, data=value["data"] | {"added_later": 1})}, schema)


def sample(schema, named=None):
    """A record for an Avro schema, built from the schema alone."""
    named = {} if named is None else named
    if isinstance(schema, list):
        return sample(schema[-1], named)
    if isinstance(schema, str):
        if schema in named:
            return sample(named[schema], named)
        return {"string": "s", "long": 7, "int": 3, "double": 1.5, "boolean": True, "null": None}[schema]
    logical = schema.get("logicalType")
    if logical == "decimal":
        return decimal.Decimal("12.5000")
    if logical == "timestamp-millis":
        return datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC)
    if logical == "date":
        return datetime.date(2026, 1, 1)
    if logical == "uuid":
        return uuid.UUID("0b5c1b9e-3f7e-4e0a-9e43-2b6f4a1f1c11")
    kind = schema["type"]
    if kind == "record":
        named[schema["name"]] = schema
        return {f["name"]: sample(f["type"], named) for f in schema["fields"]}
    if kind == "enum":
        return schema["symbols"][-1]
    if kind == "array":
        return [sample(schema["items"], named)]
    return sample(kind, named)


def test_every_avro_schema_parses_and_round_trips_a_record(exported):
    plan, files = exported
    paths = [p for p in files if p.startswith("schemas/avro/")]
    assert len(paths) == len(plan.events)
    for path in paths:
        raw = json.loads(files[path])
        parsed = fastavro.parse_schema(raw)
        record = sample(raw)
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, parsed, record)
        buffer.seek(0)
        assert fastavro.schemaless_reader(buffer, parsed) == record


def test_topics_yaml_and_strimzi_manifests_match_the_plan(exported):
    plan, files = exported
    listed = yaml.safe_load(files["topics/topics.yaml"])
    assert listed["board"] == plan.board_name
    assert [t["name"] for t in listed["topics"]] == [t.name for t in plan.topics]
    manifests = [yaml.safe_load(c) for p, c in files.items() if p.startswith("topics/strimzi/")]
    assert sorted(m["spec"]["topicName"] for m in manifests) == sorted(t.name for t in plan.topics)
    for manifest in manifests:
        assert manifest["kind"] == "KafkaTopic"
        assert manifest["spec"]["config"]["cleanup.policy"] == "delete"


def test_the_provision_script_carries_the_planned_topics(exported):
    plan, files = exported
    tree = ast.parse(files["scripts/provision_topics.py"])
    (topics,) = [n.value for n in tree.body if isinstance(n, ast.AnnAssign) and n.target.id == "TOPICS"]
    assert [t["name"] for t in ast.literal_eval(topics)] == [t.name for t in plan.topics]
    assert PROVISION_TEMPLATE.read_text().count("TOPICS: list") == 1


def test_generated_python_imports_and_keeps_hostile_text_as_data(tmp_path):
    snapshot = hostile_board()
    options = parse_options({}, snapshot["name"])
    files = export_files(snapshot, options)
    for path, content in files.items():
        if path.endswith(".py"):
            ast.parse(content, filename=path)
    for path, content in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(content)
    probe = (
        f"from {options.package_name} import topology, BOARD\n"
        "import json\n"
        "print(json.dumps([BOARD, sorted(topology.EVENT_TYPES), sorted(topology.POLICIES)]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "src")},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    board, events, policies = json.loads(result.stdout)
    assert board == HOSTILE
    assert len(result.stdout.splitlines()) == 1  # os.system("echo pwned") never ran
    assert len(events) == 1 and len(policies) == 1
    assert yaml.safe_load(files["asyncapi.yaml"])["info"]["title"] == HOSTILE
    import tomllib

    assert HOSTILE in tomllib.loads(files["pyproject.toml"].decode())["project"]["description"]


def test_the_zip_unpacks_into_one_folder_and_is_the_same_every_time():
    files = export_files(CHECKOUT, parse_options({}, CHECKOUT["name"]))
    first, second = build_zip(files, "checkout"), build_zip(files, "checkout")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert {n.split("/", 1)[0] for n in names} == {"checkout"}
        assert "checkout/scripts/provision_topics.py" in names
        assert archive.getinfo("checkout/scripts/provision_topics.py").external_attr >> 16 & 0o111
        assert archive.read("checkout/asyncapi.yaml") == files["asyncapi.yaml"]


def test_the_export_carries_a_context_map_of_the_board():
    import json
    from pathlib import Path
    from xml.etree import ElementTree

    snapshot = json.loads((Path(__file__).resolve().parents[2] / "boards/examples/checkout.json").read_text())
    svg = export_files(snapshot)["docs/context-map.svg"].decode()
    ElementTree.fromstring(svg)
    for context in ("Ordering", "Payment", "Shipping"):
        assert context in svg
    assert "Order Placed" in svg  # crosses from Ordering to Payment


def test_the_readme_demo_sends_a_command_that_triggers_the_policy_it_starts():
    from boards.export.codegen import command_type

    plan = plan_export(CHECKOUT, parse_options({}, CHECKOUT["name"]))
    readme = export_files(CHECKOUT, plan.options)["README.md"].decode().splitlines()
    policy_line = next(line for line in readme if line.startswith(f"python -m {plan.options.package_name} policy"))
    command_line = next(line for line in readme if line.startswith(f"python -m {plan.options.package_name} command"))
    policy = next(p for p in plan.policies if p.group_id == policy_line.split()[4])
    command = next(c for ctx in plan.contexts for c in ctx.commands if command_type(c) == command_line.split()[4])
    words = command_line.split()
    outcome = words[words.index("--outcome") + 1] if "--outcome" in words else command.emits[0].event_type
    assert outcome in {e.event_type for e in command.emits}
    assert outcome in {e.event_type for e in policy.triggers}
