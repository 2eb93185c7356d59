import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from boards.backup import MAX_FILE_BYTES, read_document, restore
from boards.domain import Rejection


class Command(BaseCommand):
    help = "Create a new board from a backup JSON file (as made by dump_board or export.json)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file; - reads standard input")
        parser.add_argument("--name", help="the new board's name (default: the name in the file)")

    def handle(self, *args, file: str, name: str | None, **options):
        try:
            if file == "-":
                raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
            else:
                with Path(file).open("rb") as handle:
                    raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        try:
            board = restore(read_document(raw), name=name, actor="load_board")
        except Rejection as rejection:
            raise CommandError(rejection.message) from rejection
        self.stdout.write(str(board.id))
        self.stdout.write(f"Facilitator link: {board.link('facilitator')}")
