"""Identities are the server's to issue: nobody votes, undoes or retracts as someone else."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from boards import store
from boards.identity import PALETTE, clean_name, token_for
from boards.models import Board, Participant
from storming.asgi import application

from .helpers import new_id
from .test_consumer import ORIGIN, Client, sticky

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def board():
    board = await database_sync_to_async(Board.objects.create)(name="Checkout")
    return board


async def joined(board, name="Ana", **hello):
    person = Client(board, name)
    welcome = await person.join(**hello)
    await person.expect("snapshot")
    return person, welcome


async def result(person, kind_or_kinds=("ack", "reject")):
    while True:
        for frame in await person.frames():
            if frame["type"] in kind_or_kinds:
                return frame


async def votes(board):
    return (await database_sync_to_async(store.snapshot)(board.id))["votes"]


async def a_hotspot(person):
    data = {**sticky("Who pays?"), "kind": "hotspot"}
    await person.op("note.create", data)
    assert (await result(person))["type"] == "ack"
    return data["id"]


async def test_the_server_issues_an_identity_and_a_reload_resumes_it(board):
    ana, welcome = await joined(board)
    participant, token = welcome["you"]["participant"], welcome["token"]
    assert participant and token
    await ana.close()
    again, welcome = await joined(board, token=token)
    assert welcome["you"]["participant"] == participant
    await again.close()


async def test_a_token_for_another_board_or_a_forged_one_gets_a_fresh_identity(board):
    other = await database_sync_to_async(Board.objects.create)(name="Other")
    ana, welcome = await joined(board)
    stolen = token_for(str(other.id), welcome["you"]["participant"])
    for token in (stolen, welcome["you"]["participant"], "x" * 500, 42):
        eve, eve_welcome = await joined(board, "Eve", token=token)
        assert eve_welcome["you"]["participant"] != welcome["you"]["participant"]
        await eve.close()
    await ana.close()


async def test_naming_someone_elses_id_does_not_retract_their_dots(board):
    ana, welcome = await joined(board)
    hotspot = await a_hotspot(ana)
    await ana.op("vote.cast", {"id": hotspot})
    assert (await result(ana))["type"] == "ack"
    ana_id = welcome["you"]["participant"]
    # Eve claims Ana's id the way the page once named its own.
    eve, eve_welcome = await joined(board, "Eve", participant=ana_id)
    assert eve_welcome["you"]["participant"] != ana_id
    await eve.op("vote.retract", {"id": hotspot})
    assert (await result(eve))["type"] == "reject"
    assert await votes(board) == {hotspot: {ana_id: 1}}
    await ana.close()
    await eve.close()


async def test_nobody_undoes_another_participants_sticky(board):
    ana, welcome = await joined(board)
    created = await ana.op("note.create", sticky("Order Placed"))
    assert (await result(ana))["type"] == "ack"
    eve, _ = await joined(board, "Eve", participant=welcome["you"]["participant"])
    await eve.op("undo", {"op_ids": [created]})
    refused = await result(eve)
    assert (refused["type"], refused["error"]["code"]) == ("reject", "forbidden")
    assert len((await database_sync_to_async(store.snapshot)(board.id))["notes"]) == 1
    await ana.close()
    await eve.close()


async def test_made_up_ids_do_not_lift_the_dot_limit(board):
    """One person, twenty sockets, twenty made-up ids, one token: five dots, not a hundred."""
    ana, welcome = await joined(board)
    hotspot = await a_hotspot(ana)
    accepted = 0
    for i in range(20):
        sock, _ = await joined(board, "Ana", participant=f"made-up-{i}", token=welcome["token"])
        for _ in range(5):
            await sock.op("vote.cast", {"id": hotspot})
            accepted += (await result(sock))["type"] == "ack"
        await sock.close()
    assert accepted == 5
    assert sum(sum(v.values()) for v in (await votes(board)).values()) == 5
    await ana.close()


async def test_new_identities_from_one_address_are_bounded(board, settings):
    """Without a token every socket would be a new voter; one address gets only so many."""
    settings.STORMING_NEW_PARTICIPANTS_PER_ADDRESS = 3
    ana, _ = await joined(board)
    hotspot = await a_hotspot(ana)
    refused = 0
    for i in range(10):
        sock = Client(board, f"Sock {i}")
        connected, _ = await sock.socket.connect()
        assert connected
        await sock.send({"type": "hello", "protocol": 2, "since": 0, "name": f"Sock {i}"})
        first = (await sock.frames())[0]
        if first["type"] == "error":
            assert first["code"] == "too_many_participants"
            await sock.closed_with(4429)
            refused += 1
            continue
        for _ in range(5):
            await sock.op("vote.cast", {"id": hotspot})
            await result(sock)
        await sock.close()
    assert refused == 8  # Ana took one of the three
    assert sum(sum(v.values()) for v in (await votes(board)).values()) == 2 * 5
    await ana.close()


async def test_display_names_are_cleaned_of_controls_and_bidi_and_capped(board):
    bo, welcome = await joined(board, "\u202eevil\u202c\u200b Bo\x07\nthe\tgreat " + "x" * 100)
    name = welcome["you"]["name"]
    assert name.startswith("evil Bo the great x")
    assert len(name) <= 40
    assert not any(ch in name for ch in "\u202e\u202c\u200b\x07\n\t")
    await bo.close()


def test_a_name_of_nothing_but_controls_becomes_guest():
    assert clean_name("\u2066\u2069\x00 ") == "Guest"
    assert clean_name("<b>Ana</b>") == "<b>Ana</b>"  # shown as text by the page, never as markup


async def test_a_page_older_than_the_server_is_told_to_reload(board):
    for hello in ({"type": "hello", "since": 0, "name": "Old page", "participant": new_id()}, {"protocol": 1}):
        old = WebsocketCommunicator(application, f"/ws/boards/{board.id}/?key={board.edit_key}", headers=[ORIGIN])
        await old.connect()
        await old.send_to(text_data=json.dumps({"type": "hello", "since": 0, "name": "Old page", **hello}))
        error = json.loads(await old.receive_from())
        assert error["code"] == "reload" and "reload" in error["message"]
        assert (await old.receive_output())["code"] == 4426


async def test_people_who_join_get_distinct_colours_that_a_reconnect_keeps(board, settings):
    settings.STORMING_NEW_PARTICIPANTS_PER_ADDRESS = 20
    people = [await joined(board, f"Person {i}") for i in range(8)]
    colours = [welcome["you"]["color"] for _, welcome in people]
    assert len(set(colours)) == 8
    assert colours == list(PALETTE[:8])  # in the order they joined
    # Everyone sees the colour the server gave: presence carries it.
    roster = {}
    last = people[-1][0]
    while len(roster) < 8:
        for frame in await last.frames():
            if frame["type"] == "presence":
                roster.update({u["participant"]: u["color"] for u in frame.get("users", [])})
    assert sorted(roster.values()) == sorted(colours)
    third, welcome = people[2]
    await third.close()
    again, rejoined = await joined(board, "Person 2", token=welcome["token"])
    assert rejoined["you"]["color"] == colours[2]
    for person, _ in [*people[:2], *people[3:]]:
        await person.close()
    await again.close()


async def test_an_identity_from_before_colours_were_kept_gets_the_next_free_one(board):
    ana, first = await joined(board)
    await ana.close()
    await database_sync_to_async(Participant.objects.filter(board=board).update)(color_slot=None)
    ben, second = await joined(board, "Ben")
    again, resumed = await joined(board, token=first["token"])
    assert resumed["you"]["color"] != second["you"]["color"]
    await ben.close()
    back, later = await joined(board, token=first["token"])
    assert later["you"]["color"] == resumed["you"]["color"]
    await again.close()
    await back.close()
