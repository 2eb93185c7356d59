"""Budgets hold per participant and board whatever the socket, and for the HTTP API per key."""

import json

import pytest
from channels.db import database_sync_to_async

from boards.live.budgets import budgets
from boards.models import Board, Note
from tests.boards.helpers import new_id
from tests.boards.test_consumer import Client, sticky

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def board():
    return await database_sync_to_async(Board.objects.create)(name="Checkout")


async def answers(client: Client, count: int) -> list[str]:
    codes = []
    while len(codes) < count:
        for frame in await client.frames():
            if frame["type"] == "ack":
                codes.append("ack")
            elif frame["type"] == "reject":
                codes.append(frame["error"]["code"])
                if frame["error"]["code"] == "rate_limited":
                    assert frame["error"]["retry_after_ms"] > 0
    return codes


async def test_reconnecting_does_not_reset_the_op_budget(board, settings):
    settings.STORMING_CONNECTION_OPS_PER_SECOND = 1
    settings.STORMING_CONNECTION_OPS_BURST = 5
    codes, token = [], None
    for _ in range(3):
        ana = Client(board, "Ana")
        # The same participant coming back: the identity the server issued, resumed with its token.
        welcome = await ana.join(**({"token": token} if token else {}))
        token = welcome["token"]
        for i in range(4):
            await ana.op("note.create", sticky(f"Idea {i}"))
        codes += await answers(ana, 4)
        await ana.close()
    assert codes.count("ack") <= 6, codes  # the burst of 5, and at most a token earned meanwhile
    assert await database_sync_to_async(Note.objects.count)() == codes.count("ack")


async def test_another_participant_has_a_budget_of_their_own(board, settings):
    settings.STORMING_CONNECTION_OPS_PER_SECOND = 1
    settings.STORMING_CONNECTION_OPS_BURST = 3
    ana, bo = Client(board, "Ana"), Client(board, "Bo")
    await ana.join()
    await bo.join()
    for i in range(3):
        await ana.op("note.create", sticky(f"A{i}"))
        await bo.op("note.create", sticky(f"B{i}"))
    assert await answers(ana, 3) == ["ack"] * 3
    assert await answers(bo, 3) == ["ack"] * 3
    await ana.close()
    await bo.close()


def test_the_http_api_has_a_budget_per_key(client, settings):
    settings.STORMING_HTTP_OPS_PER_SECOND = 1
    settings.STORMING_HTTP_OPS_BURST = 5
    board = Board.objects.create(name="Checkout")
    statuses = []
    for i in range(12):
        op = {"op_id": new_id(), "op": "note.create", "data": sticky(f"Scripted {i}")}
        response = client.post(
            f"/api/boards/{board.id}/ops/",
            json.dumps(op),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {board.edit_key}",
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            error = response.json()["error"]
            assert error["code"] == "rate_limited" and error["retry_after_ms"] > 0
            assert int(response["Retry-After"]) >= 1
    assert statuses.count(201) <= 6 and 429 in statuses
    assert Note.objects.count() == statuses.count(201)


async def test_a_cursor_flood_is_dropped_unread_then_closed(board):
    flooder, bo = Client(board, "Flood"), Client(board, "Bo")
    await flooder.join()
    await bo.join()
    for x in range(3000):
        await flooder.send({"type": "cursor", "x": x, "y": 0})
    await flooder.closed_with(4429)
    # What reached Bo is the coalesced cursor of the frames within budget, not 3,000 moves.
    seen = set()
    while not await bo.socket.receive_nothing(timeout=0.3):
        for frame in await bo.frames():
            if frame["type"] == "presence":
                seen |= {u["cursor"]["x"] for u in frame["users"] if u["name"] == "Flood" and u["cursor"]}
    assert max(seen, default=0) < 1000
    await bo.close()


def test_the_budget_registry_forgets_refilled_buckets():
    from boards.live.budgets import Budget, Budgets

    registry = Budgets(max_buckets=100)
    for i in range(1000):
        registry.take(("op", "board", f"participant-{i}"), Budget(rate=1e9, burst=1))
    assert len(registry) <= 100
    assert len(budgets) <= 50_000
