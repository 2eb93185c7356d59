"""Every message of the board WebSocket protocol, and the parsing of what clients send.

docs/protocol.md explains the same shapes in prose.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from typing import Any, Literal, NotRequired, TypedDict

# The protocol's version. A client says which it speaks in hello; an older one is told to
# reload (error "reload", close 4426) rather than speak a protocol the server no longer has.
# 2: identities are issued by the server (welcome.you.participant and .token).
VERSION = 2


# --- client to server ------------------------------------------------------------------------
class Hello(TypedDict):
    type: Literal["hello"]
    since: int
    name: str
    protocol: int  # the version the client speaks; without it, 1
    key: NotRequired[str]  # the link's key, when not in the URL
    token: NotRequired[str]  # the identity token of an earlier welcome on this board: resume it


class Op(TypedDict):
    type: Literal["op"]
    op_id: str
    op: str
    data: dict[str, Any]


class Sync(TypedDict):
    type: Literal["sync"]
    since: int


class Cursor(TypedDict):
    type: Literal["cursor"]
    x: float
    y: float
    editing: NotRequired[str | None]  # the sticky whose text this person is typing in


class Viewport(TypedDict):
    """Where someone is looking (the facilitator's, for "follow me")."""

    type: Literal["viewport"]
    x: float
    y: float
    zoom: float


class Preview(TypedDict):
    type: Literal["preview"]
    id: str | None
    x: float
    y: float


# --- server to client ------------------------------------------------------------------------
class User(TypedDict):
    id: str  # this connection (presence, cursors)
    name: str
    color: str
    role: NotRequired[str]
    participant: NotRequired[str]  # the identity the server issued: whose dots, whose undo
    cursor: NotRequired[dict[str, Any] | None]  # x, y and editing, as sent
    preview: NotRequired[dict[str, Any] | None]


class Welcome(TypedDict):
    type: Literal["welcome"]
    you: User
    token: str  # keep it and send it in the next hello to stay the same participant


class Snapshot(TypedDict):
    type: Literal["snapshot"]
    seq: int
    board: dict[str, Any]


class Event(TypedDict):
    type: Literal["event"]
    seq: int
    event: str
    data: dict[str, Any]
    op_id: str
    actor: str
    at: str
    op: str  # the op that made it
    derived: NotRequired[bool]  # follows from another event of the same op


class Events(TypedDict):
    type: Literal["events"]
    events: list[Event]


class Ack(TypedDict):
    type: Literal["ack"]
    op_id: str
    seq: int


class ErrorBody(TypedDict):
    code: str
    message: str
    retry_after_ms: NotRequired[int]  # with rate_limited: when the same op would be taken


class Reject(TypedDict):
    type: Literal["reject"]
    op_id: str
    error: ErrorBody


class Presence(TypedDict):
    type: Literal["presence"]
    users: list[User]
    left: list[str]


class Error(TypedDict):
    type: Literal["error"]
    code: str
    message: str
    retry_after_ms: NotRequired[int]  # with rate_limited


MAX_OP_ID = 64
MAX_DEPTH = 8
COORDINATE_LIMIT = 1_000_000.0
# The largest whole number a browser holds exactly (Number.MAX_SAFE_INTEGER). Whole numbers a
# client sends must lie within it: larger ones fit neither a float exactly nor the database.
MAX_NUMBER = 2**53 - 1


class BadFrame(Exception):
    """What was wrong with a frame. `op_id` is set when the frame was an op whose id could be
    read, so that its sender can be answered with a `reject` and stop resending it."""

    def __init__(self, code: str, message: str, op_id: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.op_id = op_id

    def frame(self) -> Error | Reject:
        if self.op_id is not None:
            return reject(self.op_id, {"code": self.code, "message": self.message})
        return {"type": "error", "code": self.code, "message": self.message}


def _depth(value: Any, limit: int) -> int:
    if limit < 0:
        raise BadFrame("bad_frame", f"The message is nested deeper than {MAX_DEPTH} levels.")
    if isinstance(value, dict):
        return max((_depth(v, limit - 1) for v in value.values()), default=0) + 1
    if isinstance(value, list):
        return max((_depth(v, limit - 1) for v in value), default=0) + 1
    return 0


class _Numbers:
    """Number hooks for json.loads: the numbers Storming cannot use are noted and read as null,
    so that the rest of the frame (an op's id) can still be read and the sender answered."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def _refuse(self, literal: str) -> None:
        self.refused.append(literal)

    def integer(self, literal: str) -> int | None:
        # Checked by length first: int() of thousands of digits is slow, and past 4,300 refused.
        if len(literal.lstrip("-")) > 16 or abs(value := int(literal)) > MAX_NUMBER:
            return self._refuse(literal)
        return value

    def real(self, literal: str) -> float | None:
        value = float(literal)
        if not math.isfinite(value):  # 1e400 reads as inf
            return self._refuse(literal)
        return value

    def constant(self, literal: str) -> None:  # NaN, Infinity, -Infinity: not JSON at all
        return self._refuse(literal)

    def problem(self) -> str | None:
        if not self.refused:
            return None
        literal = self.refused[0]
        shown = literal if len(literal) <= 24 else f"{literal[:12]}...({len(literal)} characters)"
        return (
            f"{shown} is not a number Storming accepts: numbers must be finite, and whole numbers "
            f"within +/-{MAX_NUMBER} (what a browser holds exactly)."
        )


def _usable(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Nested at most `limit` deep, every number finite and every whole number within +-MAX_NUMBER."""
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        if isinstance(value, float):
            return math.isfinite(value)
        return not isinstance(value, int) or -MAX_NUMBER <= value <= MAX_NUMBER
    if limit == 0:
        return not value
    return all(_usable(item, limit - 1) for item in value)


def loads(text: str | bytes) -> Any:
    """Decode JSON from a client, socket or HTTP: raises BadFrame for what cannot be used.

    Refuses non-JSON, nesting deeper than MAX_DEPTH, numbers that are not finite and whole
    numbers outside +-MAX_NUMBER, for this message only. An op's id is kept on the BadFrame when it
    can be read, so only that op is refused.
    """
    # Nearly every frame is fine: json's own decoder and one walk over the result take a third of
    # the time of the careful reading below, which only what fails here goes through, to be told why.
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        pass
    else:
        if _usable(message):
            return message
    numbers = _Numbers()
    try:
        message = json.loads(text, parse_int=numbers.integer, parse_float=numbers.real, parse_constant=numbers.constant)
    except ValueError:  # UnicodeDecodeError is one too
        raise BadFrame("bad_json", "This is not valid JSON.") from None
    except RecursionError:
        raise BadFrame("bad_frame", f"The message is nested deeper than {MAX_DEPTH} levels.") from None
    _depth(message, MAX_DEPTH)
    problem = numbers.problem()
    if problem is not None:
        op_id = message.get("op_id") if isinstance(message, dict) and message.get("type") == "op" else None
        valid_id = isinstance(op_id, str) and 0 < len(op_id) <= MAX_OP_ID
        raise BadFrame("bad_number", problem, op_id=op_id if valid_id else None)
    return message


# How the page starts an op frame: enough to name an op too large to be read, so its sender can
# be answered with a reject and drop it.
_OP_START = re.compile(rf'\{{\s*"type"\s*:\s*"op"\s*,\s*"op_id"\s*:\s*"([\w.:-]{{1,{MAX_OP_ID}}})"')


def parse(text: str, max_bytes: int) -> dict[str, Any]:
    """Decode one client frame, or raise BadFrame with what was wrong."""
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        found = _OP_START.match(text, 0, 300)
        message = f"This message takes more than {max_bytes} bytes, the most one may take; shorten it."
        raise BadFrame("too_large", message, op_id=found and found[1])
    message = loads(text)
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise BadFrame("bad_frame", 'A frame is a JSON object with a "type".')
    return message


def _coordinate(message: dict[str, Any], key: str) -> float:
    value = message.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise BadFrame("bad_frame", f"{key} must be a number.")
    # A cursor may honestly be beyond the board's range (the canvas pans without end): clamped.
    return max(-COORDINATE_LIMIT, min(COORDINATE_LIMIT, float(value)))


def hello(message: dict[str, Any]) -> tuple[int, str, int]:
    """since, display name (as sent: boards.identity cleans it) and the protocol version."""
    since = message.get("since", 0)
    if isinstance(since, bool) or not isinstance(since, int) or since < 0:
        raise BadFrame("bad_frame", "since must be the last seq you applied, a whole number (0 for none).")
    name = message.get("name", "")
    if not isinstance(name, str):
        raise BadFrame("bad_frame", "name must be text.")
    version = message.get("protocol", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise BadFrame("bad_frame", f"protocol must be the version the client speaks ({VERSION}).")
    return since, name, version


def op(message: dict[str, Any]) -> Op:
    op_id, name, data = message.get("op_id"), message.get("op"), message.get("data", {})
    if not isinstance(op_id, str) or not 0 < len(op_id) <= MAX_OP_ID:
        raise BadFrame("bad_frame", f"An op needs an op_id: a string of 1 to {MAX_OP_ID} characters (a UUID).")
    if not isinstance(name, str):
        raise BadFrame("bad_frame", 'An op needs an "op" name such as "note.create".')
    return {"type": "op", "op_id": op_id, "op": name, "data": data}


def sync(message: dict[str, Any]) -> int:
    since = message.get("since")
    if isinstance(since, bool) or not isinstance(since, int) or since < 0:
        raise BadFrame("bad_frame", "sync needs since: the last seq you applied.")
    return since


def cursor(message: dict[str, Any]) -> dict[str, Any]:
    editing = message.get("editing")
    if editing is not None:
        try:
            editing = editing if isinstance(editing, str) and len(editing) <= 36 and uuid.UUID(editing) else None
        except ValueError:
            editing = None
        if editing is None:
            raise BadFrame(
                "bad_frame", "cursor's editing must be the id (a UUID) of the sticky being typed in, or null."
            )
    point: dict[str, Any] = {"x": _coordinate(message, "x"), "y": _coordinate(message, "y")}
    if "editing" in message:
        point["editing"] = editing
    return point


def preview(message: dict[str, Any]) -> dict[str, Any] | None:
    element = message.get("id")
    if element is None:
        return None
    if not isinstance(element, str) or len(element) > MAX_OP_ID:
        raise BadFrame("bad_frame", "preview needs the id of the element being dragged, or null.")
    return {"id": element, "x": _coordinate(message, "x"), "y": _coordinate(message, "y")}


def viewport(message: dict[str, Any]) -> dict[str, float]:
    zoom = message.get("zoom")
    if isinstance(zoom, bool) or not isinstance(zoom, int | float) or not 0.01 <= zoom <= 100:
        raise BadFrame("bad_frame", "zoom must be a number from 0.01 to 100.")
    return {"x": _coordinate(message, "x"), "y": _coordinate(message, "y"), "zoom": float(zoom)}


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def events_text(frames: list[dict[str, Any]]) -> str:
    """One frame for a run of events: a single event as itself, several as an `events` batch."""
    if len(frames) == 1:
        return dumps(frames[0])
    return dumps({"type": "events", "events": frames})


def ack(op_id: str, seq: int) -> Ack:
    return {"type": "ack", "op_id": op_id, "seq": seq}


def reject(op_id: str, error: dict[str, Any]) -> Reject:
    body: ErrorBody = {"code": error["code"], "message": error["message"]}
    if "retry_after_ms" in error:
        body["retry_after_ms"] = error["retry_after_ms"]
    return {"type": "reject", "op_id": op_id, "error": body}
