"""Everyone on a board: delivering one serialised frame to every socket of the board.

Each board's room (boards/live/room.py) owns one audience; nothing else keeps one.

A process sends a frame straight to the board's sockets it holds: one write each, instead of one
channel-layer message per socket (each of which the in-memory layer deep-copies and Redis
stores, and each consumer then has to wake up for). With a Redis layer a frame goes once to each
process serving the board, this one included, through a relay group that holds one channel per
process and board; each process then writes it to its own sockets. Going through Redis even for
the sender's own sockets keeps every process's frames in one order, the order of commits, as
closely as the old per-socket group did: a local shortcut would overtake events that another
process committed just before. Loss or reordering that remains is harmless: clients apply events
in seq order and ask for what they missed (docs/protocol.md).

With the pub/sub layer the relay holds a Redis subscription of its own instead of a channel of
that layer: the layer re-subscribes by itself after Redis restarts, a second or more after Redis is
back, and gives no sign of it, so frames published in between are lost without anyone knowing.
The relay's own subscription fails loudly instead; after subscribing again the relay hands its
sockets the board's last event, and a client that missed any asks for them.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from autobahn.websocket.protocol import PreparedMessage
from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, channel_layers, get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from redis import asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from boards import protocol, redaction, store
from boards.live import outbox
from boards.live.stopping import stop, stop_if_asked
from boards.models import BoardEvent

log = logging.getLogger(__name__)

RELAY_RETRY_SECONDS = 1.0
# Redis forgets group members after a day (channels_redis' group_expiry); a workshop board can
# stay open longer, so the relay renews its membership well before that.
RELAY_RENEW_SECONDS = 600.0
# How long relayed events wait for an earlier seq still on its way from another process.
REORDER_SECONDS = 0.05


class Frame:
    """One serialised frame for every socket of a board: its text, and its WebSocket framing made
    once, on first use, for the sockets that take it straight (boards/live/outbox.py)."""

    __slots__ = ("_prepared", "text")

    def __init__(self, text: str):
        self.text = text
        self._prepared: PreparedMessage | None = None

    @property
    def prepared(self) -> PreparedMessage:
        if self._prepared is None:
            self._prepared = outbox.prepare(self.text)
        return self._prepared


class Socket(Protocol):
    async def push(self, frame: Frame, seqs: tuple[int, int] | None) -> None:
        """Send a frame for everyone (`seqs` for events, None for presence), within the socket's budget."""

    def access_changed(self) -> None:
        """The board's links changed: check the socket's key again."""


def relay_group(board_id: str) -> str:
    return f"board-{board_id}-relay"


# One per event loop (Daphne has one; tests start a new one per test): a channels_redis layer keeps
# asyncio locks for receiving, and a lock that first waited in one loop fails in any other.
_relay_layers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()


def relay_layer() -> Any:
    """A channel layer of the relay's own, beside the one the consumers use.

    Its receiving is separate from theirs: channels_redis shares one receive loop among all the
    channels of a layer, and a relay that outlives a Redis restart must not leave that loop in a
    state the consumers' new sockets then wait on.
    """
    loop = asyncio.get_running_loop()
    if loop not in _relay_layers:
        _relay_layers[loop] = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    return _relay_layers[loop]


def spans_processes() -> bool:
    # The in-memory layer cannot reach another process, so there is nobody to relay to.
    return not isinstance(get_channel_layer(), InMemoryChannelLayer)


def relays_over_pubsub() -> bool:
    return isinstance(get_channel_layer(), RedisPubSubChannelLayer)


def relay_channel(board_id: str) -> str:
    return f"storming.board-{board_id}.relay"


# A publish gives up on a Redis that does not answer within this many seconds: the writer's acks
# wait for it, and other processes' clients catch up from the log at their next event anyway.
PUBLISH_TIMEOUT_SECONDS = 2


def redis_client(retries: int, timeout: float = 10) -> aioredis.Redis:
    # No backoff: a publish waits for no Redis that is down (the writer's acks wait on it).
    return aioredis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), retries),
    )


# One client per event loop for publishing (Daphne has one loop; tests start a new one per test).
_publishers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = weakref.WeakKeyDictionary()


def publisher() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    if loop not in _publishers:
        # One retry on a fresh connection: after Redis restarts, the pooled one is stale.
        _publishers[loop] = redis_client(retries=1, timeout=PUBLISH_TIMEOUT_SECONDS)
    return _publishers[loop]


