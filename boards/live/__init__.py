"""The live layer: each board's room, the one way in and out of a board in this process.

Sockets (boards/consumers.py), the HTTP API, commands and imports reach a board's sockets only
through its room (`room_for`), so batching, budgets and fan-out cannot differ by entry point.
`boards.store` only persists and knows nothing of this package.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from boards import store
from boards.live.budgets import budget, budgets, rate_limited
from boards.live.room import BoardRoom, group_name, room_for, rooms
from boards.store import OpRequest, OpResult

__all__ = ["BoardRoom", "access_changed", "apply_now", "group_name", "http_op", "room_for", "rooms"]

log = logging.getLogger(__name__)


async def http_op(board_id: str, op: OpRequest) -> OpResult:
    """An op from the HTTP API: the key's budget, then the room like any socket's op."""
    key = hashlib.blake2s((op.key or "").encode(), digest_size=8).hexdigest()
    wait = budgets.take(("http_ops", str(board_id), key), budget("http_ops"))
    if wait:
        message = "Too many changes too fast with this key; this one was not applied."
        return OpResult(op.op_id, error=rate_limited(message, wait))
    return await room_for(board_id).submit(op)


def apply_now(board_id: str, ops: list[OpRequest]) -> list[OpResult]:
    """The server's own ops from code without an event loop (commands, scripts), on this thread.

    Stored in the caller's transaction, if any; the board's sockets in every process hear of
    them once it commits.
    """
    results = store.apply_ops(board_id, ops)
    events = [frame for result in results for frame in result.events]
    if events:
        transaction.on_commit(lambda: async_to_sync(_publish)(str(board_id), events))
    return results


async def _publish(board_id: str, events: list[dict]) -> None:
    room = room_for(board_id)
    try:
        await room.publish_events(events)
    finally:
        room.let_go_if_idle()


async def access_changed(board_id: str) -> None:
    """The board's links changed: sockets holding a replaced one must go, in every process.

    This process's sockets are told directly, so they go even when the channel layer (Redis) is
    down; every op re-checks its key in its own transaction anyway (boards/store.py).
    """
    room = rooms().room(str(board_id), create=False)
    if room is not None:
        for socket in list(room.audience.sockets):
            socket.access_changed()
    try:
        message = {"type": "board.access"}
        await asyncio.wait_for(get_channel_layer().group_send(group_name(str(board_id)), message), 2)
    except Exception:
        log.exception("board %s: could not tell other processes that its links changed", board_id)
