"""The reference relay for same-run comparisons: excalidraw-room's collaboration core on socket.io.

The relay itself (`relay_room.mjs`) is not part of this project: it comes with the workplace's
shared benchmark files (`shared/bench/` beside the repository, or --relay-script / the
STORMING_RELAY_SCRIPT variable). It stores and checks nothing: a room of sockets, each broadcast
sent to every other member. bench/fanout.py --against-relay drives it with the same clients,
rates and payloads as Storming, so only ratios measured in one run are compared.

Node and socket.io come from the npm registry (pinned below), installed under var/relay once.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.servers import ServerProcess  # noqa: E402

INSTALL = ROOT / "var" / "relay"
SOCKET_IO = "socket.io@4.8.4"
SCRIPT_NAME = "relay_room.mjs"


def find_script(given: str | None = None) -> Path | None:
    """The relay's script: as given, else shared/bench/ beside the repository or one level up."""
    candidates = [given, os.environ.get("STORMING_RELAY_SCRIPT")]
    candidates += [str(base / "shared" / "bench" / SCRIPT_NAME) for base in (ROOT.parent, ROOT.parent.parent)]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def install(script: Path) -> Path:
    """socket.io under var/relay, and the script beside it (ES modules resolve imports from their folder)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise SystemExit("--against-relay needs Node.js and npm (Debian packages nodejs and npm)")
    marker = INSTALL / "node_modules" / "socket.io" / "package.json"
    if not marker.exists() or json.loads(marker.read_text()).get("version") != SOCKET_IO.split("@")[1]:
        INSTALL.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["npm", "install", "--silent", "--no-save", "--no-audit", "--no-fund", "--prefix", str(INSTALL), SOCKET_IO],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"could not install {SOCKET_IO} from the npm registry:\n{done.stderr[-2000:]}")
    target = INSTALL / SCRIPT_NAME
    shutil.copyfile(script, target)
    return target


class RelayServer(ServerProcess):
    """One node process running the relay on a free port."""

    name = "the relay"

    def __init__(self, script: Path):
        super().__init__(log_path=INSTALL / "relay.log")
        self.script = script

    def launch(self, log: IO[bytes] | int) -> subprocess.Popen:
        return subprocess.Popen(["node", str(self.script), str(self.port)], stdout=log, stderr=subprocess.STDOUT)


@contextlib.contextmanager
def running_relay(script: str | None = None) -> Iterator[RelayServer]:
    found = find_script(script)
    if found is None:
        raise SystemExit(
            f"--against-relay: no {SCRIPT_NAME} found; pass --relay-script PATH or set STORMING_RELAY_SCRIPT "
            "(it comes with the workplace's shared/bench/, beside the repository)"
        )
    try:
        server = RelayServer(install(found)).start()
    except RuntimeError as exc:  # a benchmark's own words, not a traceback
        raise SystemExit(str(exc)) from None
    try:
        yield server
    finally:
        server.stop()
