"""What every server benchmark shares: the machine it ran on, a database, real Daphne processes.

The benchmarks start their own servers (never the one you may have running on port 8000) on a
database of their own, which they drop at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from tests.conftest import reachable  # noqa: E402
from tests.servers import PG_ADMIN, Balancer, DaphneServer, fresh_database, migrate, server_env  # noqa: E402

# A benchmark stopped with `kill` still stops its servers and drops its database (finally blocks run).
if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
LAYERS = ("inmemory", "redis", "pubsub")


# --- the machine -----------------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """The figures a reader needs to compare a run with theirs."""
    versions = {}
    for package in ("Django", "channels", "daphne", "channels-redis", "redis", "websockets", "psycopg", "twisted"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "versions": versions,
        "load_before": [round(x, 2) for x in load],
    }


def print_machine(info: dict[str, Any] | None = None) -> None:
    info = info or machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, {info['os']}")
    print(f"python:  {info['python']}, SQLite {info['sqlite']}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    print(f"load average before: {info['load_before']} (the machine may be shared: compare medians)")


def service_versions(database: str, layer: str) -> str:
    parts = []
    if database == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN) as conn:
            parts.append("PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0])
    if layer != "inmemory":
        import redis

        parts.append("Redis " + redis.Redis.from_url(REDIS_URL).info("server")["redis_version"])
    return ", ".join(parts)


# --- figures ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by the nearest-rank method; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else float("nan"),
        "mean": statistics.fmean(values) if values else float("nan"),
    }


def fmt_ms(stats: dict[str, float]) -> str:
    return "p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  max {max:.1f} ms  (n={n})".format(**stats)


class ProcessMeter:
    """CPU seconds and resident memory of a set of processes between start() and stop()."""

    def __init__(self, pids: Sequence[int]):
        self.processes = []
        for pid in pids:
            with contextlib.suppress(psutil.NoSuchProcess):  # a short-lived one may be gone already
                self.processes.append(psutil.Process(pid))
        self.cpu_start: list[float] = []
        self.started = 0.0

    @staticmethod
    def _cpu(process: psutil.Process) -> float:
        try:
            times = process.cpu_times()
            return times.user + times.system
        except psutil.NoSuchProcess:
            return 0.0

    @staticmethod
    def _system(process: psutil.Process) -> float:
        try:
            return process.cpu_times().system
        except psutil.NoSuchProcess:
            return 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        self.cpu_start = [self._cpu(p) for p in self.processes]
        self.system_start = [self._system(p) for p in self.processes]

    def stop(self) -> dict[str, Any]:
        wall = time.monotonic() - self.started
        used = [self._cpu(p) - s for p, s in zip(self.processes, self.cpu_start, strict=True)]
        system = [self._system(p) - s for p, s in zip(self.processes, self.system_start, strict=True)]
        return {
            "cpu_percent": [round(100 * u / wall, 1) for u in used],
            "cpu_seconds": [round(u, 3) for u in used],
            # Of which in the kernel (socket reads and writes, epoll, file I/O).
            "system_seconds": [round(s, 3) for s in system],
            "rss_mb": [round(rss_mb(p.pid), 1) for p in self.processes],
        }


class MachineMeter:
    """How busy all cores were (100 % = every core), to tell a quiet run from a crowded one."""

    def start(self) -> None:
        self.before = psutil.cpu_times()

    def stop(self) -> float:
        after = psutil.cpu_times()
        busy = sum(after) - sum(self.before) - (after.idle - self.before.idle) - (after.iowait - self.before.iowait)
        total = sum(after) - sum(self.before)
        return round(100 * busy / total, 1) if total else 0.0


def rss_mb(pid: int) -> float:
    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.NoSuchProcess:
        return float("nan")


def postgres_pids() -> list[int]:
    return [p.pid for p in psutil.process_iter(["name"]) if p.info["name"] in ("postgres", "postmaster")]


class PostgresMeter(ProcessMeter):
    """PostgreSQL's CPU, counting the backends that connections opened during the run."""

    def __init__(self) -> None:
        super().__init__(postgres_pids())

    def stop(self) -> dict[str, Any]:
        wall = time.monotonic() - self.started
        known = {p.pid for p in self.processes}
        used = sum(self._cpu(p) - s for p, s in zip(self.processes, self.cpu_start, strict=True))
        for pid in postgres_pids():
            if pid not in known:
                with contextlib.suppress(psutil.NoSuchProcess):
                    used += self._cpu(psutil.Process(pid))
        return {"cpu_percent": [round(100 * used / wall, 1)], "cpu_seconds": [round(used, 3)], "rss_mb": []}


