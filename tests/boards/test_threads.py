"""Threads on stickies: comments signed by their author, resolved and reopened, kept through
reloads, undo, restore and backups, bounded, and closed to viewers."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from boards import backup, store
from boards.models import Board, Comment

from .helpers import bearer, new_id
from .test_consumer import Client as Socket
from .test_consumer import sticky as new_sticky
from .test_history import act

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board():
    return Board.objects.create(name="Checkout")


def sticky(board, text="Order Placed", kind="event", x=0):
    data = {"id": new_id(), "kind": kind, "text": text, "x": x, "y": 0}
    assert act(board, "note.create", data).ok
    return data["id"]


def comment(board, note_id, text="Who pays the postage?", author="ana", role="editor"):
    data = {"id": new_id(), "note": note_id, "text": text}
    result = act(board, "comment.create", data, author=author, role=role)
    return data["id"], result


def comments(board):
    return {c["id"]: c for c in store.snapshot(board.id)["comments"]}


def resolved(board):
    return store.snapshot(board.id)["resolved"]


def undo(board, *results, author="ana"):
    return act(board, "undo", {"op_ids": [r.op_id for r in results]}, author=author)


# --- writing ---------------------------------------------------------------------------------


def test_a_comment_is_signed_by_its_author_and_read_back_from_the_database(board):
    note_id = sticky(board)
    comment_id, result = comment(board, note_id, "  Who pays the postage?  ")
    assert result.ok
    [event] = result.events
    assert event["event"] == "comment.created" and event["op"] == "comment.create"
    stored = comments(board)[comment_id]
    assert stored["note"] == note_id
    assert stored["text"] == "Who pays the postage?"
    assert (stored["author"], stored["name"]) == ("ana", "Ana")
    assert stored["at"] > 1_700_000_000 and stored["edited"] is None
    assert Comment.objects.filter(board=board).count() == 1
    # What the database holds is what the room's cached state holds.
    cached = store.CachedState()
    store.cached_snapshot(board.id, cached)
    assert store.load_state(Board.objects.get(pk=board.pk)) == cached.state


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        ({"text": "   "}, "invalid", "needs some text"),
        ({"note": "not-a-uuid"}, "invalid", "not a UUID"),
        ({"note": new_id()}, "not_found", "no longer on the board"),
        ({"colour": "red"}, "invalid", "does not take 'colour'"),
        ({"text": "x" * 2001}, "too_large", "the limit is 2000"),
        ({"text": 42}, "invalid", "must be text"),
    ],
)
def test_a_comment_is_refused_with_a_reason(board, data, code, words):
    note_id = sticky(board)
    result = act(board, "comment.create", {"id": new_id(), "note": note_id, "text": "Why?", **data})
    assert result.error["code"] == code
    assert words in result.error["message"]
    assert comments(board) == {}


def test_the_text_budget_of_stickies_is_the_text_budget_of_comments(board, settings):
    settings.STORMING_MAX_TEXT = 10
    note_id = sticky(board, "Short")
    assert comment(board, note_id, "x" * 10)[1].ok
    assert comment(board, note_id, "x" * 11)[1].error["code"] == "too_large"


def test_a_comment_id_cannot_take_the_id_of_a_sticky(board):
    note_id = sticky(board)
    result = act(board, "comment.create", {"id": note_id, "note": note_id, "text": "Mine"})
    assert result.error["code"] == "conflict"


def test_only_its_author_edits_a_comment(board):
    note_id = sticky(board)
    comment_id, _ = comment(board, note_id, "Who pays?")
    refused = act(board, "comment.update", {"id": comment_id, "text": "Bo pays"}, author="bo")
    assert refused.error["code"] == "forbidden"
    facilitator = act(
        board, "comment.update", {"id": comment_id, "text": "Fran pays"}, author="fran", role="facilitator"
    )
    assert facilitator.error["code"] == "forbidden"
    edited = act(board, "comment.update", {"id": comment_id, "text": "Who pays the postage?"})
    assert edited.ok
    stored = comments(board)[comment_id]
    assert stored["text"] == "Who pays the postage?" and stored["edited"] >= stored["at"]


def test_its_author_or_the_facilitator_deletes_a_comment_nobody_else(board):
    note_id = sticky(board)
    first, _ = comment(board, note_id, "One")
    second, _ = comment(board, note_id, "Two")
    assert act(board, "comment.delete", {"id": first}, author="bo").error["code"] == "forbidden"
    assert act(board, "comment.delete", {"id": first}).ok
    assert act(board, "comment.delete", {"id": second}, author="fran", role="facilitator").ok
    assert comments(board) == {}
    assert act(board, "comment.delete", {"id": second}).error["code"] == "not_found"


def test_a_viewer_reads_threads_but_cannot_write_one(board, client):
    note_id = sticky(board)
    comment_id, _ = comment(board, note_id)
    for op, data in (
        ("comment.create", {"id": new_id(), "note": note_id, "text": "Me too"}),
        ("comment.update", {"id": comment_id, "text": "Changed"}),
        ("comment.delete", {"id": comment_id}),
        ("thread.resolve", {"id": note_id}),
    ):
        assert act(board, op, data, author="vi", role="viewer").error["code"] == "read_only"
    body = {"op_id": new_id(), "op": "comment.create", "data": {"id": new_id(), "note": note_id, "text": "Hi"}}
    response = client.post(
        f"/api/boards/{board.id}/ops/", body, content_type="application/json", **bearer(board.view_key)
    )
    assert response.status_code == 403
    snapshot = client.get(f"/api/boards/{board.id}/", **bearer(board.view_key)).json()
    assert [c["text"] for c in snapshot["comments"]] == ["Who pays the postage?"]


def test_a_locked_board_takes_no_comments_from_participants(board):
    note_id = sticky(board)
    act(board, "board.configure", {"locked": True}, author="fran", role="facilitator")
    assert comment(board, note_id)[1].error["code"] == "locked"
    assert comment(board, note_id, author="fran", role="facilitator")[1].ok


def test_a_client_cannot_put_back_a_comment_in_someone_elses_name(board):
    note_id = sticky(board)
    forged = {"id": new_id(), "note": note_id, "text": "I agree", "author": "bo", "name": "Bo", "at": 1.8e9}
    result = act(board, "comment.restore", forged, role="facilitator")
    assert result.error["code"] == "unknown_op"
    assert act(board, "thread.restore", {"id": note_id, "author": "bo", "name": "Bo", "at": 1.8e9}).error["code"] == (
        "unknown_op"
    )
    assert comments(board) == {}


# --- resolving -------------------------------------------------------------------------------


def test_a_thread_is_resolved_and_reopened_by_anyone_who_edits(board):
    note_id = sticky(board)
    comment(board, note_id)
    done = act(board, "thread.resolve", {"id": note_id}, author="bo")
    assert done.ok and done.events[0]["event"] == "thread.resolved"
    assert resolved(board)[note_id]["name"] == "Bo"
    assert act(board, "thread.resolve", {"id": note_id}).events == []  # already resolved
    reopened = act(board, "thread.reopen", {"id": note_id})
    assert reopened.events[0]["event"] == "thread.reopened"
    assert resolved(board) == {}


def test_a_new_comment_reopens_a_resolved_thread(board):
    note_id = sticky(board)
    comment(board, note_id)
    act(board, "thread.resolve", {"id": note_id})
    _, result = comment(board, note_id, "Not so fast: what about returns?", author="bo")
    assert [e["event"] for e in result.events] == ["comment.created", "thread.reopened"]
    assert resolved(board) == {}


def test_a_sticky_without_comments_resolves_only_when_it_is_a_hotspot(board):
    event_id = sticky(board)
    hotspot_id = sticky(board, "What if payment times out?", kind="hotspot", x=300)
    refused = act(board, "thread.resolve", {"id": event_id})
    assert refused.error["code"] == "invalid" and "no comments" in refused.error["message"]
    assert act(board, "thread.resolve", {"id": hotspot_id}).ok
    assert list(resolved(board)) == [hotspot_id]


# --- deleting the sticky, undo, restore ------------------------------------------------------


def test_a_deleted_sticky_takes_its_thread_and_undo_brings_it_back_as_written(board):
    note_id = sticky(board)
    ana_id, _ = comment(board, note_id, "Who pays?")
    bo_id, _ = comment(board, note_id, "The shop does.", author="bo")
    act(board, "thread.resolve", {"id": note_id}, author="bo")
    before = (comments(board), resolved(board))

    deleted = act(board, "note.delete", {"id": note_id}, author="cy")
    assert [e["event"] for e in deleted.events] == [
        "comment.deleted",
        "comment.deleted",
        "thread.reopened",
        "note.deleted",
    ]
    assert comments(board) == {} and resolved(board) == {}
    assert Comment.objects.count() == 0

    # Cy undoes their delete: Ana's and Bo's comments come back signed by them, still resolved.
    assert undo(board, deleted, author="cy").ok
    assert (comments(board), resolved(board)) == before
    assert comments(board)[bo_id]["name"] == "Bo" and comments(board)[ana_id]["author"] == "ana"


def test_undo_and_redo_of_a_comment_an_edit_and_a_resolution(board):
    note_id = sticky(board)
    comment_id, created = comment(board, note_id, "Who pays?")
    edited = act(board, "comment.update", {"id": comment_id, "text": "Who pays the postage?"})
    done = act(board, "thread.resolve", {"id": note_id})

    assert undo(board, done).ok and resolved(board) == {}
    assert undo(board, edited).ok and comments(board)[comment_id]["text"] == "Who pays?"
    undone = undo(board, created)
    assert undone.ok and comments(board) == {}
    redone = undo(board, undone)
    assert redone.ok and comments(board)[comment_id]["text"] == "Who pays?"


def test_undo_of_an_edit_does_not_overwrite_a_later_one(board):
    note_id = sticky(board)
    comment_id, _ = comment(board, note_id, "Who pays?")
    first = act(board, "comment.update", {"id": comment_id, "text": "Who pays the postage?"})
    act(board, "comment.update", {"id": comment_id, "text": "Who pays the return postage?"})
    refused = undo(board, first)
    assert refused.error["code"] == "conflict"


def test_nobody_undoes_another_persons_comment(board):
    note_id = sticky(board)
    _, created = comment(board, note_id)
    assert undo(board, created, author="bo").error["code"] == "forbidden"


def test_restoring_an_earlier_version_brings_back_its_comments_and_resolutions(board):
    note_id = sticky(board)
    kept_id, _ = comment(board, note_id, "Who pays?")
    act(board, "thread.resolve", {"id": note_id})
    version = Board.objects.get(pk=board.pk).seq
    want = (comments(board), resolved(board))
    act(board, "comment.update", {"id": kept_id, "text": "Changed my mind"})
    comment(board, note_id, "Later", author="bo")
    act(board, "comment.delete", {"id": kept_id})

    restored = act(board, "board.restore", {"seq": version}, author="bo")

    assert restored.ok, restored.error
    assert (comments(board), resolved(board)) == want


# --- limits ----------------------------------------------------------------------------------


def test_a_thread_and_a_board_hold_a_bounded_number_of_comments(board, settings):
    settings.STORMING_MAX_COMMENTS_PER_STICKY = 2
    settings.STORMING_MAX_COMMENTS = 3
    first, second = sticky(board), sticky(board, "Order Shipped", x=300)
    assert comment(board, first, "One")[1].ok and comment(board, first, "Two")[1].ok
    full = comment(board, first, "Three")[1]
    assert full.error["code"] == "too_large" and "2 comments" in full.error["message"]
    assert comment(board, second, "Three")[1].ok
    board_full = comment(board, second, "Four")[1]
    assert board_full.error["code"] == "too_large" and "3 comments" in board_full.error["message"]


def test_comments_count_towards_the_board_budget(board, settings):
    note_id = sticky(board)
    settings.STORMING_MAX_BOARD_BYTES = 1500
    results = [comment(board, note_id, "x" * 200)[1] for _ in range(8)]
    assert results[0].ok
    assert results[-1].error["code"] == "too_large" and "This board is full" in results[-1].error["message"]
    state = store.load_state(Board.objects.get(pk=board.pk))
    message = json.dumps(state.snapshot(str(board.id)), separators=(",", ":"))
    assert len(message) <= 1500 + state.size() * 120 + 4096


# --- backups ---------------------------------------------------------------------------------


def test_a_backup_keeps_threads_who_wrote_them_and_which_are_resolved(client):
    board = Board.objects.create(name="Checkout")
    note_id = sticky(board)
    hotspot_id = sticky(board, "What if payment times out?", kind="hotspot", x=300)
    comment(board, note_id, "Who pays?")
    comment(board, note_id, "The shop.", author="bo")
    comment(board, hotspot_id, "Retry twice.", author="cy")
    act(board, "thread.resolve", {"id": note_id}, author="bo")
    document = json.loads(client.get(f"/api/boards/{board.id}/export.json", **bearer(board.view_key)).content)

    restored = backup.restore(backup.read_document(json.dumps(document)))

    copy = store.snapshot(restored.id)
    texts = {n["id"]: n["text"] for n in copy["notes"]}
    threads = sorted((texts[c["note"]], c["text"], c["name"], c["author"]) for c in copy["comments"])
    assert threads == [
        ("Order Placed", "The shop.", "Bo", "bo"),
        ("Order Placed", "Who pays?", "Ana", "ana"),
        ("What if payment times out?", "Retry twice.", "Cy", "cy"),
    ]
    assert [texts[n] for n in copy["resolved"]] == ["Order Placed"]
    assert [c["at"] for c in copy["comments"]] == [c["at"] for c in document["board"]["comments"]]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda b: b.update(comments={"a": 1}), '"comments" must be a list'),
        (lambda b: b["comments"][0].update(note="elsewhere"), "not a sticky in the file"),
        (lambda b: b["comments"][0].update(text=""), "needs some text"),
        (lambda b: b["comments"][0].update(at="yesterday"), "must be a number"),
        (lambda b: b.update(resolved={"elsewhere": {}}), "not a sticky in the file"),
    ],
)
def test_a_backup_with_a_broken_thread_is_refused_and_creates_nothing(board, change, words):
    note_id = sticky(board)
    comment(board, note_id)
    document = backup.export_document(board.id)
    change(document["board"])
    boards = Board.objects.count()
    with pytest.raises(store.Rejection) as refused:
        backup.restore(backup.read_document(json.dumps(document)))
    assert words in refused.value.message
    assert Board.objects.count() == boards


def test_files_from_before_threads_still_import(client: Client):
    board = Board.objects.create(name="Old")
    sticky(board)
    document = backup.export_document(board.id)
    del document["board"]["comments"], document["board"]["resolved"]
    restored = backup.restore(backup.read_document(json.dumps(document)))
    assert store.snapshot(restored.id)["comments"] == []


# --- over the socket -------------------------------------------------------------------------


async def test_a_comment_reaches_the_others_signed_and_a_reconnecting_socket_catches_up():
    board = await database_sync_to_async(Board.objects.create)(name="Checkout")
    ana, bo, vi = Socket(board, "Ana"), Socket(board, "Bo"), Socket(board, "Vi", key=board.view_key)
    for person in (ana, bo, vi):
        await person.join()
        await person.expect("snapshot")
    note = new_sticky()
    await ana.op("note.create", note)
    [created] = await bo.events(1)
    await vi.close()

    await ana.op("comment.create", {"id": new_id(), "note": note["id"], "text": "Who pays?"})
    [seen] = await bo.events(1)
    assert seen["event"] == "comment.created" and seen["actor"] == "Ana"
    assert (seen["data"]["name"], seen["data"]["text"]) == ("Ana", "Who pays?")
    assert seen["data"]["author"]  # the participant id the server issued, not one the page named
    await bo.op("thread.resolve", {"id": note["id"]})
    await bo.events(1)

    # The viewer comes back with the seq it had: it gets what it missed, and still cannot write.
    vi = Socket(board, "Vi", key=board.view_key)
    await vi.join(since=created["seq"])
    missed = await vi.events(2)
    assert [e["event"] for e in missed] == ["comment.created", "thread.resolved"]
    await vi.op("comment.create", {"id": new_id(), "note": note["id"], "text": "Me too"})
    assert (await vi.expect("reject"))["error"]["code"] == "read_only"
    for person in (ana, bo, vi):
        await person.close()
