"""Export benchmark (issue 3): a generated board of 1,000 stickies in 10 contexts, exported to a
ZIP; prints the median and the machine. Target: under 2 s median.

    .venv/bin/python bench/export_bench.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from boards.export import build_zip, parse_options, plan_export, render_files  # noqa: E402

KINDS = ("event", "event", "event", "command", "command", "policy", "read_model", "actor",
         "external_system", "hotspot")  # fmt: skip
TYPES = ("string", "integer", "uuid", "timestamp", "decimal", "boolean", "date", "number")


def generated_board(stickies: int = 1000, contexts: int = 10, aggregates: int = 4) -> dict:
    frames, notes, links = [], [], []
    for c in range(contexts):
        frames.append({"id": f"c{c}", "kind": "bounded_context", "name": f"Context {c}", "context": None})
        for a in range(aggregates):
            frames.append({"id": f"c{c}a{a}", "kind": "aggregate", "name": f"Aggregate {a}", "context": f"c{c}"})
    last: dict[str, str] = {}
    for i in range(stickies):
        c, a, kind = i % contexts, (i // contexts) % aggregates, KINDS[i % len(KINDS)]
        fields = [{"name": f"field {f}", "type": TYPES[(i + f) % len(TYPES)], "required": f % 2 == 0,
                   "doc": ""} for f in range(6)] if kind in ("event", "command") else []  # fmt: skip
        in_aggregate = kind in ("event", "command")
        notes.append({
            "id": f"n{i}", "kind": kind, "text": f"{kind.replace('_', ' ').title()} {i}",
            "aggregate": f"c{c}a{a}" if in_aggregate else None, "context": f"c{c}", "fields": fields,
        })  # fmt: skip
        # command -> event -> policy -> command chains, as a modelled board has them.
        if kind == "event" and "command" in last:
            links.append({"id": f"l{i}a", "from": last["command"], "to": f"n{i}"})
        if kind == "policy" and "event" in last:
            links.append({"id": f"l{i}b", "from": last["event"], "to": f"n{i}"})
        if kind == "command" and "policy" in last:
            links.append({"id": f"l{i}c", "from": last["policy"], "to": f"n{i}"})
        last[kind] = f"n{i}"
    return {"id": "bench", "name": "Bench", "seq": 1, "notes": notes, "frames": frames, "links": links}


def export_once(board: dict) -> tuple[float, int, int]:
    start = time.perf_counter()
    plan = plan_export(board, parse_options({}, board["name"]))
    files = render_files(plan)
    data = build_zip(files, plan.options.package_name)
    return time.perf_counter() - start, len(files), len(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    board = generated_board()
    export_once(board)  # warm-up: imports, template reads
    times, files, size = [], 0, 0
    for _ in range(args.runs):
        seconds, files, size = export_once(board)
        times.append(seconds)
    median = statistics.median(times)
    print(f"machine: {platform.machine()} {platform.processor() or ''} cores={os.cpu_count()} "
          f"python={platform.python_version()} {platform.system()} {platform.release()}")  # fmt: skip
    print(
        f"board: {len(board['notes'])} stickies, 10 contexts, {len(board['frames'])} frames, {len(board['links'])} links"
    )
    print(f"export: {files} files, zip {size / 1024:.0f} KiB")
    print(f"runs={args.runs} median={median:.3f}s min={min(times):.3f}s max={max(times):.3f}s (target < 2 s)")
    return 0 if median < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