def redis_cpu_seconds() -> float:
    import redis

    info = redis.Redis.from_url(REDIS_URL).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


# --- database and servers --------------------------------------------------------------------


@contextlib.contextmanager
def bench_database(kind: str) -> Iterator[dict[str, str]]:
    """A fresh database for one run: a temporary SQLite file, or a PostgreSQL database dropped after."""
    if kind == "postgres" and not reachable(PG_ADMIN, 5432):
        raise SystemExit("--database postgres: no PostgreSQL answers on 127.0.0.1:5432")
    folder = tempfile.mkdtemp(prefix="storming-bench-")
    try:
        with fresh_database(kind, Path(folder), prefix="storming_bench") as database:
            yield database
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def layer_env(layer: str) -> dict[str, str]:
    if layer == "inmemory":
        return {}
    if layer not in LAYERS:
        raise ValueError(f"layer is one of {', '.join(LAYERS)}, not {layer!r}")
    return {"REDIS_URL": REDIS_URL, "CHANNEL_LAYER": "pubsub" if layer == "pubsub" else "core"}


CPU_CGROUPS = Path("/sys/fs/cgroup/cpu")  # cgroup v1's cpu controller, as on this machine
# A short period: a process that used up its slice waits at most (1 - cores) x 10 ms, not the
# default 100 ms (which shows in the p99 as stalls of tens of ms). Shorter still (2 ms) made
# the process use more CPU for the same work.
CGROUP_PERIOD_US = 10_000


