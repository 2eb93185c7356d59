"""Edits made without a connection wait, then arrive once the connection is back: none lost,
none doubled."""

from __future__ import annotations

from collections import Counter

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def texts_on_server(server, board_id: str) -> Counter:
    return Counter(n["text"] for n in server.snapshot(board_id)["notes"])


def test_edits_made_offline_arrive_once_after_reconnecting(app_server, open_board):
    board = app_server.create_board("Offline")
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    kept = ana.add_note("event", "Kept")
    ana.settled()

    ana.page.context.set_offline(True)
    state = ana.page.locator("#connection-state")
    expect(state).to_have_attribute("data-state", "offline")
    ana.add_note("event", "Written offline")
    ana.add_note("command", "Also offline")
    ana.note(kept).click(position={"x": 8, "y": 8})  # new stickies step aside from it, down and right
    ana.page.keyboard.press("Delete")
    expect(state).to_contain_text("offline, 5 changes waiting")
    expect(ben.page.locator(".note-text", has_text="offline")).to_have_count(0)

    ana.page.context.set_offline(False)
    expect(state).to_have_attribute("data-state", "connected")
    ana.settled()
    expect(ben.page.locator(".note-text", has_text="Written offline")).to_have_count(1)
    expect(ben.page.locator(".note-text", has_text="Also offline")).to_have_count(1)
    expect(ben.note(kept)).to_have_count(0)
    assert texts_on_server(app_server, board["id"]) == {"Written offline": 1, "Also offline": 1}


def test_edits_waiting_in_the_outbox_survive_a_reload(app_server, open_board):
    board = app_server.create_board("Outbox")
    ana = open_board(board, "Ana")
    context = ana.page.context

    context.set_offline(True)
    expect(ana.page.locator("#connection-state")).to_have_attribute("data-state", "offline")
    ana.add_note("hotspot", "Who pays shipping?")
    expect(ana.page.locator("#connection-state")).to_have_attribute("data-waiting", "2")
    ana.page.close()
    assert texts_on_server(app_server, board["id"]) == {}

    context.set_offline(False)
    page = context.new_page()
    page.goto(board["url"])
    expect(page.locator("#connection-state")).to_have_attribute("data-waiting", "0")
    expect(page.locator(".note-text", has_text="Who pays shipping?")).to_have_count(1)
    assert texts_on_server(app_server, board["id"]) == {"Who pays shipping?": 1}


def test_edits_made_while_the_server_is_down_arrive_once_it_is_back(app_server, open_board):
    board = app_server.create_board("Server restart")
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    ana.add_note("event", "Before")
    ana.settled()

    app_server.stop()
    expect(ana.page.locator("#connection-state")).not_to_have_attribute("data-state", "connected")
    ana.add_note("event", "During")
    ana.add_note("read_model", "Order Summary")
    expect(ana.page.locator("#connection-state")).to_contain_text("changes waiting", timeout=20000)

    app_server.start()
    expect(ana.page.locator("#connection-state")).to_have_attribute("data-state", "connected", timeout=30000)
    ana.settled()
    expect(ben.page.locator("#connection-state")).to_have_attribute("data-state", "connected", timeout=30000)
    expect(ben.page.locator(".note-text", has_text="During")).to_have_count(1)
    expect(ben.page.locator(".note-text", has_text="Order Summary")).to_have_count(1)
    expect(ben.page.locator(".note")).to_have_count(3)
    assert texts_on_server(app_server, board["id"]) == {"Before": 1, "During": 1, "Order Summary": 1}
