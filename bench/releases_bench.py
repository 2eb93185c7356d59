"""Releases: what judging a board against its latest release costs, on the export benchmark's board.

The checks endpoint does it once per board change and process (then serves it from its cache), the
export panel once per look. No target in the issue; this prints the figures and the machine.

    .venv/bin/python bench/releases_bench.py [--stickies 1000] [--database sqlite|postgres] [--smoke]
"""

from __future__ import annotations

import argparse
import statistics
import time

from export_bench import generated_board
from harness import bench_database, django_on, machine, print_machine


def board_file(stickies: int) -> dict:
    """The export benchmark's board, laid out so that it can be drawn through ops."""
    board = generated_board(stickies)
    for i, frame in enumerate(board["frames"]):
        frame.update(x=(i % 10) * 2000.0, y=(i // 10) * 1500.0, w=1800.0, h=1300.0)
    for i, note in enumerate(board["notes"]):
        note.update(x=(i % 40) * 200.0, y=(i // 40) * 150.0)
    return board


def median_ms(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stickies", type=int, default=1000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="a small board, to check the script runs")
    args = parser.parse_args()
    if args.smoke:
        args.stickies, args.repeat = 100, 2
    print_machine(machine())
    with bench_database(args.database) as database, django_on(database):
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from boards import store
        from boards.export import parse_options, releases, render_files
        from boards.store import OpRequest, apply_ops

        board = store.create_board("Releases bench", board_file(args.stickies))
        releases.create(str(board.id), "v1")
        event = next(n for n in store.snapshot(board.id)["notes"] if n["kind"] == "event")
        fields = [*event["fields"], {"name": "coupon", "type": "string", "required": True}]
        apply_ops(board.id, [OpRequest("note.update", {"id": event["id"], "fields": fields}, op_id="bench")])
        board.refresh_from_db()
        snapshot = store.snapshot(board.id)
        options = parse_options({}, board.name)
        print(f"board: {len(snapshot['notes'])} stickies, {len(snapshot['frames'])} frames, seq {board.seq}")

        def forget() -> None:
            releases._released_cache.clear()

        first = median_ms(lambda: (forget(), releases.breaking_findings(str(board.id), snapshot)), args.repeat)
        cached = median_ms(lambda: releases.breaking_findings(str(board.id), snapshot), args.repeat)
        compare = median_ms(lambda: releases.compare_with(board, snapshot, options, 1, "BACKWARD"), args.repeat)
        export = median_ms(lambda: render_files(releases.plan_with_releases(board, snapshot, options)), args.repeat)
        print(f"breaking findings, release not yet cached: median {first:.0f} ms")
        print(f"breaking findings, release cached (each board change): median {cached:.0f} ms")
        print(f"compatibility endpoint's work, with the pinned list: median {compare:.0f} ms")
        print(f"export files with versions and changelog: median {export:.0f} ms")


if __name__ == "__main__":
    main()
