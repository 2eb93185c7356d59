"""`make run` loads the example board once and prints its links on every run."""

from io import StringIO

import pytest
from django.core.management import call_command

from boards.models import Board

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("load_example", "--if-empty", "--base-url", "http://127.0.0.1:8001/", stdout=out)
    return out.getvalue()


def test_it_prints_the_example_links_on_the_first_run_and_on_every_later_one():
    first = run()
    board = Board.objects.get()
    assert f"http://127.0.0.1:8001{board.link('facilitator')}" in first
    again = run()
    assert Board.objects.count() == 1
    assert f"Facilitator link: http://127.0.0.1:8001{board.link('facilitator')}" in again
    assert f"Edit link:        http://127.0.0.1:8001{board.link('editor')}" in again
