"""One socket's way out under Daphne: how much waits to be written, and writing a shared frame.

Daphne gives the application no back-pressure: whatever a consumer sends is written into the
connection's Twisted transport, which buffers it in memory until the client reads. The `send`
callable Daphne hands to the application is `functools.partial(server.handle_reply, protocol)`,
so the connection's WebSocket protocol, its transport, and the bytes it still holds, can be read
from it. Under another server (the tests' WebsocketCommunicator) there is none: nothing is
measured (the answer is 0) and frames go through the ASGI `send`.

A frame for everyone on a board is framed once (`prepare`) and written to each socket's
connection as it is (`write_prepared`): the ASGI way would encode and frame the same text again
for every socket, through Channels' and Daphne's layers, which cost more than the write itself.
When nothing waits in Twisted's buffer the frame goes into the socket at once; otherwise it joins
that buffer behind what waits there. Every ASGI send also ends in that buffer, synchronously, so
frames keep the order they were sent in, whichever way each took.
"""

from __future__ import annotations

import functools
from typing import Any

from autobahn.websocket.protocol import PreparedMessage, WebSocketProtocol


def protocol_of(send: Any) -> Any | None:
    """Daphne's WebSocket protocol of the connection behind an ASGI `send`, else None.

    Middleware may wrap `send` on the way (Channels' session middleware passes its own bound
    method, which keeps Daphne's as `real_send`); those wrappers are looked through.
    """
    for _ in range(10):
        if isinstance(send, functools.partial):
            protocol = send.args[0] if send.args else None
            transport = getattr(protocol, "transport", None)
            return protocol if hasattr(transport, "_tempDataLen") else None
        send = getattr(getattr(send, "__self__", None), "real_send", None)
        if send is None:
            return None
    return None


def transport_of(send: Any) -> Any | None:
    """The Twisted transport behind an ASGI `send` from Daphne, else None."""
    protocol = protocol_of(send)
    return protocol.transport if protocol is not None else None


def prepare(text: str) -> PreparedMessage:
    """A text frame, encoded and framed once for any number of sockets (never compressed)."""
    return PreparedMessage(text.encode("utf-8"), isBinary=False, applyMask=False, doNotCompress=True)


def write_prepared(protocol: Any, prepared: PreparedMessage) -> bool:
    """Write a prepared frame to an open connection; False when it must go the ASGI way instead.

    A closing or closed connection takes no more frames (the ASGI way drops them or raises, as
    before); neither does one whose size limit the frame exceeds (the ASGI way refuses it).
    """
    if protocol.state != WebSocketProtocol.STATE_OPEN:
        return False
    data = prepared.payloadHybi
    if 0 < protocol.maxMessagePayloadSize < len(data):
        return False
    transport = protocol.transport
    if protocol.send_queue or not _idle(transport):
        protocol.sendPreparedMessage(prepared)  # behind what already waits, in Twisted's buffer
        return True
    # Nothing waits before it: into the socket now. Twisted's own write would only buffer it,
    # ask the event loop to watch the socket, write on its next turn and stop watching: three
    # times the work of the send itself, for every socket and every frame.
    try:
        sent = transport.socket.send(data)
    except BlockingIOError:
        sent = 0
    except OSError:
        # A broken connection: Twisted's write finds out on its own and closes it as usual.
        protocol.sendPreparedMessage(prepared)
        return True
    if sent < len(data):
        transport.write(data[sent:])  # the kernel's buffer is full: Twisted keeps the rest, in order
    return True


def _idle(transport: Any) -> bool:
    """Connected, not closing, and nothing of ours still in Twisted's buffer."""
    return (
        transport.connected
        and not transport.disconnecting
        and not transport._writeDisconnected
        and buffered_bytes(transport) == 0
    )


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
