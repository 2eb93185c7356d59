"""Hostile input through the socket that the frame-level tests do not cover: other boards' ids,
impossible numbers, unknown ops and a board-wide flood. Each is refused and changes nothing."""

import pytest
from channels.db import database_sync_to_async

from boards import store
from boards.models import Board, Note

from .helpers import new_id, note_op
from .test_consumer import Client, sticky

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def boards():
    return [await database_sync_to_async(Board.objects.create)(name=name) for name in ("Ours", "Theirs")]


async def test_an_element_of_another_board_cannot_be_touched(boards):
    ours, theirs = boards
    foreign = note_op(text="Their Secret Event")
    await database_sync_to_async(store.apply_ops)(theirs.id, [foreign])
    eve = Client(ours, "Eve")
    await eve.join()
    await eve.expect("snapshot")
    for name, data in (
        ("note.update", {"id": foreign.data["id"], "text": "Hacked"}),
        ("note.delete", {"id": foreign.data["id"]}),
        ("link.create", {"id": new_id(), "from": foreign.data["id"], "to": foreign.data["id"]}),
    ):
        await eve.op(name, data)
        assert (await eve.expect("reject"))["error"]["code"] in ("not_found", "invalid")
    # Their id is not theirs alone: it may even be reused on our board without touching theirs.
    await eve.op("note.create", {**sticky("Ours Now"), "id": foreign.data["id"]})
    assert (await eve.expect("ack"))["seq"] == 1
    their_note = await database_sync_to_async(Note.objects.get)(board=theirs)
    assert their_note.text == "Their Secret Event"
    await eve.close()


@pytest.mark.parametrize(
    "data",
    [
        {"x": 1e308, "y": 0},
        {"x": -1e9, "y": 0},
        {"x": 0, "y": 0, "w": 1e9},
        {"x": 0, "y": 0, "w": -5},
        {"x": [1], "y": 0},
        {"x": 0, "y": 0, "text": ["not", "text"]},
    ],
)
async def test_impossible_numbers_and_types_are_rejected(boards, data):
    ana = Client(boards[0])
    await ana.join()
    await ana.expect("snapshot")
    await ana.op("note.create", {"id": new_id(), "kind": "event", **data})
    reject = await ana.expect("reject")
    assert reject["error"]["code"] == "invalid" and reject["error"]["message"]
    assert await database_sync_to_async(Note.objects.count)() == 0
    await ana.close()


async def test_text_over_the_limit_is_refused_as_too_large(boards):
    ana = Client(boards[0])
    await ana.join()
    await ana.expect("snapshot")
    await ana.op("note.create", {"id": new_id(), "kind": "event", "x": 0, "y": 0, "text": "x" * 2001})
    reject = await ana.expect("reject")
    assert reject["error"]["code"] == "too_large" and "the limit is 2000" in reject["error"]["message"]
    assert await database_sync_to_async(Note.objects.count)() == 0
    await ana.close()


async def test_an_unknown_op_is_named_in_the_rejection(boards):
    ana = Client(boards[0])
    await ana.join()
    await ana.op("board.delete_everything", {})
    reject = await ana.expect("reject")
    assert reject["error"]["code"] == "unknown_op" and "note.create" in reject["error"]["message"]
    await ana.close()


async def test_a_board_wide_flood_from_many_sockets_is_rate_limited(boards, settings):
    settings.STORMING_BOARD_OPS_PER_SECOND = 1
    settings.STORMING_BOARD_OPS_BURST = 10
    people = [Client(boards[1], f"P{i}") for i in range(3)]
    for person in people:
        await person.join()
    for i in range(8):
        for person in people:
            await person.op("note.create", sticky(f"Flood {i}"))
    codes = []
    for person in people:
        answers = []
        while len(answers) < 8:
            answers += [f for f in await person.frames() if f["type"] in ("ack", "reject")]
        codes += [f["error"]["code"] if f["type"] == "reject" else "ack" for f in answers]
    assert codes.count("ack") <= 10 and "rate_limited" in codes
    assert await database_sync_to_async(Note.objects.filter(board=boards[1]).count)() <= 10
    for person in people:
        await person.close()
