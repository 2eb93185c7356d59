"""A client of a running server that says hello and reads every frame in the background.

Tests keep what they need of each frame by overriding `take`.
"""

from __future__ import annotations

import asyncio
import json
import time

import websockets


class Listener:
    def __init__(self, url: str, name: str):
        self.url = url
        self.name = name

    async def __aenter__(self) -> Listener:
        self.socket = await websockets.connect(self.url, max_size=2**25)
        await self.socket.send(json.dumps({"type": "hello", "protocol": 2, "since": 0, "name": self.name}))
        self.reader = asyncio.create_task(self.read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.reader.cancel()
        await self.socket.close()

    async def read(self) -> None:
        async for raw in self.socket:
            self.take(json.loads(raw))

    def take(self, frame: dict) -> None:
        raise NotImplementedError

    def holding(self) -> str:
        """What the client holds, for a timeout's message."""
        return ""

    async def until(self, condition, timeout: float, what: str) -> float:
        """Wait for `condition`; answers how long it took."""
        started = time.monotonic()
        while not condition():
            assert time.monotonic() - started < timeout, f"timed out waiting for {what}{self.holding()}"
            await asyncio.sleep(0.02)
        return time.monotonic() - started
