"""Every benchmark, one after the other, each in its own process.

Run: .venv/bin/python bench/run_all.py [--smoke] [--only fanout,join]

Without --smoke each benchmark runs with its defaults (a few minutes in all); with --smoke each
runs for a few seconds, to check that it still works (CI does this through
tests/bench/test_bench_smoke.py). The fan-out, join and memory benchmarks must lose no events;
run_all exits non-zero if one did, or if a benchmark failed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# name: (script, arguments for a smoke run). Scripts that are not there yet are left out.
BENCHMARKS = {
    "fanout": ("fanout.py", ["--smoke"]),
    "fanout-redis": ("fanout.py", ["--smoke", "--layer", "redis", "--servers", "2"]),
    "many-boards": ("many_boards.py", ["--smoke"]),
    "join": ("join.py", ["--smoke"]),
    "memory": ("memory.py", ["--smoke"]),
    "browser": ("browser.py", ["--smoke"]),
    "export": ("export_bench.py", ["--runs", "1"]),
    "checks": ("checks_bench.py", ["--boards", "1", "--runs", "2"]),
    "store": ("store_bench.py", ["--smoke"]),
}
# Benchmarks that need Redis, and are left out with a note when it is not running.
NEEDS_REDIS = {"fanout-redis", "many-boards"}
FULL_ONLY_ONCE = {"fanout-redis"}  # the full run of fanout.py already covers one Redis set-up
# The full fan-out run compares with the reference relay in the same run, when its script is there.
FULL_ARGS = {"fanout": ["--against-relay"]}


def relay_there() -> bool:
    sys.path.insert(0, str(BENCH))
    import reference_relay

    return reference_relay.find_script() is not None


def redis_up() -> bool:
    sys.path.insert(0, str(BENCH))
    import harness

    try:
        harness.redis_cpu_seconds()
        return True
    except Exception:
        return False


def run_one(name: str, smoke: bool) -> tuple[bool, str]:
    script, smoke_args = BENCHMARKS[name]
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        full_args = FULL_ARGS.get(name, []) if relay_there() else []
        command = [sys.executable, str(BENCH / script), *(smoke_args if smoke else full_args)]
        if script not in ("export_bench.py", "checks_bench.py"):
            command += ["--json", out.name]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=BENCH.parent, capture_output=True, text=True)
        print(done.stdout, end="")
        if done.returncode != 0:
            return False, f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}"
        figures = Path(out.name).read_text()
        result = json.loads(figures) if figures.strip() else {}
        for figures_of in [result, *result.get("rows", [])]:
            if figures_of.get("lost") or figures_of.get("out_of_order"):
                return False, f"{name}: lost {figures_of.get('lost')}, out of order {figures_of.get('out_of_order')}"
        return True, f"{name}: ok in {time.perf_counter() - started:.0f} s"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="a few seconds each, to check that they work")
    p.add_argument("--only", help="comma-separated names: " + ", ".join(BENCHMARKS))
    args = p.parse_args(argv)
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    verdicts = []
    for name in names:
        script = BENCHMARKS[name][0]
        if not (BENCH / script).exists():
            verdicts.append((True, f"{name}: {script} is not there yet, left out"))
            continue
        if name in NEEDS_REDIS and not redis_up():
            verdicts.append((True, f"{name}: Redis is not running, left out"))
            continue
        if not args.smoke and name in FULL_ONLY_ONCE:
            continue
        print(f"=== {name} ===", flush=True)
        verdicts.append(run_one(name, args.smoke))
    print("=== summary ===")
    for ok, line in verdicts:
        print(("ok    " if ok else "FAIL  ") + line)
    return 0 if all(ok for ok, _ in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
