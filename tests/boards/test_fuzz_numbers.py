"""Huge whole numbers, NaN and Infinity literals, and deep nesting, thrown at every frame type and
every op: each is refused for itself, with a code and a message, and nothing raises anything else."""

import json
import math
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boards import protocol
from boards.domain import ACTOR_HANDLERS, HANDLERS, PHASES, Actor, BoardState, Rejection, decide
from boards.models import Board

IDS = [str(uuid.UUID(int=i, version=4)) for i in range(1, 5)]
# Literals as a client may write them; json.dumps could not produce most of them.
HOSTILE = ["1" + "0" * 400, "-" + "9" * 40, "9007199254740993", "1e400", "-1e999", "NaN", "Infinity", "-Infinity"]
FINE = ["0", "-3", "12.5", "9007199254740991", "1e300", "true", "null", '"text"']


class Literal(str):
    """JSON text to insert as it is."""


def nest(depth: int) -> Literal:
    return Literal("[" * depth + "]" * depth)


leaf = st.one_of(
    st.sampled_from(HOSTILE).map(Literal),
    st.sampled_from(FINE).map(Literal),
    st.sampled_from(IDS),
    st.sampled_from(["event", "aggregate", "bounded_context", "timeline", "free"]),
    st.integers(min_value=3, max_value=3000).map(nest),
)
value = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=20,
)
OP_KEYS = ["id", "kind", "text", "x", "y", "w", "h", "fields", "name", "from", "to", "label", "phase", "locked"]
OP_KEYS += ["votes_per_person", "follow", "seconds", "seq", "op_ids"]
op_data = st.dictionaries(st.sampled_from(OP_KEYS), value, max_size=6)
OPS = [*HANDLERS, *ACTOR_HANDLERS, "undo", "board.restore"]
frame = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("op"), "op_id": st.sampled_from(IDS), "op": st.sampled_from(OPS), "data": op_data}
    ),
    st.fixed_dictionaries({"type": st.sampled_from(["cursor", "preview", "viewport"]), "x": value, "y": value}).flatmap(
        lambda f: st.fixed_dictionaries({**{k: st.just(v) for k, v in f.items()}, "zoom": value, "id": value})
    ),
    st.fixed_dictionaries({"type": st.sampled_from(["hello", "sync"]), "since": value, "name": value}),
)


def encode(item) -> str:
    if isinstance(item, Literal):
        return str(item)
    if isinstance(item, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{encode(v)}" for k, v in item.items()) + "}"
    if isinstance(item, list):
        return "[" + ",".join(encode(v) for v in item) + "]"
    return json.dumps(item)


def reads(message: dict) -> object:
    kind = message["type"]
    read = {
        "op": protocol.op,
        "cursor": protocol.cursor,
        "preview": protocol.preview,
        "viewport": protocol.viewport,
        "sync": protocol.sync,
        "hello": protocol.hello,
    }[kind]
    return read(message)


def finite_everywhere(item) -> bool:
    if isinstance(item, dict):
        return all(finite_everywhere(v) for v in item.values())
    if isinstance(item, list):
        return all(finite_everywhere(v) for v in item)
    if isinstance(item, float):
        return math.isfinite(item)
    if isinstance(item, int) and not isinstance(item, bool):
        return abs(item) <= protocol.MAX_NUMBER
    return True


def board_with_everything() -> BoardState:
    state = BoardState()
    facilitator = Actor(role="facilitator", author="f")
    decide(state, "frame.create", {"id": IDS[0], "kind": "aggregate", "x": 0, "y": 0, "w": 500, "h": 500}, facilitator)
    decide(state, "note.create", {"id": IDS[1], "kind": "event", "x": 10, "y": 10}, facilitator)
    decide(state, "note.create", {"id": IDS[2], "kind": "hotspot", "x": 900, "y": 10}, facilitator)
    decide(state, "link.create", {"id": IDS[3], "from": IDS[1], "to": IDS[2]}, facilitator)
    return state


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame, st.sampled_from(["editor", "facilitator"]), st.sampled_from(list(PHASES)))
def test_every_frame_and_op_is_read_whole_or_refused_for_itself(message, role, phase):
    text = encode(message)
    try:
        parsed = protocol.parse(text, 10_000_000)
        read = reads(parsed)
    except protocol.BadFrame as bad:
        assert bad.code in ("bad_json", "bad_frame", "bad_number") and bad.message
        answer = bad.frame()
        if message["type"] == "op" and bad.code == "bad_number":
            # The sender learns which op it was, and drops it instead of sending it forever.
            assert answer == {"type": "reject", "op_id": message["op_id"], "error": bad.frame()["error"]}
        json.dumps(answer, allow_nan=False)
        return
    # What parsing lets through holds only numbers a float and the database can take.
    assert finite_everywhere(parsed)
    if message["type"] != "op" or read["op"] in ("undo", "board.restore"):
        return
    state = board_with_everything()
    state.meta["phase"] = phase
    before = state.snapshot()
    try:
        events = decide(state, read["op"], read["data"], Actor(role=role, author="ana", now=1.0))
    except Rejection as rejection:
        assert rejection.code and rejection.message
        assert state.snapshot() == before
        return
    json.dumps([event.data for event in events], allow_nan=False)


python_leaf = st.one_of(
    st.sampled_from([10**400, -(10**400), 2**63, 2**64 + 1, float("nan"), float("inf"), -float("inf"), 1e308]),
    st.sampled_from(IDS),
    st.sampled_from(["event", "command", "aggregate", "bounded_context", "timeline"]),
    st.integers(),
    st.booleans(),
)
python_value = st.recursive(python_leaf, lambda inner: st.lists(inner, max_size=3), max_leaves=10)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([*HANDLERS, *ACTOR_HANDLERS]),
    st.dictionaries(st.sampled_from(OP_KEYS), python_value, max_size=6),
    st.sampled_from(["editor", "facilitator", "viewer"]),
    st.sampled_from(list(PHASES)),
)
def test_the_rules_refuse_numbers_of_any_size_without_raising_anything_else(op, data, role, phase):
    # Entry points that skip the socket's parsing (management commands, imports) reach the rules.
    state = board_with_everything()
    state.meta["phase"] = phase
    before = state.snapshot()
    try:
        events = decide(state, op, data, Actor(role=role, author="ana", now=1.0))
    except Rejection as rejection:
        assert rejection.code and rejection.message
        assert state.snapshot() == before
        return
    json.dumps([event.data for event in events], allow_nan=False)


@pytest.mark.django_db
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(op_data, st.sampled_from(OPS))
def test_the_http_api_answers_hostile_numbers_with_json_never_a_500(client, data, op):
    board = Board.objects.create(name="Fuzz")
    body = encode({"op_id": str(uuid.uuid4()), "op": op, "data": data})
    response = client.post(
        f"/api/boards/{board.id}/ops/",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {board.facilitator_key}",
    )
    assert response.status_code in (200, 201, 400, 403, 404, 409), response.content[:200]
    assert response.json()
