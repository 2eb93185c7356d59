"""The checkout example is the first board people see: it must be consistent with itself."""

import json
from pathlib import Path

import pytest

from boards.domain import FIELD_TYPES
from boards.domain import NOTE_KINDS as KINDS

NOTE_KINDS = set(KINDS)

EXAMPLE = Path(__file__).resolve().parents[2] / "boards" / "examples" / "checkout.json"


@pytest.fixture(scope="module")
def board() -> dict:
    return json.loads(EXAMPLE.read_text())


def _centre(element: dict) -> tuple[float, float]:
    return element["x"] + element["w"] / 2, element["y"] + element["h"] / 2


def _smallest_frame_around(point: tuple[float, float], frames: list[dict], kind: str) -> str | None:
    x, y = point
    around = [
        f for f in frames if f["kind"] == kind and f["x"] <= x <= f["x"] + f["w"] and f["y"] <= y <= f["y"] + f["h"]
    ]
    return min(around, key=lambda f: f["w"] * f["h"])["id"] if around else None


def test_it_is_a_new_board_named_checkout(board):
    assert board["id"] is None
    assert board["seq"] == 0
    assert board["name"] == "Checkout (example)"


def test_every_element_has_a_unique_id(board):
    ids = [e["id"] for key in ("notes", "frames", "links") for e in board[key]]
    assert len(ids) == len(set(ids))


def test_every_note_kind_of_the_grammar_appears(board):
    assert {n["kind"] for n in board["notes"]} == NOTE_KINDS
    assert {f["kind"] for f in board["frames"]} == {"aggregate", "bounded_context"}


def test_note_membership_follows_geometry(board):
    for note in board["notes"]:
        centre = _centre(note)
        assert note["aggregate"] == _smallest_frame_around(centre, board["frames"], "aggregate"), note["text"]
        assert note["context"] == _smallest_frame_around(centre, board["frames"], "bounded_context"), note["text"]


def test_every_aggregate_lies_in_the_context_it_names(board):
    for frame in board["frames"]:
        if frame["kind"] == "aggregate":
            expected = _smallest_frame_around(_centre(frame), board["frames"], "bounded_context")
            assert expected is not None, frame["name"]
            assert frame["context"] == expected, frame["name"]
        else:
            assert frame["context"] is None


def test_a_note_in_an_aggregate_shares_the_aggregates_context(board):
    frames = {f["id"]: f for f in board["frames"]}
    for note in board["notes"]:
        if note["aggregate"]:
            assert note["context"] == frames[note["aggregate"]]["context"], note["text"]


def test_every_link_joins_two_existing_elements(board):
    ids = {e["id"] for key in ("notes", "frames") for e in board[key]}
    for link in board["links"]:
        assert link["from"] in ids and link["to"] in ids, link


def test_every_event_and_command_carries_typed_fields(board):
    types = set(FIELD_TYPES)
    for note in board["notes"]:
        if note["kind"] not in ("event", "command"):
            continue
        assert note["fields"], note["text"]
        names = [f["name"] for f in note["fields"]]
        assert len(names) == len(set(names)), note["text"]
        for field in note["fields"]:
            assert field["type"] in types
            if field["type"] == "enum":
                assert field["values"]
            if field["type"] == "list":
                assert field["items"] in types


def test_the_same_event_name_lives_in_two_contexts(board):
    contexts_by_text: dict[str, set] = {}
    for note in board["notes"]:
        if note["kind"] == "event":
            contexts_by_text.setdefault(note["text"], set()).add(note["context"])
    assert any(len(contexts) > 1 for contexts in contexts_by_text.values())


def test_no_two_notes_overlap(board):
    notes = board["notes"]
    for i, a in enumerate(notes):
        for b in notes[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            assert apart, (a["text"], b["text"])


@pytest.mark.parametrize("frames_first", [True, False], ids=["frames-first", "notes-first"])
def test_drawing_the_example_by_hand_gives_the_same_board(board, frames_first):
    # Replaying the example as ops a person would make must land every sticky in the same frames.
    from boards.domain import BoardState, decide

    state = BoardState()
    frame_ops = [
        ("frame.create", {k: f[k] for k in ("id", "kind", "name", "x", "y", "w", "h")}) for f in board["frames"]
    ]
    note_ops = [
        ("note.create", {k: n[k] for k in ("id", "kind", "text", "x", "y", "w", "h", "fields")}) for n in board["notes"]
    ]
    link_ops = [("link.create", dict(link)) for link in board["links"]]
    for op, data in (frame_ops + note_ops if frames_first else note_ops + frame_ops) + link_ops:
        decide(state, op, data)
    replayed = state.snapshot()
    for key in ("notes", "frames", "links"):
        assert sorted(replayed[key], key=lambda e: e["id"]) == sorted(board[key], key=lambda e: e["id"])
