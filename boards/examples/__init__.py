"""Example boards shipped with Storming, as backup-shaped snapshots beside this file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from boards.domain import Rejection

EXAMPLES_DIR = Path(__file__).resolve().parent
EXAMPLES = {"checkout": "checkout.json"}


def load_example(name: str) -> dict[str, Any]:
    if name not in EXAMPLES:
        raise Rejection("invalid", f"Unknown example {name[:40]!r}; examples: {', '.join(EXAMPLES)}.")
    return json.loads((EXAMPLES_DIR / EXAMPLES[name]).read_text())
