"""Per-board batching of ops inside one server process.

Ops from every socket of a board go into one queue. While a transaction is in flight, the next
ops wait; the writer then takes all of them in one transaction. Under load that turns many small
transactions into few larger ones, without holding any op back when the board is quiet.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from boards import audience, protocol
from boards.limits import TokenBucket
from boards.store import OpRequest, OpResult, apply_ops

log = logging.getLogger(__name__)

MAX_BATCH = 500
IDLE_SECONDS = 60.0


def group_name(board_id: str) -> str:
    return f"board-{board_id}"


class BoardWriter:
    def __init__(self, board_id: str):
        self.board_id = board_id
        self.queue: asyncio.Queue[tuple[OpRequest, asyncio.Future[OpResult]]] = asyncio.Queue()
        self.task: asyncio.Task | None = None
        self.bucket = TokenBucket(settings.STORMING_BOARD_OPS_PER_SECOND, settings.STORMING_BOARD_OPS_BURST)

    def submit(self, op: OpRequest) -> asyncio.Future[OpResult]:
        future: asyncio.Future[OpResult] = asyncio.get_running_loop().create_future()
        if not self.bucket.allow():
            message = "This board is taking more changes than it can keep up with; this one was not applied."
            future.set_result(OpResult(op.op_id, error={"code": "rate_limited", "message": message}))
            return future
        self.queue.put_nowait((op, future))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())
        return future

    async def _run(self) -> None:
        while True:
            try:
                first = await asyncio.wait_for(self.queue.get(), IDLE_SECONDS)
            except TimeoutError:
                if self.queue.empty():
                    _writers.pop(self.board_id, None)
                    return
                continue
            batch = [first]
            while not self.queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self.queue.get_nowait())
            await self._commit(batch)

    async def _commit(self, batch: list[tuple[OpRequest, asyncio.Future[OpResult]]]) -> None:
        ops = [op for op, _ in batch]
        try:
            results = await store_on_database_thread(self.board_id, ops)
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
            await publish_events(self.board_id, events)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)


def _apply_keeping_connection(board_id: str, ops: list[OpRequest]) -> list[OpResult]:
    kept = connection.connection is not None
    try:
        return apply_ops(board_id, ops)
    except (InterfaceError, OperationalError):
        connection.close()
        if not kept:
            raise
        # The kept connection had gone (a database restart): once more on a fresh one. An op
        # that did get stored is recognised by its op_id and not applied twice.
        return apply_ops(board_id, ops)
    except DatabaseError:
        # A connection that failed must not serve the next batch: the next one opens afresh.
        connection.close()
        raise


async def store_on_database_thread(board_id: str, ops: list[OpRequest]) -> list[OpResult]:
    """apply_ops on Django's database thread, without closing its connection after every batch.

    database_sync_to_async closes the connection around each call once it is older than
    CONN_MAX_AGE (with 0, every time), which under load would mean a new SQLite connection, or a
    new PostgreSQL backend, for every batch of ops. Batches come every few milliseconds, so the
    writer keeps the connection whatever the setting; a failed batch drops it.
    """
    return await sync_to_async(_apply_keeping_connection, thread_sensitive=True)(board_id, ops)


async def publish_events(board_id: str, events: list[dict[str, Any]]) -> None:
    """Committed events to every socket on the board, serialised once for all of them."""
    await audience.publish(board_id, protocol.events_text(events), (events[0]["seq"], events[-1]["seq"]))


async def broadcast_events(board_id: str, events: list[dict[str, Any]]) -> None:
    """The same through the channel layer's board group: for ops that come in over HTTP.

    Slower per socket than `publish_events`, but it needs no socket of the board in this process.
    """
    message = {
        "type": "board.events",
        "text": protocol.events_text(events),
        "first": events[0]["seq"],
        "last": events[-1]["seq"],
    }
    try:
        await get_channel_layer().group_send(group_name(board_id), message)
    except Exception:
        # Clients notice the gap at the next event and catch up from the log.
        log.exception("board %s: broadcast of seq %s..%s failed", board_id, message["first"], message["last"])


_writers: dict[str, BoardWriter] = {}


def writer_for(board_id: str) -> BoardWriter:
    writer = _writers.get(board_id)
    if writer is None:
        writer = _writers[board_id] = BoardWriter(board_id)
    return writer


async def broadcast_access(board_id: str) -> None:
    """Tell every socket of the board that its links changed, so revoked ones close."""
    await get_channel_layer().group_send(group_name(board_id), {"type": "board.access"})