def pack(text: str, seqs: tuple[int, int] | None) -> str:
    """A relayed frame on Redis pub/sub: its seqs (none for presence) on a first line, then the frame."""
    return f"{seqs[0]} {seqs[1]}\n{text}" if seqs else f"\n{text}"


def unpack(data: bytes) -> tuple[str, list[int] | None]:
    head, _, text = data.decode().partition("\n")
    return text, [int(seq) for seq in head.split()] or None


class BoardAudience:
    def __init__(self, board_id: str):
        self.board_id = board_id
        # A socket that is still being handed its snapshot has a list: frames wait there, so that
        # nothing newer reaches it before the snapshot does.
        self.sockets: dict[Socket, list[tuple[Frame, tuple[int, int] | None]] | None] = {}
        self.relay: asyncio.Task | None = None
        self.relaying = asyncio.Event()
        # Relayed event frames by first seq, while an earlier one is missing (see `_arrived`).
        self.next_seq: int | None = None
        self.waiting: dict[int, tuple[int, str]] = {}
        self.waited: asyncio.TimerHandle | None = None

    async def join(self, socket: Socket) -> None:
        """From now on the socket's frames are held until `ready`; returns once other processes reach it."""
        self.sockets[socket] = []
        if spans_processes():
            if self.relay is None or self.relay.done():
                self.relaying = asyncio.Event()
                self.relay = asyncio.create_task(self._relay())
            await self.relaying.wait()

    async def ready(self, socket: Socket) -> None:
        """The socket has its snapshot: send what was held, then deliver live."""
        held = self.sockets.get(socket)
        while held:
            await socket.push(*held.pop(0))
        if socket in self.sockets:
            self.sockets[socket] = None

    def leave(self, socket: Socket) -> None:
        """The socket is gone; the last one out stops the relay."""
        self.sockets.pop(socket, None)
        if not self.sockets:
            self.close()

    def close(self) -> None:
        stop(self.relay)
        if self.waited is not None:
            self.waited.cancel()
        self.relay = self.waited = None
        self.waiting.clear()

    async def publish(self, text: str, seqs: tuple[int, int] | None = None) -> None:
        """Send a frame to the board's sockets in every process serving it; `seqs` for events."""
        if not spans_processes():
            await self.deliver(text, seqs)
            return
        try:
            if relays_over_pubsub():
                await publisher().publish(relay_channel(self.board_id), pack(text, seqs))
            else:
                message = {"type": "board.relay", "text": text, "seqs": list(seqs) if seqs else None}
                await relay_layer().group_send(relay_group(self.board_id), message)
        except Exception:
            # Other processes' clients notice the gap at the next event and catch up; ours need not.
            log.exception("board %s: relay to other processes failed", self.board_id)
            await self.deliver(text, seqs)

    async def deliver(self, text: str, seqs: tuple[int, int] | None = None) -> None:
        frame = Frame(text)  # encoded and framed once, whoever the sockets
        # Face-down stickies and anonymous dots: each socket gets the events its participant may
        # read, each version framed once too.
        run = redaction.EventRun.from_text(text) if seqs else None
        versions: dict[str, Frame] = {}
        for socket, held in list(self.sockets.items()):
            if run is not None:
                readable = run.text_for(getattr(socket, "participant", None))
                frame = versions.get(readable) or versions.setdefault(readable, Frame(readable))
            if held is not None:
                held.append((frame, seqs))
                continue
            try:
                await socket.push(frame, seqs)
            except Exception as exc:
                # A socket closing right now, or a broken one, must not keep the frame from the others.
                log.debug("board %s: a socket could not take a frame: %s", self.board_id, exc)

    async def _arrived(self, text: str, seqs: list[int] | None) -> None:
        """Deliver a relayed frame, putting events from several processes back in seq order.

        Two processes commit one after the other but reach Redis in either order; an event
        whose predecessor is still on its way waits for it, REORDER_SECONDS at most (then the
        clients ask for what they miss, as after any gap).
        """
        if not seqs:
            await self.deliver(text)  # presence: no order to keep
            return
        first, last = seqs
        if self.next_seq is None or first <= self.next_seq:
            await self.deliver(text, (first, last))
            self.next_seq = max(self.next_seq or 0, last + 1)
            while self.next_seq in self.waiting:
                held_first = self.next_seq
                last, held = self.waiting.pop(held_first)
                await self.deliver(held, (held_first, last))
                self.next_seq = last + 1
            if not self.waiting and self.waited is not None:
                self.waited.cancel()
                self.waited = None
            return
        self.waiting[first] = (last, text)
        if self.waited is None:
            self.waited = asyncio.get_running_loop().call_later(REORDER_SECONDS, self._stop_waiting)

    def _stop_waiting(self) -> None:
        self.flushing = asyncio.ensure_future(self._give_up_waiting())  # kept, so it runs to the end

    async def _give_up_waiting(self) -> None:
        self.waited = None
        for first in sorted(self.waiting):
            last, held = self.waiting.pop(first)
            await self.deliver(held, (first, last))
            self.next_seq = max(self.next_seq or 0, last + 1)

    async def _relay(self) -> None:
        listen = _listen_on_pubsub if relays_over_pubsub() else _listen_on_layer
        cut_off = False
        while True:
            try:
                await listen(self.board_id, self._listening if cut_off else self._first_listening, self._arrived)
            except asyncio.CancelledError:
                raise
            except Exception:
                stop_if_asked()
                log.exception("board %s: relay from other processes failed; retrying", self.board_id)
                self.relaying.set()  # joins go on; their clients catch up from the log
                cut_off = True
                await asyncio.sleep(RELAY_RETRY_SECONDS)

    async def _first_listening(self) -> None:
        self.relaying.set()

    async def _listening(self) -> None:
        """Listening again after a cut: frames relayed meanwhile are lost, so tell the sockets.

        The board's last event, read after subscribing: whatever is committed later comes
        through the relay. A client that is behind sees the gap and asks for what it missed;
        one that is not ignores it.
        """
        self.relaying.set()
        last = await database_sync_to_async(last_event)(self.board_id)
        if last is not None:
            await self.deliver(protocol.events_text([last]), (last["seq"], last["seq"]))
            self.next_seq = max(self.next_seq or 0, last["seq"] + 1)


