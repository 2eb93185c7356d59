"""The board's rules, on in-memory state: each op's events and each refusal."""

import uuid

import pytest

from boards import domain
from boards.domain import BoardState, Rejection


def decide(*args, **kwargs):
    """The events as (type, data) pairs: what clients receive."""
    return [(event.type, event.data) for event in domain.decide(*args, **kwargs)]


def new_id() -> str:
    return str(uuid.uuid4())


def note(state, kind="event", text="Order Placed", x=0, y=0, **extra):
    data = {"id": new_id(), "kind": kind, "text": text, "x": x, "y": y, **extra}
    decide(state, "note.create", data)
    return data["id"]


def frame(state, kind="aggregate", name="Order", x=0, y=0, w=600, h=400):
    data = {"id": new_id(), "kind": kind, "name": name, "x": x, "y": y, "w": w, "h": h}
    decide(state, "frame.create", data)
    return data["id"]


@pytest.fixture
def state():
    return BoardState(name="Checkout")


def test_creating_a_note_makes_one_event_with_the_whole_note(state):
    events = decide(
        state, "note.create", {"id": (nid := new_id()), "kind": "command", "text": "Place Order", "x": 10, "y": 20}
    )
    assert events == [
        (
            "note.created",
            {
                "id": nid,
                "kind": "command",
                "text": "Place Order",
                "x": 10.0,
                "y": 20.0,
                "w": 160.0,
                "h": 100.0,
                "fields": [],
                "aggregate": None,
                "context": None,
            },
        )
    ]
    assert state.notes[nid]["text"] == "Place Order"


def test_external_systems_are_wide_and_actors_small_by_default(state):
    wide = note(state, kind="external_system", text="Payment Provider")
    small = note(state, kind="actor", text="Customer")
    assert state.notes[wide]["w"] > 200
    assert state.notes[small]["w"] < 160


def test_an_update_carries_only_what_changed(state):
    nid = note(state)
    assert decide(state, "note.update", {"id": nid, "text": "Order Placed", "x": 5}) == [
        ("note.updated", {"id": nid, "x": 5.0})
    ]


def test_an_update_that_changes_nothing_makes_no_event(state):
    nid = note(state)
    assert decide(state, "note.update", {"id": nid, "x": 0}) == []


def test_a_note_dropped_inside_a_frame_joins_it_and_leaves_when_dragged_out(state):
    context = frame(state, kind="bounded_context", name="Ordering", x=-100, y=-100, w=2000, h=1000)
    aggregate = frame(state, name="Order", x=0, y=0, w=600, h=400)
    assert state.frames[aggregate]["context"] == context
    nid = note(state, x=100, y=100)
    assert (state.notes[nid]["aggregate"], state.notes[nid]["context"]) == (aggregate, context)
    events = decide(state, "note.update", {"id": nid, "x": 1000, "y": 100})
    assert events == [("note.updated", {"id": nid, "x": 1000.0, "aggregate": None})]
    assert state.notes[nid]["context"] == context


def test_drawing_a_frame_around_notes_takes_them_in(state):
    nid = note(state, x=100, y=100)
    aggregate = new_id()
    events = decide(
        state,
        "frame.create",
        {"id": aggregate, "kind": "aggregate", "name": "Order", "x": 0, "y": 0, "w": 600, "h": 400},
    )
    assert ("note.updated", {"id": nid, "aggregate": aggregate}) in events


def test_moving_a_frame_moves_what_is_in_it(state):
    aggregate = frame(state)
    inside = note(state, x=100, y=100)
    outside = note(state, x=900, y=100)
    events = decide(state, "frame.update", {"id": aggregate, "x": 50, "y": 30})
    assert ("note.updated", {"id": inside, "x": 150.0, "y": 130.0}) in events
    assert state.notes[outside]["x"] == 900
    assert state.notes[inside]["aggregate"] == aggregate


def test_moving_a_context_carries_its_aggregates_and_their_notes(state):
    context = frame(state, kind="bounded_context", name="Ordering", x=0, y=0, w=2000, h=1000)
    aggregate = frame(state, x=100, y=100)
    nid = note(state, x=200, y=200)
    decide(state, "frame.update", {"id": context, "x": 500})
    assert state.frames[aggregate]["x"] == 600
    assert state.notes[nid]["x"] == 700
    assert state.notes[nid]["aggregate"] == aggregate


def test_shrinking_a_frame_releases_what_falls_outside(state):
    aggregate = frame(state)
    nid = note(state, x=400, y=100)
    events = decide(state, "frame.update", {"id": aggregate, "w": 200})
    assert ("note.updated", {"id": nid, "aggregate": None}) in events


def test_deleting_a_frame_releases_its_members_and_removes_its_links(state):
    aggregate = frame(state)
    nid = note(state, x=100, y=100)
    link = new_id()
    decide(state, "link.create", {"id": link, "from": nid, "to": aggregate})
    events = decide(state, "frame.delete", {"id": aggregate})
    assert events[0] == ("link.deleted", {"id": link})
    assert ("frame.deleted", {"id": aggregate}) in events
    assert state.notes[nid]["aggregate"] is None


def test_deleting_a_note_removes_the_links_that_touch_it(state):
    a, b, c = note(state), note(state, kind="policy", text="Whenever"), note(state, kind="command", text="Pay")
    ab, bc = new_id(), new_id()
    decide(state, "link.create", {"id": ab, "from": a, "to": b})
    decide(state, "link.create", {"id": bc, "from": b, "to": c})
    events = decide(state, "note.delete", {"id": b})
    assert events[-1] == ("note.deleted", {"id": b})
    assert {data["id"] for kind, data in events[:-1] if kind == "link.deleted"} == {ab, bc}
    assert state.links == {}


