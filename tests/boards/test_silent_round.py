"""Silent brainstorming and anonymous dots: nobody reads what is not theirs before the reveal.

The rules (who may change a face-down sticky, what a reveal carries, undo) through the store, and
the redaction on every way out: the socket's snapshot, its catch-up and its live events, and the
HTTP snapshot, history, picture and backup.
"""

import json

import pytest
from channels.db import database_sync_to_async

from boards import protocol, redaction, store
from boards.models import Board

from .helpers import bearer, new_id
from .test_consumer import Client
from .test_history import act, undo

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Payment Secretly Refunded"


def facilitate(board, op, data=None):
    return act(board, op, data or {}, author="fac", role="facilitator")


def write(board, text=SECRET, author="ana", kind="event"):
    data = {"id": new_id(), "kind": kind, "text": text, "x": 10, "y": 20}
    result = act(board, "note.create", data, author=author)
    assert result.ok, result.error
    return data["id"]


@pytest.fixture
def board():
    return Board.objects.create(name="Checkout")


# --- the rules ---------------------------------------------------------------------------------


def test_only_the_facilitator_starts_and_reveals_a_silent_round(board):
    assert act(board, "silent.start", {}).error["code"] == "forbidden"
    assert facilitate(board, "silent.start").ok
    assert act(board, "silent.reveal", {}).error["code"] == "forbidden"
    assert store.snapshot(board.id)["silent"] is True


def test_a_participants_new_sticky_is_face_down_in_the_http_snapshot(board):
    before = write(board, "Cart Created")
    facilitate(board, "silent.start")
    hidden = write(board)
    notes = {n["id"]: n for n in store.snapshot(board.id)["notes"]}
    assert notes[before]["text"] == "Cart Created" and "hidden" not in notes[before]
    assert notes[hidden] == {
        "id": hidden,
        "kind": "event",
        "x": 10.0,
        "y": 20.0,
        "w": 160.0,
        "h": 100.0,
        "aggregate": None,
        "context": None,
        "text": "",
        "fields": [],
        "hidden": True,
        "face_down": True,
    }


def test_nobody_comments_on_a_face_down_sticky_until_the_reveal(board):
    # Comments reach everyone whole: one on a face-down sticky would give its idea away.
    facilitate(board, "silent.start")
    hidden = write(board)
    comment = {"id": new_id(), "note": hidden, "text": "About the refunds..."}
    assert act(board, "comment.create", comment, author="ana").error["code"] == "face_down"
    assert act(board, "comment.create", comment, author="bo").error["code"] == "face_down"
    facilitate(board, "silent.reveal")
    assert act(board, "comment.create", comment, author="bo").ok


def test_the_facilitators_own_stickies_stay_face_up(board):
    facilitate(board, "silent.start")
    prompt = {"id": new_id(), "kind": "hotspot", "text": "What happens after payment?", "x": 0, "y": 0}
    assert facilitate(board, "note.create", prompt).ok
    [note] = store.snapshot(board.id)["notes"]
    assert note["text"] == "What happens after payment?" and "face_down" not in note


def test_others_may_move_a_face_down_sticky_but_not_write_on_it_or_delete_it(board):
    facilitate(board, "silent.start")
    hidden = write(board)
    assert act(board, "note.update", {"id": hidden, "x": 300}, author="bo").ok
    refused = act(board, "note.update", {"id": hidden, "text": "Overwritten"}, author="bo")
    assert refused.error["code"] == "face_down" and "only its author" in refused.error["message"]
    assert act(board, "note.delete", {"id": hidden}, author="bo").error["code"] == "face_down"
    assert facilitate(board, "note.delete", {"id": hidden}).error["code"] == "face_down"
    assert act(board, "vote.cast", {"id": hidden}, author="bo").error["code"] == "face_down"
    assert act(board, "note.update", {"id": hidden, "text": "Payment Refunded"}).ok


