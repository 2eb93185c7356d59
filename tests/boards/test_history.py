"""Undo and redo as checked ops, the board at any past seq, and restoring a version."""

import pytest

from boards import store
from boards.domain import BoardState, evolve
from boards.models import Board, BoardEvent
from boards.store import OpRequest, apply_ops

from .helpers import bearer, new_id

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board():
    return Board.objects.create(name="Checkout")


def act(board, op, data, author="ana", role="editor"):
    [result] = apply_ops(
        board.id, [OpRequest(op, data, op_id=new_id(), actor=author.title(), author=author, role=role)]
    )
    return result


def undo(board, *results, author="ana"):
    return act(board, "undo", {"op_ids": [r.op_id for r in results]}, author=author)


def sticky(board, text="Order Placed", x=0, y=0, author="ana", kind="event"):
    data = {"id": new_id(), "kind": kind, "text": text, "x": x, "y": y}
    act(board, "note.create", data, author=author)
    return data["id"]


def notes(board):
    return {n["id"]: n for n in store.snapshot(board.id)["notes"]}


def test_undo_takes_back_a_new_sticky_and_redo_brings_it_back(board):
    data = {"id": new_id(), "kind": "event", "text": "Order Placed", "x": 0, "y": 0}
    created = act(board, "note.create", data)
    undone = undo(board, created)
    assert undone.ok and notes(board) == {}
    redone = undo(board, undone)
    assert redone.ok and notes(board)[data["id"]]["text"] == "Order Placed"


def test_undoing_a_move_of_a_sticky_someone_deleted_is_refused_clearly(board):
    nid = sticky(board)
    moved = act(board, "note.update", {"id": nid, "x": 300})
    act(board, "note.delete", {"id": nid}, author="bo")
    refused = undo(board, moved)
    assert refused.error["code"] == "not_found"
    assert "no longer on the board" in refused.error["message"]
    assert notes(board) == {}


def test_undo_never_overwrites_someone_elses_later_change(board):
    nid = sticky(board)
    renamed = act(board, "note.update", {"id": nid, "text": "Order Submitted"})
    act(board, "note.update", {"id": nid, "text": "Order Confirmed"}, author="bo")
    refused = undo(board, renamed)
    assert refused.error["code"] == "conflict"
    assert notes(board)[nid]["text"] == "Order Confirmed"


def test_nobody_undoes_another_persons_change(board):
    nid = sticky(board)
    moved = act(board, "note.update", {"id": nid, "x": 500})
    refused = undo(board, moved, author="bo")
    assert refused.error["code"] == "forbidden"
    assert notes(board)[nid]["x"] == 500


def test_a_multi_select_move_undoes_as_one_step(board):
    ids = [sticky(board, f"E{i}", x=i * 200) for i in range(3)]
    moves = [act(board, "note.update", {"id": nid, "y": 400}) for nid in ids]
    undone = undo(board, *moves)
    assert undone.ok
    assert all(n["y"] == 0 for n in notes(board).values())
    assert len({e["op_id"] for e in undone.events}) == 1


def test_undoing_a_delete_brings_back_the_sticky_and_its_links(board):
    event, policy = sticky(board), sticky(board, "Whenever Order Placed", kind="policy")
    link = new_id()
    act(board, "link.create", {"id": link, "from": event, "to": policy})
    deleted = act(board, "note.delete", {"id": event})
    assert undo(board, deleted).ok
    snapshot = store.snapshot(board.id)
    assert {n["id"] for n in snapshot["notes"]} == {event, policy}
    assert [link_["id"] for link_ in snapshot["links"]] == [link]


def test_undoing_a_frame_move_brings_its_members_back(board):
    aggregate = new_id()
    act(
        board,
        "frame.create",
        {"id": aggregate, "kind": "aggregate", "name": "Order", "x": 0, "y": 0, "w": 600, "h": 400},
    )
    nid = sticky(board, x=100, y=100)
    moved = act(board, "frame.update", {"id": aggregate, "x": 1000})
    assert notes(board)[nid]["x"] == 1100
    assert undo(board, moved).ok
    assert notes(board)[nid]["x"] == 100 and notes(board)[nid]["aggregate"] == aggregate


def replay(board, seq):
    state = BoardState(name=board.name)
    for event in BoardEvent.objects.filter(board=board, seq__lte=seq).order_by("seq"):
        evolve(state, event.type, event.data)
    return state.snapshot(str(board.id))


def test_the_board_at_a_past_seq_equals_the_log_replayed_to_it(board):
    # Enough events to cross two stored snapshots.
    ids = [sticky(board, f"Event {i}", x=i * 10) for i in range(250)]
    for i, nid in enumerate(ids):
        act(board, "note.update", {"id": nid, "y": i + 1})
    for nid in ids[:150]:
        act(board, "note.delete", {"id": nid})
    board.refresh_from_db()
    assert board.seq == 650 and board.snapshots.count() == 2
    for seq in (1, 299, 300, 301, 455, 600, 650):
        past = store.snapshot(board.id, at=seq)
        expected = replay(board, seq)
        assert past["seq"] == seq
        assert sorted(past["notes"], key=lambda n: n["id"]) == sorted(expected["notes"], key=lambda n: n["id"])


def test_restoring_a_version_brings_the_board_back_without_erasing_history(board):
    keep = sticky(board, "Order Placed")
    version = Board.objects.get(pk=board.pk).seq
    act(board, "note.update", {"id": keep, "text": "Order Cancelled", "x": 999}, author="bo")
    sticky(board, "Later Event", author="bo")
    act(board, "note.delete", {"id": keep}, author="bo")
    restored = act(board, "board.restore", {"seq": version}, role="facilitator")
    assert restored.ok
    now = store.snapshot(board.id)
    assert [(n["id"], n["text"], n["x"]) for n in now["notes"]] == [(keep, "Order Placed", 0.0)]
    assert now["seq"] > version + 3  # the log only grew


def test_the_history_api_pages_through_who_did_what(client, board):
    sticky(board, "Order Placed")
    sticky(board, "Order Shipped", author="bo")
    body = client.get(f"/api/boards/{board.id}/history/?limit=1", **bearer(board.view_key)).json()
    assert body["seq"] == 2
    assert [(e["seq"], e["actor"], e["data"]["text"]) for e in body["events"]] == [(2, "Bo", "Order Shipped")]
    older = client.get(f"/api/boards/{board.id}/history/?before=2", **bearer(board.view_key)).json()["events"]
    assert [e["seq"] for e in older] == [1]
    assert (
        client.get(f"/api/boards/{board.id}/?at=1", **bearer(board.view_key)).json()["notes"][0]["text"]
        == "Order Placed"
    )
    assert client.get(f"/api/boards/{board.id}/?at=7", **bearer(board.view_key)).status_code == 400