def last_event(board_id: str) -> dict[str, Any] | None:
    event = BoardEvent.objects.filter(board_id=board_id).order_by("-seq").first()
    return store.event_frame(event) if event is not None else None


Arrived = Callable[[str, list[int] | None], Awaitable[None]]


async def _listen_on_layer(board_id: str, listening: Callable[[], Awaitable[None]], arrived: Arrived) -> None:
    layer = relay_layer()
    group = relay_group(board_id)
    channel = await layer.new_channel()
    renewing: asyncio.Task | None = None
    try:
        await layer.group_add(group, channel)
        renewing = asyncio.create_task(_renew(layer, group, channel))
        await listening()
        while True:
            message = await layer.receive(channel)
            if "text" in message:
                await arrived(message["text"], message.get("seqs"))
    except asyncio.CancelledError:
        await asyncio.shield(_discard(layer, group, channel))
        raise
    finally:
        stop(renewing)


async def _listen_on_pubsub(board_id: str, listening: Callable[[], Awaitable[None]], arrived: Arrived) -> None:
    # No retry: redis-py would reconnect and subscribe again unseen, hiding the frames lost meanwhile.
    client = redis_client(retries=0)
    subscription = client.pubsub()
    try:
        # SUBSCRIBE is only sent here; Redis's confirmation says from when frames reach us, and
        # joins wait for that (a frame published before it would be lost to the joiner).
        await subscription.subscribe(relay_channel(board_id))
        while (confirmed := await subscription.get_message(timeout=None)) is None or confirmed["type"] != "subscribe":
            pass
        await listening()
        while True:
            message = await subscription.get_message(timeout=None)
            if message is not None and message["type"] == "message":
                await arrived(*unpack(message["data"]))
    finally:
        await asyncio.shield(_close(client, subscription))


async def _close(client: aioredis.Redis, subscription: Any) -> None:
    try:
        await subscription.aclose()
        await client.aclose()
    except Exception:
        log.debug("could not close a relay subscription", exc_info=True)


async def _renew(layer: Any, group: str, channel: str) -> None:
    while True:
        await asyncio.sleep(RELAY_RENEW_SECONDS)
        try:
            await layer.group_add(group, channel)
        except Exception:
            stop_if_asked()
            log.warning("could not renew relay group %s", group, exc_info=True)


async def _discard(layer: Any, group: str, channel: str) -> None:
    try:
        await layer.group_discard(group, channel)
    except Exception:
        log.warning("could not leave relay group %s", group, exc_info=True)