def test_reveal_turns_every_sticky_over_at_once_and_ends_the_round(board):
    facilitate(board, "silent.start")
    ana, bo = write(board, "Ana's idea"), write(board, "Bo's idea", author="bo")
    revealed = facilitate(board, "silent.reveal")
    [event] = revealed.events
    assert event["event"] == "silent.revealed"
    assert {n["id"]: n["text"] for n in event["data"]["notes"]} == {ana: "Ana's idea", bo: "Bo's idea"}
    snapshot = store.snapshot(board.id)
    assert snapshot["silent"] is False
    assert {n["text"] for n in snapshot["notes"]} == {"Ana's idea", "Bo's idea"}
    assert not any("hidden" in n for n in snapshot["notes"])
    # After the round, new stickies are face up again.
    write(board, "Later idea", author="bo")
    assert "Later idea" in {n["text"] for n in store.snapshot(board.id)["notes"]}


def test_a_reveal_cannot_be_undone_and_says_why(board):
    facilitate(board, "silent.start")
    write(board)
    revealed = facilitate(board, "silent.reveal")
    refused = undo(board, revealed, author="fac")
    assert refused.error["code"] == "irreversible"
    assert "cannot be undone" in refused.error["message"] and "new silent round" in refused.error["message"]


def test_the_author_can_undo_and_redo_a_face_down_sticky(board):
    facilitate(board, "silent.start")
    created = act(board, "note.create", {"id": new_id(), "kind": "event", "text": SECRET, "x": 0, "y": 0})
    undone = undo(board, created)
    assert undone.ok and store.snapshot(board.id)["notes"] == []
    assert undo(board, undone).ok
    [note] = store.snapshot(board.id)["notes"]
    assert note["face_down"] is True and note["text"] == ""


def test_an_earlier_version_cannot_be_restored_during_a_round(board):
    write(board, "Cart Created")
    facilitate(board, "silent.start")
    refused = facilitate(board, "board.restore", {"seq": 0})
    assert refused.error["code"] == "silent" and "Reveal the silent round first" in refused.error["message"]


def test_restoring_a_version_of_the_round_leaves_out_stickies_nobody_else_ever_saw(board):
    facilitate(board, "silent.start")
    kept, dropped = write(board, "Kept Idea"), write(board, "Withdrawn Idea")
    cart = write(board, "Cart Emptied", author="bo")
    link = {"id": new_id(), "from": dropped, "to": cart, "label": ""}
    assert act(board, "link.create", link).ok
    seq = Board.objects.get(pk=board.id).seq
    assert act(board, "note.delete", {"id": dropped}).ok
    facilitate(board, "silent.reveal")
    act(board, "note.delete", {"id": kept})
    assert facilitate(board, "board.restore", {"seq": seq}).ok
    texts = {n["text"] for n in store.snapshot(board.id)["notes"]}
    assert texts == {"Kept Idea", "Cart Emptied"}


def test_who_wrote_what_survives_a_reload_from_the_database(board):
    facilitate(board, "silent.start")
    hidden = write(board)
    state = store.load_state(Board.objects.get(pk=board.id))
    assert state.hidden == {hidden: "ana"} and state.meta["silent"] is True


def test_the_board_as_it_was_during_the_round_stays_face_down(board):
    facilitate(board, "silent.start")
    write(board)
    seq = Board.objects.get(pk=board.id).seq
    facilitate(board, "silent.reveal")
    past = store.snapshot(board.id, at=seq)
    assert past["notes"][0]["face_down"] is True and SECRET not in json.dumps(past)


def test_http_reads_do_not_leak_a_face_down_sticky(board, client):
    facilitate(board, "silent.start")
    write(board, "Refund Approved Quietly")
    headers = bearer(board.facilitator_key)
    for url in ("", "history/", "board.svg", "export.json", "export/", "checks/"):
        response = client.get(f"/api/boards/{board.id}/{url}", **headers)
        assert response.status_code == 200, (url, response.content[:200])
        assert b"Refund Approved Quietly" not in response.content, url
    facilitate(board, "silent.reveal")
    assert b"Refund Approved Quietly" in client.get(f"/api/boards/{board.id}/", **headers).content


# --- anonymous dots ------------------------------------------------------------------------------


