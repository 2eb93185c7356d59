"""Generated input against the board's rules and the socket: nothing crashes, nothing half-applies."""

import copy
import json
import math
import uuid

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boards.domain import FACILITATOR, KNOWN_OPS, BoardState, Rejection, decide

from .test_consumer import Client

IDS = [str(uuid.UUID(int=i, version=4)) for i in range(1, 7)]

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from([10**400, -(10**40), 2**53, 2**63]),  # past what a float or the database holds
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(IDS),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
op_names = st.sampled_from([*KNOWN_OPS, "note.fly", ""])
keys = st.sampled_from(
    ["id", "kind", "text", "x", "y", "w", "h", "fields", "name", "from", "to", "label", "phase", "locked", "seconds"]
)
kinds = st.sampled_from(["event", "command", "policy", "hotspot", "aggregate", "bounded_context", "bogus"])
op_data = st.one_of(
    json_value,
    st.fixed_dictionaries(
        {"id": st.sampled_from(IDS), "kind": kinds, "x": json_leaf, "y": json_leaf},
        optional={
            "w": json_leaf,
            "h": json_leaf,
            "text": json_value,
            "name": json_value,
            "fields": json_value,
            "from": st.sampled_from(IDS),
            "to": st.sampled_from(IDS),
        },
    ),
    st.dictionaries(keys, json_value, max_size=5),
)


coordinate = st.floats(min_value=-3000, max_value=3000)
size = st.floats(min_value=5, max_value=3000)
# Mostly well-formed ops, so that the generated boards grow and the rules meet real states.
plausible = st.one_of(
    st.tuples(
        st.just("note.create"),
        st.fixed_dictionaries(
            {"id": st.sampled_from(IDS), "kind": kinds, "x": coordinate, "y": coordinate, "text": st.text(max_size=20)}
        ),
    ),
    st.tuples(
        st.just("note.update"),
        st.fixed_dictionaries(
            {"id": st.sampled_from(IDS)}, optional={"x": coordinate, "y": coordinate, "w": size, "kind": kinds}
        ),
    ),
    st.tuples(
        st.just("frame.create"),
        st.fixed_dictionaries(
            {"id": st.sampled_from(IDS), "kind": kinds, "x": coordinate, "y": coordinate, "w": size, "h": size}
        ),
    ),
    st.tuples(
        st.just("frame.update"),
        st.fixed_dictionaries(
            {"id": st.sampled_from(IDS)}, optional={"x": coordinate, "y": coordinate, "w": size, "h": size}
        ),
    ),
    st.tuples(
        st.sampled_from(["note.delete", "frame.delete", "link.delete"]),
        st.fixed_dictionaries({"id": st.sampled_from(IDS)}),
    ),
    st.tuples(
        st.just("link.create"),
        st.fixed_dictionaries({"id": st.sampled_from(IDS), "from": st.sampled_from(IDS), "to": st.sampled_from(IDS)}),
    ),
)


def consistent(state: BoardState) -> None:
    elements = state.notes.keys() | state.frames.keys()
    for link in state.links.values():
        assert link["from"] in elements and link["to"] in elements
    for note in state.notes.values():
        assert all(math.isfinite(note[k]) for k in ("x", "y", "w", "h"))
        assert note["aggregate"] in state.frames or note["aggregate"] is None
        assert note["context"] in state.frames or note["context"] is None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(plausible | st.tuples(op_names, op_data), max_size=30))
def test_the_rules_refuse_or_apply_whole_and_keep_the_board_consistent(ops):
    state = BoardState()
    for op, data in ops:
        before = copy.deepcopy(state.snapshot())
        try:
            events = decide(state, op, data, FACILITATOR)
        except Rejection as rejection:
            assert rejection.code and rejection.message
            assert state.snapshot() == before, f"{op} was refused but changed the board"
            continue
        json.dumps([e.data for e in events], allow_nan=False)  # every event can go on the wire
        consistent(state)


frames = st.one_of(
    st.text(min_size=1, max_size=200),
    json_value.map(lambda v: json.dumps(v, allow_nan=True)),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["op", "cursor", "preview", "sync", "viewport", "hello", "x"])},
        optional={
            "op": op_names,
            "op_id": st.text(max_size=70),
            "data": op_data,
            "x": json_leaf,
            "y": json_leaf,
            "since": json_leaf,
            "id": json_leaf,
            "zoom": json_leaf,
        },
    ).map(lambda v: json.dumps(v, allow_nan=True)),
)


@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.lists(frames, min_size=1, max_size=15))
async def test_the_socket_answers_any_frame_and_stays_usable(batch):
    from boards.models import Board

    board = await database_sync_to_async(Board.objects.create)(name="Fuzz")
    ana = Client(board)
    await ana.join()
    await ana.expect("snapshot")
    for text in batch:
        await ana.socket.send_to(text_data=text)
    # Still open and working: a good op after the noise is applied and acknowledged.
    good = {"id": str(uuid.uuid4()), "kind": "event", "text": "Still Here", "x": 0, "y": 0}
    op_id = await ana.op("note.create", good)
    while True:
        frame = (await ana.frames(timeout=5))[0]
        assert frame["type"] in ("error", "ack", "reject", "event", "presence", "snapshot"), frame
        if frame["type"] == "ack" and frame["op_id"] == op_id:
            break
    await ana.close()
