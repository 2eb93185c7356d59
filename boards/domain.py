"""The board's rules: turn an op into events, or refuse it with a reason a person can act on.

`decide` is the only mutation logic in Storming. It checks an op against the current
`BoardState`, applies the resulting events to that state (so the next op in a batch sees them)
and returns them. It does no I/O: the store persists what it returns, the socket, the HTTP API,
the management commands and the tests all come through here.
"""

from __future__ import annotations

import copy
import math
import uuid
from dataclasses import dataclass, field
from typing import Any, NamedTuple

NOTE_KINDS = ("event", "command", "policy", "external_system", "actor", "read_model", "hotspot")
FRAME_KINDS = ("aggregate", "bounded_context")
FIELD_TYPES = (
    "string",
    "integer",
    "number",
    "boolean",
    "uuid",
    "timestamp",
    "date",
    "decimal",
    "enum",
    "list",
    "object",
)
KINDS_WITH_FIELDS = ("event", "command")

# Default sizes follow the look of each kind: external systems are wide, actors small.
NOTE_SIZES = {
    "external_system": (240.0, 100.0),
    "actor": (110.0, 80.0),
}
DEFAULT_NOTE_SIZE = (160.0, 100.0)

MAX_TEXT = 2000
MAX_NAME = 200
MAX_FIELDS = 100
MAX_ENUM_VALUES = 100
MAX_COORDINATE = 1_000_000.0
MIN_SIZE = 10.0
MAX_SIZE = 20_000.0
MAX_ELEMENTS = 20_000

# Workshop phases: which kinds participants may add in each (the facilitator may add anything).
PHASES: dict[str, tuple[str, ...] | None] = {
    "free": None,
    "exploration": ("event", "hotspot"),
    "timeline": ("event", "hotspot"),
    "commands": ("event", "hotspot", "command", "policy", "actor", "external_system", "read_model"),
    "aggregates": ("event", "hotspot", "command", "policy", "actor", "external_system", "read_model", "aggregate"),
    "contexts": NOTE_KINDS + FRAME_KINDS,
}
VOTABLE_KINDS = ("event", "hotspot")
MAX_VOTES_PER_PERSON = 50
MAX_TIMER_SECONDS = 4 * 3600
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
    """Who sends an op: their role, a stable participant id, and the time (for timers)."""

    role: str = "editor"
    author: str = ""
    now: float = 0.0


EDITOR = Actor()
FACILITATOR = Actor(role="facilitator")


def default_meta() -> Element:
    return {"phase": "free", "locked": False, "votes_per_person": 5, "timer": None, "follow": False}


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

    def element(self, element_id: str) -> Element | None:
        return self.notes.get(element_id) or self.frames.get(element_id)

    def size(self) -> int:
        return len(self.notes) + len(self.frames) + len(self.links)

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
        )

    def copy(self) -> BoardState:
        return BoardState.from_snapshot(copy.deepcopy(self.snapshot()))


# --- applying events -------------------------------------------------------------------------

_COLLECTIONS = {"note": "notes", "frame": "frames", "link": "links"}


def evolve(state: BoardState, event_type: str, data: Element) -> None:
    """Apply one event to the state. Events are facts: this never refuses."""
    if event_type == "board.renamed":
        state.name = data["name"]
        return
    if event_type in _META_EVENTS:
        _META_EVENTS[event_type](state, data)
        return
    entity, _, verb = event_type.partition(".")
    collection: dict[str, Element] = getattr(state, _COLLECTIONS[entity])
    if verb == "created":
        collection[data["id"]] = dict(data)
    elif verb == "updated":
        collection[data["id"]].update(data)
    elif verb == "deleted":
        collection.pop(data["id"], None)
        state.votes.pop(data["id"], None)


def _voted(state: BoardState, data: Element, step: int) -> None:
    voters = state.votes.setdefault(data["id"], {})
    voters[data["voter"]] = voters.get(data["voter"], 0) + step
    if voters[data["voter"]] <= 0:
        del voters[data["voter"]]
    if not voters:
        del state.votes[data["id"]]


