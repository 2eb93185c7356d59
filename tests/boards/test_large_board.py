"""A long workshop's board (5,000 stickies) still opens: its snapshot is well over 1 MiB."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from tests.servers import DaphneServer, migrate, server_env

pytestmark = [pytest.mark.slow]


def fill(env: dict[str, str], count: int) -> tuple[str, str]:
    """Create a board of `count` stickies in the server's database, the way a long workshop would."""
    import subprocess
    import sys

    script = f"""
import uuid
from boards import store
from boards.store import OpRequest
board = store.create_board("Long workshop")
ops = [OpRequest("note.create", {{"id": str(uuid.uuid4()), "kind": "event", "text": f"Something happened number {{i}}",
       "x": (i % 100) * 200, "y": (i // 100) * 150, "fields": [{{"name": "order_id", "type": "uuid", "required": True}}]}},
       op_id=str(uuid.uuid4())) for i in range({count})]
store.apply_ops(board.id, ops)
print(board.id, board.edit_key)
"""
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], env=env, check=True, capture_output=True, text=True
    ).stdout
    board_id, key = output.split()[-2:]
    return board_id, key


async def test_a_5000_sticky_board_opens_in_one_snapshot(tmp_path):
    env = server_env({"SQLITE_PATH": str(tmp_path / "board.sqlite3")})
    migrate(env)
    board_id, key = await asyncio.to_thread(fill, env, 5000)
    server = DaphneServer(env, log_path=tmp_path / "daphne.log").start()
    try:
        async with websockets.connect(f"{server.ws_url}/ws/boards/{board_id}/?key={key}", max_size=None) as socket:
            await socket.send(json.dumps({"type": "hello", "protocol": 2, "since": 0, "name": "Late joiner"}))
            while True:
                raw = await asyncio.wait_for(socket.recv(), 20)
                frame = json.loads(raw)
                if frame["type"] == "snapshot":
                    break
        assert len(raw) > 1024 * 1024
        assert len(frame["board"]["notes"]) == 5000
    finally:
        server.stop()
