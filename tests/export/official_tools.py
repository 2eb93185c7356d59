"""The official AsyncAPI parser, and pip, applied to an exported project as a team would apply them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
PARSE_SCRIPT = Path(__file__).with_name("asyncapi_parse.mjs")
PARSER_PACKAGE = ROOT / "var/asyncapi-parser/node_modules/@asyncapi/parser/package.json"


def parse_asyncapi(document: Path) -> subprocess.CompletedProcess:
    """Run @asyncapi/parser on a file; returncode 0 means no diagnostic of severity error."""
    need("node", shutil.which("node") is not None, "is missing (apt-get install nodejs)")
    need("npm package @asyncapi/parser", PARSER_PACKAGE.exists(), "is missing (make test-deps installs it)")
    return subprocess.run(
        ["node", str(PARSE_SCRIPT), str(document)], capture_output=True, text=True, timeout=120, check=False
    )


def venv_seeing_our_packages(venv: Path) -> Path:
    """A fresh virtual environment that also sees this test run's site-packages (no download needed)."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "_storming_parent.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python