_META_EVENTS = {
    "board.configured": lambda state, data: state.meta.update(data),
    "timer.started": lambda state, data: state.meta.update(timer=dict(data)),
    "timer.stopped": lambda state, data: state.meta.update(timer=None),
    "vote.cast": lambda state, data: _voted(state, data, +1),
    "vote.retracted": lambda state, data: _voted(state, data, -1),
    "votes.cleared": lambda state, data: state.votes.clear(),
}


# --- checking op data ------------------------------------------------------------------------


def _uuid(value: Any, what: str = "id") -> str:
    if not isinstance(value, str):
        raise Rejection("invalid", f"The {what} must be a UUID string.")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise Rejection("invalid", f"The {what} {value[:60]!r} is not a UUID.") from None


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejection("invalid", f"{name} must be a number.")
    if not math.isfinite(value) or not low <= value <= high:
        raise Rejection("invalid", f"{name} must be between {low:g} and {high:g}.")
    return float(value)


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise Rejection("invalid", f"{name} must be text.")
    if len(value) > limit:
        raise Rejection("invalid", f"{name} is {len(value)} characters long; the limit is {limit}.")
    # PostgreSQL cannot store NUL, and a lone surrogate is not text: refuse both everywhere.
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise Rejection("invalid", f"{name} holds characters that are not text (NUL or a broken surrogate).")
    return value


def _geometry(data: Element, out: Element) -> None:
    for key in ("x", "y"):
        if key in data:
            out[key] = _number(data[key], key, -MAX_COORDINATE, MAX_COORDINATE)
    for key in ("w", "h"):
        if key in data:
            out[key] = _number(data[key], key, MIN_SIZE, MAX_SIZE)


def _only(data: Any, allowed: set[str], op: str) -> Element:
    if not isinstance(data, dict):
        raise Rejection("invalid", f"{op} needs an object as its data.")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise Rejection(
            "invalid", f"{op} does not take {', '.join(map(repr, unknown))}; it takes {', '.join(sorted(allowed))}."
        )
    return data


def clean_fields(value: Any) -> list[Element]:
    if not isinstance(value, list):
        raise Rejection("invalid", "fields must be a list.")
    if len(value) > MAX_FIELDS:
        raise Rejection("invalid", f"A sticky has at most {MAX_FIELDS} fields.")
    fields: list[Element] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, dict):
            raise Rejection("invalid", "Each field must be an object with a name and a type.")
        _only(item, {"name", "type", "required", "doc", "values", "items"}, "A field")
        name = _text(item.get("name"), "A field name", MAX_NAME).strip()
        if not name:
            raise Rejection("invalid", "A field needs a name.")
        if name in seen:
            raise Rejection("invalid", f"Two fields are called {name!r}; field names must be unique.")
        seen.add(name)
        type_ = item.get("type", "string")
        if type_ not in FIELD_TYPES:
            raise Rejection(
                "invalid", f"Field {name!r} has unknown type {str(type_)[:40]!r}; use one of {', '.join(FIELD_TYPES)}."
            )
        required = item.get("required", False)
        if not isinstance(required, bool):
            raise Rejection("invalid", f"Field {name!r}: required must be true or false.")
        clean: Element = {
            "name": name,
            "type": type_,
            "required": required,
            "doc": _text(item.get("doc", ""), f"Field {name!r} doc", MAX_TEXT),
        }
        if type_ == "enum":
            values = item.get("values", [])
            if not isinstance(values, list) or len(values) > MAX_ENUM_VALUES:
                raise Rejection("invalid", f"Field {name!r}: values must be a list of at most {MAX_ENUM_VALUES}.")
            clean["values"] = [_text(v, f"Field {name!r} value", MAX_NAME) for v in values]
        if type_ == "list":
            items = item.get("items", "string")
            if items not in FIELD_TYPES or items in ("list", "enum"):
                raise Rejection(
                    "invalid", f"Field {name!r}: a list holds one of the plain types, not {str(items)[:40]!r}."
                )
            clean["items"] = items
        fields.append(clean)
    return fields


