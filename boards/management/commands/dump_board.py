from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from boards.backup import dump_document, export_document
from boards.models import Board


class Command(BaseCommand):
    help = "Write a board's backup JSON (the same document as GET /api/boards/<id>/export.json)."

    def add_arguments(self, parser):
        parser.add_argument("board_id")
        parser.add_argument("--out", help="file to write; standard output when left out")

    def handle(self, *args, board_id: str, out: str | None, **options):
        try:
            document = export_document(board_id)
        except (Board.DoesNotExist, ValidationError) as exc:
            # A malformed id names no board, just as an unknown one does.
            raise CommandError(f"There is no board with the id {board_id!r}.") from exc
        text = dump_document(document)
        if out:
            Path(out).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {document['board']['name']!r} to {out}.")
        else:
            self.stdout.write(text, ending="")
