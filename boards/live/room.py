"""A board's room: the one way in and out of a board inside one server process.

Every op for the board (from a socket, the HTTP API, a command) is submitted to its room. Ops go
into one queue: while a transaction is in flight the next ones wait, and the room then takes all
of them in one transaction, so under load many small transactions become a few larger ones
without holding any op back when the board is quiet. The room keeps the board's state between
batches, its audience (the sockets here, and the relay to other processes) and its presence.

Rooms are kept in one registry per event loop, created on first use and let go when the last
socket has left and nothing is in flight: memory follows the boards in use, not every board ever
opened. Budgets outlive rooms (boards/live/budgets.py), so leaving and coming back resets none.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import sys
import weakref
from collections import deque
from typing import Any

from asgiref.sync import AsyncToSync, sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from boards import protocol, store
from boards.live.audience import BoardAudience, Socket
from boards.live.budgets import budget, budgets, rate_limited
from boards.live.presence import BoardPresence
from boards.store import CachedState, OpRequest, OpResult

log = logging.getLogger(__name__)

MAX_BATCH = 500


def group_name(board_id: str) -> str:
    """The channel-layer group of the board's sockets in every process (for news about its links)."""
    return f"board-{board_id}"


class BoardRoom:
    def __init__(self, board_id: str, rooms: Rooms):
        self.board_id = board_id
        self.rooms = rooms
        self.cache = CachedState()
        self.audience = BoardAudience(board_id)
        self.presence = BoardPresence(board_id, self.audience, self.let_go_if_idle)
        # Each op with its future, and the context of a sync caller that waits for it, if any.
        self.queue: deque[tuple[OpRequest, asyncio.Future[OpResult], contextvars.Context | None]] = deque()
        self.writing: asyncio.Task | None = None
        self.committing = 0

    # --- ops ---------------------------------------------------------------------------------

    def submit(self, op: OpRequest, budgeted: bool = True) -> asyncio.Future[OpResult]:
        """Queue an op for the board's next batch; the future holds its result after commit."""
        current = self.rooms.room(self.board_id)
        if current is not self:  # this room was let go meanwhile: its successor takes the op
            return current.submit(op, budgeted)
        future: asyncio.Future[OpResult] = asyncio.get_running_loop().create_future()
        wait = budgets.take(("board_ops", self.board_id), budget("board_ops")) if budgeted else 0.0
        if wait:
            message = "This board is taking more changes than it can keep up with; this one was not applied."
            future.set_result(OpResult(op.op_id, error=rate_limited(message, wait)))
            return future
        # A sync caller blocked in async_to_sync (a sync view or test on Django's database thread)
        # holds the thread the batch needs: the batch then runs its database work on that thread.
        waiting = contextvars.copy_context() if getattr(AsyncToSync.executors, "current", None) else None
        self.queue.append((op, future, waiting))
        if self.writing is None:
            # A context of its own: the writer outlives the request or socket that started it, and
            # must not run its database work on that request's thread (asgiref's thread-sensitive
            # context), which may be gone, or blocked waiting for this very op.
            self.writing = asyncio.get_running_loop().create_task(self._write(), context=contextvars.Context())
        return future

    async def apply(self, ops: list[OpRequest], budgeted: bool = True) -> list[OpResult]:
        return list(await asyncio.gather(*(self.submit(op, budgeted) for op in ops)))

    async def _write(self) -> None:
        try:
            while self.queue:
                batch = [self.queue.popleft() for _ in range(min(MAX_BATCH, len(self.queue)))]
                await self._commit(batch)
        finally:
            self.writing = None
            self.let_go_if_idle()

    async def _commit(
        self, batch: list[tuple[OpRequest, asyncio.Future[OpResult], contextvars.Context | None]]
    ) -> None:
        ops = [op for op, _, _ in batch]
        waiting = next((context for _, _, context in batch if context is not None), None)
        try:
            storing = store_on_database_thread(self.board_id, ops, self.cache)
            if waiting is None:
                results = await storing
            else:
                results = await asyncio.get_running_loop().create_task(storing, context=waiting)
        except DatabaseError:
            log.exception("board %s: could not store %d ops", self.board_id, len(ops))
            error = {
                "code": "unavailable",
                "message": "The board could not be saved just now; your change will be sent again.",
            }
            results = [OpResult(op.op_id, error=error) for op in ops]
        except Exception:
            log.exception("board %s: unexpected failure storing %d ops", self.board_id, len(ops))
            error = {"code": "unavailable", "message": "The server failed to store this change; it was not applied."}
            results = [OpResult(op.op_id, error=error) for op in ops]
        events = [frame for result in results for frame in result.events]
        if events:
            # After commit, and serialised once for every recipient.
            await self.publish_events(events)
        for (_, future, _), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def publish_events(self, events: list[dict[str, Any]]) -> None:
        """Committed events to every socket on the board, in every process."""
        await self.audience.publish(protocol.events_text(events), (events[0]["seq"], events[-1]["seq"]))

    # --- sockets -----------------------------------------------------------------------------

    async def join(self, socket: Socket, user: dict[str, Any]) -> None:
        """From now on the socket gets the board's frames (held until `ready`)."""
        await self.audience.join(socket)
        self.presence.join(user)

    async def ready(self, socket: Socket) -> None:
        await self.audience.ready(socket)

    def leave(self, socket: Socket, connection_id: str | None) -> None:
        """The socket is gone, however it ended. Safe to call more than once."""
        self.audience.leave(socket)
        if connection_id is not None:
            self.presence.leave(connection_id)
        self.let_go_if_idle()

    async def snapshot(self) -> dict[str, Any]:
        return await database_sync_to_async(store.cached_snapshot)(self.board_id, self.cache)

    # --- lifetime ----------------------------------------------------------------------------

    @property
    def idle(self) -> bool:
        return (
            not self.audience.sockets
            and not self.queue
            and self.writing is None
            and self.presence.quiet
            and self.presence.task is None
        )

    def let_go_if_idle(self) -> None:
        if self.idle and self.rooms.room(self.board_id, create=False) is self:
            self.rooms.forget(self)