# --- membership ------------------------------------------------------------------------------


def _centre(element: Element) -> tuple[float, float]:
    return element["x"] + element["w"] / 2, element["y"] + element["h"] / 2


def _contains(frame: Element, point: tuple[float, float]) -> bool:
    px, py = point
    return frame["x"] <= px <= frame["x"] + frame["w"] and frame["y"] <= py <= frame["y"] + frame["h"]


def _smallest_frame(state: BoardState, kind: str, point: tuple[float, float], exclude: str | None = None) -> str | None:
    best, best_area = None, math.inf
    for frame in state.frames.values():
        if frame["kind"] != kind or frame["id"] == exclude or not _contains(frame, point):
            continue
        area = frame["w"] * frame["h"]
        if area < best_area:
            best, best_area = frame["id"], area
    return best


def note_membership(state: BoardState, note: Element) -> dict[str, str | None]:
    point = _centre(note)
    aggregate = _smallest_frame(state, "aggregate", point)
    context = _smallest_frame(state, "bounded_context", point)
    if context is None and aggregate is not None:
        context = state.frames[aggregate]["context"]
    return {"aggregate": aggregate, "context": context}


def frame_membership(state: BoardState, frame: Element) -> dict[str, str | None]:
    if frame["kind"] != "aggregate":
        return {"context": None}
    return {"context": _smallest_frame(state, "bounded_context", _centre(frame), exclude=frame["id"])}


def _regroup(state: BoardState, regions: list[Element]) -> list[Event]:
    """Recompute membership of every element whose centre lies in one of `regions`."""

    def touched(element: Element) -> bool:
        point = _centre(element)
        return any(_contains(region, point) for region in regions)

    events: list[Event] = []
    # Aggregates first: a note's context may come through its aggregate.
    for frame in list(state.frames.values()):
        if frame["kind"] == "aggregate" and touched(frame):
            _emit_changes(state, events, "frame", frame, frame_membership(state, frame))
    for note in list(state.notes.values()):
        if touched(note) or (note["aggregate"] is not None and note["aggregate"] not in state.frames):
            _emit_changes(state, events, "note", note, note_membership(state, note))
    return events


def _emit_changes(state: BoardState, events: list[Event], entity: str, element: Element, wanted: Element) -> None:
    changed = {key: value for key, value in wanted.items() if element.get(key) != value}
    if changed:
        _emit(state, events, f"{entity}.updated", {"id": element["id"], **changed}, derived=True)


def _before(state: BoardState, event_type: str, data: Element) -> Element | None:
    """What an event replaces, so that it can be undone later."""
    if event_type == "board.renamed":
        return {"name": state.name}
    if event_type == "board.configured":
        return {key: state.meta.get(key) for key in data}
    entity, _, verb = event_type.partition(".")
    collection = getattr(state, _COLLECTIONS.get(entity, ""), None)
    if collection is None or verb not in ("updated", "deleted"):
        return None
    element = collection[data["id"]]
    if verb == "deleted":
        return dict(element)
    return {key: copy.deepcopy(element.get(key)) for key in data if key != "id"}


def _emit(state: BoardState, events: list[Event], event_type: str, data: Element, derived: bool = False) -> None:
    before = _before(state, event_type, data)
    evolve(state, event_type, data)
    events.append(Event(event_type, data, before, derived))


# --- ops -------------------------------------------------------------------------------------


def _new_id(state: BoardState, data: Element) -> str:
    element_id = _uuid(data.get("id"))
    if element_id in state.notes or element_id in state.frames or element_id in state.links:
        raise Rejection("conflict", "Something on this board already has that id.")
    if state.size() >= MAX_ELEMENTS:
        raise Rejection("too_large", f"This board holds {MAX_ELEMENTS} elements, its limit.")
    return element_id


