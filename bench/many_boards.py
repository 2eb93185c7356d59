"""Many boards at once: 20 boards of 15 people each, on one process or on two behind Redis.

Run: .venv/bin/python bench/many_boards.py [--boards 20] [--people 15] [--rates 1,2,5,10]
     [--setups 1:inmemory,2:pubsub] [--cursor-hz 0] [--duration 10] [--database sqlite|postgres]

For each set-up (`processes:layer`) and each rate (persisted ops a second on every board), runs
the fan-out load of bench/fanout.py on all boards at once and reports event latency (at every
other person on the same board), lost and out-of-order events, and server CPU per op. Two
processes sit behind the real HAProxy with deploy/haproxy.cfg, as deployed: each board lands on
one process, and boards spread over both (--no-balancer alternates people between processes
instead, so every board is split and Redis carries its events).

The capacity of a set-up is the largest total ops/s (all boards) whose p99 stays within
--p99-limit ms with nothing lost.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fanout  # noqa: E402
import harness  # noqa: E402


def measure(setup: str, args: argparse.Namespace, info: dict[str, Any]) -> list[dict[str, Any]]:
    count, layer = setup.split(":")
    servers_wanted = int(count)
    rows = []
    with harness.bench_database(args.database) as database:
        with harness.running_servers(database, layer, servers_wanted) as servers:
            boards = [harness.create_empty_board(servers[0], f"Workshop {b}") for b in range(args.boards)]
            with contextlib.ExitStack() as stack:
                balancer = None
                if servers_wanted > 1 and args.balancer:
                    balancer = stack.enter_context(harness.balancer_in_front(servers))
                entries = [balancer] if balancer else servers
                clients = []
                for b, (board, key) in enumerate(boards):
                    for person in range(args.people):
                        n = b * args.people + person
                        entry = entries[n % len(entries)]
                        clients.append((n, f"{entry.ws_url}/ws/boards/{board}/?key={key}", board))
                pids = [s.process.pid for s in servers]
                spread = boards_per_process(balancer, boards) if balancer else None
                if spread:
                    print(f"  {setup} via HAProxy: boards per process {spread}", flush=True)
                for rate in args.rates:
                    load_args = argparse.Namespace(
                        rate=rate,
                        cursor_hz=args.cursor_hz,
                        duration=args.duration,
                        workers=args.workers,
                        database=args.database,
                        layer=layer,
                        stickies=0,
                        cpu_cap=None,
                        profile=f"{args.profile}.{count}-{layer}.{rate:g}" if args.profile else None,
                    )
                    run = fanout.load(
                        load_args,
                        "storming",
                        clients,
                        pids,
                        fanout.final_seqs(servers[0], dict(boards)),
                        info,
                        balancer,
                    )
                    row = summarise(setup, rate, run, args, bool(balancer))
                    row["boards_per_process"] = spread
                    rows.append(row)
                    print(
                        f"  {setup}{' via HAProxy' if balancer else ''}: {row['ops_per_second']:.0f} ops/s "
                        f"({rate:g} per board): p50 {row['p50']:.1f} p99 {row['p99']:.1f} ms, lost {row['lost']}, "
                        f"out of order {row['out_of_order']}, server CPU {row['server_cpu_percent']} %, "
                        f"{row['cpu_ms_per_op']} ms/op, others took {row['other_cpu_percent']:.0f} % of a core",
                        flush=True,
                    )
    return rows


def boards_per_process(balancer: Any, boards: list[tuple[str, str]]) -> dict[str, int]:
    """Where HAProxy put each board: it names the process in a header (deploy/haproxy.cfg)."""
    import urllib.request

    spread: dict[str, int] = {}
    for board, key in boards:
        request = urllib.request.Request(
            f"{balancer.url}/api/boards/{board}/", headers={"Authorization": f"Bearer {key}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            name = response.headers.get("X-Storming-Server", "?")
        spread[name] = spread.get(name, 0) + 1
    return dict(sorted(spread.items()))


def summarise(setup: str, rate: float, run: dict[str, Any], args: argparse.Namespace, balanced: bool) -> dict[str, Any]:
    events = run["events_latency_ms"]
    return {
        "setup": setup,
        "balancer": balanced,
        "rate_per_board": rate,
        "ops_per_second": run["ops_per_second"],
        "p50": events["p50"],
        "p99": events["p99"],
        "deliveries": events["n"],
        "cursor_p99": run["cursor_latency_ms"]["p99"],
        "lost": run["lost"],
        "out_of_order": run["out_of_order"],
        "rejected": run["rejected"],
        "server_cpu_percent": run["server"]["cpu_percent"],
        "cpu_ms_per_op": run["cpu_ms_per_op"],
        "load_generator_cpu_percent": run["load_generator"]["cpu_percent"],
        "redis_cpu_percent": run["redis_cpu_percent"],
        "balancer_cpu_percent": run.get("balancer_cpu_percent"),
        "other_cpu_percent": run["other_cpu_percent"],
        "errors": run["errors"],
    }


def capacity(rows: list[dict[str, Any]], limit: float) -> dict[str, Any] | None:
    good = [r for r in rows if r["p99"] <= limit and r["lost"] == 0]
    return max(good, key=lambda r: r["ops_per_second"]) if good else None


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--boards", type=int, default=20)
    p.add_argument("--people", type=int, default=15, help="people (sockets) on each board")
    p.add_argument("--rates", default="1,2,5,10", help="persisted ops a second on each board, comma-separated")
    p.add_argument("--setups", default="1:inmemory,2:pubsub", help="processes:layer, comma-separated")
    p.add_argument("--cursor-hz", type=float, default=0.0, help="cursor moves a second, per person")
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--workers", type=int, default=2, help="load generator processes")
    p.add_argument("--database", default="sqlite", choices=("sqlite", "postgres"))
    p.add_argument("--p99-limit", type=float, default=100.0)
    p.add_argument(
        "--no-balancer",
        dest="balancer",
        action="store_false",
        help="two processes without HAProxy: people alternate between them, so every board is split",
    )
    p.add_argument(
        "--profile",
        metavar="PREFIX",
        help="sample the first server process with py-spy during each rate: PREFIX.<set-up>.<rate>",
    )
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--smoke", action="store_true", help="2 boards of 3 people, one rate, 2 s: to check it works")
    args = p.parse_args(argv)
    if args.smoke:
        args.boards, args.people, args.rates, args.duration, args.workers = 2, 3, "2", 2.0, 1
    args.rates = [float(r) for r in args.rates.split(",")]
    if min(args.rates) <= 0:
        raise SystemExit("--rates are ops a second on each board, each above 0")
    info = harness.machine()
    harness.print_machine(info)
    print(
        f"{args.boards} boards of {args.people} people, cursors {args.cursor_hz:g} Hz, {args.duration:g} s per rate, "
        f"database {args.database}, {args.workers} load generator processes"
    )
    rows = []
    for setup in args.setups.split(","):
        rows += measure(setup, args, info)
    print(
        f"{'set-up':>12} {'ops/s':>7} {'p50':>7} {'p99':>7} {'lost':>5} {'ooo':>5} {'CPU ms/op':>9} {'server CPU %':>14}"
    )
    for r in rows:
        print(
            f"{r['setup']:>12} {r['ops_per_second']:>7.0f} {r['p50']:>7.1f} {r['p99']:>7.1f} {r['lost']:>5} "
            f"{r['out_of_order']:>5} {r['cpu_ms_per_op']:>9} {str(r['server_cpu_percent']):>14}"
        )
    capacities = {}
    for setup in args.setups.split(","):
        best = capacity([r for r in rows if r["setup"] == setup], args.p99_limit)
        capacities[setup] = best
        if best:
            print(
                f"capacity of {setup} (p99 <= {args.p99_limit:g} ms, nothing lost): {best['ops_per_second']:.0f} ops/s "
                f"in all, {best['cpu_ms_per_op']} ms of server CPU per op"
            )
        else:
            print(f"capacity of {setup}: no rate met p99 <= {args.p99_limit:g} ms with nothing lost")
    result = {
        "benchmark": "many_boards",
        "machine": info,
        "settings": {k: v for k, v in vars(args).items() if k != "json"},
        "rows": rows,
        "capacity": capacities,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
