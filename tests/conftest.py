"""Shared fixtures: real services, or a clear failure under CI."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def need(service: str, ok: bool, problem: str = "is not reachable; start it (see the README) to run this test") -> None:
    """A missing service or tool fails the test in CI and skips it on a laptop (CI is where it must run)."""
    if ok:
        return
    message = f"{service} {problem}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(f"{message} (skipped outside CI)")


@pytest.fixture(scope="session")
def redis_url() -> str:
    need("Redis", reachable(REDIS_URL, 6379))
    return REDIS_URL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _close_socket_thread_connections():
    """Close the database connection of Channels' database thread after each test.

    Otherwise PostgreSQL refuses to drop the test database at the end ("being accessed by
    other users").
    """
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture(autouse=True)
def _channel_layers_of_this_test():
    """Fresh channel-layer objects for each test, as each test runs in an event loop of its own.

    A channels_redis core layer keeps asyncio locks for receiving (`receive_clean_locks`); a lock
    that once had to wait is bound to that event loop, and one whose waiter was cancelled when a
    test's loop closed is never dropped. The next test's loop waiting on it then fails with "Lock
    is bound to a different event loop" (the flaky test_cursors_reach_others_as_coalesced_presence
    on CHANNEL_LAYER=core). A server runs one loop for its whole life, so only tests meet this.
    """
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
