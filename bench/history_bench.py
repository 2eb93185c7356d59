"""Time travel: how long the board at a past seq takes to rebuild, on a 10,000-event log.

Target (issue 6): any point rebuilds in under 200 ms. Prints the machine, then per-seq medians.

    .venv/bin/python bench/history_bench.py [--events 10000] [--database sqlite|postgres] [--smoke]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid

from harness import bench_database, django_on, machine, print_machine


def build_log(board_id: str, events: int) -> None:
    from boards.store import OpRequest, apply_ops

    rng = random.Random(3)
    notes: list[str] = []
    batch: list[OpRequest] = []
    for i in range(events):
        if len(notes) < 50 or rng.random() < 0.3:
            note = str(uuid.uuid4())
            notes.append(note)
            data = {
                "id": note,
                "kind": "event",
                "text": f"Event {i}",
                "x": rng.uniform(0, 8000),
                "y": rng.uniform(0, 3000),
            }
            batch.append(OpRequest("note.create", data, op_id=str(uuid.uuid4()), actor="bench"))
        else:
            data = {"id": rng.choice(notes), "x": rng.uniform(0, 8000), "y": rng.uniform(0, 3000)}
            batch.append(OpRequest("note.update", data, op_id=str(uuid.uuid4()), actor="bench"))
        if len(batch) == 100:
            apply_ops(board_id, batch)
            batch = []
    if batch:
        apply_ops(board_id, batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="a small log, to check the script runs")
    args = parser.parse_args()
    if args.smoke:
        args.events, args.repeat = 700, 2
    print_machine(machine())
    with bench_database(args.database) as database, django_on(database):
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.conf import settings

        from boards import store
        from boards.models import Board

        board = Board.objects.create(name="History bench")
        started = time.perf_counter()
        build_log(str(board.id), args.events)
        board.refresh_from_db()
        print(
            f"log: {board.seq} events written in {time.perf_counter() - started:.1f} s, "
            f"{board.snapshots.count()} stored snapshots (at least {settings.STORMING_SNAPSHOT_EVERY} events apart)"
        )
        worst = 0.0
        print(f"{'seq':>8} {'median ms':>10} {'max ms':>8}")
        for seq in sorted(
            {1, board.seq // 4, board.seq // 2 + 137, board.seq - 1, board.seq, settings.STORMING_SNAPSHOT_EVERY - 1}
        ):
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                store.snapshot(board.id, at=seq)
                times.append((time.perf_counter() - started) * 1000)
            worst = max(worst, statistics.median(times))
            print(f"{seq:>8} {statistics.median(times):>10.1f} {max(times):>8.1f}")
        verdict = "met" if worst < 200 else "NOT met"
        print(f"worst median {worst:.1f} ms; target < 200 ms: {verdict}")


if __name__ == "__main__":
    main()
