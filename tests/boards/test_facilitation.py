"""The facilitator's tools, enforced by the server: phases, the lock, dot votes and the timer."""

import pytest

from boards import store
from boards.models import Board

from .helpers import new_id
from .test_history import act, sticky

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board():
    return Board.objects.create(name="Checkout")


def configure(board, **settings):
    return act(board, "board.configure", settings, author="fac", role="facilitator")


def test_only_the_facilitator_changes_the_phase(board):
    refused = act(board, "board.configure", {"phase": "exploration"})
    assert refused.error["code"] == "forbidden"
    assert configure(board, phase="exploration").ok
    assert store.snapshot(board.id)["phase"] == "exploration"


def test_the_exploration_phase_takes_events_and_hotspots_only(board):
    configure(board, phase="exploration")
    command = {"id": new_id(), "kind": "command", "text": "Place Order", "x": 0, "y": 0}
    refused = act(board, "note.create", command)
    assert refused.error["code"] == "phase"
    assert "command comes later" in refused.error["message"]
    assert act(board, "note.create", {**command, "kind": "hotspot", "text": "Who pays?"}).ok
    frame = {"id": new_id(), "kind": "aggregate", "name": "Order", "x": 0, "y": 0, "w": 100, "h": 100}
    assert act(board, "frame.create", frame).error["code"] == "phase"
    configure(board, phase="aggregates")
    assert act(board, "frame.create", frame).ok


def test_a_locked_board_refuses_participants_but_not_the_facilitator(board):
    nid = sticky(board)
    configure(board, locked=True)
    refused = act(board, "note.update", {"id": nid, "x": 50})
    assert refused.error["code"] == "locked"
    assert act(board, "note.update", {"id": nid, "x": 50}, author="fac", role="facilitator").ok


def test_dots_are_limited_per_person_and_counted(board):
    configure(board, votes_per_person=2)
    hotspot, event = sticky(board, "Who pays?", kind="hotspot"), sticky(board)
    assert act(board, "vote.cast", {"id": hotspot}).ok
    assert act(board, "vote.cast", {"id": hotspot}).ok
    refused = act(board, "vote.cast", {"id": event})
    assert refused.error["code"] == "conflict" and "all 2" in refused.error["message"]
    assert act(board, "vote.cast", {"id": event}, author="bo").ok
    assert act(board, "vote.retract", {"id": hotspot}).ok
    assert store.snapshot(board.id)["votes"] == {hotspot: {"ana": 1}, event: {"bo": 1}}


def test_dots_go_on_events_and_hotspots_only(board):
    command = sticky(board, "Place Order", kind="command")
    assert act(board, "vote.cast", {"id": command}).error["code"] == "invalid"


def test_the_timer_is_shared_with_its_end_time(board):
    started = act(board, "timer.start", {"seconds": 300}, author="fac", role="facilitator")
    assert started.ok
    timer = store.snapshot(board.id)["timer"]
    assert timer["seconds"] == 300 and timer["ends_at"] > 0
    assert act(board, "timer.stop", {}, author="fac", role="facilitator").ok
    assert store.snapshot(board.id)["timer"] is None
