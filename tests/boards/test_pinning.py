"""Pinning a board to one process: a proxy that hashes the board id, and failover when it dies.

Two Daphne processes share the database and Redis behind bench/proxy.py, the local stand-in for
a load balancer that hashes the board id in the URL. Everyone on a board lands on the same
process; when that process is killed, the people on the board reconnect through the same address
with the last seq they hold and carry on, on the other process, with nothing lost.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import websockets

from bench.proxy import BoardPinningProxy, ranking
from tests.board_client import BoardClient
from tests.servers import daphne_processes, migrate, server_env

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.fixture
def servers(redis_url, tmp_path):
    env = server_env({"SQLITE_PATH": str(tmp_path / "board.sqlite3")}, REDIS_URL=redis_url)
    migrate(env)
    with daphne_processes(env, tmp_path) as pair:
        yield pair


@pytest.fixture
async def proxy(servers):
    pinning = await BoardPinningProxy([("127.0.0.1", s.port) for s in servers]).start()
    yield pinning
    await pinning.close()


async def create_board(port: int) -> dict:
    def post() -> dict:
        import urllib.request

        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/boards/",
            data=b'{"name": "Pinned"}',
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:
            return json.load(response)

    return await asyncio.to_thread(post)


def test_boards_spread_over_both_processes():
    backends = [("127.0.0.1", 8001), ("127.0.0.1", 8002)]
    firsts = {ranking(str(uuid.uuid4()), backends)[0] for _ in range(40)}
    assert firsts == set(backends)


async def test_everyone_on_a_board_lands_on_one_process_and_moves_together_when_it_dies(servers, proxy):
    board = await create_board(proxy.port)
    people = [BoardClient(f"ws://127.0.0.1:{proxy.port}", board, name) for name in ("Ana", "Bo", "Cy", "Di")]
    for person in people:
        await person.connect()
    for i, person in enumerate(people):
        await person.create(f"Before {i}")
    for person in people:
        await person.wait_for(lambda p=person: p.seq == 4)

    routes = proxy.routes[board["id"]]
    assert len(routes) == 1 and sum(routes.values()) == 4, f"the board's sockets went to {dict(routes)}"
    (home,) = routes
    serving = next(s for s in servers if s.port == home[1])
    survivor = next(s for s in servers if s is not serving)

    serving.kill()
    for person in people:
        with pytest.raises(websockets.ConnectionClosed):
            await person.reader
        await person.connect()  # the same address; the proxy fails over to the other process
    for i, person in enumerate(people):
        await person.create(f"After {i}")
    for person in people:
        await person.wait_for(lambda p=person: p.seq == 8)

    assert proxy.routes[board["id"]][("127.0.0.1", survivor.port)] == 4
    expected = {f"Before {i}" for i in range(4)} | {f"After {i}" for i in range(4)}
    for person in people:
        assert person.seen() == expected
        await person.close()
