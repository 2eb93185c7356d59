"""Soak: 50 clients on one server for 10 minutes, honest and not, and whether memory stays flat.

Run: .venv/bin/python bench/soak.py [--minutes 10] [--clients 50] [--boards 5]

One Daphne process serves a few boards. Most clients are honest editors: an op every second or
so, each answered before the next, reconnecting now and then (resending what was not answered,
as the page does); each draws 20 stickies and then keeps moving them, so the boards stop growing. Mixed in: slow readers that connect, send hello and then read nothing for half
a minute; cursor flooders (thousands of frames a second, closed by the server, back after a
pause); sync flooders that never read. Every 10 s it prints the server's RSS, ops acked and
pending, and the live registries' sizes (rooms, sockets, budgets) that the server reports.

At the end every acked op must show on its board: each sticky there, where its last acked op put it (lost: 0) and RSS at the end must be near RSS after
the first minute (flat).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import websockets  # noqa: E402

from tests.live.wire import RawSocket  # noqa: E402


class Editor:
    """An honest participant: one op at a time, each resent after a reconnect until answered.

    It draws up to STICKIES stickies, then keeps moving them, so the boards stop growing and
    memory can be seen to stay flat. It remembers where each of its stickies was last acked.
    """

    STICKIES = 20

    def __init__(self, url: str, name: str, rng: random.Random):
        self.url, self.name, self.rng = url, name, rng
        self.token: str | None = None
        self.acked: dict[str, float] = {}  # sticky id -> x of its last acked op
        self.acks = 0
        self.rejected: dict[str, int] = {}
        self.reconnects = 0
        self.owed: dict[str, Any] | None = None  # the op sent and not answered yet

    def next_op(self) -> dict[str, Any]:
        x = float(self.rng.randrange(0, 5000))
        if len(self.acked) < self.STICKIES:
            note = str(uuid.uuid4())
            op, data = "note.create", {"id": note, "kind": "event", "text": f"{self.name} {note[:6]}", "x": x, "y": 0}
        else:
            op, data = "note.update", {"id": self.rng.choice(list(self.acked)), "x": x}
        return {"type": "op", "op_id": str(uuid.uuid4()), "op": op, "data": data}

    async def run(self, until: float) -> None:
        while time.monotonic() < until:
            try:
                async with websockets.connect(self.url, max_size=2**25, open_timeout=20) as socket:
                    # The identity the server issued, kept across reconnects with its token (as the page does).
                    hello = {"type": "hello", "protocol": 2, "since": 0, "name": self.name, "token": self.token}
                    await socket.send(json.dumps(hello))
                    reconnect_at = time.monotonic() + self.rng.uniform(30, 120)
                    while time.monotonic() < min(until, reconnect_at):
                        self.owed = self.owed or self.next_op()
                        await socket.send(json.dumps(self.owed))
                        await self.answer(socket)
                        await asyncio.sleep(self.rng.uniform(0.5, 1.5))
            except (OSError, websockets.ConnectionClosed, TimeoutError):
                await asyncio.sleep(1)
            self.reconnects += 1

    async def answer(self, socket: Any) -> None:
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), 30))
            if frame["type"] == "welcome":
                self.token = frame["token"]
            if frame.get("op_id") != self.owed["op_id"] or frame["type"] not in ("ack", "reject"):
                continue
            if frame["type"] == "ack":
                self.acked[self.owed["data"]["id"]] = self.owed["data"]["x"]
                self.acks += 1
                self.owed = None
            else:
                code = frame["error"]["code"]
                self.rejected[code] = self.rejected.get(code, 0) + 1
                if code not in ("rate_limited", "unavailable"):
                    self.owed = None  # a final no; the same op again would be refused again
            return


async def slow_reader(host: str, port: int, path: str, until: float) -> int:
    """Says hello and reads nothing for 30 s, again and again."""
    rounds = 0
    while time.monotonic() < until:
        try:
            raw = await asyncio.to_thread(RawSocket, host, port, path)
            raw.send({"type": "hello", "protocol": 2, "since": 0, "name": "Slow reader"})
            await asyncio.sleep(min(30, max(0, until - time.monotonic())))
            raw.close()
            rounds += 1
        except OSError:
            await asyncio.sleep(1)
    return rounds


def flood_once(host: str, port: int, path: str, until: float, kind: str) -> str:
    """One flooding connection, until the server closes it (or time is up); how it ended.

    Blocking writes, so it runs in a thread of its own: a server that stops reading a flooder
    must not stall the honest clients' event loop.
    """
    raw = RawSocket(host, port, path)
    raw.send({"type": "hello", "protocol": 2, "since": 0, "name": f"{kind} flood"})
    frame = {"type": "cursor", "x": 1, "y": 1} if kind == "cursor" else {"type": "sync", "since": 0}
    try:
        while time.monotonic() < until:
            for _ in range(200):
                raw.send(frame)
            time.sleep(0.01 if kind == "cursor" else 1)  # about 20,000 cursor frames a second; 200 syncs
        return "time up"
    except OSError:
        return "closed by the server"
    finally:
        raw.close()


async def flooder(host: str, port: int, path: str, until: float, kind: str) -> int:
    """Floods, reading nothing; back 5 s after each close. Returns how often it was closed."""
    closes = 0
    while time.monotonic() < until:
        try:
            ended = await asyncio.to_thread(flood_once, host, port, path, until, kind)
            closes += ended != "time up"
        except OSError:
            pass  # could not connect
        await asyncio.sleep(5)
    return closes


def read_board(url: str, key: str) -> dict[str, Any]:
    """The board's snapshot; reading it needs one of its keys."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def live_stats(log: Path) -> dict[str, int]:
    """The last registry sizes the server wrote (STORMING_LIVE_STATS_SECONDS)."""
    found = re.findall(r"live stats (\{.*\})", log.read_text(errors="replace")) if log.exists() else []
    return json.loads(found[-1]) if found else {}


