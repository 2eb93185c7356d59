"""The board socket, end to end through the ASGI app, the channel layer and the database."""

import asyncio
import json
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from boards.models import Board, BoardEvent
from storming.asgi import application

from .helpers import new_id

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture
async def board():
    return await database_sync_to_async(Board.objects.create)(name="Checkout")


class Client:
    def __init__(self, board, name="Ana", headers=(ORIGIN,), key=None):
        key = board.edit_key if key is None else key
        self.socket = WebsocketCommunicator(application, f"/ws/boards/{board.id}/?key={key}", headers=list(headers))
        self.name = name
        self.applied = 0

    async def join(self, since=0, **hello):
        connected, _ = await self.socket.connect()
        assert connected
        await self.send({"type": "hello", "protocol": 2, "since": since, "name": self.name, **hello})
        welcome = await self.expect("welcome")
        return welcome

    async def closed_with(self, code=None):
        for _ in range(50):
            output = await self.socket.receive_output(timeout=3)
            if output["type"] == "websocket.close":
                assert code is None or output.get("code") == code, output
                return output
        raise AssertionError("the socket stayed open")

    async def send(self, frame):
        await self.socket.send_to(text_data=json.dumps(frame))

    async def frames(self, timeout=3):
        """Next frame, with `events` batches unrolled into single event frames."""
        frame = json.loads(await self.socket.receive_from(timeout=timeout))
        return frame["events"] if frame["type"] == "events" else [frame]

    async def expect(self, kind, timeout=3):
        while True:
            for frame in await self.frames(timeout):
                if frame["type"] == kind:
                    return frame
                assert frame["type"] in ("presence", "event", "ack", "snapshot", "welcome"), frame

    async def events(self, count, timeout=3):
        seen = []
        while len(seen) < count:
            seen += [f for f in await self.frames(timeout) if f["type"] == "event"]
        return seen

    async def no_more_events(self, wait=0.3):
        # receive_nothing waits without cancelling the app, unlike a receive that times out.
        while not await self.socket.receive_nothing(timeout=wait):
            assert not [f for f in await self.frames() if f["type"] == "event"]
        return True

    async def op(self, name, data, op_id=None):
        op_id = op_id or new_id()
        await self.send({"type": "op", "op_id": op_id, "op": name, "data": data})
        return op_id

    async def close(self):
        await self.socket.disconnect()


def sticky(text="Order Placed", x=0, y=0):
    return {"id": new_id(), "kind": "event", "text": text, "x": x, "y": y}


async def test_a_newcomer_gets_the_board_as_a_snapshot(board):
    ana = Client(board)
    welcome = await ana.join()
    assert welcome["you"]["name"] == "Ana" and welcome["you"]["color"].startswith("#")
    snapshot = await ana.expect("snapshot")
    assert snapshot["seq"] == 0 and snapshot["board"]["notes"] == []
    await ana.close()


async def test_two_clients_see_each_others_changes_in_seq_order(board):
    ana, bo = Client(board, "Ana"), Client(board, "Bo")
    await ana.join()
    await ana.expect("snapshot")
    await bo.join()
    await bo.expect("snapshot")
    notes = [sticky(f"Event {i}", x=i * 200) for i in range(5)]
    for data in notes[:3]:
        await ana.op("note.create", data)
    for data in notes[3:]:
        await bo.op("note.create", data)
    seen_by_ana, seen_by_bo = await ana.events(5), await bo.events(5)
    assert [e["seq"] for e in seen_by_bo] == [1, 2, 3, 4, 5]
    assert [e["seq"] for e in seen_by_ana] == [1, 2, 3, 4, 5]
    assert {e["data"]["text"] for e in seen_by_bo} == {n["text"] for n in notes}
    assert {e["actor"] for e in seen_by_bo} == {"Ana", "Bo"}
    await ana.close()
    await bo.close()


async def test_an_op_is_acked_with_its_seq_and_a_bad_one_rejected(board):
    ana = Client(board)
    await ana.join()
    await ana.expect("snapshot")
    op_id = await ana.op("note.create", sticky())
    ack = await ana.expect("ack")
    assert ack == {"type": "ack", "op_id": op_id, "seq": 1}
    bad = await ana.op("note.update", {"id": new_id(), "text": "Gone"})
    reject = await ana.expect("reject")
    assert reject["op_id"] == bad and reject["error"]["code"] == "not_found"
    assert "deleted" in reject["error"]["message"]
    await ana.close()


async def test_a_client_that_reconnects_with_since_gets_exactly_what_it_missed(board):
    ana, bo = Client(board, "Ana"), Client(board, "Bo")
    await ana.join()
    await ana.expect("snapshot")
    await bo.join()
    await bo.expect("snapshot")
    await ana.op("note.create", sticky("Cart Created"))
    [first] = await bo.events(1)
    await bo.close()
    for i in range(3):
        await ana.op("note.create", sticky(f"Item {i} Added", x=200 * i))
    await ana.events(4)
    bo = Client(board, "Bo")
    await bo.join(since=first["seq"])
    missed = await bo.events(3)
    assert [e["seq"] for e in missed] == [2, 3, 4]
    assert [e["data"]["text"] for e in missed] == ["Item 0 Added", "Item 1 Added", "Item 2 Added"]
    assert await bo.no_more_events()
    await ana.close()
    await bo.close()


