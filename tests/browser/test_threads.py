"""Hotspots as questions (issue 14), in the real page: threads of comments on stickies, seen live
by the others, resolved off the open-questions list, kept over a reload, and read-only for viewers.

Screenshots go to var/screenshots/threads-*.png for a reviewer to look at."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"threads-{name}.png")


def badge(tab: Any, note_id: str) -> Any:
    return tab.note(note_id).locator(".thread-badge")


def comment_through_the_api(server: Any, board: dict, note_id: str, text: str) -> None:
    server.op(board, "comment.create", {"id": str(uuid.uuid4()), "note": note_id, "text": text})


def test_a_comment_reaches_the_other_person_live_and_resolving_takes_it_off_the_open_questions(app_server, open_board):
    board = app_server.create_board("Threads")
    event = app_server.add_note(board, "event", "Order Placed", 100, 120)
    hotspot = app_server.add_note(board, "hotspot", "Who refunds a cancelled order?", 400, 120)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    expect(ben.page.locator(".questions-count")).to_have_text("1")  # the hotspot

    # Ana selects the event and presses T: the thread opens, ready to type in.
    ana.note(event).click()
    ana.page.keyboard.press("t")
    thread = ana.page.locator("#thread-panel")
    expect(thread).to_be_visible()
    expect(thread.locator(".thread-input")).to_be_focused()
    ana.page.keyboard.type("Who pays the return postage?")
    ana.page.keyboard.press("Enter")
    expect(thread.locator(".thread-comment")).to_have_count(1)
    expect(thread.locator(".comment-author")).to_have_text("Ana")

    # Ben sees the badge appear on the sticky, and one more open question.
    expect(badge(ben, event).locator(".thread-count")).to_have_text("1")
    expect(ben.page.locator(".questions-count")).to_have_text("2")
    shot(ben.page, "badge-seen-live")

    # Ben opens the thread from the badge and answers.
    badge(ben, event).click()
    ben_thread = ben.page.locator("#thread-panel")
    expect(ben_thread.locator(".comment-text")).to_have_text(["Who pays the return postage?"])
    expect(ben_thread.locator(".comment-time")).not_to_have_text("")
    ben_thread.locator(".thread-input").click()
    ben.page.keyboard.type("The shop does, for cancelled orders.")
    ben.page.keyboard.press("Enter")
    expect(thread.locator(".comment-text")).to_have_text(
        ["Who pays the return postage?", "The shop does, for cancelled orders."]
    )
    expect(thread.locator(".comment-author")).to_have_text(["Ana", "Ben"])
    expect(badge(ana, event).locator(".thread-count")).to_have_text("2")

    # The open questions list the hotspot and the thread; Ana resolves the thread.
    ben.page.locator("#viewport").focus()
    ben.page.keyboard.press("q")
    questions = ben.page.locator("#questions-panel .question-text")
    expect(questions).to_have_text(["Order Placed", "Who refunds a cancelled order?"])
    shot(ben.page, "open-questions-with-a-thread")
    thread.get_by_role("button", name="Resolve").click()
    expect(questions).to_have_text(["Who refunds a cancelled order?"])
    expect(ben.page.locator(".questions-count")).to_have_text("1")
    expect(badge(ben, event)).to_have_class(re.compile(r"\bresolved\b"))
    expect(ben_thread.locator(".thread-status")).to_have_text(re.compile(r"^Resolved by Ana"))
    shot(ben.page, "resolved-off-the-list")

    # A reload keeps the thread, its authors and that it is resolved.
    ana.reload()
    expect(badge(ana, event).locator(".thread-count")).to_have_text("2")
    expect(badge(ana, event)).to_have_class(re.compile(r"\bresolved\b"))
    badge(ana, event).click()
    expect(thread.locator(".comment-author")).to_have_text(["Ana", "Ben"])
    expect(thread.locator(".thread-status")).to_have_text(re.compile(r"^Resolved by Ana"))
    # Reopening puts it back on the list.
    thread.get_by_role("button", name="Reopen").click()
    expect(ben.page.locator(".questions-count")).to_have_text("2")
    shot(ana.page, "after-reload")
    snapshot = app_server.snapshot(board["id"])
    assert [c["name"] for c in snapshot["comments"]] == ["Ana", "Ben"]
    assert snapshot["resolved"] == {}
    assert hotspot


def test_the_facilitator_walks_through_hotspots_and_threads_with_next_and_previous(app_server, open_board):
    board = app_server.create_board("Walk-through")
    first = app_server.add_note(board, "hotspot", "What if the card expires?", 100, 100)
    second = app_server.add_note(board, "event", "Payment Taken", 400, 100)
    third = app_server.add_note(board, "hotspot", "Who refunds?", 100, 500)
    comment_through_the_api(app_server, board, second, "Taken when, at order or at shipping?")
    fran = open_board(board, "Fran")
    fran.page.locator("#viewport").focus()
    fran.page.keyboard.press("q")
    panel = fran.page.locator("#questions-panel")
    thread = fran.page.locator("#thread-panel")
    expect(panel.locator(".question-text")).to_have_text(["What if the card expires?", "Payment Taken", "Who refunds?"])
    fran.page.keyboard.press("]")
    expect(fran.note(first)).to_have_class(re.compile(r"\bselected\b"))
    expect(thread.locator(".thread-sticky-text")).to_have_text("What if the card expires?")
    fran.page.keyboard.press("]")
    expect(thread.locator(".comment-text")).to_have_text(["Taken when, at order or at shipping?"])
    expect(panel.locator(".questions-at")).to_have_text("2 of 3")
    expect(fran.note(second)).to_be_in_viewport()
    shot(fran.page, "walk-through")

    # Settled in the room: resolved, and "Next" goes on to the one after it.
    thread.get_by_role("button", name="Resolve").click()
    expect(panel.locator(".question-text")).to_have_text(["What if the card expires?", "Who refunds?"])
    panel.get_by_role("button", name="Next question").click()
    expect(thread.locator(".thread-sticky-text")).to_have_text("Who refunds?")
    panel.get_by_role("button", name="Previous").click()
    expect(thread.locator(".thread-sticky-text")).to_have_text("What if the card expires?")
    # A hotspot settled without a word is resolved too.
    thread.get_by_role("button", name="Resolve").click()
    expect(panel.locator(".question-text")).to_have_text(["Who refunds?"])
    assert third


def test_a_viewer_reads_threads_but_cannot_write_in_them(app_server, open_board):
    board = app_server.create_board("Watching")
    event = app_server.add_note(board, "event", "Order Placed", 100, 120)
    comment_through_the_api(app_server, board, event, "Who pays the postage?")
    vi = open_board({**board, "url": board["view_url"]}, "Vi")
    expect(vi.page.locator("body")).to_have_attribute("data-role", "viewer")
    expect(badge(vi, event).locator(".thread-count")).to_have_text("1")

    badge(vi, event).click()
    thread = vi.page.locator("#thread-panel")
    expect(thread.locator(".comment-text")).to_have_text(["Who pays the postage?"])
    expect(thread.locator(".thread-read-only")).to_contain_text("comments need the edit link")
    expect(thread.locator(".thread-compose")).to_be_hidden()
    expect(thread.get_by_role("button", name="Resolve")).to_be_hidden()
    expect(thread.locator(".comment-actions")).to_have_count(0)
    shot(vi.page, "viewer-reads")

    # Keys do not write either: T closes and opens the thread, nothing is sent.
    vi.note(event).click()
    vi.page.keyboard.press("t")
    expect(thread).to_be_hidden()
    vi.page.keyboard.press("t")
    expect(thread).to_be_visible()
    expect(thread.locator(".thread-compose")).to_be_hidden()
    assert len(app_server.snapshot(board["id"])["comments"]) == 1


def test_own_comments_are_edited_and_deleted_and_the_feed_names_it(app_server, open_board):
    board = app_server.create_board("Editing")
    event = app_server.add_note(board, "event", "Order Placed", 100, 120)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    ben.page.locator("#history-button").click()
    feed = ben.page.locator(".activity-list")

    ana.note(event).click()
    badge(ana, event).click()  # the "+" badge of the selected sticky starts a thread
    ana.page.keyboard.type("Who pays?")
    ana.page.keyboard.press("Enter")
    expect(feed.locator(".activity-entry").first).to_contain_text("Ana commented on event 'Order Placed': 'Who pays?'")

    thread = ana.page.locator("#thread-panel")
    thread.get_by_role("button", name="Edit your comment").click()
    editor = thread.locator(".thread-comment textarea")
    editor.fill("Who pays the return postage?")
    editor.press("Enter")
    expect(ben.note(event).locator(".thread-badge")).to_have_count(1)
    badge(ben, event).click()
    ben_thread = ben.page.locator("#thread-panel")
    expect(ben_thread.locator(".comment-text")).to_have_text(["Who pays the return postage?"])
    expect(ben_thread.locator(".comment-edited")).to_have_text("(edited)")
    # Ben may not change Ana's words.
    expect(ben_thread.locator(".comment-actions")).to_have_count(0)
    expect(feed.locator(".activity-entry").first).to_contain_text("Ana edited a comment on event 'Order Placed'")

    thread.get_by_role("button", name="Delete your comment").click()
    expect(ben_thread.locator(".thread-comment")).to_have_count(0)
    expect(feed.locator(".activity-entry").first).to_contain_text("Ana deleted a comment on event 'Order Placed'")
    # No count left; Ben, on that sticky, is offered to start a new thread.
    expect(badge(ben, event)).to_have_class(re.compile(r"\bempty\b"))
    ben.page.locator("#viewport").focus()
    ben.page.keyboard.press("Escape")  # closes the thread, and nothing is selected
    expect(ben_thread).to_be_hidden()
    expect(ben.note(event).locator(".thread-badge")).to_have_count(0)
    shot(ben.page, "activity-feed")


def test_a_deleted_sticky_takes_its_thread_and_undo_brings_it_back(app_server, open_board):
    board = app_server.create_board("Undo")
    event = app_server.add_note(board, "event", "Order Placed", 100, 120)
    comment_through_the_api(app_server, board, event, "Who pays?")
    ana = open_board(board, "Ana")
    expect(badge(ana, event).locator(".thread-count")).to_have_text("1")
    ana.note(event).click()
    ana.page.keyboard.press("Delete")
    expect(ana.note(event)).to_have_count(0)
    ana.settled()
    assert app_server.snapshot(board["id"])["comments"] == []
    ana.page.keyboard.press("Control+z")
    expect(badge(ana, event).locator(".thread-count")).to_have_text("1")
    ana.settled()
    assert [c["text"] for c in app_server.snapshot(board["id"])["comments"]] == ["Who pays?"]


def test_the_help_lists_the_thread_gestures(app_server, open_board):
    board = app_server.create_board("Help")
    ana = open_board(board, "Ana")
    ana.page.locator("#viewport").focus()
    ana.page.keyboard.press("?")
    help_text = ana.page.locator("#help-dialog")
    expect(help_text).to_contain_text("Open its thread")
    expect(help_text).to_contain_text("hotspots and unresolved threads")


def test_a_comment_being_written_is_kept_when_the_sticky_goes_or_another_thread_opens(app_server, open_board):
    board = app_server.create_board("Unsent")
    first = app_server.add_note(board, "event", "Order Placed", 100, 120)
    second = app_server.add_note(board, "event", "Order Shipped", 400, 120)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    thread = ana.page.locator("#thread-panel")

    ana.note(first).click()
    ana.page.keyboard.press("t")
    ana.page.keyboard.type("Half a thought about")
    # Another thread in between, then back: the words wait in their own thread.
    ana.note(second).click()
    expect(thread.locator(".thread-sticky-text")).to_have_text("Order Shipped")
    expect(thread.locator(".thread-input")).to_have_value("")
    ana.note(first).click()
    expect(thread.locator(".thread-input")).to_have_value("Half a thought about")

    ben.note(first).click()
    ben.page.keyboard.press("Delete")
    message = ana.page.locator(".toast", has_text="Your comment, not sent")
    expect(message).to_contain_text("Half a thought about")
    expect(thread).to_be_hidden()
    shot(ana.page, "unsent-comment-kept")


def test_a_comment_written_offline_shows_as_sending_and_arrives_once_back_online(app_server, open_board):
    board = app_server.create_board("Offline thread")
    event = app_server.add_note(board, "event", "Order Placed", 100, 120)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    ana.page.context.set_offline(True)
    expect(ana.page.locator("#connection-state")).to_have_attribute("data-state", "offline")

    ana.note(event).click()
    ana.page.keyboard.press("t")
    ana.page.keyboard.type("Written on the train")
    ana.page.keyboard.press("Enter")
    thread = ana.page.locator("#thread-panel")
    expect(thread.locator(".comment-time")).to_have_text(["sending…"])
    expect(badge(ana, event).locator(".thread-count")).to_have_text("1")
    expect(ben.note(event).locator(".thread-badge")).to_have_count(0)
    shot(ana.page, "sending-offline")

    ana.page.context.set_offline(False)
    ana.settled()
    expect(badge(ben, event).locator(".thread-count")).to_have_text("1")
    expect(thread.locator(".comment-author")).to_have_text(["Ana"])
    expect(thread.locator(".comment-time")).not_to_have_text(["sending…"])
    assert [c["text"] for c in app_server.snapshot(board["id"])["comments"]] == ["Written on the train"]


def test_the_wrap_up_summary_lists_unresolved_threads_as_open_questions(app_server, open_board):
    board = app_server.create_board("Wrap-up")
    open_one = app_server.add_note(board, "event", "Order Placed", 100, 120)
    settled = app_server.add_note(board, "event", "Order Shipped", 400, 120)
    ana = open_board(board, "Ana")
    for note_id, text in ((open_one, "Who pays the postage?"), (settled, "Shipped by whom?")):
        ana.note(note_id).click()
        ana.page.keyboard.press("t")  # the thread follows the selection; T puts the cursor in its box
        ana.page.keyboard.type(text)
        ana.page.keyboard.press("Enter")
        expect(badge(ana, note_id).locator(".thread-count")).to_have_text("1")
    ana.page.locator("#thread-panel").get_by_role("button", name="Resolve").click()
    expect(badge(ana, settled)).to_have_class(re.compile(r"\bresolved\b"))
    ana.settled()

    ana.page.locator("#download-button").click()
    with ana.page.expect_download() as download:
        ana.page.locator('[data-download="md"]').click()
    text = Path(download.value.path()).read_text()
    assert "## Open questions\n\n- [ ] Event “Order Placed”\n  - Ana: Who pays the postage?\n" in text
    assert "## Resolved questions\n\n- [x] Event “Order Shipped” — resolved by Ana\n  - Ana: Shipped by whom?\n" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "threads-summary.md").write_text(text)
