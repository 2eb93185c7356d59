"""Fan-out: N real WebSocket clients on one board, each sending persisted ops and cursor moves.

Run: .venv/bin/python bench/fanout.py [--clients 30] [--rate 100] [--cursor-hz 20] [--duration 10]
     [--servers 1|2] [--layer inmemory|redis|pubsub] [--database sqlite|postgres] [--workers 2]
     [--against-relay] [--balancer] [--profile FILE]

The server runs in its own Daphne process(es); the clients run in `--workers` separate load
generator processes (asyncio + websockets), so the load generator never shares the server's CPU
time slice. Every op carries its send time in its op_id, so every client that receives the event
knows how long it took; every cursor carries its send time (milliseconds modulo 1,000 s) in x.

Prints, per delivered event at every other client: latency p50/p95/p99/max; lost deliveries
(seqs a client never received) and out-of-order ones (a seq received after a later one); cursor
latency; op ack latency; CPU and memory of the server processes, Redis, PostgreSQL and the load
generator; server CPU time per op. --json FILE writes the same figures as JSON.

--against-relay then runs the same load (clients, rates, frames, load generator processes) against
the reference relay (bench/reference_relay.py) and prints Storming's figures over the relay's
first. --balancer puts HAProxy with deploy/haproxy.cfg in front of the server(s). --profile
samples the server with py-spy (docs/performance.md, "Where the time goes").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
        self.cursors_sent = 0
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

    async def send_op(self, frame: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(frame))

    async def send_cursor(self, frame: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(frame))

    async def send_ops(self, start: float, end: float, interval: float) -> None:
        rng = random.Random(self.index)
        at = start + rng.uniform(0, interval)
        while at < end:
            await asyncio.sleep(max(0.0, at - time.time()))
            await self.send_op(self.next_op(rng))
            at += interval

    async def send_cursors(self, start: float, end: float, interval: float) -> None:
        rng = random.Random(-self.index)
        at = start + rng.uniform(0, interval)
        while at < end:
            await asyncio.sleep(max(0.0, at - time.time()))
            x = now_ms() % CURSOR_WRAP_MS
            await self.send_cursor({"type": "cursor", "x": x, "y": float(self.index)})
            self.cursors_sent += 1
            at += interval

    def caught_up(self, final: int) -> bool:
        return self.max_seq >= final

    async def close(self) -> None:
        await self.socket.close()

    def report(self, final_seq: int) -> dict[str, Any]:
        expected = set(range(self.start_seq + 1, final_seq + 1))
        return {
            "lost": len(expected - self.seen),
            "out_of_order": self.out_of_order,
            "duplicates": self.duplicates,
            "unacked": len(self.sent_at),
            "ops_sent": self.ops_sent,
            "cursors_sent": self.cursors_sent,
            "rejected": self.rejected,
            "errors": self.errors[:5],
        }


class RelayClient(Client):
    """The same load against the reference relay (bench/reference_relay.py): the same op and cursor
    frames, as text, in `server-broadcast` (ops) and `server-volatile-broadcast` (cursors) to the
    room. Receivers get `client-broadcast` (text, iv). Nothing is stored and nothing is acked, so
    an op counts as delivered when its op_id arrives: lost = ops other members of the room sent
    that this client never received.
    """

    def __init__(self, index: int, url: str, config: dict[str, Any], room: str):
        super().__init__(index, url, config)
        self.room = room
        self.received: set[str] = set()
        self.last_from: dict[str, int] = {}
        self.sio: Any = None

    async def connect(self) -> None:
        import socketio

        joined = asyncio.Event()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("client-broadcast", self.on_broadcast)
        # The relay tells the room who is in it once this socket has joined.
        self.sio.on("room-user-change", lambda *_: joined.set())
        await self.sio.connect(self.url, transports=["websocket"], wait_timeout=60)
        await self.sio.emit("join-room", self.room)
        await asyncio.wait_for(joined.wait(), 60)

    def on_broadcast(self, text: str, iv: Any = None) -> None:
        received = now_ms()
        frame = json.loads(text)
        if frame["type"] == "cursor":
            self.cursor_latencies.append((received % CURSOR_WRAP_MS - frame["x"]) % CURSOR_WRAP_MS)
            return
        op_id = frame["op_id"]
        if op_id in self.received:
            self.duplicates += 1
            return
        self.received.add(op_id)
        sender, n, sent = op_id.split(":")
        if int(n) < self.last_from.get(sender, 0):
            self.out_of_order += 1
        self.last_from[sender] = max(int(n), self.last_from.get(sender, 0))
        self.latencies.append(received - float(sent))

    async def send_op(self, frame: dict[str, Any]) -> None:
        self.sent_at.pop(frame["op_id"], None)  # no ack will come
        await self.sio.emit("server-broadcast", (self.room, json.dumps(frame), "iv"))

    async def send_cursor(self, frame: dict[str, Any]) -> None:
        await self.sio.emit("server-volatile-broadcast", (self.room, json.dumps(frame), "iv"))

    def caught_up(self, final: int) -> bool:
        return len(self.received) >= final - self.ops_sent

    async def close(self) -> None:
        await self.sio.disconnect()

    def report(self, final: int) -> dict[str, Any]:
        return {
            "lost": max(0, final - self.ops_sent - len(self.received)),
            "out_of_order": self.out_of_order,
            "duplicates": self.duplicates,
            "unacked": 0,
            "ops_sent": self.ops_sent,
            "cursors_sent": self.cursors_sent,
            "rejected": 0,
            "errors": self.errors[:5],
        }


async def worker(config: dict[str, Any]) -> None:
    """One load generator process: connect, say ready, wait for go, run, drain, report.

    config["clients"] holds (index, url, board) for each client. For Storming the final figure
    per board is its last seq; for the relay, how many ops were sent to the room in all.
    """
    if config.get("target") == "relay":
        clients = [RelayClient(i, url, config, board) for i, url, board in config["clients"]]
    else:
        clients = [Client(i, url, config) for i, url, _ in config["clients"]]
    boards = [board for _, _, board in config["clients"]]
    try:
        for client in clients:  # one at a time: a burst of 50 handshakes is not what we measure
            await client.connect()
    except Exception as exc:
        print(f"failed {type(exc).__name__}: {exc}", flush=True)
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
    sent: dict[str, int] = {}
    for client, board in zip(clients, boards, strict=True):
        sent[board] = sent.get(board, 0) + client.ops_sent
    print("sent " + json.dumps(sent), flush=True)
    finals = json.loads((await asyncio.to_thread(sys.stdin.readline)).split(" ", 1)[1])
    deadline = time.time() + 10
    while time.time() < deadline and not all(c.caught_up(finals[b]) for c, b in zip(clients, boards, strict=True)):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
    result = {
        "latencies": [round(x, 3) for c in clients for x in c.latencies],
        "cursor_latencies": [round(x, 3) for c in clients for x in c.cursor_latencies],
        "ack_latencies": [round(x, 3) for c in clients for x in c.ack_latencies],
        "clients": [c.report(finals[b]) for c, b in zip(clients, boards, strict=True)],
        "boards": boards,
    }
    for client in clients:
        with contextlib.suppress(Exception):
            await client.close()
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
            if getattr(args, "balancer", False):
                with harness.balancer_in_front(servers) as balancer:
                    result = drive(args, servers, board, key, info, balancer)
            else:
                result = drive(args, servers, board, key, info)
    if getattr(args, "against_relay", False):
        result["relay"] = run_relay(args, info)
        result["ratios"] = ratios(result, result["relay"])
    return result


def run_relay(args: argparse.Namespace, info: dict[str, Any]) -> dict[str, Any]:
    """The same load (clients, rates, payloads, load generator processes) against the reference relay."""
    import reference_relay

    with reference_relay.running_relay(args.relay_script) as relay:
        room = "bench-room"
        clients = [(i, relay.url, room) for i in range(args.clients)]
        figures = load(args, "relay", clients, [relay.process.pid], lambda sent: sent, info)
    figures["benchmark"] = "fanout-relay"
    figures["services"] = f"reference relay: node {node_version()}, {reference_relay.SOCKET_IO}"
    figures["settings"] = dict(figures["settings"], servers=1, layer="-", database="-")
    return figures


def node_version() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True)
    return done.stdout.strip()


def ratios(storming: dict[str, Any], relay: dict[str, Any]) -> dict[str, float | None]:
    """Storming's figure over the relay's, for each figure both have."""

    def over(a: float | None, b: float | None) -> float | None:
        if a is None or b is None or b != b or a != a or b == 0:  # nan != nan
            return None
        return round(a / b, 2)

    s, r = storming["events_latency_ms"], relay["events_latency_ms"]
    return {
        "p50": over(s["p50"], r["p50"]),
        "p99": over(s["p99"], r["p99"]),
        "cpu_ms_per_op": over(storming["cpu_ms_per_op"], relay["cpu_ms_per_op"]),
        "cursor_p99": over(storming["cursor_latency_ms"]["p99"], relay["cursor_latency_ms"]["p99"]),
    }


def drive(
    args: argparse.Namespace, servers: list, board: str, key: str, info: dict[str, Any], balancer: Any = None
) -> dict[str, Any]:
    # Clients alternate between servers, or all go through the balancer (which pins the board).
    entries = [balancer] if balancer else servers
    urls = [f"{s.ws_url}/ws/boards/{board}/?key={key}" for s in entries]
    clients = [(i, urls[i % len(urls)], board) for i in range(args.clients)]
    pids = [s.process.pid for s in servers]
    return load(args, "storming", clients, pids, final_seqs(servers[0], {board: key}), info, balancer)


def final_seqs(server: Any, keys: dict[str, str]) -> Any:
    """For each board ops went to, its last seq (every process shares the database); `keys`: a
    key of each board, since reading a board needs one."""

    def final(sent: dict[str, int]) -> dict[str, int]:
        return {b: harness.http_json(f"{server.url}/api/boards/{b}/", key=keys[b])["seq"] for b in sent}

    return final


def load(
    args: argparse.Namespace,
    target: str,
    clients: list[tuple[int, str, str]],
    server_pids: list[int],
    final: Any,
    info: dict[str, Any],
    balancer: Any = None,
) -> dict[str, Any]:
    """Run the load of `clients` (index, url, board) in --workers processes and gather the figures.

    `final` turns the ops sent per board into what every client of that board must have seen by
    the end (the board's last seq for Storming, the room's op count for the relay)."""
    assignments: list[list[tuple[int, str, str]]] = [[] for _ in range(args.workers)]
    for n, client in enumerate(clients):
        assignments[n % args.workers].append(client)
    storming = target == "storming"
    procs = []
    for share in assignments:
        config = {
            "target": target,
            "clients": share,
            "total_clients": len(clients) // max(1, len({b for _, _, b in clients})),
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
    profiler = None
    try:
        for proc in procs:
            expect(proc, "ready")
        server_meter = harness.ProcessMeter(server_pids)
        load_meter = harness.ProcessMeter([p.pid for p in procs])
        balancer_meter = harness.ProcessMeter([balancer.process.pid]) if balancer else None
        pg_meter = harness.PostgresMeter() if storming and args.database == "postgres" else None
        with_redis = storming and args.layer != "inmemory"
        redis_start = harness.redis_cpu_seconds() if with_redis else 0.0
        machine_meter = harness.MachineMeter()
        start = time.time() + 0.5
        for proc in procs:
            proc.stdin.write(f"go {start}\n")
            proc.stdin.flush()
        time.sleep(0.5)
        for meter in (server_meter, load_meter, pg_meter, balancer_meter, machine_meter):
            if meter:
                meter.start()
        if getattr(args, "profile", None) and storming:
            profiler = start_profiler(server_pids[0], args.duration, args.profile)
        sent: dict[str, int] = {}
        for proc in procs:
            for board, count in json.loads(expect(proc, "sent")).items():
                sent[board] = sent.get(board, 0) + count
        server_use = server_meter.stop()
        load_use = load_meter.stop()
        pg_use = pg_meter.stop() if pg_meter else None
        balancer_use = balancer_meter.stop() if balancer_meter else None
        machine_busy = machine_meter.stop()
        wall = time.time() - start
        redis_percent = round(100 * (harness.redis_cpu_seconds() - redis_start) / wall, 1) if with_redis else None
        finals = final(sent)
        for proc in procs:
            proc.stdin.write(f"final {json.dumps(finals)}\n")
            proc.stdin.flush()
        results = [json.loads(expect(proc, "result")) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        if profiler:
            finish_profiler(profiler)
    reports = [c for r in results for c in r["clients"]]
    ops_sent = sum(c["ops_sent"] for c in reports)
    # Every cursor move could reach every other person on its board: how many positions did?
    members: dict[str, int] = {}
    for _, _, board in clients:
        members[board] = members.get(board, 0) + 1
    cursor_fanout = sum(
        c["cursors_sent"] * (members[board] - 1)
        for r in results
        for c, board in zip(r["clients"], r["boards"], strict=True)
    )
    cursors_received = sum(len(r["cursor_latencies"]) for r in results)
    server_cpu_seconds = sum(server_use["cpu_seconds"])
    return {
        "benchmark": "fanout",
        "target": target,
        "machine": info,
        "services": harness.service_versions(args.database, args.layer) if storming else "",
        "settings": {
            "clients": len(clients),
            "boards": len(sent),
            "rate": args.rate,
            "cursor_hz": args.cursor_hz,
            "duration": args.duration,
            "servers": len(server_pids),
            "balancer": bool(balancer),
            "layer": args.layer,
            "database": args.database,
            "workers": args.workers,
            "stickies": getattr(args, "stickies", 0),
            "cpu_cap": getattr(args, "cpu_cap", None),
        },
        "ops_sent": ops_sent,
        "ops_per_second": round(ops_sent / args.duration, 1),
        "events": sum(finals.values()) if storming else ops_sent,
        "events_latency_ms": harness.summary([x for r in results for x in r["latencies"]]),
        "cursor_latency_ms": harness.summary([x for r in results for x in r["cursor_latencies"]]),
        # Storming sends the latest position of each person per presence tick (coalesced); the relay
        # drops volatile broadcasts to a busy socket.
        "cursor_positions_received_percent": round(100 * cursors_received / cursor_fanout, 1)
        if cursor_fanout
        else None,
        "ack_latency_ms": harness.summary([x for r in results for x in r["ack_latencies"]]),
        "lost": sum(c["lost"] for c in reports),
        "out_of_order": sum(c["out_of_order"] for c in reports),
        "duplicates": sum(c["duplicates"] for c in reports),
        "unacked": sum(c["unacked"] for c in reports),
        "rejected": sum(c["rejected"] for c in reports),
        "errors": [e for c in reports for e in c["errors"]][:5],
        "server": server_use,
        # Server process CPU time (all processes) for each op sent: cursors included when on.
        "cpu_ms_per_op": round(1000 * server_cpu_seconds / ops_sent, 3) if ops_sent else None,
        "load_generator": load_use,
        "redis_cpu_percent": redis_percent,
        "postgres_cpu_percent": round(sum(pg_use["cpu_percent"]), 1) if pg_use else None,
        "balancer_cpu_percent": round(sum(balancer_use["cpu_percent"]), 1) if balancer_use else None,
        "machine_cpu_percent": machine_busy,
        # Cores' worth of CPU (in %) that processes outside the benchmark took: a noisy neighbour.
        "other_cpu_percent": round(
            machine_busy * (info["cores"] or 1)
            - sum(server_use["cpu_percent"])
            - sum(load_use["cpu_percent"])
            - (redis_percent or 0)
            - (sum(pg_use["cpu_percent"]) if pg_use else 0)
            - (sum(balancer_use["cpu_percent"]) if balancer_use else 0),
            1,
        ),
    }


def start_profiler(pid: int, duration: float, out: str) -> subprocess.Popen:
    """py-spy sampling the server process while the load runs (only the thread holding the GIL,
    so the samples add up to the process's Python CPU time), as collapsed stacks for flame graphs."""
    spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, int(duration - 1))),
            "--rate",
            "200",
            "--gil",
            "--nonblocking",
            "--format",
            "raw",
            "--output",
            out,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_profiler(profiler: subprocess.Popen) -> None:
    try:
        _, errors = profiler.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        profiler.kill()
        return
    if profiler.returncode != 0:
        print(f"py-spy failed ({profiler.returncode}): {errors[-500:]}")


