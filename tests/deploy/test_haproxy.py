"""The load balancer configuration in deploy/ works: the real HAProxy in front of two Daphne processes.

Everyone on a board lands on one process, and the HTTP requests about that board go there too;
boards spread over both processes; when the process serving a board stops, its people reconnect
through the same address, land on the other process, and every change the server had acknowledged
is there.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import urllib.error
import urllib.request
import uuid
from collections import Counter

import pytest
import websockets

from tests.board_client import BoardClient
from tests.servers import Balancer, create_board, daphne_processes, migrate, server_env, shared_database

pytestmark = [pytest.mark.services, pytest.mark.slow]

SERVED_BY = "X-Storming-Server"  # set by deploy/haproxy.cfg on every response, a socket's 101 too


@pytest.fixture
def servers(redis_url, tmp_path):
    with shared_database(tmp_path) as database:
        env = server_env(database, REDIS_URL=redis_url, LOG_LEVEL="WARNING")
        migrate(env)
        with daphne_processes(env, tmp_path) as pair:
            yield pair


@pytest.fixture
def balancer(servers, tmp_path):
    haproxy = Balancer([s.port for s in servers], tmp_path).start()
    yield haproxy
    haproxy.stop()


def served_by(url: str, key: str | None = None) -> str:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers[SERVED_BY]


class Person(BoardClient):
    """A participant through the balancer, who knows which process serves its socket."""

    def __init__(self, balancer: Balancer, board: dict, name: str):
        super().__init__(balancer.ws_url, board, name)
        self.server = ""

    async def connect(self, timeout: float = 20) -> None:
        await super().connect(timeout)
        self.server = self.socket.response.headers[SERVED_BY]

    async def keep_writing(self, stop: asyncio.Event) -> None:
        """A sticky every 20 ms until told to stop or the socket goes."""
        n = 0
        with contextlib.suppress(websockets.ConnectionClosed):
            while not stop.is_set():
                n += 1
                await self.create(f"{self.name} {n}")
                await asyncio.sleep(0.02)


async def test_a_board_stays_on_one_process_and_boards_spread_over_both(balancer, servers):
    homes: dict[str, str] = {}
    for _ in range(40):  # until both processes serve a board (each board has an even chance)
        board = await asyncio.to_thread(create_board, balancer.url, "Spread")
        people = [Person(balancer, board, f"P{i}") for i in range(3)]
        for person in people:
            await person.connect()
        page = await asyncio.to_thread(served_by, f"{balancer.url}/b/{board['id']}/")
        api = await asyncio.to_thread(served_by, f"{balancer.url}/api/boards/{board['id']}/", board["keys"]["viewer"])
        assert {p.server for p in people} | {page, api} == {people[0].server}, (
            f"board {board['id']}: sockets on {[p.server for p in people]}, page on {page}, API on {api}"
        )
        homes[board["id"]] = people[0].server
        for person in people:
            await person.close()
        if len(set(homes.values())) == 2:
            break
    assert set(homes.values()) == {"app1", "app2"}, f"every board went to one process: {homes}"


def test_boards_spread_evenly_over_the_processes(balancer, servers):
    """1,000 board ids (the same every run): each process gets close to half of them."""
    rng = random.Random(2026)
    homes = Counter()
    for _ in range(1000):
        board = uuid.UUID(int=rng.getrandbits(128), version=4)
        request = urllib.request.Request(f"{balancer.url}/api/boards/{board}/", method="HEAD")
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as answer:  # no such board: 404, from the process it hashed to
            homes[answer.headers[SERVED_BY]] += 1
    assert set(homes) == {"app1", "app2"}
    assert all(450 <= n <= 550 for n in homes.values()), f"boards per process: {dict(homes)}"


async def test_when_a_process_stops_its_boards_people_move_to_the_other_and_lose_nothing(balancer, servers):
    board = await asyncio.to_thread(create_board, balancer.url, "Failover")
    people = [Person(balancer, board, name) for name in ("Ana", "Bo", "Cy")]
    for person in people:
        await person.connect()
    (home,) = {p.server for p in people}
    serving = servers[int(home.removeprefix("app")) - 1]

    # Everyone keeps writing while the process serving the board is stopped.
    stop = asyncio.Event()
    writers = [asyncio.create_task(p.keep_writing(stop)) for p in people]
    await asyncio.gather(*(p.wait_for(lambda p=p: len(p.acked) >= 5) for p in people))
    await asyncio.to_thread(serving.stop)
    for person in people:
        with contextlib.suppress(websockets.ConnectionClosed):
            await asyncio.wait_for(person.reader, 20)
    stop.set()
    await asyncio.gather(*writers)
    acked = set().union(*(p.acked_texts() for p in people))

    for person in people:
        await person.connect()  # the same address, with the seq it holds
    assert {p.server for p in people} == {"app1", "app2"} - {home}, "the board moved to the other process"
    for i, person in enumerate(people):
        await person.create(f"After {i}")
    newcomer = Person(balancer, board, "Di")
    await newcomer.connect()
    await newcomer.wait_for(lambda: newcomer.seq > 0)
    for person in people:
        await person.wait_for(lambda p=person: {f"After {i}" for i in range(3)} <= p.seen())

    assert acked and acked <= newcomer.seen(), f"acknowledged but gone: {sorted(acked - newcomer.seen())[:5]}"
    for person in people:
        assert acked <= person.seen(), f"{person.name} misses {sorted(acked - person.seen())[:5]}"
        await person.close()
    await newcomer.close()
