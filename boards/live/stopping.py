"""Stopping tasks for sure: cancellations that a library swallows, or turns into another error.

On Python 3.11, `asyncio.wait_for` returns normally when a cancellation lands just as what it
waits for completes (3.12 fixed it), and redis-py sends every command through `wait_for` when a
socket timeout is set (its default is 5 s; the channel layer's is 10 s). A task cancelled in that
instant carries on: a board's relay would listen on Redis for ever after its room closed, and a
socket's loop reading the channel layer would keep its consumer from ending (and a test's event
loop from closing: CI waited 600 s on one). A cancellation can also surface as another error:
redis-py closes a connection whose command was cut short, and another reader of it then fails
with "Connection closed by server".
"""

from __future__ import annotations

import asyncio

# How often a cancelled task that has not ended is cancelled again; each try lands elsewhere.
RECANCEL_SECONDS = 0.1


def stop(task: asyncio.Task | None) -> None:
    """Cancel the task, and again every RECANCEL_SECONDS until it has ended."""
    if task is None or task.done():
        return
    task.cancel()
    task.get_loop().call_later(RECANCEL_SECONDS, _again, task)


def _again(task: asyncio.Task) -> None:
    if not task.done():
        task.cancel()
        task.get_loop().call_later(RECANCEL_SECONDS, _again, task)


def asked_to_stop() -> bool:
    """Whether the running task has been cancelled, whatever error reached it instead."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def stop_if_asked() -> None:
    """For loops that retry on errors: end the task if it was cancelled (see `asked_to_stop`)."""
    if asked_to_stop():
        raise asyncio.CancelledError
