"""Real Daphne processes for tests that need a server over the network (browser, scale-out)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Self

from tests.conftest import free_port, need, reachable

ROOT = Path(__file__).resolve().parent.parent


def server_env(database: dict[str, str], **extra: str) -> dict[str, str]:
    """Environment for a server process: its own database settings, nothing inherited by accident."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL")}
    env.update(database)
    env.update(extra)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
# As `make run` starts Daphne: big boards' snapshots exceed its default 1 MiB per message.
DAPHNE_OPTIONS = ("--websocket-max-message-size", str(32 * 1024 * 1024))


@contextmanager
def fresh_database(kind: str, folder: Path, prefix: str = "storming_test") -> Iterator[dict[str, str]]:
    """Settings for a new, empty database that server processes can share: a SQLite file in
    `folder`, or a PostgreSQL database of its own, dropped afterwards (`kind`: sqlite or postgres).
    The benchmarks use it too."""
    if kind == "sqlite":
        yield {"SQLITE_PATH": str(folder / "board.sqlite3")}
        return
    if kind != "postgres":
        raise ValueError(f"database is sqlite or postgres, not {kind!r}")
    import psycopg

    need("PostgreSQL", reachable(PG_ADMIN, 5432))
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": f"{PG_SERVER}/{name}"}
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def shared_database(folder: Path) -> Iterator[dict[str, str]]:
    """The database the suite runs on, fresh for server processes to share: PostgreSQL when the
    suite runs on it (DATABASE_URL), else a SQLite file in `folder`."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    with fresh_database("postgres" if on_postgres else "sqlite", folder) as database:
        yield database


@contextmanager
def daphne_processes(env: dict[str, str], logs: Path, count: int = 2) -> Iterator[list[DaphneServer]]:
    """`count` Daphne processes on one environment (database, Redis), stopped afterwards."""
    servers: list[DaphneServer] = []
    try:
        for i in range(count):
            servers.append(DaphneServer(env, log_path=logs / f"daphne-{i}.log").start())
        yield servers
    finally:
        for server in servers:
            server.stop()


def create_board(server_url: str, name: str = "Workshop", **extra) -> dict:
    """POST /api/boards/ on a running server; the answer holds the id, links and keys."""
    body = json.dumps({"name": name, **extra}).encode()
    request = urllib.request.Request(
        f"{server_url}/api/boards/", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def get_json(url: str, key: str) -> dict:
    """GET a board's JSON with one of its keys (every read of a board needs one)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def migrate(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


class ServerProcess:
    """A server in a child process on a loopback port: started, waited for until it answers over
    HTTP, stopped. Subclasses say what to run (`launch`) and where it answers (`probe_path`)."""

    name = "the server"
    probe_path = "/"

    def __init__(self, port: int | None = None, log_path: Path | None = None):
        self.port = port or free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def launch(self, log: IO[bytes] | int) -> subprocess.Popen:
        raise NotImplementedError

    def start(self, timeout: float = 20) -> Self:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = self.launch(log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + self.probe_path, timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer on port {self.port} within {timeout} s{self.log_tail()}")

    def log_tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return f"; {self.log_path} ends:\n{self.log_path.read_text(errors='replace')[-2000:]}"

    def kill(self) -> None:
        """Die the way a crashed process dies: no goodbye to clients, no cleanup."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class DaphneServer(ServerProcess):
    name = "Daphne"
    probe_path = "/api/boards/"

    def __init__(self, env: dict[str, str], port: int | None = None, log_path: Path | None = None):
        super().__init__(port, log_path)
        self.env = env

    def launch(self, log: IO[bytes] | int) -> subprocess.Popen:
        command = ["-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), *DAPHNE_OPTIONS]
        return subprocess.Popen(
            [sys.executable, *command, "storming.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"
SERVER_LINE = re.compile(r'^(\s*)server app1 "\$\{STORMING_APP1\}"(.*)$', re.MULTILINE)
OTHER_SERVER_LINES = re.compile(r'^\s*server app(?!1 )\d+ "\$\{STORMING_APP\d+\}".*\n', re.MULTILINE)


def haproxy_config(count: int) -> str:
    """deploy/haproxy.cfg as it is, with one `server` line per backend process (it ships two)."""
    text = HAPROXY_CONFIG.read_text()
    match = SERVER_LINE.search(text)
    if match is None:
        raise RuntimeError(f"{HAPROXY_CONFIG} has no `server app1` line to repeat")
    text = OTHER_SERVER_LINES.sub("", text)
    indent, rest = match.group(1), match.group(2)
    lines = "\n".join(f'{indent}server app{i} "${{STORMING_APP{i}}}"{rest}' for i in range(1, count + 1))
    return SERVER_LINE.sub(lambda _: lines, text)


class Balancer(ServerProcess):
    """The real HAProxy (Debian's package) with deploy/haproxy.cfg in front of Daphne processes."""

    name = "HAProxy"
    probe_path = "/healthz"

    def __init__(self, backend_ports: list[int], folder: Path, port: int | None = None):
        super().__init__(port, folder / "haproxy.log")
        self.backend_ports = backend_ports
        self.folder = folder

    def launch(self, log: IO[bytes] | int) -> subprocess.Popen:
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        need("HAProxy (Debian package haproxy; `make test-deps` installs it)", Path(haproxy).exists())
        config = self.folder / "haproxy.cfg"
        config.write_text(haproxy_config(len(self.backend_ports)))
        env = {**os.environ, "STORMING_LISTEN": f"127.0.0.1:{self.port}"}
        for i, port in enumerate(self.backend_ports, start=1):
            env[f"STORMING_APP{i}"] = f"127.0.0.1:{port}"
        return subprocess.Popen([haproxy, "-db", "-f", str(config)], env=env, stdout=log, stderr=subprocess.STDOUT)
