"""Capturing faster and working the timeline (issue 14), with mouse and keys in the real page:
align, distribute, sort by time, next event, paste lines, bulk kind, find, minimap, palette."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.screenshots import SCREENSHOTS as SHOTS
from tests.browser.screenshots import shot

pytestmark = pytest.mark.browser


def link(app_server: Any, board: dict[str, Any], a: str, b: str) -> None:
    app_server.op(board, "link.create", {"id": str(uuid.uuid4()), "from": a, "to": b, "label": ""})


def notes_of(app_server: Any, board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in app_server.snapshot(board["id"])["notes"]}


def test_sort_by_time_follows_the_links_and_align_puts_the_events_on_one_row(app_server, open_board):
    board = app_server.create_board("Timeline")
    shipped = app_server.add_note(board, "event", "Order Shipped", 0, 40)
    placed = app_server.add_note(board, "event", "Order Placed", 420, 0)
    paid = app_server.add_note(board, "event", "Payment Received", 200, 90)
    policy = app_server.add_note(board, "policy", "Whenever paid, ship", 200, 400)
    link(app_server, board, placed, paid)
    link(app_server, board, paid, policy)
    link(app_server, board, policy, shipped)
    ana = open_board(board, "Ana")
    for i, note in enumerate((shipped, placed, paid)):
        ana.note(note).click(modifiers=["Shift"] if i else [])
    ana.page.keyboard.press("Shift+S")
    ana.settled()
    notes = notes_of(app_server, board)
    assert notes[placed]["x"] < notes[paid]["x"] < notes[shipped]["x"]
    assert notes[placed]["y"] == notes[paid]["y"] == notes[shipped]["y"]
    assert notes[policy]["x"] == 200 and notes[policy]["y"] == 400  # not selected: untouched

    # Align in a column, then spread them evenly with the panel's buttons.
    ana.page.keyboard.press("Shift+V")
    ana.settled()
    notes = notes_of(app_server, board)
    assert notes[placed]["x"] == notes[paid]["x"] == notes[shipped]["x"]
    ana.page.keyboard.press("i")
    panel = ana.page.locator("#side-panel")
    expect(panel).to_contain_text("3 stickies selected")
    panel.get_by_role("button", name="Align on a row").click()
    ana.settled()
    notes = notes_of(app_server, board)
    assert len({notes[n]["y"] for n in (placed, paid, shipped)}) == 1
    shot(ana.page, "front-timeline-sorted")


def test_distribute_spaces_the_selection_evenly(app_server, open_board):
    board = app_server.create_board("Spread")
    ids = [app_server.add_note(board, "event", f"E{i}", x, 0) for i, x in enumerate((0, 180, 900))]
    ana = open_board(board, "Ana")
    ana.page.keyboard.press("Control+A")
    ana.page.keyboard.press("Shift+D")
    ana.settled()
    xs = sorted(notes_of(app_server, board)[i]["x"] for i in ids)
    assert xs == [0, 450, 900]


def test_the_next_event_key_places_a_new_event_right_of_the_selected_one(app_server, open_board):
    board = app_server.create_board("Next event")
    first = app_server.add_note(board, "event", "Order Placed", 100, 100)
    app_server.add_note(board, "event", "In the way", 300, 100)
    ana = open_board(board, "Ana")
    ana.note(first).click()
    ana.page.keyboard.press("n")
    editor = ana.page.locator(".note-editor")
    expect(editor).to_be_visible()
    ana.page.keyboard.type("Payment Received")
    ana.page.keyboard.press("Enter")
    ana.settled()
    [new] = [n for n in notes_of(app_server, board).values() if n["text"] == "Payment Received"]
    assert new["kind"] == "event"
    assert new["y"] == 100
    assert new["x"] >= 300 + 160  # past the sticky that was in the way
    ana.page.keyboard.press("n")  # the new one is selected: the timeline goes on
    ana.page.keyboard.type("Order Shipped")
    ana.page.keyboard.press("Enter")
    ana.settled()
    [last] = [n for n in notes_of(app_server, board).values() if n["text"] == "Order Shipped"]
    assert last["x"] > new["x"] and last["y"] == 100
    shot(ana.page, "front-next-event")


def test_pasted_lines_become_one_sticky_each_of_the_chosen_kind(app_server, open_board, browser):
    board = app_server.create_board("Paste lines")
    ana = open_board(board, "Ana")
    ana.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_server.url)
    # What a person copied from their notes, elsewhere.
    ana.page.evaluate("navigator.clipboard.writeText('- Place Order\\n- Cancel Order\\n\\n- Pay')")
    ana.page.locator("#viewport").click(position={"x": 600, "y": 600})
    ana.page.keyboard.press("Control+V")
    dialog = ana.page.locator("#paste-kind-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("3 lines")
    shot(ana.page, "front-paste-lines")
    ana.page.keyboard.press("2")
    expect(ana.page.locator('.note[data-kind="command"]')).to_have_count(3)
    ana.settled()
    texts = sorted(n["text"] for n in notes_of(app_server, board).values())
    assert texts == ["Cancel Order", "Pay", "Place Order"]


def test_the_kind_of_several_stickies_changes_at_once(app_server, open_board):
    board = app_server.create_board("Bulk kind")
    ids = [app_server.add_note(board, "event", f"Thing {i}", 200 * i, 0) for i in range(3)]
    ana = open_board(board, "Ana")
    ana.page.keyboard.press("Control+A")
    ana.page.keyboard.press("Shift+Digit2")
    for note in ids:
        expect(ana.note(note)).to_have_attribute("data-kind", "command")
    ana.page.keyboard.press("i")
    ana.page.locator("#panel-bulk-kind").select_option("hotspot")
    for note in ids:
        expect(ana.note(note)).to_have_attribute("data-kind", "hotspot")
    ana.settled()
    assert {n["kind"] for n in notes_of(app_server, board).values()} == {"hotspot"}


def test_find_jumps_to_each_sticky_whose_text_matches(app_server, open_board):
    board = app_server.create_board("Find")
    far = app_server.add_note(board, "event", "Refund Issued", 6000, 4000)
    near = app_server.add_note(board, "event", "Refund Requested", 0, 0)
    app_server.add_note(board, "event", "Order Placed", 300, 0)
    ana = open_board(board, "Ana")
    ana.page.keyboard.press("Control+F")
    box = ana.page.locator("#find-input")
    expect(box).to_be_focused()
    box.type("refund")
    expect(ana.page.locator(".find-count")).to_have_text("1 of 2")
    expect(ana.note(near)).to_have_class(re.compile("selected"))
    box.press("Enter")
    expect(ana.page.locator(".find-count")).to_have_text("2 of 2")
    expect(ana.note(far)).to_have_class(re.compile("selected"))
    ana.page.wait_for_timeout(500)  # the glide
    seen = ana.page.evaluate("window.storming.camera.visibleWorld(0)")
    assert seen["x"] < 6080 < seen["x"] + seen["w"] and seen["y"] < 4055 < seen["y"] + seen["h"]
    shot(ana.page, "front-find")
    box.press("Escape")
    expect(ana.page.locator("#find-box")).to_be_hidden()


def test_the_minimap_shows_the_board_and_a_click_on_it_goes_there(app_server, open_board):
    board = app_server.create_board("Minimap")
    app_server.add_note(board, "event", "Left", 0, 0)
    right = app_server.add_note(board, "event", "Right", 5000, 0)
    ana = open_board(board, "Ana")
    ana.page.keyboard.press("0")  # 100 %: only the left sticky is in view
    minimap = ana.page.locator("#minimap")
    expect(minimap).to_be_visible()
    box = minimap.bounding_box()
    ana.page.mouse.click(box["x"] + box["width"] - 12, box["y"] + box["height"] / 2)
    expect(ana.note(right)).to_be_in_viewport()
    shot(ana.page, "front-minimap")
    ana.page.keyboard.press("m")
    expect(minimap).to_be_hidden()


def test_the_palette_collapses_to_icons_and_stays_so(app_server, open_board):
    board = app_server.create_board("Palette")
    ana = open_board(board, "Ana")
    palette = ana.page.locator("#palette")
    wide = palette.bounding_box()["width"]
    ana.page.locator("#palette-toggle").click()
    expect(palette.locator(".palette-item .label").first).to_be_hidden()
    assert palette.bounding_box()["width"] < wide / 2
    ana.page.locator('.palette-item[data-kind="event"]').click()  # still adds a sticky
    expect(ana.page.locator(".note-editor")).to_be_visible()
    ana.page.keyboard.press("Escape")
    ana.reload()
    expect(palette.locator(".palette-item .label").first).to_be_hidden()
    shot(ana.page, "front-palette-collapsed")
    ana.page.keyboard.press("p")
    expect(palette.locator(".palette-item .label").first).to_be_visible()


def test_the_wrap_up_summary_downloads_as_markdown(app_server, open_board):
    board = app_server.create_board("Checkout", example="checkout")
    ana = open_board(board, "Ana")
    ana.page.locator("#download-button").click()
    with ana.page.expect_download() as download:
        ana.page.locator('[data-download="md"]').click()
    assert download.value.suggested_filename == "checkout.md"
    text = Path(download.value.path()).read_text()
    assert text.startswith("# Checkout\n")
    assert "## Bounded context: Shopping" in text
    assert "## Open questions" in text and "- [ ] " in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "front-summary.md").write_text(text)


def test_the_help_lists_every_new_gesture(app_server, open_board):
    board = app_server.create_board("Help")
    ana = open_board(board, "Ana")
    ana.page.locator("#viewport").focus()
    ana.page.keyboard.press("?")
    help_text = ana.page.locator("#help-dialog")
    expect(help_text).to_be_visible()
    for words in (
        "One sticky per line",
        "Change the kind of every selected sticky",
        "Find stickies by text",
        "Next event",
        "Align the selection",
        "Space the selection evenly",
        "Sort the selection left to right by time",
        "Open or close the side panel",
        "minimap",
        "collapse the palette",
        "Scroll a sticky's text",
        "Jump to where they are",
        "Open questions",
    ):
        expect(help_text).to_contain_text(words)
    shot(ana.page, "front-help")


def test_the_facilitator_walks_through_the_open_questions_one_by_one(app_server, open_board):
    board = app_server.create_board("Questions")
    context = app_server.add_frame(board, "bounded_context", "Payment", 2000, 0, 900, 500)
    first = app_server.add_note(board, "hotspot", "Who refunds a cancelled order?", 0, 0)
    second = app_server.add_note(board, "hotspot", "What if the card expires?", 2200, 200)
    app_server.add_note(board, "event", "Order Placed", 300, 0)
    fran = open_board(board, "Fran")
    expect(fran.page.locator(".questions-count")).to_have_text("2")
    fran.page.keyboard.press("q")
    panel = fran.page.locator("#questions-panel")
    expect(panel.locator(".question-text")).to_have_text(
        ["Who refunds a cancelled order?", "What if the card expires?"]
    )
    expect(panel.locator(".question-where").nth(1)).to_have_text("Payment")
    next_question = panel.get_by_role("button", name="Next question")
    next_question.click()
    expect(fran.note(first)).to_have_class(re.compile("selected"))
    next_question.click()
    expect(fran.note(second)).to_have_class(re.compile("selected"))
    expect(fran.note(second)).to_be_in_viewport()
    shot(fran.page, "front-open-questions")
    assert context


def test_escape_leaves_dot_voting_and_time_travel(app_server, open_board):
    board = app_server.create_board("Escape")
    app_server.add_note(board, "event", "Alpha", 100, 100)
    app_server.add_note(board, "event", "Beta", 350, 100)
    ana = open_board(board, "Ana")
    ana.page.locator(".dots-mode").click()
    expect(ana.page.locator("body")).to_have_class(re.compile("voting"))
    ana.page.locator("#viewport").focus()
    ana.page.keyboard.press("Escape")
    expect(ana.page.locator("body")).not_to_have_class(re.compile("voting"))

    ana.page.locator("#history-button").click()
    ana.page.locator("#history-slider").fill("1")
    banner = ana.page.locator(".time-travel-banner")
    expect(banner).to_be_visible()
    ana.page.locator("#viewport").focus()
    ana.page.keyboard.press("Escape")
    expect(banner).to_be_hidden()


def test_the_wrap_up_pdf_has_the_board_and_a_page_for_each_bounded_context(app_server, open_board):
    board = app_server.create_board("Checkout", example="checkout")
    contexts = [f for f in app_server.snapshot(board["id"])["frames"] if f["kind"] == "bounded_context"]
    ana = open_board(board, "Ana")
    ana.page.locator("#download-button").click()
    with ana.page.expect_download(timeout=60000) as download:
        ana.page.locator('[data-download="pdf"]').click()
    assert download.value.suggested_filename == "checkout.pdf"
    pdf = Path(download.value.path()).read_bytes()
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "front-wrap-up.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.count(b"/Type /Page ") == 1 + len(contexts)
    assert pdf.count(b"/Filter /DCTDecode") == 1 + len(contexts)
    for c in contexts:
        assert f"Checkout: {c['name']}".encode() in pdf
    # Every object is where the cross-reference table says.
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split()[0])
    rows = pdf[xref:].split(b"\n")[3:]
    for n, row in enumerate(rows[: 3 + 3 * (1 + len(contexts))], start=1):
        offset = int(row[:10])
        assert pdf[offset:].startswith(f"{n} 0 obj".encode()), n
