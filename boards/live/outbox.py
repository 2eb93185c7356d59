"""How much is waiting to be written to one socket: the measure of a reader that falls behind.

Daphne gives the application no back-pressure: whatever a consumer sends is written into the
connection's Twisted transport, which buffers it in memory until the client reads. The `send`
callable Daphne hands to the application is `functools.partial(server.handle_reply, protocol)`,
so the transport, and the bytes it still holds, can be read from it. Under another server (the
tests' WebsocketCommunicator) nothing is measured and the answer is 0.
"""

from __future__ import annotations

import functools
from typing import Any


def transport_of(send: Any) -> Any | None:
    """The Twisted transport behind an ASGI `send` from Daphne, else None.

    Middleware may wrap `send` on the way (Channels' session middleware passes its own bound
    method, which keeps Daphne's as `real_send`); those wrappers are looked through.
    """
    for _ in range(10):
        if isinstance(send, functools.partial):
            transport = getattr(send.args[0], "transport", None) if send.args else None
            return transport if hasattr(transport, "_tempDataLen") else None
        send = getattr(getattr(send, "__self__", None), "real_send", None)
        if send is None:
            return None
    return None


def buffered_bytes(transport: Any | None) -> int:
    """Bytes written to the transport that the client has not taken yet (beyond the kernel's buffer)."""
    if transport is None:
        return 0
    try:
        return len(transport.dataBuffer) - transport.offset + transport._tempDataLen
    except (AttributeError, TypeError):
        return 0


def abort(transport: Any | None) -> None:
    """Drop the connection and what it still holds: a client that reads nothing never takes a close frame."""
    if transport is not None and hasattr(transport, "abortConnection"):
        transport.abortConnection()


def inbox_of(receive: Any) -> Any | None:
    """The queue Daphne puts a connection's incoming frames in (its `receive` is the queue's get)."""
    queue = getattr(receive, "__self__", None)
    return queue if hasattr(queue, "qsize") else None


# Daphne reads frames into an unbounded queue as fast as the client sends them; a server short of
# CPU would hold a flood there before the consumer reads one frame. Past INBOX_HIGH unread frames
# the connection stops reading from the network (TCP pushes back on the sender) until the
# consumer is below INBOX_LOW again.
INBOX_HIGH = 500
INBOX_LOW = 100


def pace_reading(transport: Any | None, inbox: Any | None, paused: bool) -> bool:
    """Pause or resume reading by how many frames wait; answers whether reading is now paused."""
    if transport is None or inbox is None:
        return False
    waiting = inbox.qsize()
    if not paused and waiting > INBOX_HIGH:
        transport.pauseProducing()
        return True
    if paused and waiting < INBOX_LOW:
        transport.resumeProducing()
        return False
    return paused
