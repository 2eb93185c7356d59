"""python manage.py provision_topics <board id> --bootstrap HOST:PORT [--dry-run]

Creates the board's missing topics, reports the ones that exist or differ, never deletes. The
same code as the export's scripts/provision_topics.py, so both behave alike.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from boards import store
from boards.export import parse_options, releases
from boards.export.options import InvalidOption
from boards.export.templates.provision_topics import Unreachable, provision
from boards.export.topics import topic_dict
from boards.models import Board


class Command(BaseCommand):
    help = "Create a board's Kafka topics on a cluster (creates missing ones, never deletes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("board_id")
        parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"))
        parser.add_argument("--dry-run", action="store_true", help="report, create nothing")
        parser.add_argument("--timeout", type=float, default=10.0)
        parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE")

    def handle(self, *args: object, **opts: object) -> None:
        if not opts["bootstrap"]:
            raise CommandError("Give --bootstrap HOST:PORT or set KAFKA_BOOTSTRAP_SERVERS.")
        try:
            snapshot = store.snapshot(str(opts["board_id"]))
        except (Board.DoesNotExist, ValueError):
            raise CommandError(f"There is no board with id {opts['board_id']}.") from None
        try:
            pairs = dict(item.split("=", 1) for item in opts["option"])  # type: ignore[union-attr]
            options = parse_options(pairs, snapshot.get("name", ""))
        except (InvalidOption, ValueError) as error:
            raise CommandError(f"Bad --option: {error}") from None
        from confluent_kafka.admin import AdminClient

        # The released topic names, whatever the stickies are called now.
        plan = releases.plan_for_board(Board.objects.get(pk=str(opts["board_id"])), snapshot, options)
        topics = [topic_dict(t) for t in plan.topics]
        admin = AdminClient({"bootstrap.servers": opts["bootstrap"]})
        try:
            report = provision(admin, topics, dry_run=bool(opts["dry_run"]), timeout=opts["timeout"])
        except Unreachable as error:
            raise CommandError(f"Cannot reach Kafka at {opts['bootstrap']}: {error}") from None
        for name, status, detail in report:
            self.stdout.write(f"{status:12} {name}  {detail}".rstrip())
        if any(status == "failed" for _, status, _ in report):
            raise CommandError("Some topics could not be created; see above.")