def _existing(collection: dict[str, Element], data: Element, what: str) -> Element:
    element_id = _uuid(data.get("id"))
    element = collection.get(element_id)
    if element is None:
        raise Rejection("not_found", f"That {what} is no longer on the board; someone may have deleted it.")
    return element


def _note_create(state: BoardState, data: Element) -> list[Event]:
    data = _only(data, {"id", "kind", "text", "x", "y", "w", "h", "fields"}, "note.create")
    note_id = _new_id(state, data)
    kind = data.get("kind")
    if kind not in NOTE_KINDS:
        raise Rejection("invalid", f"A sticky's kind is one of {', '.join(NOTE_KINDS)}.")
    if "x" not in data or "y" not in data:
        raise Rejection("invalid", "A new sticky needs x and y.")
    w, h = NOTE_SIZES.get(kind, DEFAULT_NOTE_SIZE)
    note: Element = {"id": note_id, "kind": kind, "text": "", "x": 0.0, "y": 0.0, "w": w, "h": h, "fields": []}
    note["text"] = _text(data.get("text", ""), "The text", MAX_TEXT)
    _geometry(data, note)
    if data.get("fields"):
        if kind not in KINDS_WITH_FIELDS:
            raise Rejection("invalid", "Only events and commands have fields.")
        note["fields"] = clean_fields(data["fields"])
    note.update(note_membership(state, note))
    events: list[Event] = []
    _emit(state, events, "note.created", note)
    return events


def _note_update(state: BoardState, data: Element) -> list[Event]:
    data = _only(data, {"id", "kind", "text", "x", "y", "w", "h", "fields"}, "note.update")
    note = _existing(state.notes, data, "sticky")
    changes: Element = {}
    if "kind" in data:
        if data["kind"] not in NOTE_KINDS:
            raise Rejection("invalid", f"A sticky's kind is one of {', '.join(NOTE_KINDS)}.")
        changes["kind"] = data["kind"]
    if "text" in data:
        changes["text"] = _text(data["text"], "The text", MAX_TEXT)
    _geometry(data, changes)
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
    _emit(state, events, "note.updated", {"id": note["id"], **changes})
    return events


def _links_touching(state: BoardState, element_id: str) -> list[str]:
    return [link["id"] for link in state.links.values() if element_id in (link["from"], link["to"])]


def _note_delete(state: BoardState, data: Element) -> list[Event]:
    data = _only(data, {"id"}, "note.delete")
    note = _existing(state.notes, data, "sticky")
    events: list[Event] = []
    for link_id in _links_touching(state, note["id"]):
        _emit(state, events, "link.deleted", {"id": link_id})
    _emit(state, events, "note.deleted", {"id": note["id"]})
    return events


def _frame_name(value: Any) -> str:
    return _text(value, "The name", MAX_NAME).strip()


def _frame_create(state: BoardState, data: Element) -> list[Event]:
    data = _only(data, {"id", "kind", "name", "x", "y", "w", "h"}, "frame.create")
    frame_id = _new_id(state, data)
    kind = data.get("kind")
    if kind not in FRAME_KINDS:
        raise Rejection("invalid", f"A frame's kind is one of {', '.join(FRAME_KINDS)}.")
    missing = [key for key in ("x", "y", "w", "h") if key not in data]
    if missing:
        raise Rejection("invalid", f"A new frame needs {', '.join(missing)}.")
    frame: Element = {"id": frame_id, "kind": kind, "name": _frame_name(data.get("name", ""))}
    _geometry(data, frame)
    frame["context"] = None
    frame.update(frame_membership(state, frame))
    events: list[Event] = []
    _emit(state, events, "frame.created", frame)
    events += _regroup(state, [frame])
    return events


def _members(state: BoardState, frame: Element) -> tuple[list[Element], list[Element]]:
    key = "aggregate" if frame["kind"] == "aggregate" else "context"
    notes = [n for n in state.notes.values() if n[key] == frame["id"]]
    frames = [f for f in state.frames.values() if f["context"] == frame["id"]] if key == "context" else []
    return notes, frames


