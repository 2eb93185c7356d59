"""What a board is: its state, the events that change it, who acts, and how a refusal reads.

`evolve` applies one event; `emit` applies one and records what it replaced, for undo.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

NOTE_KINDS = ("event", "command", "policy", "external_system", "actor", "read_model", "hotspot")
# A lane is a horizontal band for one actor or context along the timeline: layout only, so it
# gives no membership (a sticky's aggregate and context ignore lanes) and the export ignores it.
FRAME_KINDS = ("aggregate", "bounded_context", "lane")
MEMBERSHIP_KEYS = ("aggregate", "context")

Element = dict[str, Any]


class Event(NamedTuple):
    """A fact the board records. `before` holds what it replaced (for undo); `derived` marks
    events that follow from another one in the same op (a member moved along with its frame)."""

    type: str
    data: Element
    before: Element | None = None
    derived: bool = False


@dataclass(frozen=True)
class Actor:
    """Who sends an op: their role, a stable participant id, the time (for timers), and the
    display name (signs comments). `trusted` is for ops the server worked out itself (undo,
    restore, import): only those may put back a comment as its author wrote it."""

    role: str = "editor"
    author: str = ""
    now: float = 0.0
    name: str = ""
    trusted: bool = False


EDITOR = Actor()
FACILITATOR = Actor(role="facilitator")


def default_meta() -> Element:
    return {
        "phase": "free",
        "locked": False,
        "votes_per_person": 5,
        "timer": None,
        "follow": False,
        # A silent round: participants' new stickies are face down for the others until revealed.
        "silent": False,
        # Dots: each participant sees only their own until the facilitator reveals them.
        "anonymous_votes": False,
    }


class Rejection(Exception):
    """An op the board refuses. `code` is for programs, `message` for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class BoardState:
    name: str = ""
    seq: int = 0
    notes: dict[str, Element] = field(default_factory=dict)
    frames: dict[str, Element] = field(default_factory=dict)
    links: dict[str, Element] = field(default_factory=dict)
    meta: Element = field(default_factory=default_meta)
    # element id -> {participant: number of dots}
    votes: dict[str, dict[str, int]] = field(default_factory=dict)
    # note id -> the participant who wrote it, while it is face down (a silent round)
    hidden: dict[str, str] = field(default_factory=dict)
    # Comments on stickies (comment id -> comment), and the threads resolved (sticky id -> who, when).
    comments: dict[str, Element] = field(default_factory=dict)
    resolved: dict[str, Element] = field(default_factory=dict)
    # Bytes each element, and each element's dots, take in a snapshot: worked out on the first
    # call of `weight()`, then kept up to date by `evolve` (see boards/domain/budgets.py).
    weights: dict[str, int] | None = field(default=None, repr=False, compare=False)
    total_weight: int = field(default=0, repr=False, compare=False)

    def element(self, element_id: str) -> Element | None:
        return self.notes.get(element_id) or self.frames.get(element_id)

    def size(self) -> int:
        return len(self.notes) + len(self.frames) + len(self.links)

    def weight(self) -> int:
        """About the bytes of this board's snapshot: its elements and dots (the rest is small)."""
        if self.weights is None:
            self.weights, self.total_weight = {}, 0
            for collection in (self.notes, self.frames, self.links):
                for element_id, element in collection.items():
                    self.reweigh(element_id, element)
            for element_id in self.votes:
                self.reweigh_dots(element_id)
            for comment_id, comment in self.comments.items():
                self.reweigh(f"comment:{comment_id}", comment)
            for note_id in self.resolved:
                self.reweigh_resolved(note_id)
        return self.total_weight

    def weight_of(self, key: str) -> int:
        self.weight()
        return self.weights.get(key, 0)

    def reweigh(self, key: str, item: Any) -> None:
        if self.weights is None:
            return
        self.total_weight -= self.weights.pop(key, 0)
        if item is not None:
            self.weights[key] = wire_bytes(item) + 1  # and the comma after it
            self.total_weight += self.weights[key]

    def reweigh_dots(self, element_id: str) -> None:
        voters = self.votes.get(element_id)
        self.reweigh(f"dots:{element_id}", {element_id: voters} if voters else None)

    def reweigh_resolved(self, note_id: str) -> None:
        entry = self.resolved.get(note_id)
        self.reweigh(f"resolved:{note_id}", {note_id: entry} if entry else None)

    def thread_of(self, note_id: str) -> list[Element]:
        return [c for c in self.comments.values() if c["note"] == note_id]

    def snapshot(self, board_id: str | None = None) -> dict[str, Any]:
        return {
            "id": board_id,
            "name": self.name,
            "seq": self.seq,
            "notes": [dict(n) for n in self.notes.values()],
            "frames": [dict(f) for f in self.frames.values()],
            "links": [dict(link) for link in self.links.values()],
            **{key: copy.deepcopy(value) for key, value in self.meta.items()},
            "votes": {element: dict(voters) for element, voters in self.votes.items()},
            # Internal: boards/redaction.py turns it into face-down stickies before it leaves.
            "hidden_notes": dict(self.hidden),
            "comments": [dict(c) for c in sorted(self.comments.values(), key=lambda c: (c["at"], c["id"]))],
            "resolved": {note: dict(entry) for note, entry in self.resolved.items()},
        }

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any]) -> BoardState:
        meta = default_meta()
        meta.update({key: snapshot[key] for key in meta if key in snapshot})
        return cls(
            name=snapshot.get("name", ""),
            seq=snapshot.get("seq", 0),
            notes={n["id"]: dict(n) for n in snapshot.get("notes", [])},
            frames={f["id"]: dict(f) for f in snapshot.get("frames", [])},
            links={link["id"]: dict(link) for link in snapshot.get("links", [])},
            meta=meta,
            votes={element: dict(voters) for element, voters in snapshot.get("votes", {}).items()},
            hidden=dict(snapshot.get("hidden_notes", {})),
            comments={c["id"]: dict(c) for c in snapshot.get("comments", [])},
            resolved={note: dict(entry) for note, entry in snapshot.get("resolved", {}).items()},
        )

    def copy(self) -> BoardState:
        clone = BoardState.from_snapshot(copy.deepcopy(self.snapshot()))
        if self.weights is not None:
            clone.weights, clone.total_weight = dict(self.weights), self.total_weight
        return clone


