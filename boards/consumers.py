"""The board socket: translates between WebSocket frames and the board's ops and events."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from channels.consumer import get_handler_name
from channels.db import aclose_old_connections, database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from boards import audience, identity, protocol, store
from boards.limits import TokenBucket
from boards.outage import DATABASE_DOWN
from boards.presence import color_for, presence_for
from boards.protocol import BadFrame
from boards.store import OpRequest
from boards.writer import group_name, writer_for

log = logging.getLogger(__name__)

# A client that sends this many bad frames within ERROR_WINDOW seconds is disconnected.
MAX_ERRORS = 20
ERROR_WINDOW = 10.0
CLOSE_POLICY_VIOLATION = 1008
CLOSE_UNAVAILABLE = 4503  # the database cannot be reached: the client connects again later
UNAVAILABLE = "The server cannot reach its database just now; the page connects again by itself in a moment."


VOLATILE_MARKERS = (
    '"type":"cursor"',
    '"type": "cursor"',
    '"type":"preview"',
    '"type": "preview"',
    '"type":"viewport"',
    '"type": "viewport"',
)


def _is_volatile(message: dict[str, Any]) -> bool:
    """A cursor, drag or viewport frame, or a frame relayed to the socket: no database involved."""
    if message["type"] in ("board.events", "board.presence"):
        return True
    text = message.get("text") if message["type"] == "websocket.receive" else None
    return bool(text) and len(text) < 300 and any(marker in text for marker in VOLATILE_MARKERS)


def key_from_query(scope: dict[str, Any]) -> str | None:
    for part in scope.get("query_string", b"").decode("latin1").split("&"):
        name, _, value = part.partition("=")
        if name == "key" and value:
            return value
    return None


class BoardConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.board_id = str(self.scope["url_route"]["kwargs"]["board_id"])
        self.group = group_name(self.board_id)
        self.user: dict[str, Any] | None = None
        self.role: str | None = None
        self.key = key_from_query(self.scope)
        self.errors: list[float] = []
        self.pending: set[asyncio.Task] = set()
        self.ops_bucket = TokenBucket(
            settings.STORMING_CONNECTION_OPS_PER_SECOND, settings.STORMING_CONNECTION_OPS_BURST
        )
        # Whether the board exists is told to no one without its key: hello answers both alike.
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.user is not None:
            presence_for(self.board_id, self.group).leave(self.user["id"])
            audience.leave(self.board_id, self)
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def send_json(self, message: dict[str, Any]) -> None:
        await self.send(text_data=protocol.dumps(message))

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
            await self.close(code=CLOSE_POLICY_VIOLATION)

    async def dispatch_frame(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "hello":
            await self.on_hello(message)
        elif self.user is None:
            raise BadFrame("bad_frame", 'Send {"type": "hello"} first.')
        elif kind == "op":
            await self.on_op(protocol.op(message))
        elif kind == "cursor":
            presence_for(self.board_id, self.group).update(self.user["id"], cursor=protocol.cursor(message))
        elif kind == "preview":
            presence_for(self.board_id, self.group).update(self.user["id"], preview=protocol.preview(message))
        elif kind == "viewport":
            presence_for(self.board_id, self.group).update(self.user["id"], viewport=protocol.viewport(message))
        elif kind == "sync":
            await self.catch_up(protocol.sync(message))
        else:
            raise BadFrame("unknown_type", f"Unknown frame type {kind[:40]!r}.")

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
        # Votes, undo and authorship belong to the identity the server issued, never a named one.
        self.author = participant.id
        self.user = {
            "id": connection_id,
            "name": admission.name,
            "color": color_for(connection_id),
            "role": self.role,
            "participant": participant.id,
        }
        # Join the board's audience before reading the board, so no event can fall between the
        # two; what arrives meanwhile is held and sent after the snapshot.
        await self.channel_layer.group_add(self.group, self.channel_name)
        board_audience = audience.audience_for(self.board_id)
        await board_audience.join(self)
        await self.send_json({"type": "welcome", "you": self.user, "token": participant.token})
        presence_for(self.board_id, self.group).join(self.user)
        try:
            await self.catch_up(since)
        finally:
            await board_audience.ready(self)

    async def catch_up(self, since: int) -> None:
        events = None
        if since > 0:
            events = await database_sync_to_async(store.events_since)(self.board_id, since)
        if events is None:
            board = await database_sync_to_async(store.cached_snapshot)(self.board_id)
            await self.send_json({"type": "snapshot", "seq": board["seq"], "board": board})
        elif events:
            await self.send(text_data=protocol.events_text(events))

    async def on_op(self, op: protocol.Op) -> None:
        if self.role == "viewer":
            error = {"code": "read_only", "message": "This is a view-only link; ask the facilitator for the edit link."}
            await self.send_json(protocol.reject(op["op_id"], error))
            return
        if not self.ops_bucket.allow():
            error = {"code": "rate_limited", "message": "Too many changes too fast; this one was not applied."}
            await self.send_json(protocol.reject(op["op_id"], error))
            await self.count_abuse()
            return
        request = OpRequest(
            op=op["op"], data=op["data"], op_id=op["op_id"], actor=self.user["name"], role=self.role, author=self.author
        )
        self.later(self.answer(writer_for(self.board_id).submit(request)))

    def later(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def board_access(self, message: dict[str, Any]) -> None:
        """The facilitator replaced the links or made the board members-only: who may not stay goes."""
        access = await database_sync_to_async(identity.access)(self.board_id, self.key, self.scope.get("user"))
        if self.user is not None and isinstance(access, identity.Refusal):
            refusal = identity.REVOKED if access is identity.NOT_VALID else access
            await self.send_json(refusal.frame())
            await self.close(code=refusal.close_code)

    async def answer(self, future: asyncio.Future) -> None:
        result = await future
        if result.ok:
            await self.send_json(protocol.ack(result.op_id, result.seq))
        else:
            await self.send_json(protocol.reject(result.op_id, result.error))

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every message it dispatches: a hop
        # to the database thread for each cursor move (600 a second at 30 people). Volatile
        # traffic and frames relayed to the socket touch no database, so they skip it; every
        # other message keeps the hop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']!r}")
        if not _is_volatile(message):
            await aclose_old_connections()
        await handler(message)

    async def board_events(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])

    async def board_presence(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])
