"""The database goes away for a moment: ops are refused as `unavailable`, resent, never half-applied."""

from __future__ import annotations

import asyncio
import json
import random
import urllib.error
import urllib.request
import uuid

import pytest
import websockets

from tests.boards.test_convergence import ScriptedClient, comparable, wait_until
from tests.conftest import free_port
from tests.servers import DaphneServer, create_board, fresh_database, get_json, migrate, server_env

pytestmark = [pytest.mark.services, pytest.mark.slow]


class CuttableLink:
    """A TCP relay to PostgreSQL that the test can cut (new and open connections fail) and mend."""

    def __init__(self, target_port: int = 5432):
        self.port = free_port()
        self.target_port = target_port
        self.cut = False
        self.pipes: set[asyncio.StreamWriter] = set()
        self.server = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self.accept, "127.0.0.1", self.port)

    async def accept(self, reader, writer) -> None:
        if self.cut:
            writer.close()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.pipes |= {writer, upstream_writer}
        await asyncio.gather(self.pump(reader, upstream_writer), self.pump(upstream_reader, writer))

    async def pump(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
            self.pipes.discard(writer)

    def sever(self) -> None:
        self.cut = True
        for writer in list(self.pipes):
            writer.close()

    def mend(self) -> None:
        self.cut = False

    async def stop(self) -> None:
        self.sever()
        self.server.close()


@pytest.fixture
async def link():
    link = CuttableLink()
    await link.start()
    yield link
    await link.stop()


@pytest.fixture
async def server(link, tmp_path):
    """Daphne on a fresh PostgreSQL database of its own, reached through the link."""
    with fresh_database("postgres", tmp_path, prefix="storming_outage") as database:
        name = database["DATABASE_URL"].rpartition("/")[2]
        env = server_env({"DATABASE_URL": f"postgres://postgres@127.0.0.1:{link.port}/{name}"})
        await asyncio.to_thread(migrate, env)
        daphne = await asyncio.to_thread(DaphneServer(env, log_path=tmp_path / "daphne.log").start)
        yield daphne
        await asyncio.to_thread(daphne.stop)


async def test_ops_during_a_database_outage_are_refused_then_resent_and_stored_once(link, server):
    board = await asyncio.to_thread(create_board, server.url, "Outage")
    url = f"{server.ws_url}/ws/boards/{board['id']}/?key={board['keys']['editor']}"
    clients = [ScriptedClient(f"P{i}", url, random.Random(i)) for i in range(2)]
    for client in clients:
        client.start()
    await wait_until(lambda: all(c.online.is_set() for c in clients), 20, "every client to join")
    rng = random.Random(3)
    for step in range(60):
        client = rng.choice(clients)
        await client.send_op(*client.random_op())
        if step == 20:
            link.sever()
        if step == 40:
            link.mend()
        await asyncio.sleep(0.02)
    await wait_until(lambda: all(not c.outbox for c in clients), 60, "every op to be stored")
    assert sum(c.refused_for_now for c in clients) > 0, "the outage should have refused some ops"
    final = await asyncio.to_thread(get_json, f"{server.url}/api/boards/{board['id']}/", board["keys"]["viewer"])
    await wait_until(lambda: all(c.seq == final["seq"] for c in clients), 30, "every client to catch up")
    log = (
        await asyncio.to_thread(
            get_json, f"{server.url}/api/boards/{board['id']}/history/?limit=1000", board["keys"]["viewer"]
        )
    )["events"]
    assert final["seq"] == len(log)
    created = [e["data"]["id"] for e in log if e["event"] == "note.created"]
    assert len(created) == len(set(created)), "an op was applied twice"
    for client in clients:
        assert comparable(client.state.snapshot()) == comparable(final), client.name
        await client.stop()


def http(method: str, url: str, body: dict | None = None, key: str | None = None) -> tuple[int, dict, dict]:
    """Status, headers and JSON body of one request, error statuses included."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


async def test_while_the_database_is_down_the_api_says_unavailable_and_sockets_close_with_a_reason(link, server):
    board = await asyncio.to_thread(create_board, server.url, "Outage")
    api = f"{server.url}/api/boards/{board['id']}/"
    op = {
        "op_id": str(uuid.uuid4()),
        "op": "note.create",
        "data": {"id": str(uuid.uuid4()), "kind": "event", "x": 0, "y": 0},
    }
    link.sever()
    for method, url, body in (
        ("GET", api, None),
        ("POST", f"{api}ops/", op),
        ("POST", f"{server.url}/api/boards/", {"name": "New"}),
    ):
        status, headers, answer = await asyncio.to_thread(http, method, url, body, board["keys"]["editor"])
        assert (status, answer["error"]["code"]) == (503, "unavailable"), (method, url, answer)
        assert "try again" in answer["error"]["message"].lower()
        assert int(headers["Retry-After"]) > 0
    async with websockets.connect(f"{server.ws_url}/ws/boards/{board['id']}/", open_timeout=10) as socket:
        hello = {"type": "hello", "protocol": 2, "since": 0, "name": "Ana", "key": board["keys"]["editor"]}
        await socket.send(json.dumps(hello))
        error = json.loads(await asyncio.wait_for(socket.recv(), 30))
        assert error["type"] == "error" and error["code"] == "unavailable", error
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
        assert closed.value.rcvd.code == 4503
    link.mend()
    status, _, answer = await asyncio.to_thread(http, "POST", f"{api}ops/", op, board["keys"]["editor"])
    assert status == 201, answer
