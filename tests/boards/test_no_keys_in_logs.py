"""Board keys never reach a server log, whichever way a client uses them."""

from __future__ import annotations

import asyncio
import json
import urllib.request

import pytest
import websockets

from tests.servers import DaphneServer, create_board, migrate, server_env

pytestmark = [pytest.mark.slow]


async def test_keys_stay_out_of_the_access_log(tmp_path):
    env = server_env({"SQLITE_PATH": str(tmp_path / "board.sqlite3")}, LOG_LEVEL="DEBUG")
    migrate(env)
    log = tmp_path / "daphne.log"
    server = DaphneServer(env, log_path=log).start()
    try:
        board = await asyncio.to_thread(create_board, server.url, "Secret plans")
        keys = board["keys"]
        # A script connects with the key in the URL; the page sends it in hello.
        async with websockets.connect(board["ws_url"]) as socket:
            await socket.send(json.dumps({"type": "hello", "protocol": 2, "since": 0, "name": "Bot"}))
            assert json.loads(await socket.recv())["type"] == "welcome"
        async with websockets.connect(f"{server.ws_url}/ws/boards/{board['id']}/") as socket:
            await socket.send(
                json.dumps({"type": "hello", "protocol": 2, "since": 0, "name": "Page", "key": keys["editor"]})
            )
            assert json.loads(await socket.recv())["type"] == "welcome"
        request = urllib.request.Request(
            f"{server.url}/api/boards/{board['id']}/links/", headers={"Authorization": f"Bearer {keys['facilitator']}"}
        )
        await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=5).read())
        # Reads and downloads carry the key in a header too, as the page sends them.
        for path in ("", "export.json", "board.svg", "export.zip", "history/"):
            read = urllib.request.Request(
                f"{server.url}/api/boards/{board['id']}/{path}", headers={"Authorization": f"Bearer {keys['viewer']}"}
            )
            await asyncio.to_thread(lambda r=read: urllib.request.urlopen(r, timeout=5).read())
        # Page links carry the key after '#', which browsers never send: the page URL is clean.
        await asyncio.to_thread(
            lambda: urllib.request.urlopen(board["facilitator_url"].split("#")[0], timeout=5).read()
        )
    finally:
        server.stop()
    text = log.read_text()
    assert f"/ws/boards/{board['id']}/" in text, "the access log should record the connections"
    for role, key in keys.items():
        assert key not in text, f"the {role} key leaked into the log"
