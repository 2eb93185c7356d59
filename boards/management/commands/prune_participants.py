from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from boards.identity import prune
from boards.models import Board


class Command(BaseCommand):
    help = (
        "Forget issued participant identities that count for nothing any more: issued before "
        "STORMING_NEW_PARTICIPANTS_WINDOW and referenced by nothing on their board (no event "
        "authored, no dot held). Their tokens still resume them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--board", help="only this board's identities")
        parser.add_argument("--dry-run", action="store_true", help="count them, delete nothing")

    def handle(self, *args, board: str | None, dry_run: bool, **options):
        if board is not None:
            try:
                Board.objects.get(pk=board)
            except (Board.DoesNotExist, ValidationError) as exc:
                raise CommandError(f"There is no board with the id {board!r}.") from exc
        gone = prune(board, dry_run=dry_run)
        self.stdout.write(f"{gone} participant identities {'would be pruned' if dry_run else 'pruned'}.")
