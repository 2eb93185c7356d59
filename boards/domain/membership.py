"""Which frames a sticky or an aggregate sits in: its centre decides, the smallest frame wins."""

from __future__ import annotations

import math

from boards.domain.state import BoardState, Element, Event, emit


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


def in_lane(state: BoardState, lane: Element) -> list[Element]:
    """The stickies of a lane: those whose centre is in its band. Not stored: a lane is layout."""
    return [note for note in state.notes.values() if _contains(lane, _centre(note))]


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


def regroup(state: BoardState, regions: list[Element]) -> list[Event]:
    """Recompute membership of every element whose centre lies in one of `regions`."""

    def touched(element: Element) -> bool:
        point = _centre(element)
        return any(_contains(region, point) for region in regions)

    events: list[Event] = []
    # Aggregates first: a note's context may come through its aggregate.
    for frame in list(state.frames.values()):
        if frame["kind"] == "aggregate" and touched(frame):
            emit_changes(state, events, "frame", frame, frame_membership(state, frame))
    for note in list(state.notes.values()):
        if touched(note) or (note["aggregate"] is not None and note["aggregate"] not in state.frames):
            emit_changes(state, events, "note", note, note_membership(state, note))
    return events


def emit_changes(state: BoardState, events: list[Event], entity: str, element: Element, wanted: Element) -> None:
    changed = {key: value for key, value in wanted.items() if element.get(key) != value}
    if changed:
        emit(state, events, f"{entity}.updated", {"id": element["id"], **changed}, derived=True)
