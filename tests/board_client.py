"""A scripted participant over a real socket, for tests of running servers (failover, balancing).

It behaves as docs/protocol.md asks of a client: events applied in seq order, `sync` after a gap,
and on reconnect `hello` with the last seq it holds. It keeps what it sent and what was acked.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable

import websockets


class BoardClient:
    def __init__(self, ws_url: str, board: dict, name: str):
        self.url = f"{ws_url}/ws/boards/{board['id']}/?key={board['keys']['editor']}"
        self.name = name
        self.seq = 0
        self.texts: dict[str, str] = {}  # sticky id -> text, as this client holds the board
        self.sent: dict[str, str] = {}  # op_id -> text of the sticky it creates
        self.acked: set[str] = set()
        self.socket = None
        self.reader: asyncio.Task | None = None

    async def connect(self, timeout: float = 20) -> None:
        """Open the socket; while the server or the balancer in front of it is not ready, retry."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                self.socket = await websockets.connect(self.url, open_timeout=5, max_size=2**24)
                break
            except (OSError, TimeoutError, websockets.InvalidStatus, websockets.InvalidHandshake):
                assert asyncio.get_running_loop().time() < deadline, f"{self.name} could not (re)connect"
                await asyncio.sleep(0.2)
        await self.socket.send(json.dumps({"type": "hello", "protocol": 2, "since": self.seq, "name": self.name}))
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        async for raw in self.socket:
            frame = json.loads(raw)
            for item in frame["events"] if frame["type"] == "events" else [frame]:
                await self.apply(item)

    async def apply(self, frame: dict) -> None:
        if frame["type"] == "snapshot":
            self.seq = frame["seq"]
            self.texts = {note["id"]: note["text"] for note in frame["board"]["notes"]}
        elif frame["type"] == "ack":
            self.acked.add(frame["op_id"])
        elif frame["type"] == "event" and frame["seq"] == self.seq + 1:
            self.seq = frame["seq"]
            if frame["event"] == "note.created":
                self.texts[frame["data"]["id"]] = frame["data"]["text"]
        elif frame["type"] == "event" and frame["seq"] > self.seq + 1:
            await self.socket.send(json.dumps({"type": "sync", "since": self.seq}))

    async def create(self, text: str, x: float = 0) -> str:
        op_id = str(uuid.uuid4())
        self.sent[op_id] = text
        data = {"id": str(uuid.uuid4()), "kind": "event", "text": text, "x": x, "y": 0}
        await self.socket.send(json.dumps({"type": "op", "op_id": op_id, "op": "note.create", "data": data}))
        return op_id

    def seen(self) -> set[str]:
        """The texts of the stickies this client holds."""
        return set(self.texts.values())

    def acked_texts(self) -> set[str]:
        return {self.sent[op_id] for op_id in self.acked}

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 20) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if self.reader and self.reader.done() and not self.reader.cancelled():
                self.reader.result()  # what went wrong in reading, rather than a timeout
            assert asyncio.get_running_loop().time() < deadline, f"{self.name} stuck at seq {self.seq}"
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        await self.socket.close()
