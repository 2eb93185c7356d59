"""Join: how long a person waits between opening a board's socket and holding its snapshot.

Run: .venv/bin/python bench/join.py [--sizes 500,2000,5000] [--joins 20] [--database sqlite|postgres]

For each board size a real Daphne process serves the board and a client (this process) opens a
socket, sends hello and waits for the snapshot, `--joins` times. Figures per size:
- connect: the WebSocket handshake;
- server: hello sent to the last byte of the snapshot frame received (the server's work plus
  loopback transfer; the target is p50 <= 50 ms at 2,000 stickies);
- parse: the client's JSON decoding of the snapshot (what a browser does before drawing);
- the first join after the server starts is "cold" (the board is read from the database), the
  rest are "warm" (this process already holds the board in memory).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


async def one_join(url: str) -> dict[str, float]:
    from websockets.asyncio.client import connect

    started = time.perf_counter()
    async with connect(url, max_size=2**28, compression=None, open_timeout=60) as socket:
        opened = time.perf_counter()
        await socket.send(json.dumps({"type": "hello", "protocol": 2, "since": 0, "name": "Joiner"}))
        while True:
            raw = await socket.recv()
            if raw.startswith('{"type":"snapshot"'):
                break
        received = time.perf_counter()
        board = json.loads(raw)["board"]
        parsed = time.perf_counter()
    return {
        "connect_ms": (opened - started) * 1000,
        "server_ms": (received - opened) * 1000,
        "parse_ms": (parsed - received) * 1000,
        "total_ms": (parsed - started) * 1000,
        "bytes": len(raw.encode()),
        "notes": len(board["notes"]),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    info = harness.machine()
    sizes = [int(s) for s in args.sizes.split(",")]
    boards: dict[int, tuple[str, str]] = {}
    rows = []
    with harness.bench_database(args.database) as database:
        harness.migrate(harness.server_env(database))
        for size in sizes:
            started = time.perf_counter()
            boards[size] = harness.create_large_board(database, size)
            print(f"built a board of {size} stickies in {time.perf_counter() - started:.1f} s", flush=True)
        # A fresh server, so that the first join of each board is cold.
        with harness.running_servers(database, "inmemory") as (server,):
            for size in sizes:
                board, key = boards[size]
                url = f"{server.ws_url}/ws/boards/{board}/?key={key}"
                try:
                    joins = [asyncio.run(one_join(url)) for _ in range(args.joins + 1)]
                except Exception as exc:  # e.g. a snapshot larger than the server lets a frame be
                    rows.append({"stickies": size, "error": f"{type(exc).__name__}: {exc}"[:300]})
                    continue
                cold, warm = joins[0], joins[1:]
                assert all(j["notes"] == size for j in joins), "a snapshot missed stickies"
                rows.append(
                    {
                        "stickies": size,
                        "snapshot_kb": round(cold["bytes"] / 1024, 1),
                        "cold_server_ms": round(cold["server_ms"], 1),
                        "connect_ms": harness.summary([j["connect_ms"] for j in warm]),
                        "server_ms": harness.summary([j["server_ms"] for j in warm]),
                        "parse_ms": harness.summary([j["parse_ms"] for j in warm]),
                        "total_ms": harness.summary([j["total_ms"] for j in warm]),
                    }
                )
            rss = harness.rss_mb(server.process.pid)
    return {
        "benchmark": "join",
        "machine": info,
        "services": harness.service_versions(args.database, "inmemory"),
        "settings": {"sizes": sizes, "joins": args.joins, "database": args.database},
        "sizes": rows,
        "server_rss_mb": round(rss, 1),
    }


def print_report(result: dict[str, Any]) -> None:
    harness.print_machine(result["machine"])
    if result["services"]:
        print(f"services: {result['services']}")
    s = result["settings"]
    print(f"setup: {s['joins']} warm joins per board after one cold join, database {s['database']}, 1 Daphne process")
    print(
        f"{'stickies':>8} {'snapshot':>9} {'cold':>8} {'server p50':>11} {'p95':>7} {'connect':>8} {'parse':>7} {'total':>7}"
    )
    for row in result["sizes"]:
        if "error" in row:
            print(f"{row['stickies']:>8} FAILED: {row['error']}")
            continue
        print(
            f"{row['stickies']:>8} {row['snapshot_kb']:>7.0f}KB {row['cold_server_ms']:>6.1f}ms "
            f"{row['server_ms']['p50']:>9.1f}ms {row['server_ms']['p95']:>5.1f}ms "
            f"{row['connect_ms']['p50']:>6.1f}ms {row['parse_ms']['p50']:>5.1f}ms {row['total_ms']['p50']:>5.1f}ms"
        )
    print(f"server RSS after all joins: {result['server_rss_mb']} MB")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="500,2000,5000", help="stickies per board, comma-separated")
    p.add_argument("--joins", type=int, default=20)
    p.add_argument("--database", default="sqlite", choices=("sqlite", "postgres"))
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--smoke", action="store_true", help="one small board, three joins")
    return p


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    if args.smoke:
        args.sizes, args.joins = "200", 3
    return harness.run_and_report(run, print_report, args)


if __name__ == "__main__":
    main(sys.argv[1:])
