"""Two Daphne processes serving one board through Redis, and a process that dies mid-workshop."""

from __future__ import annotations

import asyncio

import pytest
import websockets

from tests.board_client import BoardClient
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


class Participant(BoardClient):
    """A client that expects one seq order across both processes: a gap fails the test."""

    def __init__(self, server: DaphneServer, board: dict, name: str):
        super().__init__(server.ws_url, board, name)
        self.others: set[str] = set()

    async def apply(self, frame: dict) -> None:
        if frame["type"] == "event":
            assert frame["seq"] <= self.seq + 1, f"{self.name} saw a gap before seq {frame['seq']}"
        elif frame["type"] == "presence":
            self.others |= {u["name"] for u in frame["users"]}
        await super().apply(frame)


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
    await ana.wait_for(lambda: all(op in ana.acked for op in ops))
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