_COMPACT = json.JSONEncoder(separators=(",", ":"))


def wire_bytes(value: Any) -> int:
    """Bytes `value` takes in a message: compact JSON, the way boards.protocol.dumps writes it."""
    return len(_COMPACT.encode(value))


# --- applying events -------------------------------------------------------------------------

COLLECTIONS = {"note": "notes", "frame": "frames", "link": "links"}
# In the data of a face-down sticky's events: the participant who may read it (boards/redaction.py).
HIDDEN_BY = "hidden_by"


def evolve(state: BoardState, event_type: str, data: Element) -> None:
    """Apply one event to the state. Events are facts: this never refuses."""
    if event_type == "board.renamed":
        state.name = data["name"]
        return
    if event_type in _META_EVENTS:
        _META_EVENTS[event_type](state, data)
        return
    if event_type in _THREAD_EVENTS:
        _THREAD_EVENTS[event_type](state, data)
        return
    entity, _, verb = event_type.partition(".")
    collection: dict[str, Element] = getattr(state, COLLECTIONS[entity])
    if HIDDEN_BY in data:
        # Who may read a face-down sticky travels with its events; it is not part of the sticky.
        if verb == "created":
            state.hidden[data["id"]] = data[HIDDEN_BY]
        data = {key: value for key, value in data.items() if key != HIDDEN_BY}
    if verb == "created":
        collection[data["id"]] = dict(data)
    elif verb == "updated":
        collection[data["id"]].update(data)
    elif verb == "deleted":
        collection.pop(data["id"], None)
        state.votes.pop(data["id"], None)
        state.hidden.pop(data["id"], None)
        state.reweigh_dots(data["id"])
    state.reweigh(data["id"], collection.get(data["id"]))