async def soak(server: Any, boards: list[tuple[str, str, str]], args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    until = started + args.minutes * 60
    path = "/ws/boards/{}/?key={}"
    honest = args.clients - 3 * max(1, args.clients // 10)
    editors = [
        Editor(server.ws_url + path.format(board, key), f"P{i}", random.Random(i))
        for i, (board, key, _) in zip(range(honest), [boards[i % len(boards)] for i in range(honest)], strict=True)
    ]
    tasks = [asyncio.create_task(e.run(until)) for e in editors]
    others = []
    for i in range(max(1, args.clients // 10)):
        board, key, view = boards[i % len(boards)]
        others.append(asyncio.create_task(slow_reader("127.0.0.1", server.port, path.format(board, view), until)))
        others.append(asyncio.create_task(flooder("127.0.0.1", server.port, path.format(board, key), until, "cursor")))
        others.append(asyncio.create_task(flooder("127.0.0.1", server.port, path.format(board, view), until, "sync")))
    samples = []
    print(f"{'t (s)':>6} {'RSS MiB':>8} {'acked':>7} {'pending':>7}  live registries")
    while time.monotonic() < until:
        await asyncio.sleep(min(10, max(0.1, until - time.monotonic())))
        stats = live_stats(server.log_path)
        sample = {
            "t": round(time.monotonic() - started),
            "rss_mb": round(harness.rss_mb(server.process.pid), 1),
            "acked": sum(e.acks for e in editors),
            "pending": sum(e.owed is not None for e in editors),
            "live": stats,
        }
        samples.append(sample)
        print(
            f"{sample['t']:>6} {sample['rss_mb']:>8} {sample['acked']:>7} {sample['pending']:>7}  {stats}", flush=True
        )
    await asyncio.gather(*tasks, return_exceptions=True)
    floods = await asyncio.gather(*others, return_exceptions=True)
    await asyncio.sleep(6)  # rooms of boards nobody is on any more are let go
    after = live_stats(server.log_path)
    # Lost: an acked sticky that is not on its board, or not where its last acked op put it.
    acked = {note: x for e in editors for note, x in e.acked.items()}
    stored = {}
    for board, key, _ in boards:
        snapshot = await asyncio.to_thread(read_board, f"{server.url}/api/boards/{board}/", key)
        stored |= {note["id"]: note["x"] for note in snapshot["notes"]}
    rejected: dict[str, int] = {}
    for e in editors:
        for code, count in e.rejected.items():
            rejected[code] = rejected.get(code, 0) + count
    first_minute = [s["rss_mb"] for s in samples if s["t"] <= 60] or [samples[0]["rss_mb"]]
    last_minute = [s["rss_mb"] for s in samples if s["t"] >= samples[-1]["t"] - 60]
    return {
        "minutes": args.minutes,
        "clients": args.clients,
        "honest": honest,
        "samples": samples,
        "acked": sum(e.acks for e in editors),
        "lost": sum(stored.get(note) != x for note, x in acked.items()),
        "unanswered": sum(e.owed is not None for e in editors),
        "rejected": rejected,
        "reconnects": sum(e.reconnects for e in editors),
        "flood_results": [f if isinstance(f, int) else repr(f) for f in floods],
        "rss_first_minute_mb": round(statistics.mean(first_minute), 1),
        "rss_last_minute_mb": round(statistics.mean(last_minute), 1),
        "live_after": after,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    info = harness.machine()
    with harness.bench_database(args.database) as database:
        harness.migrate(harness.server_env(database))
        os.environ["STORMING_LIVE_STATS_SECONDS"] = "5"  # server_env copies it into the server's
        # Every client here comes from one address; flooders come back hundreds of times.
        os.environ["STORMING_NEW_PARTICIPANTS_PER_ADDRESS"] = "1000000"
        with harness.running_servers(database, "inmemory") as servers:
            server = servers[0]
            boards = []
            for i in range(args.boards):
                links = harness.http_json(f"{server.url}/api/boards/", {"name": f"Soak {i}", "example": "checkout"})
                boards.append((links["id"], links["keys"]["editor"], links["keys"]["viewer"]))
            time.sleep(1)
            idle = harness.rss_mb(server.process.pid)
            result = asyncio.run(soak(server, boards, args))
            result["rss_idle_mb"] = idle
    result["machine"] = info
    return result


def print_report(result: dict[str, Any]) -> None:
    harness.print_machine(result["machine"])
    print(f"{result['clients']} clients ({result['honest']} honest editors) for {result['minutes']} min on one process")
    print(
        f"RSS: idle {result['rss_idle_mb']} MiB, first minute {result['rss_first_minute_mb']} MiB, "
        f"last minute {result['rss_last_minute_mb']} MiB"
    )
    print(
        f"ops acked {result['acked']}, lost {result['lost']}, unanswered {result['unanswered']}, "
        f"rejected {result['rejected']}, editor reconnects {result['reconnects']}"
    )
    print(f"slow readers' rounds, then closes per cursor and sync flooder: {result['flood_results']}")
    print(f"live registries once everyone left: {result['live_after']}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--boards", type=int, default=5)
    p.add_argument("--database", default="sqlite", choices=("sqlite", "postgres"))
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--smoke", action="store_true", help="half a minute with 10 clients, to check it works")
    return p


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    if args.smoke:
        args.minutes, args.clients, args.boards = min(args.minutes, 0.5), min(args.clients, 10), min(args.boards, 2)
    return harness.run_and_report(run, print_report, args)


if __name__ == "__main__":
    main(sys.argv[1:])