def test_anonymous_dots_show_nobody_elses_until_revealed(board):
    hotspot = write(board, "Who pays?", kind="hotspot")
    assert facilitate(board, "board.configure", {"anonymous_votes": True}).ok
    assert act(board, "vote.cast", {"id": hotspot}).ok
    assert act(board, "vote.cast", {"id": hotspot}, author="bo").ok
    assert store.snapshot(board.id)["votes"] == {}
    revealed = facilitate(board, "votes.reveal")
    [event] = revealed.events
    assert event["event"] == "votes.revealed" and event["data"]["votes"] == {hotspot: {"ana": 1, "bo": 1}}
    snapshot = store.snapshot(board.id)
    assert snapshot["votes"] == {hotspot: {"ana": 1, "bo": 1}} and snapshot["anonymous_votes"] is False
    assert undo(board, revealed, author="fac").error["code"] == "irreversible"


def test_turning_anonymous_votes_off_is_a_reveal(board):
    hotspot = write(board, "Who pays?", kind="hotspot")
    facilitate(board, "board.configure", {"anonymous_votes": True})
    act(board, "vote.cast", {"id": hotspot}, author="bo")
    result = facilitate(board, "board.configure", {"anonymous_votes": False})
    assert [e["event"] for e in result.events] == ["votes.revealed"]


# --- the socket ----------------------------------------------------------------------------------


def participant(welcome):
    return welcome["you"]["participant"]


async def settle(*clients, count=1):
    return [await c.events(count) for c in clients]


async def test_live_events_carry_the_text_to_its_author_only(board):
    ana, bo, fac = Client(board, "Ana"), Client(board, "Bo"), Client(board, "Fac", key=board.facilitator_key)
    for client in (ana, bo, fac):
        await client.join()
        await client.expect("snapshot")
    await fac.op("silent.start", {})
    await settle(ana, bo, fac)
    note = {"id": new_id(), "kind": "event", "text": SECRET, "x": 5, "y": 6}
    await ana.op("note.create", note)
    [[mine], [theirs], [facilitators]] = await settle(ana, bo, fac)
    assert mine["data"]["text"] == SECRET and mine["data"]["hidden"] is True and "hidden_by" not in mine["data"]
    for other in (theirs, facilitators):
        assert other["seq"] == mine["seq"]
        assert other["data"]["face_down"] is True and other["data"]["text"] == ""
        assert SECRET not in json.dumps(other) and (other["data"]["x"], other["data"]["y"]) == (5, 6)
    await ana.op("note.update", {"id": note["id"], "text": "Payment Quietly Refunded", "fields": []})
    [[mine], [theirs], _] = await settle(ana, bo, fac)
    assert mine["data"]["text"] == "Payment Quietly Refunded"
    assert "text" not in theirs["data"] and theirs["seq"] == mine["seq"]
    await fac.op("silent.reveal", {})
    for client in (ana, bo, fac):
        [revealed] = await client.events(1)
        assert revealed["event"] == "silent.revealed"
        assert revealed["data"]["notes"][0]["text"] == "Payment Quietly Refunded"
    for client in (ana, bo, fac):
        await client.close()


async def test_a_batch_mixing_two_writers_is_cut_per_reader(board):
    fac = Client(board, "Fac", key=board.facilitator_key)
    await fac.join()
    await fac.expect("snapshot")
    await fac.op("silent.start", {})
    await fac.events(1)
    ana, bo = Client(board, "Ana"), Client(board, "Bo")
    ana_id, bo_id = participant(await ana.join()), participant(await bo.join())
    await ana.expect("snapshot")
    await bo.expect("snapshot")
    from boards.live.room import room_for
    from boards.store import OpRequest

    ops = [
        OpRequest(
            "note.create",
            {"id": new_id(), "kind": "event", "text": "Ana writes", "x": 0, "y": 0},
            "a",
            "Ana",
            "editor",
            ana_id,
        ),
        OpRequest(
            "note.create",
            {"id": new_id(), "kind": "event", "text": "Bo writes", "x": 0, "y": 0},
            "b",
            "Bo",
            "editor",
            bo_id,
        ),
    ]
    await room_for(str(board.id)).apply(ops, budgeted=False)
    seen = {name: await client.events(2) for name, client in (("ana", ana), ("bo", bo), ("fac", fac))}
    texts = {name: [e["data"]["text"] for e in events] for name, events in seen.items()}
    assert texts == {"ana": ["Ana writes", ""], "bo": ["", "Bo writes"], "fac": ["", ""]}
    assert {tuple(e["seq"] for e in events) for events in seen.values()} == {(2, 3)}
    for client in (ana, bo, fac):
        await client.close()


