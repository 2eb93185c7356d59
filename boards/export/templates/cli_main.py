"""Command line: run a command through its aggregate, or run a policy's consumer.

python -m storming_package list
python -m storming_package command ordering.PlaceOrder --aggregate-id order-1 --data '{...}'
python -m storming_package policy payment.whenever-order-placed-then-request-payment
python -m storming_package replay payment.whenever-order-placed-then-request-payment
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys

from . import topology
from .runtime.kafka import EventPublisher, PolicyRunner, dispatch, replay_dead_letters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storming_package")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="list the commands and policies")
    command = sub.add_parser("command", help="handle a command and publish its events")
    command.add_argument("command_type", choices=sorted(topology.COMMANDS))
    command.add_argument("--aggregate-id", required=True)
    command.add_argument("--data", help="the command's fields as JSON (default: its example)")
    command.add_argument("--dry-run", action="store_true", help="print the events, publish none")
    command.add_argument("--outcome", choices=sorted(topology.EVENT_TYPES), help="the alternative to end in")
    policy = sub.add_parser("policy", help="run a policy's consumer")
    policy.add_argument("group_id", choices=sorted(topology.POLICIES))
    policy.add_argument("--max-messages", type=int, default=None)
    policy.add_argument("--timeout", type=float, default=None, help="stop after this many seconds")
    replay = sub.add_parser("replay", help="send a policy's dead-lettered records back to their topics")
    replay.add_argument("group_id", choices=sorted(topology.POLICIES))
    replay.add_argument("--max-messages", type=int, default=None)
    replay.add_argument("--timeout", type=float, default=30.0, help="stop after this many seconds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    if args.action == "list":
        for name in sorted(topology.COMMANDS):
            print(f"command {name}")
        for name in sorted(topology.POLICIES):
            print(f"policy  {name}")
        return 0
    if args.action == "command":
        command_class = topology.COMMANDS[args.command_type]
        data = json.loads(args.data) if args.data else dict(command_class.EXAMPLE)
        outcome = topology.EVENT_TYPES[args.outcome] if args.outcome else None
        events = dispatch(command_class.from_data(args.aggregate_id, data), outcome)
        if not args.dry_run:
            EventPublisher().publish(events)
        for event in events:
            print(json.dumps({"topic": event.TOPIC, "value": event.to_value()}))
        return 0
    if args.action == "replay":
        count = replay_dead_letters(args.group_id, max_messages=args.max_messages, timeout=args.timeout)
        print(f"replayed {count} record(s)")
        return 0
    runner = PolicyRunner(topology.POLICIES[args.group_id]())
    # SIGTERM (docker stop, Kubernetes) and Ctrl-C: finish the current record, commit, leave the group.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: runner.stop())
    print(f"policy {args.group_id} consuming {', '.join(runner.topics)}", flush=True)
    count = runner.run(max_messages=args.max_messages, timeout=args.timeout)
    print(f"processed {count} record(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
