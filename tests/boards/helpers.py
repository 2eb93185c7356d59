"""Small builders shared by the board tests."""

import uuid

from boards.store import OpRequest


def new_id() -> str:
    return str(uuid.uuid4())


def note_op(kind: str = "event", text: str = "Order Placed", x: float = 0, y: float = 0, **extra) -> OpRequest:
    return OpRequest(
        "note.create",
        {"id": new_id(), "kind": kind, "text": text, "x": x, "y": y, **extra},
        op_id=new_id(),
        actor="Ana",
    )


def frame_op(kind: str = "aggregate", name: str = "Order", x=0, y=0, w=600, h=400) -> OpRequest:
    data = {"id": new_id(), "kind": kind, "name": name, "x": x, "y": y, "w": w, "h": h}
    return OpRequest("frame.create", data, op_id=new_id(), actor="Ana")


def op(name: str, data: dict, actor: str = "Ana") -> OpRequest:
    return OpRequest(name, data, op_id=new_id(), actor=actor)


def bearer(key: str) -> dict[str, str]:
    """The header a Django test client sends a board's key in."""
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
