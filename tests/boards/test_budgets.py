"""Size budgets: oversized text, elements, ops and boards are refused as too_large, naming the
limit, before anything is stored; a board's snapshot stays under the transport's cap."""

import json
import uuid

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from boards import protocol, store
from boards.domain import FACILITATOR, BoardState, Rejection, decide
from boards.models import Board, BoardEvent

from .helpers import new_id, note_op, op
from .test_consumer import Client

# Daphne's --websocket-max-message-size in the Makefile: it refuses to send a larger message.
TRANSPORT_CAP = 33_554_432


def fat_fields(count: int = 100, values: int = 100, width: int = 200) -> list[dict]:
    """Fields at the old per-field limits: 100 x 100 enum values of 200 characters, ~2.1 MB."""
    return [
        {"name": f"f{i}", "type": "enum", "values": [f"{i}-{j}-".ljust(width, "v") for j in range(values)]}
        for i in range(count)
    ]


def post_op(client, board, body: dict):
    return client.post(
        f"/api/boards/{board.id}/ops/",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {board.edit_key}",
    )


# --- STORMING_MAX_TEXT -----------------------------------------------------------------------


@pytest.mark.django_db
def test_max_text_from_the_settings_limits_a_stickys_text(settings):
    settings.STORMING_MAX_TEXT = 100
    board = Board.objects.create(name="Checkout")
    over, at_limit = note_op(text="x" * 101), note_op(text="x" * 100)
    refused, applied = store.apply_ops(board.id, [over, at_limit])
    assert refused.error["code"] == "too_large"
    assert "101 characters long; the limit is 100" in refused.error["message"]
    assert applied.ok
    texts = [n["text"] for n in store.snapshot(board.id)["notes"]]
    assert texts == ["x" * 100]


@pytest.mark.django_db
def test_max_text_also_limits_an_edit_and_a_fields_doc(settings):
    settings.STORMING_MAX_TEXT = 50
    board = Board.objects.create(name="Checkout")
    created = note_op(text="short")
    store.apply_ops(board.id, [created])
    note_id = created.data["id"]
    edit = op("note.update", {"id": note_id, "text": "y" * 51})
    doc = op("note.update", {"id": note_id, "fields": [{"name": "when", "doc": "z" * 51}]})
    results = store.apply_ops(board.id, [edit, doc])
    assert [r.error["code"] for r in results] == ["too_large", "too_large"]
    assert store.snapshot(board.id)["notes"][0]["text"] == "short"


# --- per element and per op ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sticky_larger_than_an_element_may_be_is_refused_naming_the_limit():
    board = Board.objects.create(name="Checkout")
    fields = [{"name": f"f{i}", "doc": "d" * 2000} for i in range(20)]  # each within its own limits
    [result] = store.apply_ops(board.id, [note_op(fields=fields)])
    assert result.error["code"] == "too_large"
    assert "at most 32.0 KiB" in result.error["message"]
    assert Board.objects.get(pk=board.id).seq == 0


