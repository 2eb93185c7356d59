"""Ops stored through the real database: the log, the current-state tables and the cache."""

import contextlib
import copy

import pytest
from django.db import connection

from boards import store
from boards.domain import BoardState, evolve
from boards.examples import load_example
from boards.models import Board, BoardEvent, Frame, Link, Note
from boards.store import OpRequest, apply_ops

from .helpers import frame_op, new_id, note_op, op

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board():
    return Board.objects.create(name="Checkout")


def replay(board) -> BoardState:
    state = BoardState(name=board.name)
    for event in BoardEvent.objects.filter(board=board).order_by("seq"):
        evolve(state, event.type, event.data)
    return state


def test_each_event_gets_the_next_seq_without_gaps(board):
    context = frame_op("bounded_context", "Ordering", w=3000, h=2000)
    results = apply_ops(board.id, [context, note_op(x=100, y=100), note_op(x=300, y=100)])
    assert [r.seq for r in results] == [1, 2, 3]
    assert list(BoardEvent.objects.filter(board=board).values_list("seq", flat=True)) == [1, 2, 3]
    board.refresh_from_db()
    assert board.seq == 3


def test_the_tables_hold_what_the_log_says(board):
    created = note_op(x=100, y=100)
    aggregate = frame_op()
    apply_ops(board.id, [created, aggregate])
    apply_ops(board.id, [op("note.update", {"id": created.data["id"], "text": "Order Submitted", "x": 120})])
    apply_ops(board.id, [op("frame.update", {"id": aggregate.data["id"], "x": 40})])
    snapshot = store.snapshot(board.id)
    rebuilt = replay(board).snapshot(str(board.id))
    assert snapshot["notes"] == rebuilt["notes"]
    assert snapshot["frames"] == rebuilt["frames"]
    [row] = Note.objects.filter(board=board)
    assert (row.text, row.x, str(row.aggregate)) == ("Order Submitted", 160.0, aggregate.data["id"])


def test_an_op_retried_with_the_same_op_id_is_applied_once(board):
    create = note_op()
    [first] = apply_ops(board.id, [create])
    [again] = apply_ops(board.id, [create])
    assert again.seq == first.seq and again.duplicate
    assert Note.objects.filter(board=board).count() == 1
    assert BoardEvent.objects.filter(board=board).count() == 1


def test_a_refused_op_leaves_the_rest_of_its_batch_alone(board):
    good, bad, also_good = note_op(), op("note.update", {"id": new_id(), "x": 1}), note_op()
    results = apply_ops(board.id, [good, bad, also_good])
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error["code"] == "not_found"
    assert [r.seq for r in results if r.ok] == [1, 2]
    assert Note.objects.filter(board=board).count() == 2


def test_deleting_removes_the_rows(board):
    a, b = note_op(), note_op(kind="policy", text="Whenever Order Placed")
    link = op("link.create", {"id": new_id(), "from": a.data["id"], "to": b.data["id"]})
    apply_ops(board.id, [a, b, link])
    apply_ops(board.id, [op("note.delete", {"id": a.data["id"]})])
    snapshot = store.snapshot(board.id)
    assert [n["id"] for n in snapshot["notes"]] == [b.data["id"]]
    assert snapshot["links"] == []


def test_a_stale_cache_catches_up_from_the_log_written_by_another_process(board):
    cache = store.CachedState()
    created = note_op()
    apply_ops(board.id, [created], cache)
    stale = copy.deepcopy(cache.state)
    apply_ops(board.id, [op("note.update", {"id": created.data["id"], "text": "Order Cancelled"})], cache)
    # Another process would still hold the old state; its next op must see the new text.
    cache.state = stale
    [result] = apply_ops(board.id, [op("note.update", {"id": created.data["id"], "x": 50})], cache)
    assert result.ok
    assert store.cached_snapshot(board.id, cache)["notes"][0]["text"] == "Order Cancelled"


def test_a_new_process_reads_the_state_from_the_tables(board):
    created = note_op(text="Cart Checked Out")
    apply_ops(board.id, [created], store.CachedState())
    [result] = apply_ops(board.id, [op("note.update", {"id": created.data["id"], "y": 9})], store.CachedState())
    assert result.ok and result.seq == 2
    assert store.snapshot(board.id)["notes"][0]["text"] == "Cart Checked Out"


