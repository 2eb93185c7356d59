"""What syncing every SQLite commit costs (issue 11): `synchronous=FULL` against `NORMAL`.

Each round runs, in a fresh process per mode on a fresh SQLite file beside the repository (on the
real disk, never a RAM-backed /tmp), the store's own write path: --ops ops one at a time (one
commit each, the worst case: the writer batches ops that arrive during a commit), then the same
number in batches of --batch. Prints the commit time per op and the machine; modes alternate.

    .venv/bin/python bench/sqlite_durability.py [--ops 300] [--batch 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, percentile, print_machine  # noqa: E402

CHILD = """
import json, sys, time, uuid
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import connection
from boards import store
cursor = connection.cursor(); cursor.execute("PRAGMA synchronous"); mode = cursor.fetchone()[0]
ops, batch = int(sys.argv[1]), int(sys.argv[2])
board = store.create_board("Durability")
def op(i):
    data = {"id": str(uuid.uuid4()), "kind": "event", "text": f"Order Placed {i}", "x": i * 10.0, "y": 0.0}
    return store.OpRequest(op="note.create", data=data, op_id=str(uuid.uuid4()), actor="bench")
single = []
for i in range(ops):
    started = time.perf_counter()
    [result] = store.apply_ops(board.id, [op(i)])
    assert result.ok, result.error
    single.append((time.perf_counter() - started) * 1000)
batched = []
for i in range(0, ops, batch):
    started = time.perf_counter()
    results = store.apply_ops(board.id, [op(ops + i + j) for j in range(batch)])
    assert all(r.ok for r in results)
    batched.append((time.perf_counter() - started) * 1000 / batch)
print(json.dumps({"pragma": mode, "single": single, "batched": batched}))
"""


def run_mode(mode: str, ops: int, batch: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="sqlite-durability-", dir=ROOT / "var"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="storming.settings",
        SQLITE_PATH=str(folder / "db.sqlite3"),
        STORMING_SQLITE_SYNCHRONOUS=mode,
        LOG_LEVEL="WARNING",
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(ops), str(batch)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    print_machine()
    figures: dict[str, dict[str, list[float]]] = {"NORMAL": {}, "FULL": {}}
    for round_ in range(args.rounds):
        for mode in ("NORMAL", "FULL") if round_ % 2 == 0 else ("FULL", "NORMAL"):
            result = run_mode(mode, args.ops, args.batch)
            assert result["pragma"] == {"NORMAL": 1, "FULL": 2}[mode]
            for kind in ("single", "batched"):
                figures[mode].setdefault(kind, []).extend(result[kind])
            print(
                f"round {round_ + 1} {mode:6}: one op a commit p50 {percentile(result['single'], 50):.2f} ms "
                f"p99 {percentile(result['single'], 99):.2f} ms; in batches of {args.batch}: "
                f"p50 {percentile(result['batched'], 50):.2f} ms an op"
            )
    for kind, label in (("single", "one op a commit"), ("batched", f"batches of {args.batch}")):
        normal, full = figures["NORMAL"][kind], figures["FULL"][kind]
        print(
            f"{label:16}: NORMAL p50 {percentile(normal, 50):.2f} p99 {percentile(normal, 99):.2f} ms | "
            f"FULL p50 {percentile(full, 50):.2f} p99 {percentile(full, 99):.2f} ms | "
            f"FULL/NORMAL p50 x{percentile(full, 50) / percentile(normal, 50):.2f}"
        )


if __name__ == "__main__":
    main()
