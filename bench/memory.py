"""Memory: what a 5,000-sticky board with 50 people on it costs the server, above idle.

Run: .venv/bin/python bench/memory.py [--stickies 5000] [--clients 50] [--duration 10]

One Daphne process starts and serves one HTTP request (idle RSS is read then). The board is
built, 50 clients join it (each receives the whole snapshot) and then work on it as in
bench/fanout.py: 100 ops/s in total and cursors at 20 Hz each. RSS is sampled every 100 ms; the
figure is the peak above idle (target: under 200 MB) and what is left at the end.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fanout  # noqa: E402
import harness  # noqa: E402


class PeakRss:
    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self.done.wait(0.1):
            self.peak = max(self.peak, harness.rss_mb(self.pid))

    def __enter__(self) -> PeakRss:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()


def run(args: argparse.Namespace) -> dict[str, Any]:
    info = harness.machine()
    with harness.bench_database(args.database) as database:
        harness.migrate(harness.server_env(database))
        board, key = harness.create_large_board(database, args.stickies)
        with harness.running_servers(database, "inmemory") as servers:
            pid = servers[0].process.pid
            harness.http_json(f"{servers[0].url}/api/boards/")
            time.sleep(0.5)
            idle = harness.rss_mb(pid)
            load = argparse.Namespace(
                clients=args.clients,
                rate=args.rate,
                cursor_hz=args.cursor_hz,
                duration=args.duration,
                servers=1,
                layer="inmemory",
                database=args.database,
                workers=args.workers,
            )
            with PeakRss(pid) as peak:
                work = fanout.drive(load, servers, board, key, info)
            end = harness.rss_mb(pid)
    return {
        "benchmark": "memory",
        "machine": info,
        "settings": {
            "stickies": args.stickies,
            "clients": args.clients,
            "duration": args.duration,
            "rate": args.rate,
            "database": args.database,
        },
        "idle_rss_mb": round(idle, 1),
        "peak_rss_mb": round(peak.peak, 1),
        "end_rss_mb": round(end, 1),
        "peak_growth_mb": round(peak.peak - idle, 1),
        "end_growth_mb": round(end - idle, 1),
        "events_latency_ms": work["events_latency_ms"],
        "lost": work["lost"],
        "out_of_order": work["out_of_order"],
        "rejected": work["rejected"],
    }


def print_report(result: dict[str, Any]) -> None:
    harness.print_machine(result["machine"])
    s = result["settings"]
    print(
        f"setup: a board of {s['stickies']} stickies, {s['clients']} clients joining and working for "
        f"{s['duration']} s ({s['rate']} ops/s), database {s['database']}, 1 Daphne process"
    )
    print(f"server RSS idle {result['idle_rss_mb']} MB, peak {result['peak_rss_mb']} MB, end {result['end_rss_mb']} MB")
    print(f"growth above idle: peak {result['peak_growth_mb']} MB, end {result['end_growth_mb']} MB (target < 200 MB)")
    print(f"events while measuring: {harness.fmt_ms(result['events_latency_ms'])}")
    print(f"lost {result['lost']}, out of order {result['out_of_order']}, rejected {result['rejected']}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stickies", type=int, default=5000)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--rate", type=float, default=100.0)
    p.add_argument("--cursor-hz", type=float, default=20.0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--database", default="sqlite", choices=("sqlite", "postgres"))
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--smoke", action="store_true", help="500 stickies, 5 clients, 2 seconds")
    return p


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    if args.smoke:
        args.stickies, args.clients, args.duration, args.workers = 500, 5, 2.0, 1
    return harness.run_and_report(run, print_report, args)


if __name__ == "__main__":
    main(sys.argv[1:])
