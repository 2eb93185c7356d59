"""The board socket: translates between WebSocket frames and the board's room.

Every way a socket can end (the client closes, the connection drops, a handler fails, the server
closes it) runs the same clean-up, `leave_board`: presence, audience and group left, background
tasks cancelled. Close codes are 4xxx (Daphne refuses others from the application); docs/protocol.md
lists them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from typing import Any

from channels.consumer import get_handler_name
from channels.db import aclose_old_connections, database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from boards import identity, protocol, redaction, store
from boards.limits import TokenBucket
from boards.live import outbox
from boards.live.audience import Frame
from boards.live.budgets import budget, budgets, rate_limited
from boards.live.room import BoardRoom, group_name, room_for
from boards.live.stopping import stop, stop_if_asked
from boards.outage import DATABASE_DOWN
from boards.protocol import BadFrame
from boards.store import OpRequest

log = logging.getLogger(__name__)
# Waits before trying the channel layer again when a socket arrives as Redis comes back.
NEW_CHANNEL_RETRIES = (0.1, 0.3, 1.0)
# A subscribe that has not answered by then will not: see `new_channel`.
NEW_CHANNEL_SECONDS = 1.0

# A client that sends this many bad frames within ERROR_WINDOW seconds is disconnected.
MAX_ERRORS = 20
ERROR_WINDOW = 10.0

# Others come with identity's refusals: 4401 sign in, 4403 no valid key or replaced, 4426 reload.
CLOSE_BAD_FRAMES = 4400  # too many bad or refused frames
CLOSE_FORBIDDEN = 4403  # no valid key, or the link was replaced
CLOSE_HELLO_TIMEOUT = 4408  # no hello within STORMING_HELLO_SECONDS
CLOSE_TOO_SLOW = 4413  # read too little: more than the send budget waited too long
CLOSE_FLOOD = 4429  # far more frames than the frame budget, for seconds on end
CLOSE_SERVER_ERROR = 4500  # the server failed handling a frame; reconnecting is safe
CLOSE_UNAVAILABLE = 4503  # the database cannot be reached: the client connects again later
UNAVAILABLE = "The server cannot reach its database just now; the page connects again by itself in a moment."

# Past this much unread, volatile frames (presence) are dropped and sync answers wait.
SOFT_BACKLOG = 256 * 1024
DRAIN_POLL_SECONDS = 0.1


def key_from_query(scope: dict[str, Any]) -> str | None:
    for part in scope.get("query_string", b"").decode("latin1").split("&"):
        name, _, value = part.partition("=")
        if name == "key" and value:
            return value
    return None


class BoardConsumer(AsyncWebsocketConsumer):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.joined: BoardRoom | None = None
        self.user: dict[str, Any] | None = None
        self.pending: set[asyncio.Task] = set()
        self.gone = False
        # Daphne's protocol of this connection: frames for the whole board are written to it
        # straight (see push); None under another server, where they go through `send`.
        self.wire = outbox.protocol_of(send)
        self.transport = self.wire.transport if self.wire is not None else None
        self.inbox = outbox.inbox_of(receive)
        self.reading_paused = False
        try:
            if self.inbox is None:
                await super().__call__(scope, receive, send)
            else:
                await self.serve(scope, receive, send)
        except Exception:
            # Not a frame's handler (those close on their own): the channel layer's receive, say,
            # with Redis gone. Close with a code Daphne lets us send, instead of its 1011.
            log.exception("board socket failed; closing it")
            await self.leave_board()
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": CLOSE_SERVER_ERROR})
        finally:
            # However the consumer ended: an exception, a cancellation, a normal disconnect.
            await self.leave_board()

    async def serve(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Channels' AsyncConsumer.__call__, with no new task and no asyncio.wait per frame.

        Channels waits on the socket and the channel layer together for every message it
        handles: a new task for the next receive and an asyncio.wait over both, which with 50
        people's cursors (a thousand frames a second) cost more than handling the frames. Here
        the channel layer's messages for this socket (news that the board's links changed) are
        put in the socket's own queue as they come, and one loop handles that queue in order,
        one message at a time, as Channels does.
        """
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        listening = None
        if self.channel_layer is not None:
            self.channel_name = await self.new_channel()
            self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
            listening = asyncio.create_task(self.listen_to_layer())
        try:
            while True:
                message = await receive()
                if isinstance(message, Exception):
                    raise message  # the channel layer failed (Redis gone): as Channels would
                await self.dispatch(message)
        except StopConsumer:
            pass
        finally:
            if listening is not None:
                stop(listening)
                with contextlib.suppress(asyncio.CancelledError):
                    await listening

    async def new_channel(self) -> str:
        """The socket's channel on the layer.

        Just after Redis comes back, the layer's first subscribe can fail on a connection that
        redis-py is still replacing ("Connection lost" while writing); the next attempt opens a
        fresh one. Or the subscribe waits for ever: the pub/sub layer's reader took its answer
        from the reconnected connection (seen as "readuntil() called while another coroutine is
        already waiting" in Daphne's log), and the layer's lock stays held until Daphne kills the
        socket without an answer. A try that takes over NEW_CHANNEL_SECONDS is cancelled, which
        drops that connection. A socket arriving in that moment is served on a later try instead
        of refused; if Redis stays away, the failure stands.
        """
        for delay in NEW_CHANNEL_RETRIES:
            try:
                async with asyncio.timeout(NEW_CHANNEL_SECONDS):
                    return await self.channel_layer.new_channel()
            except Exception as exc:
                stop_if_asked()
                log.warning("%s: channel layer not ready (%r); trying again in %.1f s", self.scope["path"], exc, delay)
                await asyncio.sleep(delay)
        async with asyncio.timeout(NEW_CHANNEL_SECONDS):
            return await self.channel_layer.new_channel()

    async def listen_to_layer(self) -> None:
        try:
            while True:
                self.inbox.put_nowait(await self.channel_receive())
        except Exception as failure:
            self.inbox.put_nowait(failure)

    async def connect(self) -> None:
        self.board_id = str(self.scope["url_route"]["kwargs"]["board_id"])
        self.group = group_name(self.board_id)
        self.role: str | None = None
        self.key = key_from_query(self.scope)
        self.errors: list[float] = []
        self.frames = TokenBucket(*budget("frames"))
        # Frames past the frame budget are dropped unread; this many more a second than the
        # budget, for two seconds, and the socket is closed.
        self.flood = TokenBucket(budget("frames").rate, 2 * budget("frames").rate)
        self.delivered_seq = 0
        self.behind: int | None = None  # the last seq delivered before the socket fell behind
        self.syncing = False
        self.sync_again: int | None = None
        # Whether the board exists is told to no one without its key: hello answers both alike.
        await self.accept()
        self.later(self.hello_deadline())

    async def disconnect(self, code: int) -> None:
        await self.leave_board()

    async def leave_board(self) -> None:
        """The one clean-up, whatever ended the socket; safe to run more than once."""
        if self.gone:
            return
        self.gone = True
        current = asyncio.current_task()
        for task in list(self.pending):
            if task is not current:
                stop(task)
        room, self.joined = self.joined, None
        if room is not None:
            room.leave(self, self.user["id"] if self.user else None)
            try:
                await asyncio.wait_for(self.channel_layer.group_discard(self.group, self.channel_name), 5)
            except Exception:
                # Redis down: its membership expires on its own (channels_redis' group_expiry).
                log.warning("board %s: could not leave the socket's group", self.board_id, exc_info=True)

    async def close(self, code: int | None = None, reason: str | None = None) -> None:
        await self.leave_board()
        await super().close(code=code, reason=reason)

    async def hello_deadline(self) -> None:
        await asyncio.sleep(settings.STORMING_HELLO_SECONDS)
        if self.user is None and not self.gone:
            await self.send_json(
                {"type": "error", "code": "hello_timeout", "message": 'Send {"type": "hello"} right after connecting.'}
            )
            await self.close(code=CLOSE_HELLO_TIMEOUT)

    async def send_json(self, message: dict[str, Any]) -> None:
        await self.send(text_data=protocol.dumps(message))

    # --- from the client ---------------------------------------------------------------------

    async def within_frame_budget(self) -> bool:
        """Past the frame budget a frame is dropped unread: parsing a flood is what would cost everyone."""
        if self.gone:
            return False
        if self.frames.allow():
            return True
        if not self.flood.allow():
            await self.send_json({"type": "error", "code": "rate_limited", "message": "Far too many frames; closing."})
            await self.close(code=CLOSE_FLOOD)
        return False

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            if text_data is None:
                raise BadFrame("bad_frame", "Storming speaks JSON text frames, not binary.")
            message = protocol.parse(text_data, settings.STORMING_MAX_FRAME_BYTES)
            await self.dispatch_frame(message)
        except BadFrame as bad:
            await self.refuse(bad)
        except DATABASE_DOWN:
            await self.close_unavailable()
        except Exception:
            log.exception("board %s: a frame failed; closing the socket", self.board_id)
            await self.send_json({"type": "error", "code": "server_error", "message": "The server failed; reconnect."})
            await self.close(code=CLOSE_SERVER_ERROR)

    async def close_unavailable(self) -> None:
        log.warning("board %s: database unavailable, socket refused", self.board_id)
        await self.send_json({"type": "error", "code": "unavailable", "message": UNAVAILABLE})
        await self.close(code=CLOSE_UNAVAILABLE)

    async def refuse(self, bad: BadFrame) -> None:
        await self.send_json(bad.frame())
        await self.count_abuse()

    async def count_abuse(self) -> None:
        now = time.monotonic()
        self.errors = [t for t in self.errors if now - t < ERROR_WINDOW] + [now]
        if len(self.errors) > MAX_ERRORS:
            await self.close(code=CLOSE_BAD_FRAMES)

    async def dispatch_frame(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "hello":
            await self.on_hello(message)
        elif self.user is None:
            raise BadFrame("bad_frame", 'Send {"type": "hello"} first.')
        elif kind == "op":
            await self.on_op(protocol.op(message))
        elif kind in ("cursor", "preview", "viewport"):
            self.on_volatile(kind, message)
        elif kind == "sync":
            self.on_sync(protocol.sync(message))
        else:
            raise BadFrame("unknown_type", f"Unknown frame type {kind[:40]!r}.")

    def on_volatile(self, kind: str, message: dict[str, Any]) -> None:
        """Cursor, drag preview, viewport: past their budget they are dropped; the next one says it all."""
        value = getattr(protocol, kind)(message)
        if budgets.take(("volatile", self.board_id, self.participant, kind), budget("volatile")):
            return
        if budgets.take(("board_volatile", self.board_id), budget("board_volatile")):
            return
        if self.joined is not None:
            self.joined.presence.update(self.user["id"], **{kind: value})

    async def on_hello(self, message: dict[str, Any]) -> None:
        if self.user is not None:
            raise BadFrame("bad_frame", "hello is sent once per connection.")
        since, _, _ = protocol.hello(message)
        # The key may come in the URL (scripts) or in hello (the page: never in a URL, never logged).
        self.key = message.get("key") if isinstance(message.get("key"), str) else self.key
        address = (self.scope.get("client") or ("",))[0] or ""
        admission = await database_sync_to_async(identity.admit)(
            message, self.board_id, self.key, self.scope.get("user"), address
        )
        if isinstance(admission, identity.Refusal):
            await self.send_json(admission.frame())
            await self.close(code=admission.close_code)
            return
        self.role, participant = admission.role, admission.participant
        connection_id = uuid.uuid4().hex[:12]
        # Votes, undo and authorship belong to the identity the server issued, never a named one;
        # so do budgets, across reconnects.
        self.author = self.participant = participant.id
        self.user = {
            "id": connection_id,
            "name": admission.name,
            "color": participant.color,
            "role": self.role,
            "participant": participant.id,
        }
        # Join the board's room before reading the board, so no event can fall between the two;
        # what arrives meanwhile is held and sent after the snapshot.
        await self.channel_layer.group_add(self.group, self.channel_name)
        if self.gone:
            return
        room = self.joined = room_for(self.board_id)
        await room.join(self, self.user)
        if self.gone:  # closed while joining: the clean-up ran before the join was complete
            room.leave(self, self.user["id"])
            return
        await self.send_json({"type": "welcome", "you": self.user, "token": participant.token})
        try:
            await self.catch_up(since)
        finally:
            await room.ready(self)

    def on_sync(self, since: int) -> None:
        """Answer in the background; a sync while one is still on its way is folded into it."""
        if self.syncing:
            self.sync_again = since if self.sync_again is None else min(since, self.sync_again)
            return
        wait = budgets.take(("sync", self.board_id, self.participant), budget("sync"))
        if wait:
            if self.backlog() < SOFT_BACKLOG:
                self.later(self.send_json({"type": "error", **rate_limited("Too many syncs; wait a moment.", wait)}))
            return
        self.syncing = True
        self.later(self.answer_syncs(since))

    async def answer_syncs(self, since: int) -> None:
        try:
            while True:
                if not await self.drained():
                    return
                await self.catch_up(since)
                if self.sync_again is None:
                    return
                since, self.sync_again = self.sync_again, None
        finally:
            self.syncing = False

    async def catch_up(self, since: int) -> None:
        events = None
        if since > 0:
            events = await database_sync_to_async(store.events_since)(self.board_id, since)
        if events is None:
            board = redaction.snapshot_for(await room_for(self.board_id).snapshot(), self.participant)
            await self.send_json({"type": "snapshot", "seq": board["seq"], "board": board})
            self.delivered_seq = max(self.delivered_seq, board["seq"])
        elif events:
            await self.send(text_data=redaction.EventRun(events).text_for(self.participant))
            self.delivered_seq = max(self.delivered_seq, events[-1]["seq"])

    async def on_op(self, op: protocol.Op) -> None:
        if self.role == "viewer":
            error = {"code": "read_only", "message": "This is a view-only link; ask the facilitator for the edit link."}
            await self.send_json(protocol.reject(op["op_id"], error))
            return
        wait = budgets.take(("op", self.board_id, self.participant), budget("op"))
        if wait:
            error = rate_limited("Too many changes too fast; this one was not applied.", wait)
            await self.send_json(protocol.reject(op["op_id"], error))
            await self.count_abuse()
            return
        request = OpRequest(
            op=op["op"],
            data=op["data"],
            op_id=op["op_id"],
            actor=self.user["name"],
            role=self.role,
            author=self.author,
            key=self.key,
        )
        self.later(self.answer(room_for(self.board_id).submit(request)))

    async def answer(self, future: asyncio.Future) -> None:
        result = await future
        if result.ok:
            await self.send_json(protocol.ack(result.op_id, result.seq))
            return
        await self.send_json(protocol.reject(result.op_id, result.error))
        if result.error["code"] == "revoked":
            await self.close(code=CLOSE_FORBIDDEN)

    def later(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self.pending.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self.pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # Mostly a send to a connection that has just gone; its clean-up runs anyway.
            log.debug("board %s: a socket task failed: %r", self.board_id, task.exception())

    # --- to the client -----------------------------------------------------------------------

    def backlog(self) -> int:
        return outbox.buffered_bytes(self.transport)

    async def push(self, frame: Frame, seqs: tuple[int, int] | None) -> None:
        """A frame for everyone on the board, within this socket's send budget.

        Presence is dropped while the socket has much unread (the next tick says it all again).
        Events past the budget are not queued: the socket falls behind, and once it has read its
        backlog it gets what it missed in one go (events since, or a snapshot).
        """
        if self.gone:
            return
        backlog = self.backlog()
        if seqs is None:
            if backlog < SOFT_BACKLOG:
                await self.send_frame(frame)
            return
        if self.behind is None and backlog > settings.STORMING_SOCKET_SEND_BUDGET:
            self.behind = self.delivered_seq
            self.later(self.catch_up_when_drained())
        if self.behind is not None:
            return
        await self.send_frame(frame)
        self.delivered_seq = max(self.delivered_seq, seqs[1])

    async def send_frame(self, frame: Frame) -> None:
        """A frame shared by the board's sockets: written straight to Daphne's connection when
        open, framed once for all of them; otherwise through `send`, like every other frame."""
        if self.wire is None or not outbox.write_prepared(self.wire, frame.prepared):
            await self.send(text_data=frame.text)

    async def drained(self) -> bool:
        """Wait until the socket has read its backlog; False (and closed) if it takes too long."""
        deadline = time.monotonic() + settings.STORMING_SLOW_READER_SECONDS
        while self.backlog() > SOFT_BACKLOG:
            if time.monotonic() > deadline:
                log.info("board %s: closing a socket that reads too slowly", self.board_id)
                await self.close(code=CLOSE_TOO_SLOW)
                outbox.abort(self.transport)  # it would not read the close frame either
                return False
            await asyncio.sleep(DRAIN_POLL_SECONDS)
        return not self.gone

    async def catch_up_when_drained(self) -> None:
        if await self.drained():
            since, self.behind = self.behind, None
            await self.catch_up(since)

    # --- from the server ---------------------------------------------------------------------

    def access_changed(self) -> None:
        self.later(self.recheck_access())

    async def recheck_access(self) -> None:
        """The facilitator replaced the links or made the board members-only: who may not stay goes."""
        access = await database_sync_to_async(identity.access)(self.board_id, self.key, self.scope.get("user"))
        if self.user is not None and isinstance(access, identity.Refusal) and not self.gone:
            refusal = identity.REVOKED if access is identity.NOT_VALID else access
            await self.send_json(refusal.frame())
            await self.close(code=refusal.close_code)

    async def board_access(self, message: dict[str, Any]) -> None:
        await self.recheck_access()

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every message it dispatches: a hop
        # to the database thread and back for every frame (an op, a cursor move). This consumer
        # reaches the database only through database_sync_to_async, which closes stale
        # connections around each call by itself, and the room's writer keeps its connection on
        # purpose (boards/live/room.py); so the hop is made once, when the socket connects.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']!r}")
        kind = message["type"]
        if kind == "websocket.receive":
            self.reading_paused = outbox.pace_reading(self.transport, self.inbox, self.reading_paused)
            if not await self.within_frame_budget():
                return
        elif kind == "websocket.connect":
            await aclose_old_connections()
        await handler(message)
