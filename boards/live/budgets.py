"""Budgets: how much one participant, one key, one board may send, kept across reconnects.

A budget is a token bucket: `rate` a second on average, bursts of up to `burst`. The buckets live
here, keyed by what they limit (a participant on a board, an HTTP key on a board, a board), not on
a socket: closing the socket and opening another one does not give anyone a fresh budget.

The registry stays bounded: a bucket that has filled up again is worth no more than a new one, so
it is forgotten; past MAX_BUCKETS the least recently used ones go first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import NamedTuple

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

MAX_BUCKETS = 50_000


class Budget(NamedTuple):
    rate: float  # a second, on average
    burst: float


SETTINGS = {
    "op": ("STORMING_CONNECTION_OPS_PER_SECOND", "STORMING_CONNECTION_OPS_BURST"),
    "board_ops": ("STORMING_BOARD_OPS_PER_SECOND", "STORMING_BOARD_OPS_BURST"),
    "http_ops": ("STORMING_HTTP_OPS_PER_SECOND", "STORMING_HTTP_OPS_BURST"),
    "volatile": ("STORMING_VOLATILE_PER_SECOND", "STORMING_VOLATILE_BURST"),
    "board_volatile": ("STORMING_BOARD_VOLATILE_PER_SECOND", "STORMING_BOARD_VOLATILE_BURST"),
    "sync": ("STORMING_SYNC_PER_SECOND", "STORMING_SYNC_BURST"),
    "frames": ("STORMING_SOCKET_FRAMES_PER_SECOND", "STORMING_SOCKET_FRAMES_BURST"),
}
# Read once: a lookup in Django's settings costs more than the bucket it limits, and every cursor
# move takes three budgets. A changed setting (tests) empties it.
_configured: dict[str, Budget] = {}


def budget(name: str) -> Budget:
    """The configured budget `name` (docs/protocol.md lists them)."""
    found = _configured.get(name)
    if found is None:
        rate, burst = SETTINGS[name]
        found = _configured[name] = Budget(getattr(settings, rate), getattr(settings, burst))
    return found


@receiver(setting_changed)
def _forget_configured(setting: str, **kwargs: object) -> None:
    if setting.startswith("STORMING_"):
        _configured.clear()


class Budgets:
    def __init__(self, max_buckets: int = MAX_BUCKETS):
        self.max_buckets = max_buckets
        self.lock = threading.Lock()
        # key -> [tokens, when they were counted, seconds to refill from empty]
        self.buckets: OrderedDict[tuple, list[float]] = OrderedDict()

    def take(self, key: tuple, limit: Budget, cost: float = 1.0) -> float:
        """Spend `cost` from the bucket `key`: 0 when allowed, else the seconds until it would be."""
        now = time.monotonic()
        with self.lock:
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = [limit.burst, now, limit.burst / limit.rate]
            else:
                self.buckets.move_to_end(key)
                bucket[0] = min(limit.burst, bucket[0] + (now - bucket[1]) * limit.rate)
                bucket[1] = now
            allowed = bucket[0] >= cost
            if allowed:
                bucket[0] -= cost
            self._forget_refilled(now)
            return 0.0 if allowed else (cost - bucket[0]) / limit.rate

    def _forget_refilled(self, now: float) -> None:
        # The least recently used bucket first: once it has had time to refill, it can go.
        while self.buckets:
            key, (tokens, stamp, refill) = next(iter(self.buckets.items()))
            if len(self.buckets) <= self.max_buckets and now - stamp < refill:
                return
            del self.buckets[key]

    def __len__(self) -> int:
        return len(self.buckets)

    def clear(self) -> None:
        with self.lock:
            self.buckets.clear()


budgets = Budgets()


def rate_limited(message: str, wait: float) -> dict[str, object]:
    """The `rate_limited` error, with when to try again."""
    return {"code": "rate_limited", "message": message, "retry_after_ms": max(1, round(wait * 1000))}
