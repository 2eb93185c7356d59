"""Numbers Storming cannot use (10**400, NaN, 1e400) are refused for their sender only."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from boards import store
from boards.live import room_for
from boards.models import Board, BoardEvent
from boards.store import OpRequest

from .helpers import new_id
from .test_consumer import Client

pytestmark = pytest.mark.django_db(transaction=True)

HUGE = "1" + "0" * 400  # 10**400 as it arrives on the wire


@pytest.fixture
async def board():
    return await database_sync_to_async(Board.objects.create)(name="Checkout")


def sticky(x="0") -> str:
    return f'{{"id": "{new_id()}", "kind": "event", "text": "Order Placed", "x": {x}, "y": 0}}'


async def test_a_400_digit_number_is_refused_for_its_sender_while_every_other_op_is_acked(board):
    ana, bo = Client(board, "Ana"), Client(board, "Bo")
    await ana.join()
    await bo.join()
    bad_id = new_id()
    bo_ids = []
    for round_ in range(40):
        for _ in range(5):
            bo_ids.append(new_id())
            await bo.socket.send_to(
                text_data=f'{{"type": "op", "op_id": "{bo_ids[-1]}", "op": "note.create", "data": {sticky()}}}'
            )
        if round_ == 20:
            await ana.socket.send_to(
                text_data=f'{{"type": "op", "op_id": "{bad_id}", "op": "note.create", "data": {sticky(HUGE)}}}'
            )
    reject = await ana.expect("reject")
    assert reject["op_id"] == bad_id and reject["error"]["code"] == "bad_number"
    assert "not a number Storming accepts" in reject["error"]["message"]
    acked = set()
    while len(acked) < len(bo_ids):
        frame = await bo.expect("ack", timeout=10)
        acked.add(frame["op_id"])
    assert acked == set(bo_ids)
    assert await database_sync_to_async(BoardEvent.objects.filter(board=board).count)() == len(bo_ids)
    await ana.close()
    await bo.close()


async def test_a_huge_number_that_reaches_the_writer_fails_its_own_op_and_no_other_in_its_batch(board):
    # Past the socket's parsing (a management command, an import): the rules refuse it alone.
    writer = room_for(str(board.id))
    good = [
        OpRequest("note.create", json.loads(sticky()), op_id=new_id(), role="editor", author="bo") for _ in range(30)
    ]
    bad = OpRequest("note.create", {**json.loads(sticky()), "x": 10**400}, op_id=new_id(), author="ana")
    # Submitted in one go, so that they are stored as one batch.
    futures = [writer.submit(op) for op in good[:15] + [bad] + good[15:]]
    results = await asyncio.gather(*futures)
    by_id = {result.op_id: result for result in results}
    assert all(by_id[op.op_id].ok for op in good)
    assert by_id[bad.op_id].error["code"] == "invalid"


@pytest.mark.parametrize(
    "frame",
    [
        f'{{"type": "cursor", "x": {HUGE}, "y": 0}}',
        '{"type": "cursor", "x": 1e400, "y": 0}',
        f'{{"type": "preview", "id": "a", "x": 0, "y": -{HUGE}}}',
        f'{{"type": "viewport", "x": 0, "y": 0, "zoom": {HUGE}}}',
        f'{{"type": "sync", "since": {HUGE}}}',
        '{"type": "cursor", "x": NaN, "y": 0}',
    ],
)
async def test_a_huge_number_in_a_volatile_frame_gets_an_error_and_the_socket_keeps_working(board, frame):
    ana = Client(board)
    await ana.join()
    await ana.expect("snapshot")
    await ana.socket.send_to(text_data=frame)
    error = await ana.expect("error")
    assert error["code"] == "bad_number"
    op_id = await ana.op("note.create", json.loads(sticky()))
    assert (await ana.expect("ack"))["op_id"] == op_id
    await ana.close()


async def test_a_huge_since_in_hello_is_refused_and_the_socket_can_say_hello_again(board):
    ana = Client(board)
    connected, _ = await ana.socket.connect()
    assert connected
    await ana.socket.send_to(text_data=f'{{"type": "hello", "protocol": 2, "since": {HUGE}, "name": "Ana"}}')
    assert (await ana.expect("error"))["code"] == "bad_number"
    await ana.send({"type": "hello", "protocol": 2, "since": 0, "name": "Ana"})
    await ana.expect("welcome")
    await ana.expect("snapshot")
    await ana.close()


# --- over HTTP -------------------------------------------------------------------------------


def post_op(client, board, body: str):
    return client.post(
        f"/api/boards/{board.id}/ops/",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {board.edit_key}",
    )


@pytest.mark.parametrize("number", [HUGE, f"-{HUGE}", "1e400", "NaN", "-Infinity", "9007199254740993"])
def test_an_http_op_with_a_number_storming_cannot_use_is_a_400_that_says_so(client, number):
    board = Board.objects.create(name="Checkout")
    response = post_op(client, board, f'{{"op_id": "{new_id()}", "op": "note.create", "data": {sticky(number)}}}')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_number"
    assert "not a number Storming accepts" in response.json()["error"]["message"]
    assert post_op(client, board, f'{{"op": "note.create", "data": {sticky()}}}').status_code == 201


def test_an_http_body_nested_too_deeply_is_a_400(client):
    board = Board.objects.create(name="Checkout")
    response = post_op(client, board, '{"op": "note.create", "data": ' + "[" * 5000 + "]" * 5000 + "}")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "url",
    ["/api/boards/{id}/?at=" + "9" * 5000, "/api/boards/{id}/history/?before=" + "9" * 30, "/api/boards/{id}/?at=²"],
)
def test_a_huge_seq_in_a_query_is_a_400(client, url):
    board = Board.objects.create(name="Checkout")
    response = client.get(url.format(id=board.id), HTTP_AUTHORIZATION=f"Bearer {board.view_key}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e400", HUGE])
async def test_an_op_with_an_impossible_number_is_rejected_so_its_sender_stops_resending_it(board, number):
    ana = Client(board)
    await ana.join()
    await ana.expect("snapshot")
    op_id = new_id()
    await ana.socket.send_to(
        text_data=f'{{"type": "op", "op_id": "{op_id}", "op": "note.create", "data": {sticky(number)}}}'
    )
    reject = await ana.expect("reject")
    assert reject["op_id"] == op_id and reject["error"]["code"] == "bad_number"
    await ana.close()


async def test_an_op_too_large_to_read_is_rejected_by_its_op_id_so_its_sender_stops_resending_it(board):
    ana = Client(board)
    await ana.join()
    await ana.expect("snapshot")
    op_id = new_id()
    data = {"id": new_id(), "kind": "event", "text": "x" * 70_000, "x": 0, "y": 0}
    # As the page writes it: JSON.stringify({type: "op", op_id, op, data}).
    frame = json.dumps({"type": "op", "op_id": op_id, "op": "note.create", "data": data}, separators=(",", ":"))
    await ana.socket.send_to(text_data=frame)
    reject = await ana.expect("reject")
    assert reject["op_id"] == op_id and reject["error"]["code"] == "too_large"
    await ana.close()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("undo", {"op_ids": [10**400, [[["x"]]], {"a": 1}]}),
        ("board.restore", {"seq": 10**400}),
        ("board.restore", {"seq": float("nan")}),
        ("board.configure", {"votes_per_person": 10**400}),
        ("timer.start", {"seconds": 10**400}),
    ],
)
def test_huge_numbers_in_compound_and_facilitator_ops_are_refused_by_the_store_alone(name, data):
    # Past the edge (a management command): the store refuses them like any bad op.
    board = Board.objects.create(name="Checkout")
    good = OpRequest("note.create", json.loads(sticky()), op_id=new_id(), role="facilitator", author="ana")
    bad = OpRequest(name, data, op_id=new_id(), role="facilitator", author="ana")
    results = store.apply_ops(board.id, [good, bad])
    assert results[0].ok
    assert results[1].error["code"] in ("invalid", "not_found")
