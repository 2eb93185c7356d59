"""Swimlanes: frames of kind "lane", bands across the timeline that are layout only."""

import copy
import uuid
import xml.etree.ElementTree as ET

import pytest

from boards import domain
from boards.domain import BoardState, Rejection
from boards.domain.state import Actor
from boards.export import parse_options, plan_export
from boards.pictures import board_svg


def new_id() -> str:
    return str(uuid.uuid4())


def decide(state, op, data, actor=domain.FACILITATOR):
    return [(event.type, event.data) for event in domain.decide(state, op, data, actor)]


def note(state, kind="event", text="Order Placed", x=0, y=0):
    data = {"id": new_id(), "kind": kind, "text": text, "x": x, "y": y}
    decide(state, "note.create", data)
    return data["id"]


def frame(state, kind, name, x, y, w, h):
    data = {"id": new_id(), "kind": kind, "name": name, "x": x, "y": y, "w": w, "h": h}
    decide(state, "frame.create", data)
    return data["id"]


@pytest.fixture
def state():
    return BoardState(name="Checkout")


def test_a_lane_does_not_change_which_aggregate_or_context_a_sticky_is_in(state):
    context = frame(state, "bounded_context", "Ordering", 0, 0, 2000, 1000)
    order = frame(state, "aggregate", "Order", 100, 100, 600, 400)
    placed = note(state, x=200, y=200)
    frame(state, "lane", "Customer", -100, 150, 3000, 240)
    assert state.notes[placed]["aggregate"] == order
    assert state.notes[placed]["context"] == context
    assert state.frames[order]["context"] == context
    later = note(state, text="Order Shipped", x=900, y=200)  # in the lane and the context only
    assert state.notes[later]["context"] == context
    assert state.notes[later]["aggregate"] is None


def test_moving_a_lane_carries_the_stickies_in_its_band_and_regroups_them(state):
    lane = frame(state, "lane", "Customer", 0, 0, 2000, 240)
    inside = note(state, x=100, y=60)
    outside = note(state, x=100, y=400)
    context = frame(state, "bounded_context", "Shipping", 0, 900, 2000, 500)
    events = decide(state, "frame.update", {"id": lane, "y": 1000})
    assert state.notes[inside]["y"] == 1060
    assert state.notes[outside]["y"] == 400
    assert ("note.updated", {"id": inside, "context": context}) in events
    assert state.frames[lane]["context"] is None


def test_deleting_a_lane_leaves_its_stickies_where_they_are(state):
    lane = frame(state, "lane", "Customer", 0, 0, 2000, 240)
    inside = note(state, x=100, y=60)
    decide(state, "frame.delete", {"id": lane})
    assert state.notes[inside]["y"] == 60 and lane not in state.frames


def test_participants_may_add_lanes_while_they_sort_the_timeline_but_not_before(state):
    decide(state, "board.configure", {"phase": "exploration"})
    editor = Actor(role="editor", author="ana")
    data = {"id": new_id(), "kind": "lane", "name": "Customer", "x": 0, "y": 0, "w": 2000, "h": 240}
    with pytest.raises(Rejection) as refused:
        domain.decide(state, "frame.create", data, editor)
    assert refused.value.code == "phase"
    decide(state, "board.configure", {"phase": "timeline"})
    domain.decide(state, "frame.create", data, editor)
    assert state.frames[data["id"]]["kind"] == "lane"


def test_undo_of_a_lane_delete_brings_it_back(state):
    lane = frame(state, "lane", "Customer", 0, 0, 2000, 240)
    before = copy.deepcopy(state)
    decide(state, "frame.delete", {"id": lane})
    ops = domain.restore_ops(state, before)
    assert (
        "frame.create",
        {"id": lane, "kind": "lane", "name": "Customer", "x": 0.0, "y": 0.0, "w": 2000.0, "h": 240.0},
    ) in [(op, {k: v for k, v in data.items() if k != "context"}) for op, data in ops]


def test_the_export_ignores_lanes(state):
    frame(state, "bounded_context", "Ordering", 0, 0, 2000, 1000)
    frame(state, "aggregate", "Order", 100, 100, 600, 400)
    note(state, x=200, y=200)
    without = plan_export(state.snapshot("b"), parse_options({}))
    frame(state, "lane", "Customer", -100, 150, 3000, 240)
    with_lane = plan_export(state.snapshot("b"), parse_options({}))
    assert [t.name for t in with_lane.topics] == [t.name for t in without.topics]
    assert [c.name.pascal for c in with_lane.contexts] == [c.name.pascal for c in without.contexts]


def test_pictures_draw_lanes_under_everything_and_a_selected_lane_brings_its_stickies(state):
    lane = frame(state, "lane", "Customer", 0, 0, 2000, 240)
    frame(state, "aggregate", "Order", 100, 20, 600, 200)
    inside = note(state, x=900, y=60)
    note(state, text="Elsewhere", x=100, y=900)
    svg = board_svg(state.snapshot("b"))
    root = ET.fromstring(svg)
    kinds = [g.get("data-kind") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "frame"]
    assert kinds[0] == "lane" and "aggregate" in kinds
    assert "Lane: Customer" in svg
    selected = board_svg(state.snapshot("b"), {lane})
    assert f'data-id="{inside}"' in selected and "Elsewhere" not in selected