def test_fields_are_cleaned_and_typed(state):
    nid = note(state)
    fields = [
        {"name": "order_id", "type": "uuid", "required": True},
        {"name": "status", "type": "enum", "values": ["new", "paid"]},
        {"name": "lines", "type": "list", "items": "string", "doc": "SKUs"},
    ]
    decide(state, "note.update", {"id": nid, "fields": fields})
    assert state.notes[nid]["fields"] == [
        {"name": "order_id", "type": "uuid", "required": True, "doc": ""},
        {"name": "status", "type": "enum", "required": False, "doc": "", "values": ["new", "paid"]},
        {"name": "lines", "type": "list", "required": False, "doc": "SKUs", "items": "string"},
    ]


def test_a_grammar_violating_link_is_allowed_here(state):
    # The model checks flag it; the board does not stop a workshop to argue.
    a, b = note(state, kind="actor", text="Customer"), note(state, kind="read_model", text="Cart")
    assert decide(state, "link.create", {"id": new_id(), "from": a, "to": b})[0][0] == "link.created"


def test_rename_board(state):
    assert decide(state, "board.rename", {"name": "  Shop  "}) == [("board.renamed", {"name": "Shop"})]


@pytest.mark.parametrize(
    ("op", "data", "code"),
    [
        ("note.create", {"id": "not-a-uuid", "kind": "event", "x": 0, "y": 0}, "invalid"),
        ("note.create", {"id": "00000000-0000-4000-8000-000000000001", "kind": "sticky", "x": 0, "y": 0}, "invalid"),
        ("note.create", {"id": "00000000-0000-4000-8000-000000000001", "kind": "event"}, "invalid"),
        ("note.create", {"id": "00000000-0000-4000-8000-000000000001", "kind": "event", "x": "1", "y": 0}, "invalid"),
        ("note.create", {"id": "00000000-0000-4000-8000-000000000001", "kind": "event", "x": 1e12, "y": 0}, "invalid"),
        ("note.create", {"id": "00000000-0000-4000-8000-000000000001", "kind": "event", "x": True, "y": 0}, "invalid"),
        (
            "note.create",
            {"id": "00000000-0000-4000-8000-000000000001", "kind": "event", "x": 0, "y": 0, "text": "x" * 5000},
            "too_large",
        ),
        (
            "note.create",
            {"id": "00000000-0000-4000-8000-000000000001", "kind": "actor", "x": 0, "y": 0, "fields": [{"name": "a"}]},
            "invalid",
        ),
        (
            "note.create",
            {"id": "00000000-0000-4000-8000-000000000001", "kind": "event", "x": 0, "y": 0, "colour": "red"},
            "invalid",
        ),
        ("note.update", {"id": "00000000-0000-4000-8000-000000000009", "x": 1}, "not_found"),
        ("note.delete", {"id": "00000000-0000-4000-8000-000000000009"}, "not_found"),
        (
            "frame.create",
            {"id": "00000000-0000-4000-8000-000000000001", "kind": "swimlane", "x": 0, "y": 0, "w": 9, "h": 9},
            "invalid",
        ),
        (
            "frame.create",
            {"id": "00000000-0000-4000-8000-000000000001", "kind": "aggregate", "x": 0, "y": 0},
            "invalid",
        ),
        (
            "link.create",
            {
                "id": "00000000-0000-4000-8000-000000000001",
                "from": "00000000-0000-4000-8000-000000000002",
                "to": "00000000-0000-4000-8000-000000000003",
            },
            "not_found",
        ),
        ("link.delete", {"id": "00000000-0000-4000-8000-000000000001"}, "not_found"),
        ("board.rename", {"name": "   "}, "invalid"),
        ("note.fly", {}, "unknown_op"),
        ("note.create", ["not", "an", "object"], "invalid"),
    ],
)
def test_it_refuses_bad_ops_with_a_code_and_changes_nothing(state, op, data, code):
    with pytest.raises(Rejection) as refused:
        decide(state, op, data)
    assert refused.value.code == code
    assert refused.value.message
    assert state.size() == 0


@pytest.mark.parametrize(
    "fields",
    [
        [{"name": "a", "type": "money"}],
        [{"name": "a"}, {"name": "a"}],
        [{"name": "", "type": "string"}],
        [{"name": "a", "type": "list", "items": "list"}],
        [{"name": "a", "required": "yes"}],
        "order_id",
    ],
)
def test_it_refuses_bad_fields(state, fields):
    nid = note(state)
    with pytest.raises(Rejection):
        decide(state, "note.update", {"id": nid, "fields": fields})
    assert state.notes[nid]["fields"] == []


def test_an_id_already_on_the_board_is_a_conflict(state):
    nid = note(state)
    with pytest.raises(Rejection) as refused:
        decide(state, "frame.create", {"id": nid, "kind": "aggregate", "x": 0, "y": 0, "w": 100, "h": 100})
    assert refused.value.code == "conflict"


@pytest.mark.parametrize("text", ["Order\x00Placed", "Order \ud800 Placed"])
def test_it_refuses_text_that_a_database_cannot_store(state, text):
    with pytest.raises(Rejection):
        decide(state, "note.create", {"id": new_id(), "kind": "event", "text": text, "x": 0, "y": 0})
    assert state.size() == 0
