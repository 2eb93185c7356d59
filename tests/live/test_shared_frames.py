"""Frames for the whole board, written straight to Daphne's connections (boards/live/outbox.py).

Events and presence are framed once and written to each socket's connection as they are; acks,
snapshots and catch-ups still go through Channels' `send`. Both must land in the order they
were sent, and a socket that reads nothing must still be bounded by its send budget.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import psutil
import pytest

from tests.live.listener import Listener
from tests.live.wire import RawSocket
from tests.servers import create_board, daphne_processes, migrate, server_env, shared_database

pytestmark = [pytest.mark.services, pytest.mark.slow]

SEND_BUDGET = 64 * 1024
SLOW_READER_SECONDS = 3


@pytest.fixture
def server(tmp_path):
    with shared_database(tmp_path) as database:
        env = server_env(
            database,
            STORMING_SLOW_READER_SECONDS=str(SLOW_READER_SECONDS),
            STORMING_SOCKET_SEND_BUDGET=str(SEND_BUDGET),
        )
        migrate(env)
        with daphne_processes(env, tmp_path, count=1) as (daphne,):
            yield daphne


class Member(Listener):
    """A client that keeps every frame it is sent, in order."""

    def __init__(self, url: str, name: str):
        super().__init__(url, name)
        self.frames: list[dict] = []

    async def __aenter__(self) -> Member:
        await super().__aenter__()
        await self.until(lambda: self.snapshot_seq is not None, 10, "the snapshot")
        return self

    def take(self, frame: dict) -> None:
        self.frames.append(frame)

    @property
    def snapshot_seq(self) -> int | None:
        return next((f["seq"] for f in self.frames if f["type"] == "snapshot"), None)

    def events(self) -> list[int]:
        """The seqs of the events received, in the order they came."""
        seqs = []
        for frame in self.frames:
            if frame["type"] == "event":
                seqs.append(frame["seq"])
            elif frame["type"] == "events":
                seqs += [event["seq"] for event in frame["events"]]
        return seqs

    def roster(self) -> set[str]:
        names: dict[str, str] = {}
        for frame in self.frames:
            if frame["type"] == "presence":
                names.update({user["id"]: user["name"] for user in frame["users"]})
                for gone in frame["left"]:
                    names.pop(gone, None)
        return set(names.values())

    async def op(self, text: str = "Order Placed", fields: list[dict] | None = None) -> str:
        op_id = str(uuid.uuid4())
        note = {"id": str(uuid.uuid4()), "kind": "event", "text": text, "x": 10, "y": 20}
        if fields:
            note["fields"] = fields
        await self.socket.send(json.dumps({"type": "op", "op_id": op_id, "op": "note.create", "data": note}))
        return op_id


async def test_a_joiner_mid_stream_and_the_writer_see_every_event_once_in_order_before_its_ack(server):
    board = await asyncio.to_thread(create_board, server.url, "Busy")
    url = f"{server.ws_url}/ws/boards/{board['id']}/?key={board['keys']['editor']}"
    ops = 200
    async with Member(url, "Writer") as writer:
        joining = None
        for i in range(ops):
            await writer.op()
            if i == ops // 3:
                # Joins while events flow: its snapshot goes through Channels, the events held
                # meanwhile and the ones after it are written straight.
                joining = asyncio.create_task(Member(url, "Joiner").__aenter__())
            await asyncio.sleep(0.003)
        joiner = await joining
        try:
            acked = lambda: sum(f["type"] == "ack" for f in writer.frames) == ops  # noqa: E731
            await writer.until(acked, 20, "every op to be acked")
            await joiner.until(lambda: ops in joiner.events(), 10, "the joiner to hear the last event")
        finally:
            await joiner.__aexit__()

    assert writer.events() == list(range(1, ops + 1))
    # Each op's event reaches its writer before the op's ack (the ack is sent after the fan-out).
    heard: set[int] = set()
    for frame in writer.frames:
        if frame["type"] == "event":
            heard.add(frame["seq"])
        elif frame["type"] == "events":
            heard.update(event["seq"] for event in frame["events"])
        elif frame["type"] == "ack":
            assert frame["seq"] in heard, f"ack of seq {frame['seq']} came before its event"
    # After its snapshot, the joiner hears every later event once, in order, without a gap.
    start = joiner.snapshot_seq
    assert 0 < start < ops
    assert [seq for seq in joiner.events() if seq > start] == list(range(start + 1, ops + 1))


async def test_a_reader_that_stops_reading_while_the_board_changes_is_cut_off_and_costs_little(server):
    board = await asyncio.to_thread(create_board, server.url, "Heavy")
    path = f"/ws/boards/{board['id']}/?key={board['keys']['editor']}"
    process = psutil.Process(server.process.pid)
    # About 7.5 MB of events: well past what the kernel buffers for a socket (up to 4 MiB here)
    # and the socket's send budget.
    ops = 300
    fields = [{"name": f"field {i}", "doc": "x" * 2000} for i in range(12)]
    async with Member(server.ws_url + path, "Reader") as reader:
        # Three writers, each within its own op budget.
        writers = [await Member(server.ws_url + path, f"Writer {i}").__aenter__() for i in range(3)]
        try:
            stalled = RawSocket("127.0.0.1", server.port, path)
            stalled.send({"type": "hello", "protocol": 2, "since": 0, "name": "Never reads"})
            await reader.until(lambda: "Never reads" in reader.roster(), 5, "the stalled reader to join")
            idle = process.memory_info().rss
            peak = idle
            for i in range(ops):
                await writers[i % 3].op("x" * 2000, fields)
                if i % 20 == 0:
                    peak = max(peak, process.memory_info().rss)
                await asyncio.sleep(0.005)
            started = time.monotonic()
            while "Never reads" in reader.roster():
                peak = max(peak, process.memory_info().rss)
                assert time.monotonic() - started < SLOW_READER_SECONDS + 10, "the stalled reader was never cut off"
                await asyncio.sleep(0.05)
            await reader.until(lambda: ops in reader.events(), 20, "the reader to hear the last event")
            stalled.close()
        finally:
            for writer in writers:
                await writer.__aexit__()
    # The one who reads got everything, once, in order; the stalled one cost the server little
    # (the board itself takes 10-30 MiB of this: its 7.5 MB of stickies, cached and stored).
    assert reader.events() == list(range(1, ops + 1))
    grown = (peak - idle) / 2**20
    assert grown < 100, f"the server grew by {grown:.0f} MiB while a socket read nothing"
