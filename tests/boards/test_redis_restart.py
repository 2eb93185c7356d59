"""A Redis restart mid-workshop loses no acknowledged change and no client stays deaf."""

from __future__ import annotations

import asyncio
import random
import shutil
import subprocess

import pytest

from tests.boards.test_convergence import ScriptedClient, comparable, wait_until
from tests.conftest import free_port, need
from tests.servers import DaphneServer, create_board, get_json, migrate, server_env, shared_database

pytestmark = [pytest.mark.services, pytest.mark.slow]


class PrivateRedis:
    """A Redis of this test's own, so that restarting it disturbs nothing else on the machine."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            if (
                subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout.strip()
                == b"PONG"
            ):
                return self
            subprocess.run(["sleep", "0.05"])
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)


@pytest.fixture
def redis():
    need("redis-server", shutil.which("redis-server") is not None, "is not installed (apt-get install redis-server)")
    server = PrivateRedis().start()
    yield server
    server.kill()


async def test_clients_converge_after_redis_restarts(redis, tmp_path):
    with shared_database(tmp_path) as database:
        env = server_env(database, REDIS_URL=f"redis://127.0.0.1:{redis.port}/0")
        migrate(env)
        servers = [DaphneServer(env, log_path=tmp_path / f"daphne-{i}.log").start() for i in range(2)]
        try:
            board = await asyncio.to_thread(create_board, servers[0].url, "Redis restart")
            rng = random.Random(11)
            clients = [
                ScriptedClient(
                    f"P{i}",
                    f"{servers[i % 2].ws_url}/ws/boards/{board['id']}/?key={board['keys']['editor']}",
                    random.Random(i),
                )
                for i in range(3)
            ]
            for client in clients:
                client.start()
            await wait_until(lambda: all(c.online.is_set() for c in clients), 20, "every client to join")
            for step in range(90):
                client = rng.choice(clients)
                await client.send_op(*client.random_op())
                if step == 30:
                    await asyncio.to_thread(redis.kill)
                if step == 50:
                    await asyncio.to_thread(redis.start)
                await asyncio.sleep(0.01)
            # Ops sent while Redis was down are stored all the same (the database is the truth);
            # after it is back, every client must hear about them and about what comes next.
            await wait_until(lambda: all(not c.outbox for c in clients), 60, "every op to be answered")
            final = await asyncio.to_thread(
                get_json, f"{servers[0].url}/api/boards/{board['id']}/", board["keys"]["viewer"]
            )
            await wait_until(lambda: all(c.seq == final["seq"] for c in clients), 40, "every client to catch up")
            for client in clients:
                assert comparable(client.state.snapshot()) == comparable(final), client.name
                await client.stop()
        finally:
            for server in servers:
                server.stop()
