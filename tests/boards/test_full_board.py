"""A board filled to its size budget still opens through a real Daphne, whose 32 MiB cap on a
message would otherwise close every join with 1011."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import pytest
import websockets

from tests.servers import DaphneServer, migrate, server_env

pytestmark = [pytest.mark.slow]

DAPHNE_CAP = 32 * 1024 * 1024


def fill_to_the_brim(env: dict[str, str]) -> tuple[str, str, list[str]]:
    """Stickies of nearly the largest size an element may take, until the board refuses more."""
    script = """
import json, uuid
from boards import store
from boards.store import OpRequest
board = store.create_board("Full")
# Accented text is escaped on the wire (\\u00e9): 6 bytes a character.
def sticky(i):
    fields = [{"name": "a", "doc": "é" * 2000}, {"name": "b", "doc": "é" * 800}]
    data = {"id": str(uuid.uuid4()), "kind": "event", "text": "é" * 2000, "x": i, "y": 0, "fields": fields}
    return OpRequest("note.create", data, op_id=str(uuid.uuid4()))
codes = []
for start in range(0, 1000, 100):
    codes += [r.error["code"] if r.error else "ok" for r in store.apply_ops(board.id, [sticky(i) for i in range(start, start + 100)])]
print(json.dumps([str(board.id), board.edit_key, codes]))
"""
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], env=env, check=True, capture_output=True, text=True
    ).stdout
    board_id, key, codes = json.loads(output.strip().splitlines()[-1])
    return board_id, key, codes


def post_op(server: DaphneServer, board_id: str, key: str, data: dict) -> tuple[int, dict]:
    body = json.dumps({"op_id": str(uuid.uuid4()), "op": "note.create", "data": data}).encode()
    request = urllib.request.Request(
        f"{server.url}/api/boards/{board_id}/ops/",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def test_a_board_filled_to_its_budget_and_bloated_over_http_still_opens(tmp_path):
    env = server_env({"SQLITE_PATH": str(tmp_path / "board.sqlite3")})
    migrate(env)
    board_id, key, codes = await asyncio.to_thread(fill_to_the_brim, env)
    assert codes.count("ok") > 700 and set(codes) == {"ok", "too_large"}
    server = DaphneServer(env, log_path=tmp_path / "daphne.log").start()
    try:
        # What once made boards unjoinable: ops of ~2.1 MB over HTTP (fields with long enum values).
        fields = [{"name": f"f{i}", "type": "enum", "values": ["v" * 200] * 100} for i in range(100)]
        bloat = {"id": str(uuid.uuid4()), "kind": "event", "x": 0, "y": 0, "fields": fields}
        for _ in range(3):
            status, answer = await asyncio.to_thread(post_op, server, board_id, key, bloat)
            assert status == 400 and answer["error"]["code"] == "too_large"
        async with websockets.connect(f"{server.ws_url}/ws/boards/{board_id}/?key={key}", max_size=None) as socket:
            await socket.send(json.dumps({"type": "hello", "protocol": 2, "since": 0, "name": "Late joiner"}))
            while True:
                raw = await asyncio.wait_for(socket.recv(), 60)
                frame = json.loads(raw)
                if frame["type"] == "snapshot":
                    break
            assert 20 * 1024 * 1024 < len(raw.encode()) < DAPHNE_CAP
            assert len(frame["board"]["notes"]) == codes.count("ok")
            # Full, yet usable: a deletion goes through.
            op_id = str(uuid.uuid4())
            note_id = frame["board"]["notes"][0]["id"]
            await socket.send(json.dumps({"type": "op", "op_id": op_id, "op": "note.delete", "data": {"id": note_id}}))
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 30))
                if frame["type"] in ("ack", "reject") and frame["op_id"] == op_id:
                    break
            assert frame["type"] == "ack"
    finally:
        server.stop()
