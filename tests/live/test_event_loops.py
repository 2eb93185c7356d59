"""Why each test gets channel layers of its own (tests/conftest.py), shown on the core Redis layer.

The flaky test_cursors_reach_others_as_coalesced_presence failed with "Lock is bound to a different
event loop". channels_redis keeps a lock per local channel prefix for receiving
(`receive_clean_locks`); a receive cancelled while waiting on it (as happens when a test's loop
closes) leaves the lock behind, bound to that event loop. pytest-asyncio runs each test in a new
loop, so the next test that has to wait on that lock fails. A server runs one loop for its life.
"""

import asyncio

import pytest
from channels_redis.core import RedisChannelLayer

PREFIX = "asgispecific.test!"


async def a_receive_cancelled_while_waiting(layer: RedisChannelLayer) -> None:
    locks = layer.receive_clean_locks
    await locks.acquire(PREFIX)  # a receive's clean-up holds the lock...
    waiting = asyncio.ensure_future(locks.acquire(PREFIX))  # ...another receive waits for it
    await asyncio.sleep(0)
    waiting.cancel()  # the loop closes: it is cancelled while waiting
    await asyncio.sleep(0)
    locks.release(PREFIX)


async def two_receives_taking_turns(layer: RedisChannelLayer) -> None:
    locks = layer.receive_clean_locks
    await locks.acquire(PREFIX)
    second = asyncio.ensure_future(locks.acquire(PREFIX))
    await asyncio.sleep(0)
    locks.release(PREFIX)
    await second
    locks.release(PREFIX)


@pytest.mark.parametrize("fresh_layer_per_loop", [False, True])
def test_a_layer_kept_from_an_earlier_event_loop_fails_and_a_fresh_one_does_not(fresh_layer_per_loop):
    layer = RedisChannelLayer(hosts=["redis://127.0.0.1:6379/0"])  # no connection is made
    asyncio.run(a_receive_cancelled_while_waiting(layer))
    if fresh_layer_per_loop:
        layer = RedisChannelLayer(hosts=["redis://127.0.0.1:6379/0"])
        asyncio.run(two_receives_taking_turns(layer))
        return
    with pytest.raises(RuntimeError, match="different event loop"):
        asyncio.run(two_receives_taking_turns(layer))


_layers_seen = []


@pytest.mark.parametrize("turn", [1, 2])
async def test_each_test_gets_a_channel_layer_of_its_own(turn):
    from channels.layers import get_channel_layer

    _layers_seen.append(get_channel_layer())
    if turn == 2:
        assert _layers_seen[0] is not _layers_seen[1]