@pytest.mark.django_db
def test_an_http_op_larger_than_an_op_may_be_is_a_400_too_large(client):
    board = Board.objects.create(name="Checkout")
    body = {"op": "note.create", "data": {"id": new_id(), "kind": "event", "x": 0, "y": 0, "fields": fat_fields()}}
    response = post_op(client, board, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_large"
    assert "at most 64.0 KiB" in response.json()["error"]["message"]
    assert not BoardEvent.objects.filter(board=board).exists()


# --- per board -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_a_board_cannot_be_bloated_past_what_a_join_can_receive(client):
    # What made boards unjoinable: 16 HTTP ops of ~2.1 MB pushed the snapshot past 32 MiB.
    board = await database_sync_to_async(Board.objects.create)(name="Checkout")
    fields = fat_fields()
    for _ in range(16):
        body = {"op": "note.create", "data": {"id": new_id(), "kind": "event", "x": 0, "y": 0, "fields": fields}}
        response = await database_sync_to_async(post_op)(client, board, body)
        assert response.status_code == 400 and response.json()["error"]["code"] == "too_large"
    # And through the rules themselves (a management command, an import): refused alike.
    bloat = [note_op(fields=fields) for _ in range(16)]
    results = await database_sync_to_async(store.apply_ops)(board.id, bloat)
    assert {r.error["code"] for r in results} == {"too_large"}
    ana = Client(board)
    await ana.join()
    snapshot = await ana.socket.receive_from(timeout=30)
    assert json.loads(snapshot)["type"] == "snapshot"
    assert len(snapshot.encode()) < TRANSPORT_CAP
    op_id = await ana.op("note.create", {"id": new_id(), "kind": "event", "text": "Still Here", "x": 0, "y": 0})
    assert (await ana.expect("ack"))["op_id"] == op_id
    await ana.close()


@pytest.mark.django_db(transaction=True)
async def test_a_full_board_refuses_growth_but_stays_joinable_and_takes_deletions(settings):
    settings.STORMING_MAX_BOARD_BYTES = 40_000
    board = await database_sync_to_async(Board.objects.create)(name="Checkout")
    ops = [note_op(text="t" * 1900) for _ in range(40)]
    results = await database_sync_to_async(store.apply_ops)(board.id, ops)
    stored = [o for o, r in zip(ops, results, strict=True) if r.ok]
    refused = [r for r in results if not r.ok]
    assert 15 <= len(stored) < 40
    assert {r.error["code"] for r in refused} == {"too_large"}
    assert "This board is full" in refused[0].error["message"] and "39.1 KiB" in refused[0].error["message"]
    ana = Client(board)
    await ana.join()
    snapshot = json.loads(await ana.socket.receive_from(timeout=10))
    assert len(snapshot["board"]["notes"]) == len(stored)
    assert len(protocol.dumps(snapshot)) <= 40_000 + 4096
    # Growing is refused, shrinking is not; deleting makes room again.
    await ana.op("note.update", {"id": stored[0].data["id"], "fields": [{"name": "when", "doc": "d" * 2000}]})
    assert (await ana.expect("reject"))["error"]["code"] == "too_large"
    await ana.op("note.update", {"id": stored[0].data["id"], "text": "short"})
    await ana.expect("ack")
    await ana.op("note.delete", {"id": stored[1].data["id"]})
    await ana.expect("ack")
    await ana.op("note.create", {"id": new_id(), "kind": "event", "text": "t" * 1900, "x": 0, "y": 0})
    await ana.expect("ack")
    await ana.close()


@pytest.mark.django_db
def test_the_element_count_comes_from_the_settings(settings):
    settings.STORMING_MAX_ELEMENTS = 3
    board = Board.objects.create(name="Checkout")
    results = store.apply_ops(board.id, [note_op() for _ in range(4)])
    assert [r.ok for r in results] == [True, True, True, False]
    assert results[3].error == {"code": "too_large", "message": "This board holds 3 elements, its limit."}


# --- by construction -------------------------------------------------------------------------

IDS = [str(uuid.UUID(int=i, version=4)) for i in range(1, 13)]
text = st.text(alphabet=st.sampled_from("aé\U0001f600\n\x01"), max_size=300)
anywhere = st.floats(min_value=-5000, max_value=5000)
ops = st.one_of(
    st.tuples(
        st.just("note.create"),
        st.fixed_dictionaries(
            {"id": st.sampled_from(IDS), "kind": st.just("event"), "x": anywhere, "y": anywhere, "text": text}
        ),
    ),
    st.tuples(
        st.just("note.update"),
        st.fixed_dictionaries({"id": st.sampled_from(IDS)}, optional={"x": anywhere, "text": text}),
    ),
    st.tuples(
        st.just("frame.create"),
        st.fixed_dictionaries(
            {
                "id": st.sampled_from(IDS),
                "kind": st.sampled_from(["aggregate", "bounded_context"]),
                "name": text,
                "x": anywhere,
                "y": anywhere,
                "w": st.floats(min_value=10, max_value=8000),
                "h": st.floats(min_value=10, max_value=8000),
            }
        ),
    ),
    st.tuples(st.just("frame.update"), st.fixed_dictionaries({"id": st.sampled_from(IDS), "x": anywhere})),
    st.tuples(
        st.just("link.create"),
        st.fixed_dictionaries(
            {"id": st.sampled_from(IDS), "from": st.sampled_from(IDS), "to": st.sampled_from(IDS), "label": text}
        ),
    ),
    st.tuples(st.sampled_from(["note.delete", "frame.delete"]), st.fixed_dictionaries({"id": st.sampled_from(IDS)})),
    st.tuples(st.sampled_from(["vote.cast", "vote.retract"]), st.fixed_dictionaries({"id": st.sampled_from(IDS)})),
    st.tuples(
        st.just("comment.create"),
        st.fixed_dictionaries({"id": st.sampled_from(IDS), "note": st.sampled_from(IDS), "text": text}),
    ),
    st.tuples(st.just("comment.update"), st.fixed_dictionaries({"id": st.sampled_from(IDS), "text": text})),
    st.tuples(
        st.sampled_from(["comment.delete", "thread.resolve", "thread.reopen"]),
        st.fixed_dictionaries({"id": st.sampled_from(IDS)}),
    ),
)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(ops, st.sampled_from(["ana", "bo", "cy"])), max_size=60))
def test_whatever_is_sent_a_snapshot_stays_within_the_board_budget(settings, sequence):
    settings.STORMING_MAX_BOARD_BYTES = 3000
    state = BoardState()
    for (name, data), author in sequence:
        try:
            decide(state, name, data, FACILITATOR.__class__(role="facilitator", author=author))
        except Rejection:
            continue
        # The kept weight is the weight worked out afresh, and the budget holds the snapshot.
        kept = state.weight()
        state.weights = None
        assert state.weight() == kept
        message = protocol.dumps({"type": "snapshot", "seq": state.seq, "board": state.snapshot(new_id())})
        assert len(message) <= 3000 + state.size() * 120 + 4096
