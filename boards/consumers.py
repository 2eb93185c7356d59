"""The board socket: translates between WebSocket frames and the board's ops and events."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from boards import protocol, store
from boards.models import Board
from boards.presence import color_for, presence_for
from boards.protocol import BadFrame
from boards.store import OpRequest
from boards.writer import group_name, writer_for

log = logging.getLogger(__name__)

# A client that sends this many bad frames within ERROR_WINDOW seconds is disconnected.
MAX_ERRORS = 20
ERROR_WINDOW = 10.0
CLOSE_POLICY_VIOLATION = 1008
CLOSE_NOT_FOUND = 4404


class BoardConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.board_id = str(self.scope["url_route"]["kwargs"]["board_id"])
        self.group = group_name(self.board_id)
        self.user: dict[str, Any] | None = None
        self.errors: list[float] = []
        self.pending: set[asyncio.Task] = set()
        await self.accept()
        if not await database_sync_to_async(Board.objects.filter(pk=self.board_id).exists)():
            await self.send_json(
                {"type": "error", "code": "not_found", "message": "There is no board at this address."}
            )
            await self.close(code=CLOSE_NOT_FOUND)

    async def disconnect(self, code: int) -> None:
        if self.user is not None:
            presence_for(self.board_id, self.group).leave(self.user["id"])
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

    async def refuse(self, bad: BadFrame) -> None:
        now = time.monotonic()
        self.errors = [t for t in self.errors if now - t < ERROR_WINDOW] + [now]
        await self.send_json(bad.frame())
        if len(self.errors) > MAX_ERRORS:
            await self.close(code=CLOSE_POLICY_VIOLATION)

    async def dispatch_frame(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "hello":
            await self.on_hello(message)
        elif self.user is None:
            raise BadFrame("bad_frame", 'Send {"type": "hello"} first.')
        elif kind == "op":
            self.on_op(protocol.op(message))
        elif kind == "cursor":
            presence_for(self.board_id, self.group).update(self.user["id"], cursor=protocol.cursor(message))
        elif kind == "preview":
            presence_for(self.board_id, self.group).update(self.user["id"], preview=protocol.preview(message))
        elif kind == "sync":
            await self.catch_up(protocol.sync(message))
        else:
            raise BadFrame("unknown_type", f"Unknown frame type {kind[:40]!r}.")

    async def on_hello(self, message: dict[str, Any]) -> None:
        if self.user is not None:
            raise BadFrame("bad_frame", "hello is sent once per connection.")
        since, name = protocol.hello(message)
        connection_id = uuid.uuid4().hex[:12]
        self.user = {"id": connection_id, "name": name, "color": color_for(connection_id)}
        # Join the group before reading the board, so no event can fall between the two.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json({"type": "welcome", "you": self.user})
        presence_for(self.board_id, self.group).join(self.user)
        await self.catch_up(since)

    async def catch_up(self, since: int) -> None:
        events = None
        if since > 0:
            events = await database_sync_to_async(store.events_since)(self.board_id, since)
        if events is None:
            board = await database_sync_to_async(store.cached_snapshot)(self.board_id)
            await self.send_json({"type": "snapshot", "seq": board["seq"], "board": board})
        elif events:
            await self.send(text_data=protocol.events_text(events))

    def on_op(self, op: protocol.Op) -> None:
        request = OpRequest(op=op["op"], data=op["data"], op_id=op["op_id"], actor=self.user["name"])
        future = writer_for(self.board_id).submit(request)
        task = asyncio.create_task(self.answer(future))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def answer(self, future: asyncio.Future) -> None:
        result = await future
        if result.ok:
            await self.send_json(protocol.ack(result.op_id, result.seq))
        else:
            await self.send_json(protocol.reject(result.op_id, result.error))

    async def board_events(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])

    async def board_presence(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])
