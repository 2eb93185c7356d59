"""Code without an event loop (management commands, scripts) changes a board through the live layer too."""

import pytest

from boards import live, store
from boards.models import Board, BoardEvent
from tests.boards.helpers import note_op

pytestmark = pytest.mark.django_db(transaction=True)


def test_ops_from_code_without_an_event_loop_are_stored_and_told(caplog):
    board = Board.objects.create(name="Checkout")
    first, second = note_op(text="Order Placed"), note_op(text="Order Paid")
    results = live.apply_now(str(board.id), [first, second])
    assert [r.seq for r in results] == [1, 2]
    assert list(BoardEvent.objects.filter(board=board).values_list("seq", flat=True)) == [1, 2]
    assert not [r for r in caplog.records if r.levelname == "ERROR"], "telling the board's sockets failed"
    assert {n["text"] for n in store.snapshot(board.id)["notes"]} == {"Order Placed", "Order Paid"}
