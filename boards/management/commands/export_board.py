"""python manage.py export_board <board id> --out DIR [--option key=value ...]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from boards import store
from boards.export import InvalidOption, parse_options, releases, render_files
from boards.models import Board


class Command(BaseCommand):
    help = "Write a board's export (topics, schemas, Python project) into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("board_id")
        parser.add_argument("--out", required=True, help="folder to write into (created if missing)")
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="an export option, as in the API's query string (repeatable), e.g. partitions=6",
        )

    def handle(self, *args: object, **opts: object) -> None:
        try:
            snapshot = store.snapshot(str(opts["board_id"]))
        except (Board.DoesNotExist, ValueError):
            raise CommandError(f"There is no board with id {opts['board_id']}.") from None
        try:
            pairs = [item.split("=", 1) for item in opts["option"]]  # type: ignore[union-attr]
            if any(len(p) != 2 for p in pairs):
                raise InvalidOption("Give options as KEY=VALUE, e.g. --option partitions=6.")
            options = parse_options(dict(pairs), snapshot.get("name", ""))
        except InvalidOption as error:
            raise CommandError(str(error)) from None
        plan = releases.plan_for_board(Board.objects.get(pk=str(opts["board_id"])), snapshot, options)
        out = Path(str(opts["out"]))
        for path, content in render_files(plan).items():
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        for warning in plan.warnings:
            self.stderr.write(f"warning: {warning.message}")
        self.stdout.write(f"Wrote {len(plan.topics)} topics' export of {plan.board_name!r} to {out}")
