"""Pictures and backups from the page, the home page's import, and hostile sticky text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAYLOADS = ["<img src=x onerror=window.__xss=1>", "<script>window.__xss=1</script>"]


def download(page: Any, item: str) -> Path:
    page.locator("#download-button").click()
    with page.expect_download() as info:
        page.locator(f'.menu-item[data-download="{item}"]').click()
    return Path(info.value.path())


def test_sticky_text_that_looks_like_html_stays_text_on_the_board_in_the_feed_and_in_the_svg(app_server, open_board):
    board = app_server.create_board("Hostile text")
    ana = open_board(board, "Ana")
    bo = open_board(board, "Bo")
    bo.page.locator("#history-button").click()
    ids = [ana.add_note("event", payload) for payload in PAYLOADS]
    ana.settled()

    for note_id, payload in zip(ids, PAYLOADS, strict=True):
        expect(bo.note(note_id).locator(".note-text")).to_have_text(payload)
        expect(bo.note(note_id).locator("img, script")).to_have_count(0)
        expect(bo.page.locator(".activity-list")).to_contain_text(f"Ana added event '{payload}'")
    expect(bo.page.locator(".activity-list img, .activity-list script")).to_have_count(0)

    svg = download(bo.page, "svg").read_text()
    for payload in PAYLOADS:
        assert payload not in svg
        assert payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in svg
    for person in (ana, bo):
        assert person.page.evaluate("window.__xss") is None


def test_the_board_downloads_as_svg_and_png_and_the_selection_alone(app_server, open_board):
    board = app_server.create_board("Pictures")
    placed = app_server.add_note(board, "event", "Order Placed", 100, 100)
    app_server.add_note(board, "command", "Place Order", 400, 100)
    ana = open_board(board, "Ana")

    svg = download(ana.page, "svg")
    text = svg.read_text()
    assert text.lstrip().startswith("<")
    assert "Order Placed" in text and "Place Order" in text

    png = download(ana.page, "png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    ana.note(placed).click()
    ana.page.locator("#download-button").click()
    expect(ana.page.locator('.menu-item[data-download="svg"]')).to_contain_text("Selection as SVG")
    ana.page.keyboard.press("Escape")
    selection = download(ana.page, "svg").read_text()
    assert "Order Placed" in selection and "Place Order" not in selection


def test_a_downloaded_backup_imported_on_the_home_page_makes_the_same_board(app_server, open_board, browser, tmp_path):
    board = app_server.create_board("Backup me")
    app_server.add_frame(board, "bounded_context", "Ordering", 0, 0, 900, 500)
    app_server.add_note(board, "event", "Order Placed", 100, 100)
    app_server.add_note(board, "command", "Place Order", 400, 100)
    ana = open_board(board, "Ana")
    backup = download(ana.page, "json")
    document = json.loads(backup.read_text())
    assert document["board"]["name"] == "Backup me"

    context = browser.new_context()
    context.add_init_script("localStorage.setItem('storming:name', 'Ana')")
    page = context.new_page()
    try:
        page.goto(app_server.url + "/")
        page.locator("#import-file").set_input_files(str(backup))
        page.wait_for_url("**/b/**")
        page.wait_for_selector("body[data-loaded]")
        new_id = page.url.split("/b/")[1].split("/")[0]
        assert new_id != board["id"]
        expect(page.locator(".note")).to_have_count(2)
        expect(page.locator(".frame .frame-name")).to_have_text("Ordering")
        key = page.evaluate(f"localStorage.getItem('storming:key:{new_id}')")
        snapshot = app_server.snapshot(new_id, key)
        assert sorted(n["text"] for n in snapshot["notes"]) == ["Order Placed", "Place Order"]
        assert all(n["context"] for n in snapshot["notes"])
        # The importer is the new board's facilitator.
        expect(page.locator("body")).to_have_attribute("data-role", "facilitator")
    finally:
        context.close()


def test_a_file_that_is_not_a_board_is_refused_with_a_message(app_server, browser):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(app_server.url + "/")
        page.locator("#import-file").set_input_files(
            {"name": "notes.json", "mimeType": "application/json", "buffer": b'{"hello": "world"}'}
        )
        error = page.locator("#import-error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("Could not import notes.json")
        assert page.url.rstrip("/") == app_server.url
        page.locator("#import-file").set_input_files(
            {"name": "broken.json", "mimeType": "application/json", "buffer": b"{not json"}
        )
        expect(error).to_contain_text("Could not import broken.json")
    finally:
        context.close()
