"""Tasks the live layer cancels end, even when a library swallows the cancellation.

CI once waited 600 s for a test's event loop to close: a board's relay, cancelled as its room
closed, had gone on listening on Redis (boards/live/stopping.py says how).
"""

import asyncio
import sys
import uuid

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from boards.live import audience as audience_module
from boards.live.audience import BoardAudience
from boards.live.stopping import stop


async def sending_a_command_then_waiting(sent: asyncio.Future, cancelled_as_it_completes: asyncio.Future) -> None:
    """What a channel-layer read does: send a command through `wait_for` (as redis-py does with a
    socket timeout), then wait for the answer; here the answer never comes."""
    sent.add_done_callback(lambda _: cancelled_as_it_completes.set_result(None))
    await asyncio.wait_for(sent, 10)
    await asyncio.Event().wait()


async def a_task_cancelled_just_as_its_send_completes(cancel) -> asyncio.Task:
    loop = asyncio.get_running_loop()
    sent, cancelled_as_it_completes = loop.create_future(), loop.create_future()
    task = asyncio.create_task(sending_a_command_then_waiting(sent, cancelled_as_it_completes))
    await asyncio.sleep(0)  # the task is in wait_for, which already watches `sent`
    # Registered after wait_for's own callback: runs once wait_for's waiter has its result and
    # before the task resumes, the instant in which Python 3.11's wait_for loses a cancellation.
    sent.add_done_callback(lambda _: cancel(task))
    sent.set_result(None)
    await cancelled_as_it_completes
    return task


async def test_a_task_that_swallowed_its_cancellation_is_stopped_all_the_same():
    task = await a_task_cancelled_just_as_its_send_completes(stop)
    await asyncio.wait_for(asyncio.shield(asyncio.wait({task})), 2)
    assert task.cancelled()


async def test_a_single_cancel_at_that_instant_is_lost_before_python_3_12():
    """Why `stop` cancels again: on Python 3.11 (the project's) the same task, cancelled once,
    is still running; from 3.12 on, wait_for keeps the cancellation."""
    task = await a_task_cancelled_just_as_its_send_completes(lambda task: task.cancel())
    await asyncio.sleep(0.3)
    assert task.done() == (sys.version_info >= (3, 12))
    task.cancel()
    await asyncio.wait({task})


@pytest.mark.django_db(transaction=True)  # a relay that tried again would read the board's last event
async def test_a_relay_whose_cancellation_arrives_as_a_connection_error_stops(monkeypatch):
    """redis-py closes a connection whose command was cut short; another reader of it then sees
    "Connection closed by server" instead of the cancellation (seen in CI). The relay retries
    after connection errors, but not after that one: its room has closed."""
    listened = []

    async def listen(board_id, listening, arrived):
        listened.append(board_id)
        await listening()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise RedisConnectionError("Connection closed by server.") from None

    monkeypatch.setattr(audience_module, "relays_over_pubsub", lambda: False)
    monkeypatch.setattr(audience_module, "_listen_on_layer", listen)
    monkeypatch.setattr(audience_module, "RELAY_RETRY_SECONDS", 0.01)
    board_id = str(uuid.uuid4())
    board = BoardAudience(board_id)
    relay = board.relay = asyncio.create_task(board._relay())
    await board.relaying.wait()
    board.close()
    await asyncio.wait({relay}, timeout=2)
    assert relay.cancelled(), "the relay went on after its room closed"
    assert listened == [board_id]
