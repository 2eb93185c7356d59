"""Shares of a server profile by part: what `bench/fanout.py --profile FILE` recorded, summed up.

Run: .venv/bin/python bench/profile_parts.py FILE [FILE ...]

FILE holds py-spy's collapsed stacks (`--format raw`: one stack a line, frames joined by `;`,
then the sample count). Each sample goes to the first part whose marker one of its frames
contains, in the order of PARTS; the overlays (JSON, socket writes) are counted across all parts.
The table in docs/performance.md ("Where the time goes") comes from this.
"""

from __future__ import annotations

import sys
from collections import Counter

# (part, markers): a sample belongs to the first part one of whose markers is in one of its frames.
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("store: the op's transaction (apply_ops)", ("apply_ops (boards/store.py",)),
    (
        "thread hops (sync_to_async, aclose_old_connections, futures across threads)",
        (
            "aclose_old_connections",
            "SyncToAsync",
            "concurrent/futures",
            "call_soon_threadsafe",
            "_chain_future",
            "_copy_future_state",
            "_call_set_state",
            "store_on_database_thread",
        ),
    ),
    ("presence: tick, cursor updates and their sends", ("BoardPresence", "on_volatile")),
    ("fan-out of events (deliver/push to every socket)", ("BoardAudience.deliver", "BoardAudience.publish")),
    ("acks and rejects", ("BoardConsumer.answer",)),
    ("the consumer: dispatch, parse, budgets, submit", ("BoardConsumer.", "BoardRoom.submit")),
    ("the writer task (batching, publishing)", ("BoardRoom._write", "BoardRoom._commit")),
    ("receiving: Twisted read, autobahn parsing, Daphne's queue", ("dataReceived", "doRead", "_read_ready")),
)
REST = "event loop and the rest"
OVERLAYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("of which JSON (json.dumps/loads anywhere)", ("(json/",)),
    ("of which socket sends (Daphne handle_reply and below)", ("handle_reply", "sendPreparedMessage")),
)


def samples(path: str) -> Counter[tuple[str, ...]]:
    counts: Counter[tuple[str, ...]] = Counter()
    with open(path) as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if stack and count.isdigit():
                counts[tuple(stack.split(";"))] += int(count)
    return counts


def part_of(stack: tuple[str, ...], parts: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    for name, markers in parts:
        if any(marker in frame for frame in stack for marker in markers):
            return name
    return None


def shares(path: str) -> tuple[int, dict[str, float]]:
    counts = samples(path)
    total = sum(counts.values()) or 1
    by_part: Counter[str] = Counter()
    for stack, n in counts.items():
        by_part[part_of(stack, PARTS) or REST] += n
        for name, markers in OVERLAYS:
            if part_of(stack, ((name, markers),)):
                by_part[name] += n
    names = [name for name, _ in PARTS] + [REST] + [name for name, _ in OVERLAYS]
    return total, {name: round(100 * by_part[name] / total, 1) for name in names}


def main(paths: list[str]) -> None:
    results = [shares(path) for path in paths]
    print("| part | " + " | ".join(paths) + " |")
    print("|---|" + "---|" * len(paths))
    print("| samples | " + " | ".join(str(total) for total, _ in results) + " |")
    for name in results[0][1]:
        print(f"| {name} | " + " | ".join(f"{parts[name]} %" for _, parts in results) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