def _voted(state: BoardState, data: Element, step: int) -> None:
    voters = state.votes.setdefault(data["id"], {})
    voters[data["voter"]] = voters.get(data["voter"], 0) + step
    if voters[data["voter"]] <= 0:
        del voters[data["voter"]]
    if not voters:
        del state.votes[data["id"]]
    state.reweigh_dots(data["id"])


def _silent_revealed(state: BoardState, data: Element) -> None:
    state.meta["silent"] = False
    state.hidden.clear()


def _votes_cleared(state: BoardState, data: Element) -> None:
    state.votes.clear()
    state.weights = None  # worked out again when next asked


_META_EVENTS = {
    "board.configured": lambda state, data: state.meta.update(data),
    "timer.started": lambda state, data: state.meta.update(timer=dict(data)),
    "timer.stopped": lambda state, data: state.meta.update(timer=None),
    "vote.cast": lambda state, data: _voted(state, data, +1),
    "vote.retracted": lambda state, data: _voted(state, data, -1),
    "votes.cleared": _votes_cleared,
    "silent.started": lambda state, data: state.meta.update(silent=True),
    "silent.revealed": _silent_revealed,
    "votes.revealed": lambda state, data: state.meta.update(anonymous_votes=False),
}


def _comment_created(state: BoardState, data: Element) -> None:
    state.comments[data["id"]] = dict(data)
    state.reweigh(f"comment:{data['id']}", state.comments[data["id"]])


def _comment_updated(state: BoardState, data: Element) -> None:
    comment = state.comments.get(data["id"])
    if comment is not None:
        comment.update(data)
    state.reweigh(f"comment:{data['id']}", comment)


def _comment_deleted(state: BoardState, data: Element) -> None:
    state.comments.pop(data["id"], None)
    state.reweigh(f"comment:{data['id']}", None)


def _thread_resolved(state: BoardState, data: Element) -> None:
    state.resolved[data["id"]] = {key: value for key, value in data.items() if key != "id"}
    state.reweigh_resolved(data["id"])


def _thread_reopened(state: BoardState, data: Element) -> None:
    state.resolved.pop(data["id"], None)
    state.reweigh_resolved(data["id"])


_THREAD_EVENTS = {
    "comment.created": _comment_created,
    "comment.updated": _comment_updated,
    "comment.deleted": _comment_deleted,
    "thread.resolved": _thread_resolved,
    "thread.reopened": _thread_reopened,
}


def _before(state: BoardState, event_type: str, data: Element) -> Element | None:
    """What an event replaces, so that it can be undone later."""
    if event_type == "board.renamed":
        return {"name": state.name}
    if event_type == "board.configured":
        return {key: state.meta.get(key) for key in data}
    if event_type == "comment.deleted":
        return dict(state.comments[data["id"]])
    if event_type == "comment.updated":
        return {key: state.comments[data["id"]].get(key) for key in data if key != "id"}
    if event_type == "thread.reopened":
        return {"id": data["id"], **state.resolved[data["id"]]}
    entity, _, verb = event_type.partition(".")
    collection = getattr(state, COLLECTIONS.get(entity, ""), None)
    if collection is None or verb not in ("updated", "deleted"):
        return None
    element = collection[data["id"]]
    if verb == "deleted":
        return dict(element)
    return {key: copy.deepcopy(element.get(key)) for key in data if key not in ("id", HIDDEN_BY)}


def emit(state: BoardState, events: list[Event], event_type: str, data: Element, derived: bool = False) -> None:
    if event_type == "note.updated" and data["id"] in state.hidden:
        data = {**data, HIDDEN_BY: state.hidden[data["id"]]}
    before = _before(state, event_type, data)
    evolve(state, event_type, data)
    events.append(Event(event_type, data, before, derived))
