"""How long the model checks take on generated 2,000-sticky boards.

Run: .venv/bin/python bench/checks_bench.py [--boards 5] [--runs 20] [--stickies 2000]

The checks run on every change of a board, so the figure that matters is the median time of one
`run_checks` call on a large board. "cold" clears the wording caches first (a board just opened);
"warm" keeps them (the next change on the same board).
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from boards.checks import run_checks  # noqa: E402
from boards.language import is_imperative, is_past_tense  # noqa: E402

SUBJECTS = ["Order", "Payment", "Cart", "Item", "Shipment", "Invoice", "Customer", "Stock", "Refund", "Coupon"]
PAST = ["Placed", "Failed", "Shipped", "Sent", "Ran Out", "Was Cancelled", "Added", "Paid", "Received", "Approved"]
VERBS = ["Place", "Pay", "Ship", "Send", "Cancel", "Add", "Approve", "Refund", "Reserve", "Notify"]
KINDS = ["event"] * 40 + ["command"] * 25 + ["policy"] * 10 + ["read_model"] * 8 + ["actor"] * 7
KINDS += ["external_system"] * 5 + ["hotspot"] * 5


def _text(rng: random.Random, kind: str) -> str:
    subject, past, verb = rng.choice(SUBJECTS), rng.choice(PAST), rng.choice(VERBS)
    if kind == "event":
        # One in ten is a badly worded event, as on a real board mid-workshop.
        return f"{verb} {subject}" if rng.random() < 0.1 else f"{subject} {past} {rng.randrange(500)}"
    if kind == "command":
        return f"{verb} {subject} {rng.randrange(500)}"
    if kind == "policy":
        return f"Whenever {subject} {past}, then {verb} {subject}"
    return f"{subject} {kind.replace('_', ' ')} {rng.randrange(500)}"


def _frame(kind: str, name: str, x: float, y: float, w: float, h: float, context: str | None) -> dict:
    return {"id": str(uuid.uuid4()), "kind": kind, "name": name, "x": x, "y": y, "w": w, "h": h, "context": context}


def generate_board(rng: random.Random, stickies: int) -> dict:
    """A board of `stickies` notes in 20 contexts of 4 aggregates each, with flow links."""
    frames, notes, links = [], [], []
    aggregates = []
    for c in range(20):
        context = _frame("bounded_context", f"Context {c}", c * 5000.0, 0.0, 4800.0, 4000.0, None)
        frames.append(context)
        for a in range(4):
            aggregate = _frame(
                "aggregate", f"Aggregate {a}", c * 5000.0 + a * 1200, 500.0, 1100.0, 3000.0, context["id"]
            )
            frames.append(aggregate)
            aggregates.append(aggregate)
    for _ in range(stickies):
        kind = rng.choice(KINDS)
        aggregate = rng.choice(aggregates) if kind in ("event", "command") and rng.random() < 0.7 else None
        notes.append(
            {
                "id": str(uuid.uuid4()),
                "kind": kind,
                "text": _text(rng, kind),
                "x": rng.uniform(0, 100_000),
                "y": rng.uniform(0, 4000),
                "w": 160.0,
                "h": 100.0,
                "fields": [],
                "aggregate": aggregate["id"] if aggregate else None,
                "context": aggregate["context"] if aggregate else rng.choice(frames)["id"],
            }
        )
    elements = notes + aggregates
    for _ in range(int(stickies * 1.2)):
        source, target = rng.choice(elements), rng.choice(elements)
        links.append({"id": str(uuid.uuid4()), "from": source["id"], "to": target["id"], "label": ""})
    return {"id": None, "name": "Bench", "seq": 0, "notes": notes, "frames": frames, "links": links}


def _time_ms(board: dict) -> tuple[float, int]:
    started = time.perf_counter()
    findings = run_checks(board)
    return (time.perf_counter() - started) * 1000, len(findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--stickies", type=int, default=2000)
    args = parser.parse_args()

    rng = random.Random(4)
    cold, warm, counts = [], [], []
    for _ in range(args.boards):
        board = generate_board(rng, args.stickies)
        for _ in range(args.runs):
            is_past_tense.cache_clear()
            is_imperative.cache_clear()
            cold.append(_time_ms(board)[0])
        for _ in range(args.runs):
            elapsed, count = _time_ms(board)
            warm.append(elapsed)
            counts.append(count)

    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"python: {platform.python_implementation()} {platform.python_version()}")
    print(
        f"boards: {args.boards} x {args.stickies} stickies, {int(args.stickies * 1.2)} links, 100 frames; "
        f"{args.runs} runs each; about {statistics.median(counts):.0f} findings a board"
    )
    print(f"run_checks median: cold {statistics.median(cold):.1f} ms, warm {statistics.median(warm):.1f} ms")
    print(f"run_checks p95:    cold {_p95(cold):.1f} ms, warm {_p95(warm):.1f} ms")


def _p95(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.95) - 1]


if __name__ == "__main__":
    main()
