"""Stored snapshots (for the history) take disk in proportion to the log, not to the board."""

import json

import pytest

from boards import store
from boards.models import Board, BoardEvent, BoardSnapshot

from .helpers import note_op, op

pytestmark = pytest.mark.django_db


def disk(rows) -> int:
    return sum(len(json.dumps(value)) for value in rows if value is not None)


def log_bytes(board) -> int:
    events = BoardEvent.objects.filter(board=board)
    return disk(events.values_list("data", flat=True)) + disk(events.values_list("before", flat=True))


def snapshot_bytes(board) -> int:
    return disk(BoardSnapshot.objects.filter(board=board).values_list("state", flat=True))


def test_tiny_changes_on_a_large_board_do_not_store_a_snapshot_every_few_hundred_events():
    board = Board.objects.create(name="Checkout")
    notes = [note_op(text="t" * 1900, x=i * 200) for i in range(250)]
    store.apply_ops(board.id, notes)
    moves = [op("note.update", {"id": notes[i % 250].data["id"], "y": i + 1}) for i in range(1000)]
    for start in range(0, 1000, 50):
        store.apply_ops(board.id, moves[start : start + 50])
    assert Board.objects.get(pk=board.id).seq == 1250
    # The first one, once the log holds as much as the board; none for the tiny moves after it.
    assert BoardSnapshot.objects.filter(board=board).count() == 1
    assert snapshot_bytes(board) <= log_bytes(board)

    # The history still rebuilds every past state.
    def y_at(seq: int, note: int) -> float:
        return next(n["y"] for n in store.snapshot(board.id, at=seq)["notes"] if n["id"] == notes[note].data["id"])

    assert y_at(1249, 248) == 999  # moved by the 999th move, the last one before
    assert y_at(1250, 249) == 1000
    assert y_at(250, 0) == 0


def test_a_small_board_with_a_busy_log_still_gets_a_snapshot_every_few_hundred_events():
    board = Board.objects.create(name="Checkout")
    note = note_op(text="start")
    store.apply_ops(board.id, [note])
    edits = [op("note.update", {"id": note.data["id"], "text": f"{i} " + "t" * 1500}) for i in range(899)]
    for start in range(0, 899, 100):
        store.apply_ops(board.id, edits[start : start + 100])
    seqs = BoardSnapshot.objects.filter(board=board).values_list("seq", flat=True).order_by("seq")
    assert list(seqs) == [301, 601, 900]  # the first batch past each multiple of 300
    assert store.snapshot(board.id, at=450)["notes"][0]["text"].startswith("448 ")


def test_the_cadence_comes_from_the_settings(settings):
    settings.STORMING_SNAPSHOT_EVERY = 50
    settings.STORMING_SNAPSHOT_LOG_PERCENT = 0
    board = Board.objects.create(name="Checkout")
    for _ in range(4):
        store.apply_ops(board.id, [note_op() for _ in range(25)])
    assert list(BoardSnapshot.objects.filter(board=board).values_list("seq", flat=True).order_by("seq")) == [50, 100]