async def test_snapshot_and_catch_up_are_face_down_for_others_and_whole_for_the_author(board):
    await database_sync_to_async(facilitate)(board, "silent.start")
    ana = Client(board, "Ana")
    welcome = await ana.join()
    await ana.expect("snapshot")
    await ana.op("note.create", {"id": new_id(), "kind": "event", "text": SECRET, "x": 0, "y": 0})
    await ana.events(1)
    await ana.close()

    bo = Client(board, "Bo")
    await bo.join()
    snapshot = await bo.expect("snapshot")
    assert snapshot["board"]["notes"][0]["face_down"] is True and SECRET not in json.dumps(snapshot)
    assert "hidden_notes" not in snapshot["board"]
    await bo.close()

    late = Client(board, "Bo")
    await late.join(since=1)
    caught = await late.events(1)
    assert caught[0]["data"]["face_down"] is True and SECRET not in json.dumps(caught)
    await late.close()

    again = Client(board, "Ana")
    await again.join(token=welcome["token"])
    mine = (await again.expect("snapshot"))["board"]["notes"][0]
    assert mine["text"] == SECRET and mine["hidden"] is True and "face_down" not in mine
    await again.close()
    back = Client(board, "Ana")
    await back.join(since=1, token=welcome["token"])
    [event] = await back.events(1)
    assert event["data"]["text"] == SECRET
    await back.close()


async def test_anonymous_dots_reach_only_their_voter_live(board):
    hotspot = await database_sync_to_async(write)(board, "Who pays?", kind="hotspot")
    await database_sync_to_async(facilitate)(board, "board.configure", {"anonymous_votes": True})
    ana, bo = Client(board, "Ana"), Client(board, "Bo")
    ana_id = participant(await ana.join())
    await bo.join()
    await ana.expect("snapshot")
    await bo.expect("snapshot")
    await ana.op("vote.cast", {"id": hotspot})
    [[mine], [theirs]] = await settle(ana, bo)
    assert mine["data"] == {"id": hotspot, "voter": ana_id, "anonymous": True}
    assert theirs["data"] == {"hidden": True} and theirs["seq"] == mine["seq"]
    late = Client(board, "Cy")
    await late.join()
    assert (await late.expect("snapshot"))["board"]["votes"] == {}
    for client in (ana, bo, late):
        await client.close()


def test_a_relayed_frame_is_encoded_once_whole_and_once_face_down():
    secret = {"type": "event", "seq": 7, "event": "note.created", "op_id": "a", "actor": "Ana"}
    secret["data"] = {"id": "n1", "kind": "event", "text": SECRET, "x": 1.0, "y": 2.0, "w": 160.0, "h": 100.0}
    secret["data"]["hidden_by"] = "ana"
    plain = {"type": "event", "seq": 8, "event": "board.renamed", "data": {"name": "Checkout"}, "op_id": "b"}
    text = protocol.events_text([secret, plain])
    run = redaction.EventRun.from_text(text)
    ana, bo, fac = run.text_for("ana"), run.text_for("bo"), run.text_for("fac")
    assert SECRET in ana and "hidden_by" not in ana
    assert SECRET not in bo and bo is fac  # one face-down encoding serves every other reader
    assert [e["seq"] for e in json.loads(bo)["events"]] == [7, 8]
    quiet = protocol.events_text([plain])
    assert redaction.EventRun.from_text(quiet) is None  # the usual frame goes out untouched
