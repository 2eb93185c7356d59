"""The Chromium that tests drive: Debian's package (apt-get install chromium), or CHROMIUM_PATH."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_installed() -> bool:
    return Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is not None
