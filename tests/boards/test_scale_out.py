"""Two Daphne processes serving one board through Redis, and a process that dies mid-workshop."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import websockets

from tests.servers import DaphneServer, daphne_processes, migrate, server_env, shared_database
from tests.servers import create_board as servers_create_board

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with shared_database(tmp_path_factory.mktemp("scale")) as settings:
        yield settings


@pytest.fixture(scope="module")
def servers(database, redis_url, tmp_path_factory):
    env = server_env(database, REDIS_URL=redis_url)
    migrate(env)
    with daphne_processes(env, tmp_path_factory.mktemp("logs")) as pair:
        yield pair


async def create_board(server: DaphneServer) -> dict:
    return await asyncio.to_thread(servers_create_board, server.url, "Scale")


class Participant:
    """A scripted client that keeps the board the way the browser does: events in seq order."""

    def __init__(self, server: DaphneServer, board: dict, name: str):
        self.url = f"{server.ws_url}/ws/boards/{board['id']}/?key={board['keys']['editor']}"
        self.name = name
        self.seq = 0
        self.texts: dict[str, str] = {}
        self.acks: dict[str, int] = {}
        self.others: set[str] = set()
        self.socket = None
        self.reader = None

    async def connect(self):
        self.socket = await websockets.connect(self.url, max_size=2**24)
        await self.socket.send(json.dumps({"type": "hello", "protocol": 2, "since": self.seq, "name": self.name}))
        self.reader = asyncio.create_task(self.read())

    async def read(self):
        async for raw in self.socket:
            frame = json.loads(raw)
            for item in frame["events"] if frame["type"] == "events" else [frame]:
                self.apply(item)

    def apply(self, frame):
        if frame["type"] == "snapshot":
            self.seq = frame["seq"]
            self.texts = {n["id"]: n["text"] for n in frame["board"]["notes"]}
        elif frame["type"] == "event":
            assert frame["seq"] <= self.seq + 1, f"{self.name} saw a gap before seq {frame['seq']}"
            if frame["seq"] == self.seq + 1:
                self.seq = frame["seq"]
                if frame["event"] == "note.created":
                    self.texts[frame["data"]["id"]] = frame["data"]["text"]
        elif frame["type"] == "ack":
            self.acks[frame["op_id"]] = frame["seq"]
        elif frame["type"] == "presence":
            self.others |= {u["name"] for u in frame["users"]}

    async def create(self, text: str, x: float) -> str:
        op_id = str(uuid.uuid4())
        data = {"id": str(uuid.uuid4()), "kind": "event", "text": text, "x": x, "y": 0}
        await self.socket.send(json.dumps({"type": "op", "op_id": op_id, "op": "note.create", "data": data}))
        return op_id

    async def wait_for(self, condition, timeout=10):
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if self.reader.done():
                self.reader.result()
            assert asyncio.get_running_loop().time() < deadline, f"{self.name}: timed out at seq {self.seq}"
            await asyncio.sleep(0.02)

    async def close(self):
        self.reader.cancel()
        await self.socket.close()


async def test_two_processes_serve_one_board_in_one_seq_order(servers):
    board = await create_board(servers[0])
    ana, bo = Participant(servers[0], board, "Ana"), Participant(servers[1], board, "Bo")
    await ana.connect()
    await bo.connect()
    sent = []
    for i in range(20):
        sent.append(await ana.create(f"Ana {i}", i * 10))
        sent.append(await bo.create(f"Bo {i}", i * 10))
    for person in (ana, bo):
        await person.wait_for(lambda p=person: p.seq == 40)
    assert ana.texts == bo.texts and len(ana.texts) == 40
    await ana.wait_for(lambda: "Bo" in ana.others)
    await bo.close()
    await ana.close()


async def test_a_killed_process_loses_nothing_acknowledged(servers):
    first, second = servers
    board = await create_board(first)
    ana, bo = Participant(first, board, "Ana"), Participant(second, board, "Bo")
    await ana.connect()
    await bo.connect()
    ops = [await ana.create(f"Before {i}", i) for i in range(10)]
    await ana.wait_for(lambda: all(op in ana.acks for op in ops))
    first.kill()
    # Bo keeps working on the surviving process while Ana's is down.
    for i in range(5):
        await bo.create(f"During {i}", i)
    await bo.wait_for(lambda: bo.seq == 15)
    first.start()
    with pytest.raises(websockets.ConnectionClosedError):
        await ana.reader
    await ana.connect()
    await ana.wait_for(lambda: ana.seq == 15)
    assert ana.texts == bo.texts
    assert {f"Before {i}" for i in range(10)} | {f"During {i}" for i in range(5)} == set(ana.texts.values())
    await ana.close()
    await bo.close()
