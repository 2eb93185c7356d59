"""The board's rules: turn an op into events, or refuse it with a reason a person can act on.

`decide` is the only mutation logic in Storming. It checks an op against the current
`BoardState`, applies the resulting events to that state (so the next op in a batch sees them)
and returns them. It does no I/O: the store persists what it returns, the socket, the HTTP API,
the management commands and the tests all come through here.
"""

from __future__ import annotations

from typing import Any

from boards.domain.budgets import budgets, check_board_grows, check_count, check_op_size, check_room_for
from boards.domain.membership import emit_changes, frame_membership, in_lane, note_membership, regroup
from boards.domain.state import (
    EDITOR,
    FRAME_KINDS,
    HIDDEN_BY,
    NOTE_KINDS,
    Actor,
    BoardState,
    Element,
    Event,
    Rejection,
    emit,
)
from boards.domain.threads import RESTORE_HANDLERS, THREAD_HANDLERS, drop_thread
from boards.domain.validation import (
    allowed_keys,
    clean_fields,
    clean_geometry,
    clean_text,
    clean_uuid,
)

KINDS_WITH_FIELDS = ("event", "command")

# Default sizes follow the look of each kind: external systems are wide, actors small.
NOTE_SIZES = {
    "external_system": (240.0, 100.0),
    "actor": (110.0, 80.0),
}
DEFAULT_NOTE_SIZE = (160.0, 100.0)

# Workshop phases: which kinds participants may add in each (the facilitator may add anything).
_EXPLORATION = ("event", "hotspot")
_COMMANDS = (*_EXPLORATION, "command", "policy", "actor", "external_system", "read_model")
PHASES: dict[str, tuple[str, ...] | None] = {
    "free": None,
    "exploration": _EXPLORATION,
    "timeline": (*_EXPLORATION, "lane"),
    "commands": (*_COMMANDS, "lane"),
    "aggregates": (*_COMMANDS, "aggregate", "lane"),
    "contexts": NOTE_KINDS + FRAME_KINDS,
}
VOTABLE_KINDS = ("event", "hotspot")
MAX_VOTES_PER_PERSON = 50
MAX_TIMER_SECONDS = 4 * 3600


def _new_id(state: BoardState, data: Element) -> str:
    element_id = clean_uuid(data.get("id"))
    if (
        element_id in state.notes
        or element_id in state.frames
        or element_id in state.links
        or element_id in state.comments
    ):
        raise Rejection("conflict", "Something on this board already has that id.")
    check_count(state)
    return element_id


def _existing(collection: dict[str, Element], data: Element, what: str) -> Element:
    element_id = clean_uuid(data.get("id"))
    element = collection.get(element_id)
    if element is None:
        raise Rejection("not_found", f"That {what} is no longer on the board; someone may have deleted it.")
    return element