def test_events_since_returns_exactly_the_missed_events(board):
    apply_ops(board.id, [note_op(), note_op(), note_op()])
    assert [e["seq"] for e in store.events_since(board.id, 1)] == [2, 3]
    assert store.events_since(board.id, 3) == []


def test_an_import_that_holds_a_bad_element_creates_nothing():
    before = Board.objects.count()
    bad = {
        "notes": [
            {"id": "a", "kind": "event", "text": "Ok", "x": 0, "y": 0},
            {"id": "b", "kind": "bomb", "x": 0, "y": 0},
        ]
    }
    with pytest.raises(store.Rejection):
        store.create_board("Broken", bad)
    assert Board.objects.count() == before


def test_the_example_board_loads_with_every_element():
    example = store.create_board("Example", load_example("checkout"))
    snapshot = store.snapshot(example.id)
    assert len(snapshot["notes"]) >= 30 and len(snapshot["frames"]) >= 5 and snapshot["links"]
    assert any(n["kind"] == "hotspot" for n in snapshot["notes"])


def test_a_client_ahead_of_the_log_is_sent_a_snapshot_instead(board):
    apply_ops(board.id, [note_op()])
    assert store.events_since(board.id, 5) is None


@contextlib.contextmanager
def reading_in_table_order():
    """PostgreSQL as it reads a big board: through the table, not an index (SQLite reads by pk)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET enable_indexscan = off; SET enable_bitmapscan = off")
        try:
            yield
        finally:
            cursor.execute("RESET enable_indexscan; RESET enable_bitmapscan")


def test_the_board_read_back_lists_stickies_frames_and_links_in_the_order_they_were_made(board):
    """PostgreSQL writes an updated row at the end of its table, so a read in table order would
    list an edited sticky last; the board read back keeps the order in which things were made."""
    notes = [note_op(text=f"Step {i}", x=200 * i) for i in range(3)]
    frames = [frame_op(name=f"Frame {i}", x=2000 + 700 * i) for i in range(3)]
    links = [
        op("link.create", {"id": new_id(), "from": notes[i].data["id"], "to": notes[i + 1].data["id"]})
        for i in range(2)
    ]
    for made in [*notes, *frames, *links]:
        apply_ops(board.id, [made])
    apply_ops(board.id, [op("note.update", {"id": notes[0].data["id"], "text": "Step 0, edited"})])
    apply_ops(board.id, [op("frame.update", {"id": frames[0].data["id"], "name": "Frame 0, edited"})])
    apply_ops(board.id, [op("link.update", {"id": links[0].data["id"], "label": "then"})])

    with reading_in_table_order():
        state = store.load_state(Board.objects.get(id=board.id))
    assert list(state.notes) == [n.data["id"] for n in notes]
    assert list(state.frames) == [f.data["id"] for f in frames]
    assert list(state.links) == [link.data["id"] for link in links]


def test_an_op_resent_to_a_fresh_process_gets_its_original_seq_amid_new_ops(board):
    first, second = note_op(), note_op(text="Payment Taken")
    apply_ops(board.id, [first, second], store.CachedState())
    apply_ops(board.id, [op("note.update", {"id": first.data["id"], "x": 40})], store.CachedState())
    # After a restart, a client resends the second op together with a new one.
    new = note_op(text="Receipt Sent")
    again, fresh = apply_ops(board.id, [second, new], store.CachedState())
    assert (again.seq, again.duplicate, again.events) == (2, True, [])
    assert fresh.ok and fresh.seq == 4 and not fresh.duplicate
    assert list(BoardEvent.objects.filter(board=board).values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert sorted(n["text"] for n in store.snapshot(board.id)["notes"]) == [
        "Order Placed",
        "Payment Taken",
        "Receipt Sent",
    ]


def test_a_stored_event_reads_back_as_it_was_sent(board):
    created = note_op(kind="command", text="Place Order", fields=[{"name": "total", "type": "decimal"}])
    [result] = apply_ops(board.id, [created])
    [moved] = apply_ops(board.id, [op("note.update", {"id": created.data["id"], "x": 300})])
    first, second = BoardEvent.objects.filter(board=board).order_by("seq")
    assert first.data == result.events[0]["data"] and first.before is None
    assert second.data == moved.events[0]["data"] and second.before["x"] == 0
    assert (first.op, first.op_id, first.actor, first.derived) == ("note.create", created.op_id, "Ana", False)
    assert first.at.isoformat() == result.events[0]["at"]


def test_a_note_moved_into_a_frame_and_out_again_has_its_row_follow(board):
    frame = frame_op("aggregate", "Order", x=0, y=0, w=600, h=400)
    note = note_op(kind="command", text="Place Order", x=2000, y=2000, fields=[{"name": "id", "type": "uuid"}])
    apply_ops(board.id, [frame, note])
    row = Note.objects.get(board=board)
    assert (row.x, row.aggregate, [f["name"] for f in row.fields]) == (2000.0, None, ["id"])

    apply_ops(board.id, [op("note.update", {"id": note.data["id"], "x": 100, "y": 100})])
    row.refresh_from_db()
    assert (row.x, row.y, str(row.aggregate)) == (100.0, 100.0, frame.data["id"])

    apply_ops(board.id, [op("note.update", {"id": note.data["id"], "x": 5000, "text": "Cancel Order"})])
    row.refresh_from_db()
    assert (row.x, row.text, row.aggregate) == (5000.0, "Cancel Order", None)
    assert Note.objects.filter(board=board).count() == 1


def test_deleting_a_frame_and_a_link_removes_their_rows_only(board):
    frame = frame_op()
    a, b = note_op(), note_op(kind="policy", text="Whenever Order Placed")
    link = op("link.create", {"id": new_id(), "from": a.data["id"], "to": b.data["id"]})
    apply_ops(board.id, [frame, a, b, link])
    apply_ops(board.id, [op("link.update", {"id": link.data["id"], "label": "triggers"})])
    assert Link.objects.get(board=board).label == "triggers"
    apply_ops(board.id, [op("link.delete", {"id": link.data["id"]}), op("frame.delete", {"id": frame.data["id"]})])
    assert not Link.objects.filter(board=board).exists() and not Frame.objects.filter(board=board).exists()
    assert Note.objects.filter(board=board).count() == 2


def test_a_batch_changes_only_the_board_columns_it_should(board):
    keys = (board.facilitator_key, board.edit_key, board.view_key)
    apply_ops(board.id, [op("board.rename", {"name": "Checkout v2"}), note_op()])
    board.refresh_from_db()
    assert (board.name, board.seq, (board.facilitator_key, board.edit_key, board.view_key)) == ("Checkout v2", 2, keys)
    facilitator = OpRequest("board.configure", {"phase": "timeline"}, op_id=new_id(), role="facilitator")
    apply_ops(board.id, [facilitator])
    board.refresh_from_db()
    assert board.meta["phase"] == "timeline" and board.seq == 3 and board.name == "Checkout v2"


def test_ops_for_a_board_that_is_gone_store_nothing():
    with pytest.raises(Board.DoesNotExist):
        apply_ops(new_id(), [note_op()])
    assert not BoardEvent.objects.exists()


def test_the_same_op_twice_in_one_batch_is_stored_once(board):
    create = note_op()
    first, again = apply_ops(board.id, [create, create])
    assert (first.seq, again.seq, again.duplicate) == (1, 1, True)
    assert BoardEvent.objects.filter(board=board).count() == 1


def test_a_replaced_link_stops_editing_even_with_the_board_cached(board):
    cache = store.CachedState()
    old_key = board.edit_key
    editing = note_op()
    editing.key = old_key
    [result] = apply_ops(board.id, [editing], cache)
    assert result.ok
    board.rotate_links()
    late = note_op()
    late.key = old_key
    [refused] = apply_ops(board.id, [late], cache)
    assert refused.error["code"] == "revoked"
    assert BoardEvent.objects.filter(board=board).count() == 1


def test_stickies_made_in_one_batch_come_back_in_the_order_they_were_made(board):
    # A pasted list arrives as one batch; after a restart it must read back in its own order.
    made = [note_op(text=f"Line {n}") for n in range(20)]
    assert all(result.ok for result in apply_ops(board.id, made))
    state = store.load_state(Board.objects.get(id=board.id))
    assert [note["text"] for note in state.notes.values()] == [f"Line {n}" for n in range(20)]