def _frame_update(state: BoardState, data: Element) -> list[Event]:
    data = _only(data, {"id", "name", "x", "y", "w", "h"}, "frame.update")
    frame = _existing(state.frames, data, "frame")
    changes: Element = {}
    if "name" in data:
        changes["name"] = _frame_name(data["name"])
    _geometry(data, changes)
    changes = {key: value for key, value in changes.items() if frame.get(key) != value}
    events: list[Event] = []
    if not changes:
        return events
    before = dict(frame)
    dx = changes.get("x", frame["x"]) - frame["x"]
    dy = changes.get("y", frame["y"]) - frame["y"]
    notes, frames = _members(state, frame) if (dx or dy) else ([], [])
    _emit(state, events, "frame.updated", {"id": frame["id"], **changes})
    # Moving a frame carries what is in it, the way a physical frame would.
    for member in frames:
        moved = {"id": member["id"], "x": member["x"] + dx, "y": member["y"] + dy}
        _emit(state, events, "frame.updated", moved, derived=True)
    for member in notes:
        _emit(
            state,
            events,
            "note.updated",
            {"id": member["id"], "x": member["x"] + dx, "y": member["y"] + dy},
            derived=True,
        )
    if any(key in changes for key in ("x", "y", "w", "h")):
        if frame["kind"] == "aggregate":
            _emit_changes(state, events, "frame", frame, frame_membership(state, frame))
        events += _regroup(state, [before, frame])
    return events


def _frame_delete(state: BoardState, data: Element) -> list[Event]:
    data = _only(data, {"id"}, "frame.delete")
    frame = _existing(state.frames, data, "frame")
    events: list[Event] = []
    for link_id in _links_touching(state, frame["id"]):
        _emit(state, events, "link.deleted", {"id": link_id})
    _emit(state, events, "frame.deleted", {"id": frame["id"]})
    events += _regroup(state, [frame])
    # Members outside the regrouped region may still point at the deleted frame.
    for note in list(state.notes.values()):
        if frame["id"] in (note["aggregate"], note["context"]):
            _emit_changes(state, events, "note", note, note_membership(state, note))
    for other in list(state.frames.values()):
        if other["context"] == frame["id"]:
            _emit_changes(state, events, "frame", other, frame_membership(state, other))
    return events


def _link_create(state: BoardState, data: Element) -> list[Event]:
    data = _only(data, {"id", "from", "to", "label"}, "link.create")
    link_id = _new_id(state, data)
    source = _uuid(data.get("from"), "link's start")
    target = _uuid(data.get("to"), "link's end")
    if state.element(source) is None or state.element(target) is None:
        raise Rejection("not_found", "A link must join two things on this board; one end is not here any more.")
    if source == target:
        raise Rejection("invalid", "A link joins two different things.")
    link = {"id": link_id, "from": source, "to": target, "label": _text(data.get("label", ""), "The label", MAX_NAME)}
    events: list[Event] = []
    _emit(state, events, "link.created", link)
    return events


def _link_update(state: BoardState, data: Element) -> list[Event]:
    data = _only(data, {"id", "label"}, "link.update")
    link = _existing(state.links, data, "link")
    label = _text(data.get("label", ""), "The label", MAX_NAME)
    events: list[Event] = []
    if label != link["label"]:
        _emit(state, events, "link.updated", {"id": link["id"], "label": label})
    return events


def _link_delete(state: BoardState, data: Element) -> list[Event]:
    data = _only(data, {"id"}, "link.delete")
    link = _existing(state.links, data, "link")
    events: list[Event] = []
    _emit(state, events, "link.deleted", {"id": link["id"]})
    return events


def _board_rename(state: BoardState, data: Element) -> list[Event]:
    data = _only(data, {"name"}, "board.rename")
    name = _text(data.get("name"), "The board's name", MAX_NAME).strip()
    if not name:
        raise Rejection("invalid", "A board needs a name.")
    events: list[Event] = []
    if name != state.name:
        _emit(state, events, "board.renamed", {"name": name})
    return events


