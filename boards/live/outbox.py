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
    """The Twisted transport behind an ASGI `send` from Daphne, else None."""
    if not isinstance(send, functools.partial) or not send.args:
        return None
    transport = getattr(send.args[0], "transport", None)
    return transport if hasattr(transport, "_tempDataLen") else None


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
