"""Undo and redo, time travel, restore and the activity feed, in the real page with two people."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def position(x: float, y: float) -> re.Pattern[str]:
    return re.compile(rf"translate\({x:g}px, {y:g}px\)")


def note_in(snapshot: dict[str, Any], note_id: str) -> dict[str, Any] | None:
    return next((n for n in snapshot["notes"] if n["id"] == note_id), None)


def eventually(check, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_undo_takes_back_only_your_own_change_and_redo_brings_it_back(app_server, open_board):
    board = app_server.create_board("Undo")
    ana = open_board(board, "Ana")
    bo = open_board(board, "Bo")
    bos_note = bo.add_note("command", "Place Order")
    bo.drag_by(bo.note(bos_note), 0, 250)
    bo.settled()
    note_id = ana.add_note("event", "Order Placed")
    ana.settled()
    start = note_in(app_server.snapshot(board["id"]), note_id)

    ana.drag_by(ana.note(note_id), 200, 80)
    ana.settled()
    moved = note_in(app_server.snapshot(board["id"]), note_id)
    assert (moved["x"], moved["y"]) != (start["x"], start["y"])
    expect(bo.note(note_id)).to_have_attribute("style", position(moved["x"], moved["y"]))
    expect(ana.page.locator("#undo-button")).to_be_enabled()
    # Bo changes his own sticky after Ana's move: the newest change on the board is his.
    bo.note(bos_note).dblclick()
    bo.page.keyboard.press("Control+A")
    bo.page.keyboard.type("Place Order Now")
    bo.page.keyboard.press("Enter")
    bo.settled()
    expect(ana.note(bos_note).locator(".note-text")).to_have_text("Place Order Now")

    ana.page.locator("#viewport").focus()
    ana.page.keyboard.press("Control+z")
    expect(bo.note(note_id)).to_have_attribute("style", position(start["x"], start["y"]))
    expect(ana.note(note_id)).to_have_attribute("style", position(start["x"], start["y"]))
    ana.settled()
    # Bo's change is not Ana's to undo: it stays.
    expect(bo.note(bos_note).locator(".note-text")).to_have_text("Place Order Now")
    expect(ana.note(bos_note).locator(".note-text")).to_have_text("Place Order Now")
    expect(ana.page.locator("#redo-button")).to_be_enabled()

    ana.page.keyboard.press("Control+Shift+z")
    expect(bo.note(note_id)).to_have_attribute("style", position(moved["x"], moved["y"]))
    ana.settled()
    final = note_in(app_server.snapshot(board["id"]), note_id)
    assert (final["x"], final["y"]) == (moved["x"], moved["y"])
    assert note_in(app_server.snapshot(board["id"]), bos_note)["text"] == "Place Order Now"


def test_undo_of_a_move_on_a_sticky_someone_deleted_is_refused_and_the_board_stays_intact(app_server, open_board):
    board = app_server.create_board("Undo refused")
    keep = app_server.add_note(board, "event", "Payment Received", 600, 100)
    ana = open_board(board, "Ana")
    bo = open_board(board, "Bo")
    note_id = ana.add_note("event", "Order Placed")
    ana.settled()
    ana.drag_by(ana.note(note_id), 150, 60)
    ana.settled()

    bo.note(note_id).click()
    bo.page.keyboard.press("Delete")
    bo.settled()
    expect(ana.note(note_id)).to_have_count(0)

    ana.page.locator("#viewport").focus()
    ana.page.keyboard.press("Control+z")
    toast = ana.page.locator(".toast-error")
    expect(toast).to_contain_text("no longer on the board")
    ana.settled()
    snapshot = app_server.snapshot(board["id"])
    assert note_in(snapshot, note_id) is None
    assert note_in(snapshot, keep)["text"] == "Payment Received"
    expect(ana.note(note_id)).to_have_count(0)
    expect(bo.note(note_id)).to_have_count(0)
    expect(ana.note(keep)).to_have_count(1)
    # The refused step is gone: the next undo is the sticky's text, not the move again.
    expect(ana.page.locator("#redo-button")).to_be_disabled()


def test_a_multi_select_move_undoes_in_one_step_and_shows_as_one_line(app_server, open_board):
    board = app_server.create_board("Group move")
    ids = [app_server.add_note(board, "event", f"Event {i}", 100 + 200 * i, 100) for i in range(3)]
    ana = open_board(board, "Ana")
    start = {n["id"]: (n["x"], n["y"]) for n in app_server.snapshot(board["id"])["notes"]}

    ana.page.locator("#viewport").focus()
    ana.page.keyboard.press("Control+a")
    ana.drag_by(ana.note(ids[1]), 0, 150)
    ana.settled()
    moved = {n["id"]: (n["x"], n["y"]) for n in app_server.snapshot(board["id"])["notes"]}
    assert all(moved[i] != start[i] for i in ids)

    ana.page.locator("#history-button").click()
    expect(ana.page.locator(".activity-list")).to_contain_text("Ana moved 3 stickies")

    # A second gesture (a nudge of the same selection), then two quick undos: both go.
    ana.page.locator("#viewport").focus()
    ana.page.keyboard.press("ArrowRight")
    ana.settled()
    ana.page.keyboard.press("Control+z")
    ana.page.keyboard.press("Control+z")
    for i in ids:
        expect(ana.note(i)).to_have_attribute("style", position(*start[i]))
    ana.settled()
    assert {n["id"]: (n["x"], n["y"]) for n in app_server.snapshot(board["id"])["notes"]} == start
    expect(ana.page.locator("#undo-button")).to_be_disabled()  # one gesture, one step


def test_the_history_slider_shows_an_earlier_state_read_only_and_back_to_live_returns(app_server, open_board):
    board = app_server.create_board("Time travel")
    for i, text in enumerate(["Alpha", "Beta", "Gamma"]):
        app_server.add_note(board, "event", text, 100 + 220 * i, 100)
    ana = open_board(board, "Ana")
    page = ana.page
    page.locator("#history-button").click()
    slider = page.locator("#history-slider")
    expect(slider).to_have_attribute("max", "3")

    slider.fill("1")
    banner = page.locator(".time-travel-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("seq 1 of 3")
    expect(banner).to_contain_text("read only")
    past = page.locator(".history-world .note")
    expect(past).to_have_count(1)
    expect(past.locator(".note-text")).to_have_text("Alpha")
    expect(page.locator("#notes-layer")).to_be_hidden()

    # The keyboard moves through time too.
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(banner).to_contain_text("seq 2 of 3")
    expect(past).to_have_count(2)

    # Nothing can be changed while the past is on screen.
    page.locator("#viewport").focus()
    page.keyboard.press("1")
    expect(page.locator(".toast")).to_contain_text("earlier version")
    assert len(app_server.snapshot(board["id"])["notes"]) == 3

    page.locator(".banner-live").click()
    expect(banner).to_be_hidden()
    expect(page.locator("#notes-layer .note")).to_have_count(3)
    expect(page.locator(".history-world .note")).to_have_count(0)


def test_restore_brings_an_old_version_back_for_both_people(app_server, open_board):
    board = app_server.create_board("Restore")
    alpha = app_server.add_note(board, "event", "Alpha", 100, 100)
    beta = app_server.add_note(board, "event", "Beta", 350, 100)  # seq 2: the version to restore
    app_server.op(board, "note.update", {"id": alpha, "text": "Alpha changed"})
    app_server.op(board, "note.delete", {"id": beta})
    ana = open_board(board, "Ana")
    bo = open_board(board, "Bo")
    expect(bo.note(beta)).to_have_count(0)

    ana.page.locator("#history-button").click()
    ana.page.locator("#history-slider").fill("2")
    expect(ana.page.locator(".time-travel-banner")).to_contain_text("seq 2 of 4")
    ana.page.locator(".banner-restore").click()
    dialog = ana.page.locator("dialog.history-confirm")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Restore").click()

    for person in (ana, bo):
        expect(person.note(beta).locator(".note-text")).to_have_text("Beta")
        expect(person.note(alpha).locator(".note-text")).to_have_text("Alpha")
    expect(ana.page.locator(".time-travel-banner")).to_be_hidden()
    ana.settled()
    texts = sorted(n["text"] for n in app_server.snapshot(board["id"])["notes"])
    assert texts == ["Alpha", "Beta"]


def test_the_activity_feed_tells_what_happened_in_words(app_server, open_board):
    board = app_server.create_board("Activity")
    # A context around everything, so that new stickies land in it.
    app_server.add_frame(board, "bounded_context", "Ordering", -4000, -4000, 8000, 8000)
    bo = open_board(board, "Bo")
    bo.page.locator("#history-button").click()
    ana = open_board(board, "Ana")
    note_id = ana.add_note("event", "Order Placed")
    ana.settled()

    feed = bo.page.locator(".activity-list")
    expect(feed.locator(".activity-entry").first).to_have_text(
        re.compile(r"Ana added event 'Order Placed' to Ordering\s*just now")
    )
    # Older changes come from the log, described the same way.
    expect(feed).to_contain_text("drew bounded context 'Ordering'")

    ana.note(note_id).dblclick()
    ana.page.keyboard.press("Control+A")
    ana.page.keyboard.type("Order Submitted")
    ana.page.keyboard.press("Enter")
    expect(feed.locator(".activity-entry").first).to_contain_text(
        "Ana renamed event 'Order Placed' to 'Order Submitted'"
    )
    # A line leads to what it is about.
    feed.locator(".activity-entry").first.locator(".activity-main").click()
    expect(bo.note(note_id)).to_have_class(re.compile(r"\bselected\b"))

    ana.note(note_id).click()
    ana.page.keyboard.press("Delete")
    expect(feed.locator(".activity-entry").first).to_contain_text("Ana deleted event 'Order Submitted'")
    feed.locator(".activity-entry").first.locator(".activity-main").click()
    expect(bo.page.locator(".toast")).to_contain_text("no longer on the board")


def test_a_viewer_can_look_back_in_time_but_not_restore_or_undo(app_server, open_board):
    board = app_server.create_board("Watch only")
    app_server.add_note(board, "event", "Alpha", 100, 100)
    app_server.add_note(board, "event", "Beta", 350, 100)
    viewer = open_board({**board, "url": board["view_url"]}, "Vi")
    page = viewer.page
    expect(page.locator("body")).to_have_attribute("data-role", "viewer")
    expect(page.locator("#undo-button")).to_be_hidden()
    page.locator("#history-button").click()
    page.locator("#history-slider").fill("1")
    expect(page.locator(".time-travel-banner")).to_contain_text("seq 1 of 2")
    expect(page.locator(".banner-restore")).to_be_hidden()
    expect(page.locator(".banner-live")).to_be_visible()
