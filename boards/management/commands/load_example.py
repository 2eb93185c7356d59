from django.core.management.base import BaseCommand

from boards import store
from boards.examples import load_example
from boards.models import Board

EXAMPLE_NAME = "Checkout (example)"


class Command(BaseCommand):
    help = "Create the checkout example board, and print its facilitator and edit links."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="only when there are no boards yet")
        parser.add_argument("--name", default=EXAMPLE_NAME)
        parser.add_argument("--base-url", default="", help="put before the links, e.g. http://127.0.0.1:8000")

    def handle(self, *args, if_empty: bool, name: str, base_url: str, **options):
        if if_empty and Board.objects.exists():
            # Printed on every run: the facilitator link is the only way back in to the example.
            board = Board.objects.filter(listed=True, name=name).order_by("created_at").first()
            if board is None:
                self.stdout.write("Boards exist already; the example was not loaded again.")
                return
            self.stdout.write(f"The example board {board.name!r} is there already.")
        else:
            board = store.create_board(name, load_example("checkout"), actor="example")
            # Listed: only so that later runs find it again; the home page shows no board's keys.
            Board.objects.filter(pk=board.pk).update(listed=True)
            self.stdout.write(self.style.SUCCESS(f"Loaded {board.name!r} ({board.seq} events)."))
        base = base_url.rstrip("/")
        self.stdout.write(f"  Facilitator link: {base}{board.link('facilitator')}")
        self.stdout.write(f"  Edit link:        {base}{board.link('editor')}")