@contextlib.contextmanager
def cpu_capped(pid: int, cores: float) -> Iterator[None]:
    """Let process `pid` use at most `cores` of a core (a cgroup's CPU quota), as if it ran alone
    on a smaller machine. This is how a 2-core machine, which must also run the load generator and
    Redis, can still show what a second server process adds: give each process the same slice.
    Needs root and cgroup v1's cpu controller (or cgroup v2 mounted at /sys/fs/cgroup)."""
    if not 0.1 <= cores <= os.cpu_count():
        # The kernel wants a quota of at least 1 ms in each 10 ms period.
        raise SystemExit(f"--cpu-cap is a fraction of a core from 0.1 to {os.cpu_count()}, not {cores:g}")
    v2 = Path("/sys/fs/cgroup/cgroup.controllers")
    base = Path("/sys/fs/cgroup") if v2.exists() else CPU_CGROUPS
    group = base / f"storming-bench-{pid}"
    try:
        group.mkdir(exist_ok=True)  # a run stopped by SIGKILL may have left it
        if v2.exists():
            (group / "cpu.max").write_text(f"{int(cores * CGROUP_PERIOD_US)} {CGROUP_PERIOD_US}")
        else:
            (group / "cpu.cfs_period_us").write_text(str(CGROUP_PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(int(cores * CGROUP_PERIOD_US)))
        (group / "cgroup.procs").write_text(str(pid))  # the whole process, every thread
    except OSError as exc:
        with contextlib.suppress(OSError):
            group.rmdir()
        raise SystemExit(f"--cpu-cap needs a writable cgroup cpu controller under {base} ({exc})") from exc
    try:
        yield
    finally:
        # The process has stopped (or is moved back) before its group can go.
        with contextlib.suppress(OSError):
            (base / "cgroup.procs").write_text(str(pid))
        with contextlib.suppress(OSError):
            group.rmdir()


@contextlib.contextmanager
def running_servers(
    database: dict[str, str], layer: str, count: int = 1, cpu_cap: float | None = None
) -> Iterator[list[DaphneServer]]:
    """`count` Daphne processes on one database; more than one needs a Redis layer to share boards.

    With `cpu_cap`, each process may use at most that fraction of a core (see cpu_capped)."""
    if count > 1 and layer == "inmemory":
        raise ValueError("several processes share a board only through Redis: pick --layer redis or pubsub")
    env = server_env(database, **layer_env(layer), LOG_LEVEL="WARNING")
    migrate(env)
    logs = Path(tempfile.mkdtemp(prefix="storming-bench-logs-"))
    servers: list[DaphneServer] = []
    with contextlib.ExitStack() as caps:
        try:
            for i in range(count):
                servers.append(DaphneServer(env, log_path=logs / f"daphne-{i}.log").start())
                if cpu_cap:
                    caps.enter_context(cpu_capped(servers[-1].process.pid, cpu_cap))
            yield servers
        finally:
            for server in servers:
                server.stop()
        for log in sorted(logs.glob("*.log")):
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                first = text.index("Traceback")
                print(f"--- {log.name} had errors (the first) ---\n" + "\n".join(text[first:].splitlines()[:150]))
        shutil.rmtree(logs, ignore_errors=True)


@contextlib.contextmanager
def balancer_in_front(servers: list[DaphneServer]) -> Iterator[Balancer]:
    """The real HAProxy with deploy/haproxy.cfg in front of `servers` (boards pinned by id)."""
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
        raise SystemExit("--balancer needs HAProxy (Debian package haproxy; `make test-deps` installs it)")
    folder = Path(tempfile.mkdtemp(prefix="storming-bench-haproxy-"))
    balancer = Balancer([s.port for s in servers], folder).start()
    try:
        yield balancer
    finally:
        balancer.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def django_on(database: dict[str, str]) -> Iterator[None]:
    """Django set up in this process on the benchmark's database (to build large boards fast)."""
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE")}
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("SQLITE_PATH", None)
    os.environ.update(database)
    os.environ["DJANGO_SETTINGS_MODULE"] = "storming.settings"
    import django

    django.setup()
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def http_json(url: str, body: Any = None, key: str | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if key:  # every read of a board needs one of its keys
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def create_empty_board(server: DaphneServer, name: str = "Bench") -> tuple[str, str]:
    """A new board's id and its edit key (sockets need the key since boards have links)."""
    links = http_json(f"{server.url}/api/boards/", {"name": name})
    return links["id"], links["keys"]["editor"]


KINDS = ("event",) * 8 + ("command",) * 5 + ("policy", "policy", "read_model", "read_model", "actor", "hotspot")
SUBJECTS = ("Order", "Payment", "Cart", "Item", "Shipment", "Invoice", "Customer", "Stock", "Refund", "Coupon")


def board_snapshot(stickies: int, seed: int = 7) -> dict[str, Any]:
    """A workshop-like board: stickies in rows along a timeline, in a few contexts, with links."""
    rng = random.Random(seed)
    frames = []
    columns = 50
    rows = (stickies + columns - 1) // columns
    for c in range(5):
        frames.append(
            {
                "id": str(uuid.uuid4()),
                "kind": "bounded_context",
                "name": f"Context {c}",
                "x": c * 10 * 200 - 20,
                "y": -20,
                "w": 10 * 200,
                "h": rows * 140 + 40,
            }
        )
    notes = []
    for i in range(stickies):
        kind = rng.choice(KINDS)
        subject = rng.choice(SUBJECTS)
        text = f"{subject} Placed {i}" if kind == "event" else f"Place {subject} {i}"
        if kind == "policy":
            text = f"Whenever {subject} Placed, then Notify {i}"
        notes.append(
            {
                "id": str(uuid.uuid4()),
                "kind": kind,
                "text": text,
                "x": (i % columns) * 200.0,
                "y": (i // columns) * 140.0,
                "fields": [{"name": "order_id", "type": "uuid", "required": True, "doc": ""}]
                if kind in ("event", "command")
                else [],
            }
        )
    links = []
    for _ in range(stickies // 2):
        source, target = rng.sample(notes, 2)
        links.append({"id": str(uuid.uuid4()), "from": source["id"], "to": target["id"], "label": ""})
    return {"name": f"Bench {stickies}", "notes": notes, "frames": frames, "links": links}


def create_large_board(database: dict[str, str], stickies: int) -> tuple[str, str]:
    """A board of `stickies` notes written straight through the store (the same code the socket uses).

    Answers the board's id and its edit key.
    """
    with django_on(database):
        from boards import store

        board = store.create_board(f"Bench {stickies}", board_snapshot(stickies))
        return str(board.id), board.edit_key


def run_and_report(
    run: Callable[[Any], dict[str, Any]], print_report: Callable[[dict[str, Any]], None], args: Any
) -> dict[str, Any]:
    """A benchmark's end: run it, print its figures and how long it took, write them to --json."""
    started = time.perf_counter()
    result = run(args)
    print_report(result)
    print(f"(took {time.perf_counter() - started:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str))
    return result