def _board_configure(state: BoardState, data: Element) -> list[Event]:
    data = _only(data, {"phase", "locked", "votes_per_person", "follow"}, "board.configure")
    changes: Element = {}
    if "phase" in data:
        if not isinstance(data["phase"], str) or data["phase"] not in PHASES:
            raise Rejection("invalid", f"The phase is one of {', '.join(PHASES)}.")
        changes["phase"] = data["phase"]
    for key in ("locked", "follow"):
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
    if changes:
        _emit(state, events, "board.configured", changes)
    return events


def _timer_start(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = _only(data, {"seconds"}, "timer.start")
    seconds = data.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 < seconds <= MAX_TIMER_SECONDS:
        raise Rejection("invalid", f"A timer runs for 1 to {MAX_TIMER_SECONDS} seconds.")
    events: list[Event] = []
    _emit(state, events, "timer.started", {"seconds": seconds, "ends_at": round(actor.now + seconds, 3)})
    return events


def _timer_stop(state: BoardState, data: Element) -> list[Event]:
    _only(data, set(), "timer.stop")
    events: list[Event] = []
    if state.meta.get("timer"):
        _emit(state, events, "timer.stopped", {})
    return events


def _voter(actor: Actor) -> str:
    if not actor.author:
        raise Rejection("invalid", "Voting needs to know who you are; reload the page and try again.")
    return actor.author


def _vote_cast(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = _only(data, {"id"}, "vote.cast")
    note = _existing(state.notes, data, "sticky")
    if note["kind"] not in VOTABLE_KINDS:
        raise Rejection("invalid", "Dots go on events and hotspots.")
    voter = _voter(actor)
    used = sum(voters.get(voter, 0) for voters in state.votes.values())
    if used >= state.meta["votes_per_person"]:
        raise Rejection(
            "conflict", f"You have used all {state.meta['votes_per_person']} of your dots; take one back first."
        )
    events: list[Event] = []
    _emit(state, events, "vote.cast", {"id": note["id"], "voter": voter})
    return events


def _vote_retract(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = _only(data, {"id"}, "vote.retract")
    element_id = _uuid(data.get("id"))
    voter = _voter(actor)
    if not state.votes.get(element_id, {}).get(voter):
        raise Rejection("not_found", "You have no dot on that to take back.")
    events: list[Event] = []
    _emit(state, events, "vote.retracted", {"id": element_id, "voter": voter})
    return events


def _votes_clear(state: BoardState, data: Element) -> list[Event]:
    _only(data, set(), "votes.clear")
    events: list[Event] = []
    if state.votes:
        _emit(state, events, "votes.cleared", {})
    return events


HANDLERS = {
    "note.create": _note_create,
    "note.update": _note_update,
    "note.delete": _note_delete,
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
}
# Handlers that need to know who acts.
ACTOR_HANDLERS = {
    "timer.start": _timer_start,
    "vote.cast": _vote_cast,
    "vote.retract": _vote_retract,
}
FACILITATOR_OPS = ("board.configure", "timer.start", "timer.stop", "votes.clear")
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
    if op in ("note.create", "note.update", "frame.create") and kind is not None and kind not in allowed:
        phase = state.meta["phase"]
        raise Rejection(
            "phase",
            f"The {phase} phase is for {', '.join(k.replace('_', ' ') for k in allowed)}; {kind.replace('_', ' ')} comes later.",
        )


def decide(state: BoardState, op: str, data: Any, actor: Actor = EDITOR) -> list[Event]:
    """Check `op` against `state`, apply its events to `state` and return them.

    A refused op raises Rejection before it changes anything.
    """
    if not isinstance(op, str) or (op not in HANDLERS and op not in ACTOR_HANDLERS):
        raise Rejection("unknown_op", f"Unknown op {str(op)[:40]!r}; known ops: {', '.join(KNOWN_OPS)}.")
    _permit(state, op, data, actor)
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


# --- undo and restore ------------------------------------------------------------------------

_NOUNS = {"note": "sticky", "frame": "frame", "link": "link"}


def undo_ops(state: BoardState, recorded: list[Event]) -> list[tuple[str, Element]]:
    """The ops that take back `recorded` (the events of one or more earlier ops, in seq order).

    Refuses when someone else changed the same thing since: undo never overwrites their work.
    """
    ops: list[tuple[str, Element]] = []
    for event in reversed(recorded):
        if event.derived:
            continue  # follows again from the primary change being undone
        entity, _, verb = event.type.partition(".")
        data, before = event.data, event.before or {}
        if event.type == "board.renamed":
            ops.append(("board.rename", {"name": before["name"]}))
        elif event.type == "board.configured":
            ops.append(("board.configure", before))
        elif event.type == "vote.cast":
            ops.append(("vote.retract", {"id": data["id"]}))
        elif event.type == "vote.retracted":
            ops.append(("vote.cast", {"id": data["id"]}))
        elif entity not in _NOUNS:
            continue  # timers and cleared votes are not taken back
        elif verb == "created":
            ops.append((f"{entity}.delete", {"id": data["id"]}))
        elif verb == "deleted":
            ops.append((f"{entity}.create", _creatable(entity, before)))
        elif verb == "updated":
            current = getattr(state, _COLLECTIONS[entity]).get(data["id"])
            restored = {key: value for key, value in before.items() if key not in MEMBERSHIP_KEYS}
            if current is not None and any(current.get(key) != data[key] for key in restored):
                raise Rejection(
                    "conflict", f"Someone changed this {_NOUNS[entity]} after you; undo would overwrite their change."
                )
            if restored:
                ops.append((f"{entity}.update", {"id": data["id"], **restored}))
    return ops


def _creatable(entity: str, element: Element) -> Element:
    if entity == "note":
        keys = ("id", "kind", "text", "x", "y", "w", "h", "fields")
    elif entity == "frame":
        keys = ("id", "kind", "name", "x", "y", "w", "h")
    else:
        keys = ("id", "from", "to", "label")
    return {key: element[key] for key in keys if key in element}


def restore_ops(current: BoardState, target: BoardState) -> list[tuple[str, Element]]:
    """The ops that bring `current` back to `target` (an earlier state), erasing nothing from the log."""
    ops: list[tuple[str, Element]] = []
    for link_id in current.links.keys() - target.links.keys():
        ops.append(("link.delete", {"id": link_id}))
    for note_id in current.notes.keys() - target.notes.keys():
        ops.append(("note.delete", {"id": note_id}))
    for frame_id in current.frames.keys() - target.frames.keys():
        ops.append(("frame.delete", {"id": frame_id}))
    for frames in (
        [f for f in target.frames.values() if f["kind"] == "bounded_context"],
        [f for f in target.frames.values() if f["kind"] == "aggregate"],
    ):
        ops += _restore_elements("frame", current.frames, frames)
    ops += _restore_elements("note", current.notes, list(target.notes.values()))
    ops += _restore_elements("link", current.links, list(target.links.values()))
    if target.name and target.name != current.name:
        ops.append(("board.rename", {"name": target.name}))
    return ops


def _restore_elements(entity: str, current: dict[str, Element], wanted: list[Element]) -> list[tuple[str, Element]]:
    ops = []
    for element in wanted:
        plain = _creatable(entity, element)
        existing = current.get(element["id"])
        if existing is None:
            ops.append((f"{entity}.create", plain))
        elif entity == "link":
            if existing["label"] != element["label"]:
                ops.append(("link.update", {"id": element["id"], "label": element["label"]}))
            if (existing["from"], existing["to"]) != (element["from"], element["to"]):
                ops += [("link.delete", {"id": element["id"]}), ("link.create", plain)]
        else:
            # A frame's kind never changes; a sticky's may.
            fixed = ("id", "kind") if entity == "frame" else ("id",)
            changed = {k: v for k, v in plain.items() if k not in fixed and existing.get(k) != v}
            if changed:
                ops.append((f"{entity}.update", {"id": element["id"], **changed}))
    return ops
