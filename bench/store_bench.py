"""The store on its own: CPU time per batch of `apply_ops`, as a board's room calls it.

At 100 ops/s a batch holds one op, or a few when commits queue up; a room keeps the board's state
cached and every op carries its link's key. This times exactly that, without sockets: the CPU
time of this process (Python, and SQLite, which runs in it; for PostgreSQL the server's share is
not counted) and the wall time, per batch, median of --repeat rounds. CPU time moves much less
than latency on a shared machine, so it tells what a change to the store buys.

    .venv/bin/python bench/store_bench.py [--batches 2000] [--database sqlite|postgres] [--json FILE] [--smoke]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
import uuid

from harness import bench_database, django_on, machine, print_machine

NOTES = 50
MOVES = itertools.count(1)  # every move goes somewhere new, so every op makes an event


def run_batches(board_id: str, key: str, notes: list[str], batches: int, size: int) -> tuple[float, float]:
    """CPU and wall milliseconds per batch of `size` moves."""
    from boards.store import CachedState, OpRequest, apply_ops

    cache = CachedState()
    apply_ops(board_id, [], cache)  # the room's cache is warm after its first batch
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(batches):
        ops = [
            OpRequest(
                "note.update",
                {"id": notes[(i * size + j) % NOTES], "x": float(next(MOVES)), "y": float(j)},
                op_id=str(uuid.uuid4()),
                actor="bench",
                author="bench",
                key=key,
            )
            for j in range(size)
        ]
        apply_ops(board_id, ops, cache)
    return (time.process_time() - cpu) * 1000 / batches, (time.perf_counter() - wall) * 1000 / batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--smoke", action="store_true", help="a few batches, to check the script runs")
    args = parser.parse_args()
    if args.smoke:
        args.batches, args.repeat = 50, 1
    info = machine()
    print_machine(info)
    figures: dict = {"benchmark": "store", "machine": info, "database": args.database, "rows": []}
    with bench_database(args.database) as database, django_on(database):
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from boards.models import Board
        from boards.store import OpRequest, apply_ops

        board = Board.objects.create(name="Store bench")
        notes = [str(uuid.uuid4()) for _ in range(NOTES)]
        apply_ops(board.id, [OpRequest("note.create", {"id": n, "kind": "event", "x": 0, "y": 0}) for n in notes])
        print(f"database {args.database}; {args.batches} batches per round, median of {args.repeat} rounds")
        print(f"{'ops per batch':>14} {'CPU ms/batch':>13} {'CPU ms/op':>10} {'wall ms/batch':>14}")
        for size in (1, 10):
            rounds = [run_batches(str(board.id), board.edit_key, notes, args.batches, size) for _ in range(args.repeat)]
            cpu = statistics.median(r[0] for r in rounds)
            wall = statistics.median(r[1] for r in rounds)
            print(f"{size:>14} {cpu:>13.3f} {cpu / size:>10.3f} {wall:>14.3f}")
            figures["rows"].append({"ops_per_batch": size, "cpu_ms_per_batch": cpu, "wall_ms_per_batch": wall})
        board.refresh_from_db()
        # Every op was a move of an existing note: one event each, none refused, seq without gaps.
        figures["ops"] = len(notes) + args.repeat * args.batches * 11
        figures["seq"] = board.seq
        figures["events"] = board.events.count()
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2)


if __name__ == "__main__":
    main()