def _note_create(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id", "kind", "text", "x", "y", "w", "h", "fields"}, "note.create")
    note_id = _new_id(state, data)
    kind = data.get("kind")
    if kind not in NOTE_KINDS:
        raise Rejection("invalid", f"A sticky's kind is one of {', '.join(NOTE_KINDS)}.")
    if "x" not in data or "y" not in data:
        raise Rejection("invalid", "A new sticky needs x and y.")
    w, h = NOTE_SIZES.get(kind, DEFAULT_NOTE_SIZE)
    note: Element = {"id": note_id, "kind": kind, "text": "", "x": 0.0, "y": 0.0, "w": w, "h": h, "fields": []}
    note["text"] = clean_text(data.get("text", ""), "The text", budgets().text)
    clean_geometry(data, note)
    if data.get("fields"):
        if kind not in KINDS_WITH_FIELDS:
            raise Rejection("invalid", "Only events and commands have fields.")
        note["fields"] = clean_fields(data["fields"])
    note.update(note_membership(state, note))
    check_room_for(state, "sticky", note)
    if state.meta["silent"] and actor.role == "editor" and actor.author:
        # A participant's idea in a silent round: face down for everyone else until revealed.
        note[HIDDEN_BY] = actor.author
    events: list[Event] = []
    emit(state, events, "note.created", note)
    return events


FACE_DOWN = "That sticky is face down until the facilitator reveals the silent round; only its author can change it."


def _face_down_for(state: BoardState, note: Element, actor: Actor) -> bool:
    writer = state.hidden.get(note["id"])
    return writer is not None and writer != actor.author


def _note_update(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id", "kind", "text", "x", "y", "w", "h", "fields"}, "note.update")
    note = _existing(state.notes, data, "sticky")
    # Others may move a face-down sticky (it takes room on the board), not write on it unseen.
    if _face_down_for(state, note, actor) and {"kind", "text", "fields"} & data.keys():
        raise Rejection("face_down", FACE_DOWN)
    changes: Element = {}
    if "kind" in data:
        if data["kind"] not in NOTE_KINDS:
            raise Rejection("invalid", f"A sticky's kind is one of {', '.join(NOTE_KINDS)}.")
        changes["kind"] = data["kind"]
    if "text" in data:
        changes["text"] = clean_text(data["text"], "The text", budgets().text)
    clean_geometry(data, changes)
    if "fields" in data:
        changes["fields"] = clean_fields(data["fields"])
    kind = changes.get("kind", note["kind"])
    if kind not in KINDS_WITH_FIELDS and changes.get("fields", note["fields"]):
        raise Rejection("invalid", "Only events and commands have fields.")
    changes = {key: value for key, value in changes.items() if note.get(key) != value}
    events: list[Event] = []
    if not changes:
        return events
    moved = {**note, **changes}
    changes.update({k: v for k, v in note_membership(state, moved).items() if note.get(k) != v})
    check_room_for(state, "sticky", {**note, **changes})
    emit(state, events, "note.updated", {"id": note["id"], **changes})
    return events


def _links_touching(state: BoardState, element_id: str) -> list[str]:
    return [link["id"] for link in state.links.values() if element_id in (link["from"], link["to"])]


def _note_delete(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id"}, "note.delete")
    note = _existing(state.notes, data, "sticky")
    # Not even the facilitator: an undo of that delete would bring the sticky back face up.
    if _face_down_for(state, note, actor):
        raise Rejection("face_down", FACE_DOWN)
    events: list[Event] = []
    for link_id in _links_touching(state, note["id"]):
        emit(state, events, "link.deleted", {"id": link_id})
    drop_thread(state, events, note["id"])
    emit(state, events, "note.deleted", {"id": note["id"]})
    return events


def _frame_name(value: Any) -> str:
    return clean_text(value, "The name", budgets().name).strip()


def _frame_create(state: BoardState, data: Element) -> list[Event]:
    data = allowed_keys(data, {"id", "kind", "name", "x", "y", "w", "h"}, "frame.create")
    frame_id = _new_id(state, data)
    kind = data.get("kind")
    if kind not in FRAME_KINDS:
        raise Rejection("invalid", f"A frame's kind is one of {', '.join(FRAME_KINDS)}.")
    missing = [key for key in ("x", "y", "w", "h") if key not in data]
    if missing:
        raise Rejection("invalid", f"A new frame needs {', '.join(missing)}.")
    frame: Element = {"id": frame_id, "kind": kind, "name": _frame_name(data.get("name", ""))}
    clean_geometry(data, frame)
    frame["context"] = None
    frame.update(frame_membership(state, frame))
    check_room_for(state, "frame", frame)
    events: list[Event] = []
    emit(state, events, "frame.created", frame)
    events += regroup(state, [frame])
    return events


def _members(state: BoardState, frame: Element) -> tuple[list[Element], list[Element]]:
    if frame["kind"] == "lane":
        return in_lane(state, frame), []
    key = "aggregate" if frame["kind"] == "aggregate" else "context"
    notes = [n for n in state.notes.values() if n[key] == frame["id"]]
    frames = [f for f in state.frames.values() if f["context"] == frame["id"]] if key == "context" else []
    return notes, frames


def _frame_update(state: BoardState, data: Element) -> list[Event]:
    data = allowed_keys(data, {"id", "name", "x", "y", "w", "h"}, "frame.update")
    frame = _existing(state.frames, data, "frame")
    changes: Element = {}
    if "name" in data:
        changes["name"] = _frame_name(data["name"])
    clean_geometry(data, changes)
    changes = {key: value for key, value in changes.items() if frame.get(key) != value}
    events: list[Event] = []
    if not changes:
        return events
    check_room_for(state, "frame", {**frame, **changes})
    before = dict(frame)
    dx = changes.get("x", frame["x"]) - frame["x"]
    dy = changes.get("y", frame["y"]) - frame["y"]
    notes, frames = _members(state, frame) if (dx or dy) else ([], [])
    emit(state, events, "frame.updated", {"id": frame["id"], **changes})
    # Moving a frame carries what is in it, the way a physical frame would.
    for member in frames:
        moved = {"id": member["id"], "x": member["x"] + dx, "y": member["y"] + dy}
        emit(state, events, "frame.updated", moved, derived=True)
    for member in notes:
        emit(
            state,
            events,
            "note.updated",
            {"id": member["id"], "x": member["x"] + dx, "y": member["y"] + dy},
            derived=True,
        )
    if any(key in changes for key in ("x", "y", "w", "h")):
        if frame["kind"] == "aggregate":
            emit_changes(state, events, "frame", frame, frame_membership(state, frame))
        events += regroup(state, [before, frame])
    return events


def _frame_delete(state: BoardState, data: Element) -> list[Event]:
    data = allowed_keys(data, {"id"}, "frame.delete")
    frame = _existing(state.frames, data, "frame")
    events: list[Event] = []
    for link_id in _links_touching(state, frame["id"]):
        emit(state, events, "link.deleted", {"id": link_id})
    emit(state, events, "frame.deleted", {"id": frame["id"]})
    events += regroup(state, [frame])
    # Members outside the regrouped region may still point at the deleted frame.
    for note in list(state.notes.values()):
        if frame["id"] in (note["aggregate"], note["context"]):
            emit_changes(state, events, "note", note, note_membership(state, note))
    for other in list(state.frames.values()):
        if other["context"] == frame["id"]:
            emit_changes(state, events, "frame", other, frame_membership(state, other))
    return events


def _link_create(state: BoardState, data: Element) -> list[Event]:
    data = allowed_keys(data, {"id", "from", "to", "label"}, "link.create")
    link_id = _new_id(state, data)
    source = clean_uuid(data.get("from"), "link's start")
    target = clean_uuid(data.get("to"), "link's end")
    if state.element(source) is None or state.element(target) is None:
        raise Rejection("not_found", "A link must join two things on this board; one end is not here any more.")
    if source == target:
        raise Rejection("invalid", "A link joins two different things.")
    link = {
        "id": link_id,
        "from": source,
        "to": target,
        "label": clean_text(data.get("label", ""), "The label", budgets().name),
    }
    check_room_for(state, "link", link)
    events: list[Event] = []
    emit(state, events, "link.created", link)
    return events


def _link_update(state: BoardState, data: Element) -> list[Event]:
    data = allowed_keys(data, {"id", "label"}, "link.update")
    link = _existing(state.links, data, "link")
    label = clean_text(data.get("label", ""), "The label", budgets().name)
    events: list[Event] = []
    if label != link["label"]:
        check_room_for(state, "link", {**link, "label": label})
        emit(state, events, "link.updated", {"id": link["id"], "label": label})
    return events


def _link_delete(state: BoardState, data: Element) -> list[Event]:
    data = allowed_keys(data, {"id"}, "link.delete")
    link = _existing(state.links, data, "link")
    events: list[Event] = []
    emit(state, events, "link.deleted", {"id": link["id"]})
    return events


def _board_rename(state: BoardState, data: Element) -> list[Event]:
    data = allowed_keys(data, {"name"}, "board.rename")
    name = clean_text(data.get("name"), "The board's name", budgets().name).strip()
    if not name:
        raise Rejection("invalid", "A board needs a name.")
    events: list[Event] = []
    if name != state.name:
        emit(state, events, "board.renamed", {"name": name})
    return events


def _board_configure(state: BoardState, data: Element) -> list[Event]:
    data = allowed_keys(data, {"phase", "locked", "votes_per_person", "follow", "anonymous_votes"}, "board.configure")
    changes: Element = {}
    if "phase" in data:
        if not isinstance(data["phase"], str) or data["phase"] not in PHASES:
            raise Rejection("invalid", f"The phase is one of {', '.join(PHASES)}.")
        changes["phase"] = data["phase"]
    for key in ("locked", "follow", "anonymous_votes"):
        if key in data:
            if not isinstance(data[key], bool):
                raise Rejection("invalid", f"{key} must be true or false.")
            changes[key] = data[key]
    if "votes_per_person" in data:
        votes = data["votes_per_person"]
        if isinstance(votes, bool) or not isinstance(votes, int) or not 0 <= votes <= MAX_VOTES_PER_PERSON:
            raise Rejection("invalid", f"Votes per person must be a whole number from 0 to {MAX_VOTES_PER_PERSON}.")
        changes["votes_per_person"] = votes
    changes = {key: value for key, value in changes.items() if state.meta.get(key) != value}
    events: list[Event] = []
    # Ending anonymous voting is a reveal: everyone gets the dots they could not see.
    revealing = changes.get("anonymous_votes") is False
    if revealing:
        del changes["anonymous_votes"]
    if changes:
        emit(state, events, "board.configured", changes)
    if revealing:
        events += _votes_reveal(state, {})
    return events


def _timer_start(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"seconds"}, "timer.start")
    seconds = data.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 < seconds <= MAX_TIMER_SECONDS:
        raise Rejection("invalid", f"A timer runs for 1 to {MAX_TIMER_SECONDS} seconds.")
    events: list[Event] = []
    emit(state, events, "timer.started", {"seconds": seconds, "ends_at": round(actor.now + seconds, 3)})
    return events


def _timer_stop(state: BoardState, data: Element) -> list[Event]:
    allowed_keys(data, set(), "timer.stop")
    events: list[Event] = []
    if state.meta.get("timer"):
        emit(state, events, "timer.stopped", {})
    return events


def _voter(actor: Actor) -> str:
    if not actor.author:
        raise Rejection("invalid", "Voting needs to know who you are; reload the page and try again.")
    return actor.author


def _vote_cast(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id"}, "vote.cast")
    note = _existing(state.notes, data, "sticky")
    if note["kind"] not in VOTABLE_KINDS:
        raise Rejection("invalid", "Dots go on events and hotspots.")
    if note["id"] in state.hidden:
        raise Rejection("face_down", "That sticky is face down until the facilitator reveals the silent round.")
    voter = _voter(actor)
    used = sum(voters.get(voter, 0) for voters in state.votes.values())
    if used >= state.meta["votes_per_person"]:
        raise Rejection(
            "conflict", f"You have used all {state.meta['votes_per_person']} of your dots; take one back first."
        )
    check_board_grows(state, len(voter) + len(note["id"]) + 12)  # at most "<id>":{"<voter>":n},
    events: list[Event] = []
    emit(state, events, "vote.cast", _vote(state, note["id"], voter))
    return events


def _vote_retract(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id"}, "vote.retract")
    element_id = clean_uuid(data.get("id"))
    voter = _voter(actor)
    if not state.votes.get(element_id, {}).get(voter):
        raise Rejection("not_found", "You have no dot on that to take back.")
    events: list[Event] = []
    emit(state, events, "vote.retracted", _vote(state, element_id, voter))
    return events


def _vote(state: BoardState, element_id: str, voter: str) -> Element:
    # An anonymous dot reaches only its voter (boards/redaction.py); the others learn at the reveal.
    return {"id": element_id, "voter": voter, **({"anonymous": True} if state.meta["anonymous_votes"] else {})}


def _votes_reveal(state: BoardState, data: Element) -> list[Event]:
    allowed_keys(data, set(), "votes.reveal")
    events: list[Event] = []
    if state.meta["anonymous_votes"]:
        votes = {element: dict(voters) for element, voters in state.votes.items()}
        emit(state, events, "votes.revealed", {"votes": votes})
    return events


def _silent_start(state: BoardState, data: Element) -> list[Event]:
    allowed_keys(data, set(), "silent.start")
    events: list[Event] = []
    if not state.meta["silent"]:
        emit(state, events, "silent.started", {})
    return events


def _silent_reveal(state: BoardState, data: Element) -> list[Event]:
    """All face-down stickies turn over at once: the event carries them whole, for everyone."""
    allowed_keys(data, set(), "silent.reveal")
    events: list[Event] = []
    if state.meta["silent"] or state.hidden:
        notes = [dict(state.notes[note_id]) for note_id in state.hidden if note_id in state.notes]
        emit(state, events, "silent.revealed", {"notes": notes})
    return events


def _votes_clear(state: BoardState, data: Element) -> list[Event]:
    allowed_keys(data, set(), "votes.clear")
    events: list[Event] = []
    if state.votes:
        emit(state, events, "votes.cleared", {})
    return events


HANDLERS = {
    "frame.create": _frame_create,
    "frame.update": _frame_update,
    "frame.delete": _frame_delete,
    "link.create": _link_create,
    "link.update": _link_update,
    "link.delete": _link_delete,
    "board.rename": _board_rename,
    "board.configure": _board_configure,
    "timer.stop": _timer_stop,
    "votes.clear": _votes_clear,
    "votes.reveal": _votes_reveal,
    "silent.start": _silent_start,
    "silent.reveal": _silent_reveal,
}
# Handlers that need to know who acts.
ACTOR_HANDLERS = {
    "note.create": _note_create,
    "note.update": _note_update,
    "note.delete": _note_delete,
    "timer.start": _timer_start,
    "vote.cast": _vote_cast,
    "vote.retract": _vote_retract,
    **THREAD_HANDLERS,
}
FACILITATOR_OPS = (
    "board.configure",
    "timer.start",
    "timer.stop",
    "votes.clear",
    "votes.reveal",
    "silent.start",
    "silent.reveal",
)
# Ops built from several others (see store.py), checked here like any op.
COMPOUND_OPS = ("undo", "board.restore")
KNOWN_OPS = (*HANDLERS, *ACTOR_HANDLERS, *COMPOUND_OPS)


def _permit(state: BoardState, op: str, data: Any, actor: Actor) -> None:
    """Roles, the lock and the workshop phase, enforced here and not only in the palette."""
    if actor.role == "viewer":
        raise Rejection("read_only", "This is a view-only link; ask the facilitator for the edit link.")
    if actor.role == "facilitator":
        return
    if op in FACILITATOR_OPS:
        raise Rejection("forbidden", "Only the facilitator can do that.")
    if state.meta["locked"]:
        raise Rejection("locked", "The facilitator has locked the board for now.")
    allowed = PHASES[state.meta["phase"]]
    if allowed is None or not isinstance(data, dict):
        return
    kind = data.get("kind")
    # A kind that is not text is refused by the op's own checks, with a better message.
    if op in ("note.create", "note.update", "frame.create") and isinstance(kind, str) and kind not in allowed:
        phase = state.meta["phase"]
        raise Rejection(
            "phase",
            f"The {phase} phase is for {', '.join(k.replace('_', ' ') for k in allowed)}; {kind.replace('_', ' ')} comes later.",
        )


def decide(state: BoardState, op: str, data: Any, actor: Actor = EDITOR) -> list[Event]:
    """Check `op` against `state`, apply its events to `state` and return them.

    A refused op raises Rejection before it changes anything.
    """
    restoring = actor.trusted and op in RESTORE_HANDLERS
    if not isinstance(op, str) or (op not in HANDLERS and op not in ACTOR_HANDLERS and not restoring):
        raise Rejection("unknown_op", f"Unknown op {str(op)[:40]!r}; known ops: {', '.join(KNOWN_OPS)}.")
    _permit(state, op, data, actor)
    check_op_size(op, data)
    if restoring:
        return RESTORE_HANDLERS[op](state, data, actor)
    if op in ACTOR_HANDLERS:
        return ACTOR_HANDLERS[op](state, data, actor)
    return HANDLERS[op](state, data)


def decide_all(state: BoardState, ops: list[tuple[str, Element]], actor: Actor) -> list[Event]:
    """Several ops as one: all are applied, or none (the first refusal is raised)."""
    trial = state.copy()
    events: list[Event] = []
    for op, data in ops:
        events += decide(trial, op, data, actor)
    state.__dict__.update(trial.__dict__)
    return events
