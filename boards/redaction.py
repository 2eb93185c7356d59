"""What each reader may see of a silent round and of anonymous dots.

During a silent round a participant's new sticky is face down for everyone but its author: the
others (the facilitator too) get its place, size and kind, flagged `"face_down": true`, never its
text or fields. Anonymous dots reach only their voter. The board's state and its log hold
everything; this module cuts what leaves the server, in one place for every way out: snapshots
and events on the socket (live and catch-up), and the HTTP reads (snapshot, history, pictures,
exports, backups), which know no participant and so see every hidden sticky face down.

An event is encoded at most twice, whole and face down, however many sockets it goes to: a
socket's frame is the events' encodings joined, picked by whether the socket's participant may
read each one.
"""

from __future__ import annotations

import json
from typing import Any

from boards.domain.state import HIDDEN_BY
from boards.protocol import dumps, events_text

# Keys of a face-down sticky that tell nothing of what is written on it.
FACE_DOWN_KEYS = ("id", "kind", "x", "y", "w", "h", "aggregate", "context")
# In a relayed frame, the mark of an event some readers may not see whole. User text cannot
# forge it: a quote inside a JSON string is escaped.
_MARKERS = (f'"{HIDDEN_BY}":', '"anonymous":true')


def reader_of(event: dict[str, Any]) -> str | None:
    """The one participant who may see the event whole, or None when everyone may."""
    data = event.get("data")
    if not isinstance(data, dict):
        return None
    if HIDDEN_BY in data:
        return data[HIDDEN_BY]
    if data.get("anonymous") and event.get("event") in ("vote.cast", "vote.retracted"):
        return data.get("voter")
    return None


def whole(event: dict[str, Any]) -> dict[str, Any]:
    """The event as its reader gets it: a hidden sticky says it is hidden, not who may read it."""
    data = event["data"]
    if HIDDEN_BY not in data:
        return event
    data = {key: value for key, value in data.items() if key != HIDDEN_BY}
    return {**event, "data": {**data, "hidden": True}}


def face_down(event: dict[str, Any]) -> dict[str, Any]:
    """The event as everyone else gets it: the same seq, nothing of the text or the dot."""
    data = event["data"]
    if HIDDEN_BY not in data:  # an anonymous dot: not even on which sticky
        return {**event, "data": {"hidden": True}}
    kept = {key: data[key] for key in FACE_DOWN_KEYS if key in data}
    if event.get("event") == "note.created":
        kept.update(text="", fields=[])
    return {**event, "data": {**kept, "hidden": True, "face_down": True}}


def event_for(event: dict[str, Any], participant: str | None) -> dict[str, Any]:
    reader = reader_of(event)
    if reader is None:
        return event
    return whole(event) if reader == participant else face_down(event)


class EventRun:
    """A run of committed events, encoded once whole and (where needed) once face down."""

    def __init__(self, events: list[dict[str, Any]]):
        self.events = events
        self.readers = [reader_of(event) for event in events]
        self.secret = any(reader is not None for reader in self.readers)
        self._whole: list[str] | None = None
        self._face_down: dict[int, str] = {}
        self._texts: dict[tuple[bool, ...], str] = {}

    @classmethod
    def from_text(cls, text: str) -> EventRun | None:
        """The run in a relayed frame, or None when every reader gets the frame as it is."""
        if not any(marker in text for marker in _MARKERS):
            return None
        message = json.loads(text)
        run = cls(message["events"] if message.get("type") == "events" else [message])
        return run if run.secret else None

    def text_for(self, participant: str | None) -> str:
        if not self.secret:
            return self._texts.setdefault((), events_text(self.events))
        shown = tuple(reader == participant for reader in self.readers if reader is not None)
        text = self._texts.get(shown)
        if text is None:
            text = self._texts[shown] = self._compose(participant)
        return text

    def _compose(self, participant: str | None) -> str:
        if self._whole is None:
            self._whole = [dumps(whole(event)) for event in self.events]
        parts = []
        for index, (event, reader) in enumerate(zip(self.events, self.readers, strict=True)):
            if reader is None or reader == participant:
                parts.append(self._whole[index])
                continue
            if index not in self._face_down:
                self._face_down[index] = dumps(face_down(event))
            parts.append(self._face_down[index])
        if len(parts) == 1:
            return parts[0]
        return '{"type":"events","events":[' + ",".join(parts) + "]}"


def snapshot_for(snapshot: dict[str, Any], participant: str | None) -> dict[str, Any]:
    """The board as `participant` may see it (None: a reader without a participant, over HTTP).

    Takes a snapshot made for this call (BoardState.snapshot) and changes it in place.
    """
    hidden = snapshot.pop("hidden_notes", None) or {}
    if hidden:
        notes = []
        for note in snapshot["notes"]:
            writer = hidden.get(note["id"])
            if writer is None:
                notes.append(note)
            elif writer == participant:
                notes.append({**note, "hidden": True})
            else:
                kept = {key: note[key] for key in FACE_DOWN_KEYS if key in note}
                notes.append({**kept, "text": "", "fields": [], "hidden": True, "face_down": True})
        snapshot["notes"] = notes
    if snapshot.get("anonymous_votes"):
        snapshot["votes"] = {
            element: {participant: voters[participant]}
            for element, voters in snapshot.get("votes", {}).items()
            if participant is not None and voters.get(participant)
        }
    return snapshot
