"""Who is on a board, their cursors and drags: volatile, never stored.

Each server process keeps the presence of its own sockets per board (in the board's room) and
sends one coalesced `presence` frame to the board's sockets per tick, instead of one message per
mouse move.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings

from boards import protocol
from boards.live.audience import BoardAudience
from boards.live.stopping import stop, stop_if_asked

log = logging.getLogger(__name__)

ROSTER_SECONDS = 3.0


class BoardPresence:
    def __init__(self, board_id: str, audience: BoardAudience, idle: Callable[[], None]):
        self.board_id = board_id
        self.audience = audience
        self.idle = idle  # called when the last tick has gone out
        self.users: dict[str, dict[str, Any]] = {}
        self.dirty: set[str] = set()
        self.left: set[str] = set()
        self.task: asyncio.Task | None = None
        self.last_roster = 0.0

    def join(self, user: dict[str, Any]) -> None:
        self.users[user["id"]] = {**user, "cursor": None, "preview": None, "viewport": None}
        # A newcomer needs everyone, so the next tick carries the whole local roster.
        self.dirty.update(self.users)
        self._ensure_ticking()

    def leave(self, connection_id: str) -> None:
        if self.users.pop(connection_id, None) is not None:
            self.dirty.discard(connection_id)
            self.left.add(connection_id)
            self._ensure_ticking()

    def update(self, connection_id: str, **changes: Any) -> None:
        user = self.users.get(connection_id)
        if user is not None:
            user.update(changes)
            self.dirty.add(connection_id)

    @property
    def quiet(self) -> bool:
        """Nobody here and nothing left to tell."""
        return not (self.users or self.left or self.dirty)

    def _ensure_ticking(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._tick())

    def close(self) -> None:
        stop(self.task)
        self.task = None

    async def _tick(self) -> None:
        interval = settings.STORMING_PRESENCE_TICK_MS / 1000
        try:
            await self._ticks(interval)
        finally:
            if self.task is asyncio.current_task():
                self.task = None
            self.idle()

    async def _ticks(self, interval: float) -> None:
        # Runs while anyone is here; the next join starts it again.
        while not self.quiet:
            await asyncio.sleep(interval)
            now = time.monotonic()
            if now - self.last_roster >= ROSTER_SECONDS:
                self.dirty.update(self.users)
                self.last_roster = now
            if not self.dirty and not self.left:
                continue
            frame = {
                "type": "presence",
                "users": [self.users[uid] for uid in self.dirty if uid in self.users],
                "left": sorted(self.left),
            }
            self.dirty.clear()
            self.left.clear()
            try:
                await self.audience.publish(protocol.dumps(frame))
            except Exception:
                stop_if_asked()
                log.exception("board %s: presence broadcast failed", self.board_id)
