from django.core.management.base import BaseCommand

from boards import store
from boards.examples import load_example
from boards.models import Board


class Command(BaseCommand):
    help = "Create the checkout example board."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="only when there are no boards yet")
        parser.add_argument("--name", default="Checkout (example)")

    def handle(self, *args, if_empty: bool, name: str, **options):
        if if_empty and Board.objects.exists():
            self.stdout.write("Boards exist already; the example was not loaded again.")
            return
        board = store.create_board(name, load_example("checkout"), actor="example")
        self.stdout.write(self.style.SUCCESS(f"Loaded {board.name!r} ({board.seq} events)."))
        # For the person running the command only: the home page hands out no board's keys.
        self.stdout.write(f"  Facilitator link: {board.link('facilitator')}")