class Rooms:
    """The rooms of one event loop, by board id."""

    def __init__(self) -> None:
        self.by_board: dict[str, BoardRoom] = {}
        self.reporting: asyncio.Task | None = None
        if settings.STORMING_LIVE_STATS_SECONDS > 0:
            self.reporting = asyncio.get_running_loop().create_task(self._report(settings.STORMING_LIVE_STATS_SECONDS))

    def stats(self) -> dict[str, int]:
        return {
            "rooms": len(self.by_board),
            "sockets": sum(len(room.audience.sockets) for room in self.by_board.values()),
            "present": sum(len(room.presence.users) for room in self.by_board.values()),
            "queued_ops": sum(len(room.queue) for room in self.by_board.values()),
            "budgets": len(budgets),
        }

    async def _report(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            print(f"live stats {json.dumps(self.stats())}", file=sys.stderr, flush=True)

    def room(self, board_id: str, create: bool = True) -> BoardRoom | None:
        room = self.by_board.get(board_id)
        if room is None and create:
            room = self.by_board[board_id] = BoardRoom(board_id, self)
        return room

    def forget(self, room: BoardRoom) -> None:
        self.by_board.pop(room.board_id, None)
        room.audience.close()
        room.presence.close()

    def __len__(self) -> int:
        return len(self.by_board)


# One registry per event loop: Daphne runs one; tests and commands start their own, and what is
# bound to one loop (tasks, futures, Redis connections) cannot serve another.
_registries: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Rooms] = weakref.WeakKeyDictionary()


def rooms() -> Rooms:
    loop = asyncio.get_running_loop()
    registry = _registries.get(loop)
    if registry is None:
        registry = _registries[loop] = Rooms()
    return registry


def room_for(board_id: str) -> BoardRoom:
    return rooms().room(str(board_id))


def _apply_keeping_connection(board_id: str, ops: list[OpRequest], cache: CachedState) -> list[OpResult]:
    kept = connection.connection is not None
    try:
        return store.apply_ops(board_id, ops, cache)
    except (InterfaceError, OperationalError):
        connection.close()
        if not kept:
            raise
        # The kept connection had gone (a database restart): once more on a fresh one. An op
        # that did get stored is recognised by its op_id and not applied twice.
        return store.apply_ops(board_id, ops, cache)
    except DatabaseError:
        # A connection that failed must not serve the next batch: the next one opens afresh.
        connection.close()
        raise


async def store_on_database_thread(board_id: str, ops: list[OpRequest], cache: CachedState) -> list[OpResult]:
    """apply_ops on Django's database thread, without closing its connection after every batch.

    database_sync_to_async closes the connection around each call once it is older than
    CONN_MAX_AGE (with 0, every time), which under load would mean a new SQLite connection, or a
    new PostgreSQL backend, for every batch of ops. Batches come every few milliseconds, so the
    room keeps the connection whatever the setting; a failed batch drops it.
    """
    return await _apply_on_database_thread(board_id, ops, cache)


# Made once: building a SyncToAsync inspects the function, which is work a batch need not repeat.
_apply_on_database_thread = sync_to_async(_apply_keeping_connection, thread_sensitive=True)