async def test_an_op_retried_with_the_same_op_id_is_applied_once(board):
    ana = Client(board)
    await ana.join()
    await ana.expect("snapshot")
    data = sticky()
    op_id = await ana.op("note.create", data)
    first = await ana.expect("ack")
    await ana.op("note.create", data, op_id=op_id)
    again = await ana.expect("ack")
    assert again["seq"] == first["seq"] == 1
    count = await database_sync_to_async(BoardEvent.objects.filter(board=board).count)()
    assert count == 1
    await ana.close()


async def test_a_client_can_ask_for_missed_events_with_sync(board):
    ana = Client(board)
    await ana.join()
    await ana.expect("snapshot")
    for i in range(3):
        await ana.op("note.create", sticky(f"E{i}"))
    await ana.events(3)
    await ana.send({"type": "sync", "since": 1})
    replayed = await ana.events(2)
    assert [e["seq"] for e in replayed] == [2, 3]
    await ana.close()


async def test_cursors_reach_others_as_coalesced_presence(board):
    ana, bo = Client(board, "Ana"), Client(board, "Bo")
    await ana.join()
    await bo.join()
    for x in range(30):
        await ana.send({"type": "cursor", "x": x, "y": 5})
    deadline = asyncio.get_running_loop().time() + 3
    cursor, frames = None, 0
    while cursor != {"x": 29.0, "y": 5.0}:
        assert asyncio.get_running_loop().time() < deadline, "Ana's cursor never reached Bo"
        frame = await bo.expect("presence")
        frames += 1
        cursor = next((u["cursor"] for u in frame["users"] if u["name"] == "Ana"), cursor)
    assert frames < 10, "thirty cursor moves should arrive in a few coalesced frames"
    await ana.close()
    left = await bo.expect("presence")
    while not left["left"]:
        left = await bo.expect("presence")
    await bo.close()


async def test_the_sticky_someone_types_in_reaches_others_with_their_cursor(board):
    ana, bo = Client(board, "Ana"), Client(board, "Bo")
    await ana.join()
    await bo.join()
    note_id = str(uuid.uuid4())
    await ana.send({"type": "cursor", "x": 3, "y": 4, "editing": note_id})
    deadline = asyncio.get_running_loop().time() + 3
    cursor = None
    while not cursor or cursor.get("editing") != note_id:
        assert asyncio.get_running_loop().time() < deadline, "Bo never saw what Ana types in"
        frame = await bo.expect("presence")
        cursor = next((u["cursor"] for u in frame["users"] if u["name"] == "Ana"), cursor)
    await ana.send({"type": "cursor", "x": 3, "y": 4, "editing": None})
    while cursor.get("editing") is not None:
        assert asyncio.get_running_loop().time() < deadline + 3, "Ana's lock never went"
        frame = await bo.expect("presence")
        cursor = next((u["cursor"] for u in frame["users"] if u["name"] == "Ana"), cursor)
    await ana.close()
    await bo.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"type": "op", "op": "note.create"}', "bad_frame"),
        ('{"type": "cursor", "x": "left", "y": 1}', "bad_frame"),
        ('{"type": "cursor", "x": 1, "y": 1, "editing": "not-a-sticky-id"}', "bad_frame"),
        ('{"type": "op", "op_id": "1", "op": "x", "data": ' + "[" * 50 + "]" * 50 + "}", "bad_frame"),
        ('{"type": "cursor", "x": "' + "x" * 70000 + '"}', "too_large"),
    ],
)
async def test_a_bad_frame_gets_an_error_and_the_connection_stays_open(board, frame, code):
    ana = Client(board)
    await ana.join()
    await ana.expect("snapshot")
    await ana.socket.send_to(text_data=frame)
    error = await ana.expect("error")
    assert error["code"] == code and error["message"]
    await ana.op("note.create", sticky())
    assert (await ana.expect("ack"))["seq"] == 1
    await ana.close()


async def test_a_binary_frame_is_refused_politely(board):
    ana = Client(board)
    await ana.join()
    await ana.socket.send_to(bytes_data=b"\x00\x01")
    assert (await ana.expect("error"))["code"] == "bad_frame"
    await ana.close()


async def test_a_client_that_keeps_sending_garbage_is_disconnected(board):
    ana = Client(board)
    await ana.join()
    for _ in range(25):
        await ana.socket.send_to(text_data="garbage")
    await ana.closed_with(4400)


async def test_a_socket_from_a_foreign_site_is_refused(board):
    evil = WebsocketCommunicator(
        application, f"/ws/boards/{board.id}/?key={board.edit_key}", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await evil.connect()
    assert not connected


async def test_a_script_without_origin_is_let_in(board):
    bot = Client(board, "Bot", headers=())
    await bot.join()
    await bot.close()


async def test_an_unknown_board_answers_as_a_wrong_key_does(board):
    # Whether a board exists is nobody's business without its key.
    answers = []
    for board_id, key in ((new_id(), "guessed"), (board.id, "guessed")):
        ghost = WebsocketCommunicator(application, f"/ws/boards/{board_id}/?key={key}", headers=[ORIGIN])
        connected, _ = await ghost.connect()
        assert connected
        await ghost.send_to(text_data=json.dumps({"type": "hello", "protocol": 2, "since": 0, "name": "Eve"}))
        error = json.loads(await ghost.receive_from())
        answers.append((error["code"], error["message"], (await ghost.receive_output())["code"]))
    assert answers[0] == answers[1]
    assert answers[0][2] == 4403
