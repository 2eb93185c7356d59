"""Fan-out: N real WebSocket clients on one board, each sending persisted ops and cursor moves.

Run: .venv/bin/python bench/fanout.py [--clients 30] [--rate 100] [--cursor-hz 20] [--duration 10]
     [--servers 1|2] [--layer inmemory|redis|pubsub] [--database sqlite|postgres] [--workers 2]

The server runs in its own Daphne process(es); the clients run in `--workers` separate load
generator processes (asyncio + websockets), so the load generator never shares the server's CPU
time slice. Every op carries its send time in its op_id, so every client that receives the event
knows how long it took; every cursor carries its send time (milliseconds modulo 1,000 s) in x.

Prints, per delivered event at every other client: latency p50/p95/p99/max; lost deliveries
(seqs a client never received) and out-of-order ones (a seq received after a later one); cursor
latency; op ack latency; CPU and memory of the server processes, Redis, PostgreSQL and the load
generator. --json FILE writes the same figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

CURSOR_WRAP_MS = 1_000_000.0  # coordinates are clamped to +-1e6, so send times wrap every 1,000 s


def now_ms() -> float:
    # Wall clock, not monotonic: the sender and the receiver are different processes.
    return time.time() * 1000.0


# --- the load generator (runs in worker processes) -------------------------------------------


class Client:
    def __init__(self, index: int, url: str, config: dict[str, Any]):
        self.index = index
        self.url = url
        self.config = config
        self.socket: Any = None
        self.start_seq = 0
        self.seen: set[int] = set()
        self.max_seq = 0
        self.out_of_order = 0
        self.duplicates = 0
        self.latencies: list[float] = []
        self.cursor_latencies: list[float] = []
        self.ack_latencies: list[float] = []
        self.sent_at: dict[str, float] = {}
        self.acked = 0
        self.rejected = 0
        self.errors: list[str] = []
        self.last_cursor: dict[str, float] = {}
        self.me = ""
        self.notes: list[str] = []
        self.ops_sent = 0
        self.snapshot = asyncio.Event()

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.socket = await connect(self.url, max_size=2**26, compression=None, open_timeout=60)
        await self.socket.send(json.dumps({"type": "hello", "protocol": 2, "since": 0, "name": f"Bench {self.index}"}))
        self.reader = asyncio.create_task(self.read())
        snapshot = asyncio.ensure_future(self.snapshot.wait())
        await asyncio.wait({self.reader, snapshot}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        snapshot.cancel()
        if not self.snapshot.is_set():
            raise RuntimeError(f"client {self.index} got no snapshot: {self.errors[0] if self.errors else 'timed out'}")

    async def read(self) -> None:
        try:
            async for raw in self.socket:
                received = now_ms()
                frame = json.loads(raw)
                kind = frame["type"]
                if kind == "event":
                    self.on_event(frame, received)
                elif kind == "events":
                    for event in frame["events"]:
                        self.on_event(event, received)
                elif kind == "presence":
                    self.on_presence(frame, received)
                elif kind == "ack":
                    sent = self.sent_at.pop(frame["op_id"], None)
                    if sent is not None:
                        self.ack_latencies.append(received - sent)
                    self.acked += 1
                elif kind == "reject":
                    self.rejected += 1
                    self.errors.append(json.dumps(frame)[:200])
                elif kind == "snapshot":
                    self.start_seq = self.max_seq = frame["seq"]
                    self.snapshot.set()
                elif kind == "welcome":
                    self.me = frame["you"]["id"]
                elif kind == "error":
                    self.errors.append(json.dumps(frame)[:200])
        except Exception as exc:  # a closed socket ends the run for this client; the report says so
            self.errors.append(f"reader: {type(exc).__name__}: {exc}"[:200])

    def on_event(self, event: dict[str, Any], received: float) -> None:
        seq = event["seq"]
        if seq <= self.start_seq:
            return
        if seq <= self.max_seq:
            if seq in self.seen:
                self.duplicates += 1
                return
            self.out_of_order += 1
        self.max_seq = max(self.max_seq, seq)
        self.seen.add(seq)
        sender, _, sent = event["op_id"].partition(":")
        if sender != str(self.index) and sent:
            self.latencies.append(received - float(sent.rpartition(":")[2]))

    def on_presence(self, frame: dict[str, Any], received: float) -> None:
        for user in frame["users"]:
            cursor = user.get("cursor")
            if not cursor or user["id"] == self.me:
                continue
            # The full roster repeats unchanged cursors every few seconds: count only new positions.
            if self.last_cursor.get(user["id"]) == cursor["x"]:
                continue
            self.last_cursor[user["id"]] = cursor["x"]
            self.cursor_latencies.append((received % CURSOR_WRAP_MS - cursor["x"]) % CURSOR_WRAP_MS)

    def next_op(self, rng: random.Random) -> dict[str, Any]:
        self.ops_sent += 1
        sent = now_ms()
        # The op_id says who sent it and when: "<client>:<n>:<ms>", at most 64 characters.
        op_id = f"{self.index}:{self.ops_sent}:{sent:.3f}"
        self.sent_at[op_id] = sent
        if not self.notes or rng.random() < 0.2:
            note = str(uuid.uuid4())
            self.notes.append(note)
            x, y = rng.uniform(0, 4000), rng.uniform(0, 3000)
            data = {"id": note, "kind": "event", "text": f"Order Placed {self.ops_sent}", "x": x, "y": y}
            return {"type": "op", "op_id": op_id, "op": "note.create", "data": data}
        data = {"id": rng.choice(self.notes), "x": rng.uniform(0, 4000), "y": rng.uniform(0, 3000)}
        return {"type": "op", "op_id": op_id, "op": "note.update", "data": data}

    async def send_ops(self, start: float, end: float, interval: float) -> None:
        rng = random.Random(self.index)
        at = start + rng.uniform(0, interval)
        while at < end:
            await asyncio.sleep(max(0.0, at - time.time()))
            await self.socket.send(json.dumps(self.next_op(rng)))
            at += interval

    async def send_cursors(self, start: float, end: float, interval: float) -> None:
        rng = random.Random(-self.index)
        at = start + rng.uniform(0, interval)
        while at < end:
            await asyncio.sleep(max(0.0, at - time.time()))
            x = now_ms() % CURSOR_WRAP_MS
            await self.socket.send(json.dumps({"type": "cursor", "x": x, "y": float(self.index)}))
            at += interval

    def report(self, final_seq: int) -> dict[str, Any]:
        expected = set(range(self.start_seq + 1, final_seq + 1))
        return {
            "lost": len(expected - self.seen),
            "out_of_order": self.out_of_order,
            "duplicates": self.duplicates,
            "unacked": len(self.sent_at),
            "ops_sent": self.ops_sent,
            "rejected": self.rejected,
            "errors": self.errors[:5],
        }


async def worker(config: dict[str, Any]) -> None:
    """One load generator process: connect, say ready, wait for go, run, drain, report."""
    clients = [Client(i, url, config) for i, url in config["clients"]]
    try:
        for client in clients:  # one at a time: a burst of 50 handshakes is not what we measure
            await client.connect()
    except Exception as exc:
        print(f"failed {exc}", flush=True)
        return
    print("ready", flush=True)
    line = await asyncio.to_thread(sys.stdin.readline)
    start = float(line.split()[1])
    end = start + config["duration"]
    op_interval = config["total_clients"] / config["rate"] if config["rate"] else float("inf")
    cursor_interval = 1.0 / config["cursor_hz"] if config["cursor_hz"] else float("inf")
    tasks = []
    for client in clients:
        tasks.append(asyncio.create_task(client.send_ops(start, end, op_interval)))
        tasks.append(asyncio.create_task(client.send_cursors(start, end, cursor_interval)))
    await asyncio.gather(*tasks)
    # Every op answered (or given up on) before the final seq is read.
    deadline = time.time() + 15
    while any(c.sent_at for c in clients) and time.time() < deadline:
        await asyncio.sleep(0.05)
    print("sent", flush=True)
    final_seq = int((await asyncio.to_thread(sys.stdin.readline)).split()[1])
    deadline = time.time() + 10
    while any(c.max_seq < final_seq for c in clients) and time.time() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
    result = {
        "latencies": [round(x, 3) for c in clients for x in c.latencies],
        "cursor_latencies": [round(x, 3) for c in clients for x in c.cursor_latencies],
        "ack_latencies": [round(x, 3) for c in clients for x in c.ack_latencies],
        "clients": [c.report(final_seq) for c in clients],
    }
    for client in clients:
        await client.socket.close()
    print("result " + json.dumps(result), flush=True)


# --- the orchestrator ------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    info = harness.machine()
    with harness.bench_database(args.database) as database:
        prebuilt = None
        if args.stickies:
            harness.migrate(harness.server_env(database))
            prebuilt = harness.create_large_board(database, args.stickies)
        with harness.running_servers(database, args.layer, args.servers, args.cpu_cap) as servers:
            board, key = prebuilt or harness.create_empty_board(servers[0])
            return drive(args, servers, board, key, info)


def drive(args: argparse.Namespace, servers: list, board: str, key: str, info: dict[str, Any]) -> dict[str, Any]:
    urls = [f"{s.ws_url}/ws/boards/{board}/?key={key}" for s in servers]
    assignments: list[list[tuple[int, str]]] = [[] for _ in range(args.workers)]
    for i in range(args.clients):
        # Clients alternate between servers, and between load generator processes.
        assignments[i % args.workers].append((i, urls[i % len(urls)]))
    procs = []
    for clients in assignments:
        config = {
            "clients": clients,
            "total_clients": args.clients,
            "rate": args.rate,
            "cursor_hz": args.cursor_hz,
            "duration": args.duration,
        }
        procs.append(
            subprocess.Popen(
                [sys.executable, __file__, "--worker", json.dumps(config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    try:
        for proc in procs:
            expect(proc, "ready")
        server_meter = harness.ProcessMeter([s.process.pid for s in servers])
        load_meter = harness.ProcessMeter([p.pid for p in procs])
        pg_meter = harness.PostgresMeter() if args.database == "postgres" else None
        redis_start = harness.redis_cpu_seconds() if args.layer != "inmemory" else 0.0
        machine_meter = harness.MachineMeter()
        start = time.time() + 0.5
        for proc in procs:
            proc.stdin.write(f"go {start}\n")
            proc.stdin.flush()
        time.sleep(0.5)
        for meter in (server_meter, load_meter, pg_meter, machine_meter):
            if meter:
                meter.start()
        for proc in procs:
            expect(proc, "sent")
        server_use = server_meter.stop()
        load_use = load_meter.stop()
        pg_use = pg_meter.stop() if pg_meter else None
        machine_busy = machine_meter.stop()
        wall = time.time() - start
        redis_percent = (
            round(100 * (harness.redis_cpu_seconds() - redis_start) / wall, 1) if args.layer != "inmemory" else None
        )
        final_seq = harness.http_json(f"{servers[0].url}/api/boards/{board}/", key=key)["seq"]
        for proc in procs:
            proc.stdin.write(f"final {final_seq}\n")
            proc.stdin.flush()
        results = [json.loads(expect(proc, "result")) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    clients = [c for r in results for c in r["clients"]]
    ops_sent = sum(c["ops_sent"] for c in clients)
    return {
        "benchmark": "fanout",
        "machine": info,
        "services": harness.service_versions(args.database, args.layer),
        "settings": {
            "clients": args.clients,
            "rate": args.rate,
            "cursor_hz": args.cursor_hz,
            "duration": args.duration,
            "servers": args.servers,
            "layer": args.layer,
            "database": args.database,
            "workers": args.workers,
            "stickies": getattr(args, "stickies", 0),
            "cpu_cap": getattr(args, "cpu_cap", None),
        },
        "ops_sent": ops_sent,
        "ops_per_second": round(ops_sent / args.duration, 1),
        "events": final_seq,
        "events_latency_ms": harness.summary([x for r in results for x in r["latencies"]]),
        "cursor_latency_ms": harness.summary([x for r in results for x in r["cursor_latencies"]]),
        "ack_latency_ms": harness.summary([x for r in results for x in r["ack_latencies"]]),
        "lost": sum(c["lost"] for c in clients),
        "out_of_order": sum(c["out_of_order"] for c in clients),
        "duplicates": sum(c["duplicates"] for c in clients),
        "unacked": sum(c["unacked"] for c in clients),
        "rejected": sum(c["rejected"] for c in clients),
        "errors": [e for c in clients for e in c["errors"]][:5],
        "server": server_use,
        "load_generator": load_use,
        "redis_cpu_percent": redis_percent,
        "postgres_cpu_percent": round(sum(pg_use["cpu_percent"]), 1) if pg_use else None,
        "machine_cpu_percent": machine_busy,
        # Cores' worth of CPU (in %) that processes outside the benchmark took: a noisy neighbour.
        "other_cpu_percent": round(
            machine_busy * (info["cores"] or 1)
            - sum(server_use["cpu_percent"])
            - sum(load_use["cpu_percent"])
            - (redis_percent or 0)
            - (sum(pg_use["cpu_percent"]) if pg_use else 0),
            1,
        ),
    }


def expect(proc: subprocess.Popen, word: str) -> str:
    line = proc.stdout.readline()
    if not line.startswith(word):
        raise RuntimeError(f"load generator {proc.pid} said {line[:200]!r} instead of {word!r}")
    return line[len(word) :].strip()


def print_report(result: dict[str, Any]) -> None:
    s = result["settings"]
    harness.print_machine(result["machine"])
    if result["services"]:
        print(f"services: {result['services']}")
    print(
        f"setup: {s['clients']} clients, {s['rate']} ops/s in total, cursors {s['cursor_hz']} Hz each, "
        f"{s['duration']} s; {s['servers']} Daphne process(es), layer {s['layer']}, database {s['database']}, "
        f"{s['workers']} load generator process(es)"
        + (f"; each server capped at {s['cpu_cap']:g} of a core" if s.get("cpu_cap") else "")
    )
    print(f"sent:    {result['ops_sent']} ops ({result['ops_per_second']} ops/s), {result['events']} events stored")
    print(f"events:  {harness.fmt_ms(result['events_latency_ms'])}")
    print(f"cursors: {harness.fmt_ms(result['cursor_latency_ms'])}")
    print(f"acks:    {harness.fmt_ms(result['ack_latency_ms'])}")
    print(
        f"lost {result['lost']}, out of order {result['out_of_order']}, duplicates {result['duplicates']}, "
        f"unacked {result['unacked']}, rejected {result['rejected']}"
    )
    server = result["server"]
    print(f"server CPU {server['cpu_percent']} %, RSS {server['rss_mb']} MB (per process)")
    extra = [f"load generator CPU {result['load_generator']['cpu_percent']} %"]
    if result["redis_cpu_percent"] is not None:
        extra.append(f"Redis CPU {result['redis_cpu_percent']} %")
    if result["postgres_cpu_percent"] is not None:
        extra.append(f"PostgreSQL CPU {result['postgres_cpu_percent']} %")
    extra.append(
        f"whole machine {result['machine_cpu_percent']} % of {result['machine']['cores']} cores, "
        f"other processes {result['other_cpu_percent']} % of a core"
    )
    print(", ".join(extra))
    for error in result["errors"]:
        print(f"error: {error}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=30)
    p.add_argument("--rate", type=float, default=100.0, help="persisted ops per second, all clients together")
    p.add_argument("--cursor-hz", type=float, default=20.0, help="cursor moves per second, per client")
    p.add_argument("--duration", type=float, default=10.0, help="seconds of load")
    p.add_argument("--servers", type=int, default=1, choices=(1, 2))
    p.add_argument("--layer", default="inmemory", choices=harness.LAYERS)
    p.add_argument("--database", default="sqlite", choices=("sqlite", "postgres"))
    p.add_argument("--workers", type=int, default=2, help="load generator processes")
    p.add_argument(
        "--cpu-cap",
        type=float,
        help="let each server process use at most this fraction of a core (a cgroup quota; needs root)",
    )
    p.add_argument("--stickies", type=int, default=0, help="start from a board of this many stickies")
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--smoke", action="store_true", help="a few seconds with 5 clients, to check it works")
    return p


def main(argv: list[str] | None = None) -> dict[str, Any]:
    if argv and argv[0] == "--worker":
        asyncio.run(worker(json.loads(argv[1])))
        return {}
    args = parser().parse_args(argv)
    if args.smoke:
        args.clients, args.duration, args.workers = min(args.clients, 5), min(args.duration, 2.0), 1
    return harness.run_and_report(run, print_report, args)


if __name__ == "__main__":
    main(sys.argv[1:])
