"""However a socket ends, its participant leaves the roster, and the server only sends close codes it can."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from boards import protocol
from boards.live import rooms
from boards.models import Board
from tests.boards.test_consumer import Client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def board():
    return await database_sync_to_async(Board.objects.create)(name="Checkout")


async def roster_change(observer: Client, timeout: float = 1.0) -> tuple[set[str], set[str]]:
    """Names that joined and ids that left, from the presence frames within `timeout` seconds."""
    joined, left = set(), set()
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        # receive_nothing waits without cancelling the app, unlike a receive that times out.
        if await observer.socket.receive_nothing(timeout=0.05):
            continue
        for frame in await observer.frames():
            if frame["type"] == "presence":
                joined |= {user["name"] for user in frame["users"]}
                left |= set(frame["left"])
    return joined, left


async def test_a_socket_whose_handler_fails_leaves_the_roster_within_a_tick(board, monkeypatch):
    bo = Client(board, "Bo")
    await bo.join()
    crashing = Client(board, "Crash")
    you = (await crashing.join())["you"]

    def broken_cursor(message):
        raise RuntimeError("a bug in a handler")

    monkeypatch.setattr(protocol, "cursor", broken_cursor)
    await crashing.send({"type": "cursor", "x": 1, "y": 2})
    closed = await crashing.closed_with()
    assert closed["code"] == 4500, "a code Daphne lets the application send (1011 is refused)"
    _, left = await roster_change(bo, timeout=0.5)
    assert you["id"] in left
    await bo.close()
    # Nobody is left on the board: once the last presence tick is out, its room is let go.
    await asyncio.sleep(0.3)
    assert len(rooms()) == 0


async def test_twenty_crashed_sockets_leave_no_ghosts(board, monkeypatch):
    bo = Client(board, "Bo")
    await bo.join()
    crashing = [Client(board, f"Crash {i}") for i in range(20)]
    ids = {(await c.join())["you"]["id"] for c in crashing}
    monkeypatch.setattr(protocol, "viewport", lambda message: 1 / 0)
    for c in crashing:
        await c.send({"type": "viewport", "x": 0, "y": 0, "zoom": 1})
    for c in crashing:
        await c.closed_with(4500)
    _, left = await roster_change(bo, timeout=0.5)
    assert ids <= left
    # The roster Bo is sent from now on holds Bo alone.
    await asyncio.sleep(3.2)
    joined, _ = await roster_change(bo, timeout=0.5)
    assert joined <= {"Bo"}
    await bo.close()


async def test_a_socket_that_says_no_hello_is_closed_after_the_deadline(board, settings):
    settings.STORMING_HELLO_SECONDS = 0.3
    silent = Client(board, "Silent")
    connected, _ = await silent.socket.connect()
    assert connected
    error = await silent.expect("error")
    assert error["code"] == "hello_timeout"
    await silent.closed_with(4408)


async def test_too_many_bad_frames_close_with_a_code_the_server_can_send(board):
    rude = Client(board, "Rude")
    await rude.join()
    for _ in range(25):
        await rude.socket.send_to(text_data="garbage")
    await rude.closed_with(4400)
