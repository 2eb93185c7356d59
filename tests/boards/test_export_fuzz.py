"""Boards of hostile names always export into something that unpacks, validates, imports and passes.

Names are drawn from what breaks exports (2,000-character stickies, Unicode, keywords, builtins,
the generated code's own class names, collisions, quotes and newlines, template and HTML syntax).
The fast checks run on many boards; installing and running a generated project's own tests on a
few of them.
"""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import avro.schema
import fastavro
import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from boards.domain import FIELD_TYPES
from boards.export import build_zip, export_files, parse_options
from tests.conftest import need
from tests.export.official_tools import parse_asyncapi, venv_seeing_our_packages

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_SCHEMA = ROOT / "var/asyncapi-specs/node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json"
HOSTILE_NAMES = [
    "Event", "Command", "Class Var", "class", "str", "list", "data", "Data", "meta", "runtime", "None", "True",
    "Exception", "print", "Any", "ClassVar", "dataclass", "events", "topology", "handle", "Enum",
    "Order Placed", "order placed", "OrderPlaced", "order-placed!", "a 1b", "a1b",
    'x"""; import os; os.system("echo pwned") #', "{{ board }}", "</script><script>alert(1)</script>",
    "line\nbreak\r\n\ttab", "'", '"', "\\", "Ünïcødé", "注文済み", "🚀", "1st line", "_", " ", "",
    "a" * 2000, "Order " * 330 + "Placed", "Order " * 330 + "Cancelled",
]  # fmt: skip

names = st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(max_size=40))
fields = st.lists(
    st.fixed_dictionaries(
        {
            "name": names,
            "type": st.sampled_from(FIELD_TYPES),
            "required": st.booleans(),
            "doc": names,
            "values": st.lists(st.sampled_from(["A", "b c", "data", "1", "Event", "ok"]), max_size=3),
            "items": st.sampled_from(FIELD_TYPES),
        }
    ),
    max_size=4,
)


@st.composite
def boards(draw) -> dict:
    counter = iter(range(10_000))

    def new_id(kind: str) -> str:
        return f"{kind}-{next(counter)}"

    frames, notes, links = [], [], []
    contexts = [None] + [new_id("ctx") for _ in range(draw(st.integers(0, 2)))]
    for context in contexts[1:]:
        frames.append({"id": context, "kind": "bounded_context", "name": draw(names), "context": None})
    aggregates = []
    for _ in range(draw(st.integers(1, 3))):
        aggregate = new_id("agg")
        aggregates.append(aggregate)
        frames.append(
            {"id": aggregate, "kind": "aggregate", "name": draw(names), "context": draw(st.sampled_from(contexts))}
        )

    def add(kind: str, count: int, with_fields: bool) -> list[str]:
        made = []
        for _ in range(count):
            note_id = new_id(kind)
            aggregate = draw(st.sampled_from([None, *aggregates]))
            context = next((f["context"] for f in frames if f["id"] == aggregate), draw(st.sampled_from(contexts)))
            notes.append({
                "id": note_id, "kind": kind, "text": draw(names), "aggregate": aggregate, "context": context,
                "fields": draw(fields) if with_fields else [], "x": 0, "y": 0, "w": 100, "h": 100,
            })  # fmt: skip
            made.append(note_id)
        return made

    events = add("event", draw(st.integers(1, 4)), True)
    commands = add("command", draw(st.integers(1, 3)), True)
    policies = add("policy", draw(st.integers(0, 2)), False)
    add("external_system", draw(st.integers(0, 1)), False)
    pairs = [(c, e) for c in commands for e in events] + [(e, p) for e in events for p in policies]
    pairs += [(p, c) for p in policies for c in commands]
    for source, target in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=8)) if pairs else []:
        links.append({"id": new_id("link"), "from": source, "to": target, "label": ""})
    return {"id": "fuzz", "name": draw(names), "seq": 1, "notes": notes, "frames": frames, "links": links}


def asyncapi_validator() -> jsonschema.Draft7Validator:
    need("npm package @asyncapi/specs", ASYNCAPI_SCHEMA.exists(), "is missing (make test-deps installs it)")
    return jsonschema.Draft7Validator(json.loads(ASYNCAPI_SCHEMA.read_text()))


def unpack(files: dict[str, bytes], folder: str, target: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(build_zip(files, folder))) as archive:
        archive.extractall(target)
    return target / folder


