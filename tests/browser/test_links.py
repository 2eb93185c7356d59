"""What a board link lets its holder do in the page: edit, only watch, or nothing."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.screenshots import shot

pytestmark = pytest.mark.browser


def test_a_view_only_link_watches_live_but_cannot_change_anything(app_server, open_board):
    board = app_server.create_board("Watched")
    ana = open_board(board, "Ana")
    viewer = open_board({**board, "url": board["view_url"]}, "Vic")

    expect(viewer.page.locator(".palette-item[data-kind='event']")).to_be_hidden()
    note_id = ana.add_note("event", "Order Placed")
    expect(viewer.note(note_id).locator(".note-text")).to_have_text("Order Placed")

    viewer.page.locator("#viewport").click(position={"x": 900, "y": 600})
    viewer.page.keyboard.press("1")
    expect(viewer.page.locator(".toast")).to_contain_text("view-only")
    viewer.note(note_id).click()
    viewer.page.keyboard.press("Delete")
    expect(ana.note(note_id)).to_have_count(1)
    assert len(app_server.snapshot(board["id"])["notes"]) == 1


def test_a_wrong_key_says_so_instead_of_showing_an_empty_board(app_server, browser):
    board = app_server.create_board("Locked out")
    context = browser.new_context()
    context.add_init_script("localStorage.setItem('storming:name', 'Eve')")
    page = context.new_page()
    page.goto(board["url"].split("#")[0] + "#key=not-the-key")
    expect(page.locator("#denied")).to_be_visible()
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "offline")
    context.close()


def test_an_address_without_its_key_explains_itself_and_shows_no_board_data(app_server, browser):
    board = app_server.create_board("Secret roadmap")
    app_server.add_note(board, "event", "Acquisition Announced", 0, 0)
    context = browser.new_context()
    context.add_init_script("localStorage.setItem('storming:name', 'Eve')")
    page = context.new_page()
    page.goto(board["url"].split("#")[0])  # as copied from an address bar: no key
    expect(page.locator("#denied")).to_be_visible()
    expect(page.locator("#denied h2")).to_have_text("This link has no key")
    expect(page.locator("#denied")).to_contain_text("Ask the facilitator for the board's link.")
    said = page.locator("#denied").inner_text()
    assert said.lower().count("facilitator") == 1, f"the advice is given more than once: {said!r}"
    shot(page, "links-no-key")
    html = page.content()
    assert "Acquisition Announced" not in html and "Secret roadmap" not in html
    assert page.locator(".note").count() == 0
    context.close()


def test_a_page_older_than_the_server_is_told_to_reload(app_server, browser):
    board = app_server.create_board("Updated")
    context = browser.new_context()
    context.add_init_script("localStorage.setItem('storming:name', 'Ana')")
    page = context.new_page()

    def as_an_old_page(socket):
        # A tab left open since before the server's protocol changed: its hello says version 1.
        server = socket.connect_to_server()

        def send(message):
            frame = json.loads(message)
            if frame.get("type") == "hello":
                frame["protocol"] = 1
            server.send(json.dumps(frame))

        socket.on_message(send)

    page.route_web_socket(f"**/ws/boards/{board['id']}/", as_an_old_page)
    page.goto(board["url"])
    expect(page.locator("#denied")).to_be_visible()
    expect(page.locator("#denied")).to_contain_text("Storming was updated: reload")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "offline")
    context.close()


def test_the_link_key_leaves_the_address_bar_and_the_share_dialog_offers_both_links(app_server, open_board):
    board = app_server.create_board("Shared")
    ana = open_board({**board, "url": board["facilitator_url"]}, "Ana")
    assert "#key=" not in ana.page.url

    ana.page.locator("#share-button").click()
    expect(ana.page.locator("#share-edit-url")).to_have_value(board["url"])
    expect(ana.page.locator("#share-view-url")).to_have_value(board["view_url"])

    ana.reload()  # the key is remembered for this board
    expect(ana.page.locator("#presence .me")).to_contain_text("Ana")
