"""Replacing the links revokes reads and writes at once, on every process behind Redis."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid

import pytest
import websockets

from tests.servers import create_board, daphne_processes, get_json, migrate, server_env, shared_database

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.fixture(scope="module")
def servers(redis_url, tmp_path_factory):
    with shared_database(tmp_path_factory.mktemp("revocation")) as database:
        env = server_env(database, REDIS_URL=redis_url)
        migrate(env)
        with daphne_processes(env, tmp_path_factory.mktemp("logs")) as pair:
            yield pair


def status(url: str, key: str, body: dict | None = None) -> int:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def a_sticky() -> dict:
    data = {"id": str(uuid.uuid4()), "kind": "event", "text": "After", "x": 0, "y": 0}
    return {"op_id": str(uuid.uuid4()), "op": "note.create", "data": data}


async def joined(server, board_id: str, key: str):
    socket = await websockets.connect(f"{server.ws_url}/ws/boards/{board_id}/")
    await socket.send(json.dumps({"type": "hello", "protocol": 2, "since": 0, "name": "Bo", "key": key}))
    assert json.loads(await socket.recv())["type"] == "welcome"
    return socket


async def closed_with(socket) -> tuple[str | None, int]:
    """The last error frame before the server closed the socket, and the close code."""
    code = None
    try:
        async with asyncio.timeout(10):
            async for raw in socket:
                frame = json.loads(raw)
                if frame["type"] == "error":
                    code = frame["code"]
    except websockets.ConnectionClosed:
        pass
    return code, socket.close_code


async def test_replaced_links_lose_sockets_reads_and_writes_on_every_process(servers):
    first, second = servers
    board = await asyncio.to_thread(create_board, first.url, "Revoked")
    old = board["keys"]
    api = f"{second.url}/api/boards/{board['id']}"
    editor = await joined(second, board["id"], old["editor"])
    viewer = await joined(first, board["id"], old["viewer"])
    assert await asyncio.to_thread(status, f"{api}/", old["viewer"]) == 200

    new = await asyncio.to_thread(
        lambda: json.load(
            urllib.request.urlopen(
                urllib.request.Request(
                    f"{first.url}/api/boards/{board['id']}/links/",
                    data=b"",
                    headers={"Authorization": f"Bearer {old['facilitator']}"},
                ),
                timeout=10,
            )
        )["keys"]
    )

    # Open sockets on both processes are closed...
    assert await closed_with(editor) == ("revoked", 4403)
    assert await closed_with(viewer) == ("revoked", 4403)
    # ...and the other process refuses the old keys over HTTP at once, for reads and writes.
    for path in ("/", "/history/", "/export.json", "/board.svg", "/export.zip", "/checks/"):
        assert await asyncio.to_thread(status, f"{api}{path}", old["viewer"]) == 404, path
        assert await asyncio.to_thread(status, f"{api}{path}", old["editor"]) == 404, path
        assert await asyncio.to_thread(status, f"{api}{path}", new["viewer"]) == 200, path
    assert await asyncio.to_thread(status, f"{api}/ops/", old["editor"], a_sticky()) == 404
    assert await asyncio.to_thread(status, f"{api}/ops/", new["editor"], a_sticky()) == 201
    # A new socket with an old key is refused too.
    late = await websockets.connect(f"{second.ws_url}/ws/boards/{board['id']}/")
    await late.send(json.dumps({"type": "hello", "protocol": 2, "since": 0, "name": "Late", "key": old["editor"]}))
    assert await closed_with(late) == ("forbidden", 4403)
    final = await asyncio.to_thread(get_json, f"{api}/", new["viewer"])
    assert [n["text"] for n in final["notes"]] == ["After"]