def expect(proc: subprocess.Popen, word: str) -> str:
    line = proc.stdout.readline()
    if not line.startswith(word):
        raise RuntimeError(f"load generator {proc.pid} said {line[:200]!r} instead of {word!r}")
    return line[len(word) :].strip()


def print_report(result: dict[str, Any]) -> None:
    relay = result.get("relay")
    if relay:
        r = result["ratios"]
        print(
            "Storming / reference relay, same run: "
            + ", ".join(f"{name} {fmt_ratio(r[key])}" for key, name in RATIO_NAMES)
            + f"; lost {result['lost']} / {relay['lost']}"
        )
    harness.print_machine(result["machine"])
    print("--- Storming ---" if relay else "", end="\n" if relay else "")
    print_figures(result)
    if relay:
        print("--- reference relay (stores and checks nothing) ---")
        print_figures(relay)


RATIO_NAMES = (("p50", "event p50"), ("p99", "event p99"), ("cpu_ms_per_op", "server CPU per op"))


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def print_figures(result: dict[str, Any]) -> None:
    s = result["settings"]
    if result["services"]:
        print(f"services: {result['services']}")
    where = (
        f"{s['servers']} Daphne process(es)"
        + (" behind HAProxy" if s.get("balancer") else "")
        + f", layer {s['layer']}, database {s['database']}"
        if result.get("target", "storming") == "storming"
        else "one node process"
    )
    print(
        f"setup: {s['clients']} clients"
        + (
            f" on {s['boards']} boards, {s['rate']} ops/s per board"
            if s.get("boards", 1) > 1
            else f", {s['rate']} ops/s in total"
        )
        + f", cursors {s['cursor_hz']} Hz each, {s['duration']} s; {where}, {s['workers']} load generator process(es)"
        + (f"; each server capped at {s['cpu_cap']:g} of a core" if s.get("cpu_cap") else "")
    )
    print(f"sent:    {result['ops_sent']} ops ({result['ops_per_second']} ops/s), {result['events']} events")
    print(f"events:  {harness.fmt_ms(result['events_latency_ms'])}")
    received = result.get("cursor_positions_received_percent")
    print(
        f"cursors: {harness.fmt_ms(result['cursor_latency_ms'])}"
        + (f"; {received} % of the positions sent reached the others" if received is not None else "")
    )
    if result["ack_latency_ms"]["n"]:
        print(f"acks:    {harness.fmt_ms(result['ack_latency_ms'])}")
    print(
        f"lost {result['lost']}, out of order {result['out_of_order']}, duplicates {result['duplicates']}, "
        f"unacked {result['unacked']}, rejected {result['rejected']}"
    )
    server = result["server"]
    print(
        f"server CPU {server['cpu_percent']} % (per process), {result['cpu_ms_per_op']} ms of server CPU per op, "
        f"RSS {server['rss_mb']} MB"
    )
    extra = [f"load generator CPU {result['load_generator']['cpu_percent']} %"]
    if result["redis_cpu_percent"] is not None:
        extra.append(f"Redis CPU {result['redis_cpu_percent']} %")
    if result["postgres_cpu_percent"] is not None:
        extra.append(f"PostgreSQL CPU {result['postgres_cpu_percent']} %")
    if result.get("balancer_cpu_percent") is not None:
        extra.append(f"HAProxy CPU {result['balancer_cpu_percent']} %")
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
    p.add_argument(
        "--against-relay",
        action="store_true",
        help="then run the same load against the reference relay (excalidraw-room's core on socket.io; "
        "needs node and npm) and print both, and Storming's figures over the relay's",
    )
    p.add_argument(
        "--balancer",
        action="store_true",
        help="clients connect through HAProxy with deploy/haproxy.cfg in front of the server(s), "
        "which pins each board to one process",
    )
    p.add_argument("--relay-script", help="the relay's relay_room.mjs (default: shared/bench/ beside the repository)")
    p.add_argument(
        "--profile",
        metavar="FILE",
        help="sample the (first) server process with py-spy during the load; collapsed stacks to FILE",
    )
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
