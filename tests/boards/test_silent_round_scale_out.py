"""A silent round on a board that two Daphne processes serve through Redis: the frame relayed
between them holds the text, and each process cuts it for its own sockets."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from tests.boards.test_scale_out import Participant, create_board, database, servers  # noqa: F401 (fixtures)
from tests.live.test_servers import post_json

pytestmark = [pytest.mark.services, pytest.mark.slow]

SECRET = "Stock Reserved In Secret"


class Listener(Participant):
    """A participant who also keeps every raw frame it was sent."""

    async def read(self):
        self.raw: list[str] = []
        async for text in self.socket:
            self.raw.append(text)
            frame = json.loads(text)
            for item in frame["events"] if frame["type"] == "events" else [frame]:
                await self.apply(item)


def facilitate(server, board, op):
    body = {"op_id": str(uuid.uuid4()), "op": op, "data": {}}
    status, answer = post_json(f"{server.url}/api/boards/{board['id']}/ops/", body, board["keys"]["facilitator"])
    assert status in (200, 201), answer


async def test_a_face_down_sticky_from_one_process_reaches_the_other_without_its_text(servers):  # noqa: F811
    board = await create_board(servers[0])
    await asyncio.to_thread(facilitate, servers[0], board, "silent.start")
    ana, bo = Listener(servers[0], board, "Ana"), Listener(servers[1], board, "Bo")
    await ana.connect()
    await bo.connect()
    await ana.wait_for(lambda: ana.seq == 1)
    await bo.wait_for(lambda: bo.seq == 1)
    await ana.create(SECRET, 0)
    await ana.wait_for(lambda: SECRET in ana.texts.values())
    await bo.wait_for(lambda: bo.seq == 2)
    assert list(bo.texts.values()) == [""]
    assert not [text for text in bo.raw if SECRET in text]
    await asyncio.to_thread(facilitate, servers[1], board, "silent.reveal")
    await bo.wait_for(lambda: any("silent.revealed" in text and SECRET in text for text in bo.raw))
    assert bo.seq == 3
    await ana.close()
    await bo.close()