def check_export(snapshot: dict, value_format: str, target: Path) -> tuple[dict[str, bytes], Path]:
    options = parse_options({"value_format": value_format}, snapshot["name"])
    files = export_files(snapshot, options)
    for path in files:
        assert all(len(part.encode()) < 255 for part in path.split("/")), path
    project = unpack(files, options.package_name, target)
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()) == sorted(files)
    asyncapi_validator().validate(yaml.safe_load(files["asyncapi.yaml"]))
    for path, content in files.items():
        if path.startswith("schemas/avro/"):
            fastavro.parse_schema(json.loads(content))
            avro.schema.parse(content.decode())
        elif path.startswith("schemas/json/"):
            jsonschema.Draft202012Validator.check_schema(json.loads(content))
        elif path.endswith(".py"):
            ast.parse(content, filename=path)
    return files, project


def check_with_official_parser(project: Path) -> None:
    result = parse_asyncapi(project / "asyncapi.yaml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def run_own_tests(project: Path, python: Path | None = None) -> subprocess.CompletedProcess:
    """The project's tests, importing it from src/ or, given a python it is installed in, from there."""
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "DJANGO_SETTINGS_MODULE")}
    env.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    env.pop("PYTHONPATH", None)
    if python is None:
        env["PYTHONPATH"] = str(project / "src")
    return subprocess.run(
        [python or sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def install(project: Path, venv: Path) -> Path:
    """pip-install the project offline into a venv of its own; its dependencies come from this test run."""
    python = venv_seeing_our_packages(venv)
    result = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", str(project)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return python


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(snapshot=boards(), value_format=st.sampled_from(["json", "avro"]))
def test_every_hostile_board_exports_valid_files_that_unpack(snapshot, value_format):
    with tempfile.TemporaryDirectory() as target:
        check_export(snapshot, value_format, Path(target))


@pytest.mark.slow
# No shrinking: each example installs a project; the failure message shows the whole board anyway.
@settings(
    max_examples=4,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(snapshot=boards(), value_format=st.sampled_from(["json", "avro"]))
def test_a_hostile_board_export_imports_and_passes_its_own_tests(snapshot, value_format):
    with tempfile.TemporaryDirectory() as target:
        _, project = check_export(snapshot, value_format, Path(target))
        check_with_official_parser(project)
        result = run_own_tests(project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "echo pwned" not in result.stdout


@pytest.mark.slow
def test_the_hostile_names_all_at_once_export_and_pass():
    """Every hostile name on one board: each one an event, a command, a field and a context."""
    frames = [
        {"id": f"c{i}", "kind": "bounded_context", "name": n, "context": None} for i, n in enumerate(HOSTILE_NAMES[:8])
    ]
    frames.append({"id": "agg", "kind": "aggregate", "name": "Event", "context": "c0"})
    some_fields = [{"name": n, "type": t, "required": True, "values": ["data", "x y"], "items": "decimal"}
                   for n, t in zip(HOSTILE_NAMES, FIELD_TYPES * 5, strict=False)]  # fmt: skip
    notes, links = [], []
    for i, text in enumerate(HOSTILE_NAMES):
        base = {"aggregate": "agg", "context": "c0", "x": 0, "y": 0, "w": 1, "h": 1, "fields": some_fields}
        notes.append({"id": f"e{i}", "kind": "event", "text": text, **base})
        notes.append({"id": f"k{i}", "kind": "command", "text": text, **base})
        links.append({"id": f"l{i}", "from": f"k{i}", "to": f"e{i}", "label": ""})
    notes.append({"id": "p", "kind": "policy", "text": "Whenever Event", "aggregate": None, "context": "c1",
                  "x": 0, "y": 0, "w": 1, "h": 1, "fields": []})  # fmt: skip
    links += [{"id": "lp1", "from": "e0", "to": "p", "label": ""}, {"id": "lp2", "from": "p", "to": "k1", "label": ""}]
    snapshot = {"id": "all", "name": HOSTILE_NAMES[29], "notes": notes, "frames": frames, "links": links}
    for value_format in ("json", "avro"):
        with tempfile.TemporaryDirectory() as target:
            _, project = check_export(snapshot, value_format, Path(target))
            check_with_official_parser(project)
            # One pip install (the Avro one) keeps the suite fast; the JSON one imports from src/.
            python = install(project, Path(target) / "venv") if value_format == "avro" else None
            if python:
                shutil.rmtree(project / "src")  # so the tests can only import what pip installed
            result = run_own_tests(project, python)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        assert " passed" in result.stdout and "echo pwned" not in result.stdout
