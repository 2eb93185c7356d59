"""The facilitator's board (issue 14), in the real page: text that always fits, nothing typed is
lost, pictures that match the board, room on the canvas, viewers, people and wording.

Each test saves what it shows under var/screenshots/ for a reviewer to look at."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.screenshots import shot

pytestmark = pytest.mark.browser

LONG = (
    "Whenever a payment is declined three times in a row the customer gets an e-mail, the order is held "
    "for a day and the shop owner is told which card issuer refused it, so that support can call back. "
) * 3


def errors_of(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def first_line_is_visible(locator: Any) -> bool:
    """Whether the text's first character lies inside the sticky's text box (not scrolled or cut off)."""
    return locator.evaluate(
        """el => {
          const range = document.createRange();
          range.setStart(el.firstChild, 0);
          range.setEnd(el.firstChild, 1);
          const first = range.getBoundingClientRect();
          const box = el.getBoundingClientRect();
          return first.top >= box.top - 0.5 && first.bottom <= box.bottom + 0.5;
        }"""
    )


# --- text that always fits -------------------------------------------------------------------


def test_long_sticky_text_starts_at_its_first_word_in_legible_type_and_scrolls_to_the_rest(app_server, open_board):
    board = app_server.create_board("Long text")
    long_id = app_server.add_note(board, "policy", LONG.strip(), 100, 100)
    medium_id = app_server.add_note(
        board,
        "event",
        "Payment declined by the card issuer after the third retry, so the order waits for the customer",
        320,
        100,
    )
    ana = open_board(board, "Ana")
    ana.page.keyboard.press("0")  # 100 %
    text = ana.note(long_id).locator(".note-text")
    expect(text).to_have_attribute("data-overflow", "true")
    assert first_line_is_visible(text), "the beginning of a long text must be readable"
    size = float(text.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert size >= 10
    # The rest is reachable: the wheel over the sticky scrolls its text, not the board.
    zoom = ana.page.evaluate("window.storming.camera.zoom")
    ana.page.mouse.move(*ana.centre(text))
    ana.page.mouse.wheel(0, 200)
    expect(text).not_to_have_js_property("scrollTop", 0)
    assert ana.page.evaluate("window.storming.camera.zoom") == zoom

    medium = ana.note(medium_id).locator(".note-text")
    assert medium.evaluate("el => el.scrollHeight <= el.clientHeight + 1"), "a medium text fits whole"
    assert float(medium.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) < 15
    shot(ana.page, "front-long-text")


# --- nothing typed is lost -------------------------------------------------------------------


def test_text_typed_in_a_sticky_someone_deletes_is_kept_as_a_draft_that_can_be_put_back(app_server, open_board):
    board = app_server.create_board("Drafts")
    note_id = app_server.add_note(board, "event", "Order Placed", 200, 200)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    problems = errors_of(ana.page)

    ana.note(note_id).locator(".note-text").dblclick()
    ana.page.keyboard.press("Control+A")
    ana.page.keyboard.type("Order Placed by a returning customer")
    ben.note(note_id).click()
    ben.page.keyboard.press("Delete")

    draft = ana.page.locator(".toast.draft")
    expect(draft).to_contain_text("deleted by someone else")
    expect(draft).to_contain_text("Order Placed by a returning customer")
    shot(ana.page, "front-draft-after-remote-delete")
    draft.get_by_role("button", name="Put it back as a new sticky").click()
    expect(ben.page.locator(".note-text", has_text="Order Placed by a returning customer")).to_have_count(1)
    assert problems == []


def test_text_over_the_limit_stays_in_the_editor_with_the_reason_until_it_is_shortened(app_server, open_board):
    board = app_server.create_board("Too long")
    note_id = app_server.add_note(board, "event", "Short", 200, 200)
    ana = open_board(board, "Ana")
    ana.note(note_id).locator(".note-text").dblclick()
    ana.page.keyboard.press("Control+A")
    ana.page.keyboard.insert_text("x" * 2050)
    ana.page.keyboard.press("Enter")

    editor = ana.page.locator(".note-editor")
    expect(editor).to_be_visible()
    expect(ana.page.locator(".editor-reason")).to_contain_text("2,050 characters")
    expect(ana.page.locator(".editor-reason")).to_contain_text("2,000")
    shot(ana.page, "front-text-over-the-limit")
    for _ in range(60):
        ana.page.keyboard.press("Backspace")
    ana.page.keyboard.press("Enter")
    expect(editor).to_have_count(0)
    ana.settled()
    [note] = app_server.snapshot(board["id"])["notes"]
    assert note["text"] == "x" * 1990


# --- someone is editing ----------------------------------------------------------------------


def test_others_see_who_is_typing_in_a_sticky_until_they_finish(app_server, open_board):
    board = app_server.create_board("Soft lock")
    note_id = app_server.add_note(board, "event", "Order Placed", 200, 200)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    ana.note(note_id).locator(".note-text").dblclick()
    ana.page.keyboard.type(" again")

    lock = ben.page.locator(f'.typing-lock[data-element-id="{note_id}"]')
    expect(lock).to_contain_text("Ana is typing")
    ana_colour = ben.page.locator(".person:not(.me)").evaluate("el => el.style.getPropertyValue('--person')")
    assert lock.evaluate("el => el.style.getPropertyValue('--person')") == ana_colour
    shot(ben.page, "front-soft-lock")
    ana.page.keyboard.press("Enter")
    expect(lock).to_have_count(0)


# --- pictures match the board ----------------------------------------------------------------


def svg_ends(d: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]


def test_picture_links_to_and_from_an_aggregate_end_where_the_board_draws_them(app_server, open_board):
    board = app_server.create_board("Pictures")
    order = app_server.add_frame(board, "aggregate", "Order", 0, 0, 520, 340)
    placed = app_server.add_note(board, "event", "Order Placed", 200, 160)
    place = app_server.add_note(board, "command", "Place Order", -400, 100)
    for a, b in ((order, placed), (place, order)):
        app_server.op(board, "link.create", {"id": uuid.uuid4().hex, "from": a, "to": b, "label": ""})
    ana = open_board(board, "Ana")
    live = {
        g.get_attribute("data-id"): svg_ends(g.locator(".link-line").get_attribute("d"))
        for g in ana.page.locator("#links .link").all()
    }
    assert len(live) == 2
    ana.page.locator("#download-button").click()
    with ana.page.expect_download() as download:
        ana.page.locator('[data-download="svg"]').click()
    root = ET.fromstring(Path(download.value.path()).read_bytes())
    ns = {"svg": "http://www.w3.org/2000/svg"}
    for link_id, ends in live.items():
        path = root.find(f".//svg:g[@data-id='{link_id}']/svg:path", ns)
        assert svg_ends(path.get("d")) == pytest.approx(ends, abs=0.11), link_id
    shot(ana.page, "front-picture-links")


# --- room on the canvas ----------------------------------------------------------------------


def test_stickies_placed_from_the_palette_land_in_free_space_near_the_middle(app_server, open_board):
    board = app_server.create_board("Placement")
    ana = open_board(board, "Ana")
    ids = [ana.add_note("event", f"Event {i}") for i in range(4)]
    boxes = [ana.note(i).bounding_box() for i in ids]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"]
                or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"]
                or b["y"] + b["height"] <= a["y"]
            )
            assert apart, "a new sticky landed on another one"
    view = ana.page.locator("#viewport").bounding_box()
    for b in boxes:
        assert view["x"] < b["x"] and b["x"] + b["width"] < view["x"] + view["width"]
        assert view["y"] < b["y"] and b["y"] + b["height"] < view["y"] + view["height"]
    shot(ana.page, "front-placement")


def test_the_side_panel_opens_on_request_and_leaves_link_targets_free(app_server, open_board):
    board = app_server.create_board("Panel")
    a = app_server.add_note(board, "command", "Place Order", 0, 0)
    b = app_server.add_note(board, "event", "Order Placed", 500, 0)
    ana = open_board(board, "Ana", viewport={"width": 1100, "height": 700})
    panel = ana.page.locator("#side-panel")
    ana.note(a).click()
    expect(panel).to_be_hidden()
    # A link drag to the far side of the target, which the panel used to cover.
    target = ana.note(b).bounding_box()
    ana.drag(ana.centre(ana.note(a).locator(".connect-handle")), (target["x"] + target["width"] - 20, target["y"] + 40))
    expect(ana.page.locator("#links .link")).to_have_count(1)

    ana.note(a).click()
    ana.page.keyboard.press("i")
    expect(panel).to_be_visible()
    expect(panel.locator("#panel-text")).to_have_value("Place Order")
    ana.page.keyboard.press("i")
    expect(panel).to_be_hidden()
    ana.note(b).locator(".note-head").dblclick()
    expect(panel.locator("#panel-text")).to_have_value("Order Placed")
    shot(ana.page, "front-panel-on-request")


def test_a_viewer_reads_the_panel_without_any_edit_field_and_refusals_do_not_stack(app_server, open_board):
    board = app_server.create_board("Viewers")
    note_id = app_server.add_note(board, "event", "Order Placed", 100, 100)
    app_server.op(
        board,
        "note.update",
        {"id": note_id, "fields": [{"name": "order_id", "type": "uuid", "required": True, "doc": "Which order"}]},
    )
    vi = open_board({**board, "url": board["view_url"]}, "Vi")
    expect(vi.page.locator("body")).to_have_attribute("data-role", "viewer")
    vi.note(note_id).dblclick()
    panel = vi.page.locator("#side-panel")
    expect(panel).to_contain_text("Order Placed")
    expect(panel).to_contain_text("order_id")
    expect(panel.locator("input, textarea, select, #add-field")).to_have_count(0)
    shot(vi.page, "front-viewer-panel")
    expect(vi.page.locator(".note-editor")).to_have_count(0)
    vi.page.keyboard.press("Enter")  # no editor for a viewer
    expect(vi.page.locator(".note-editor")).to_have_count(0)
    # Keys that would change the board say why not, once, however often they are pressed.
    for key in ("Delete", "1", "2"):
        vi.page.keyboard.press(key)
    refusal = vi.page.locator(".toast", has_text="view-only")
    expect(refusal).to_have_count(1)
    expect(refusal).to_contain_text("×3")
    expect(vi.page.locator(".note")).to_have_count(1)
    shot(vi.page, "front-viewer-refusal-once")


def test_the_same_message_twice_shows_once_with_a_count(app_server, open_board):
    board = app_server.create_board("Toasts")
    note_id = app_server.add_note(board, "event", "Order Placed", 100, 100)
    ana = open_board(board, "Ana")
    ana.note(note_id).click()
    ana.page.keyboard.press("Control+C")
    ana.page.keyboard.press("Control+C")
    toast = ana.page.locator(".toast", has_text="Copied 1 element")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("×2")


# --- people and words ------------------------------------------------------------------------


def test_initials_come_from_letters_and_everyone_gets_a_colour_of_their_own(app_server, open_board):
    board = app_server.create_board("People")
    fran = open_board(board, "Fran (facilitator)")
    others = [open_board(board, name) for name in ("Ana", "Ben", "Bea", "Cy")]
    people = fran.page.locator(".person")
    expect(people).to_have_count(5)
    expect(fran.page.locator(".person.me .person-badge")).to_have_text("FF")
    colours = people.evaluate_all("els => els.map((el) => el.style.getPropertyValue('--person'))")
    assert len(set(colours)) == 5, colours
    shot(fran.page, "front-people")
    assert others


def test_jump_to_person_brings_their_cursor_into_view(app_server, open_board):
    board = app_server.create_board("Jump")
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    # Ben pans far to the right and points there.
    ben.drag((700, 400), (100, 400))
    ben.drag((700, 400), (100, 400))
    ben.page.mouse.move(640, 400, steps=3)
    where = ben.page.evaluate("window.storming.camera.screenToWorld(640, 400)")
    # Ana jumps to where her page last heard Ben point: wait until that is where he points now
    # (presence comes on a tick), or she would jump, correctly, to an older position.
    ana.page.wait_for_function(
        """([x, y]) => [...window.storming.presence.users.values()].some(
            (u) => u.cursor && Math.abs(u.cursor.x - x) < 1 && Math.abs(u.cursor.y - y) < 1)""",
        arg=[where["x"], where["y"]],
    )
    ana.page.locator(".person:not(.me)").click()
    # The camera glides there; once it has stopped moving, Ben's point must be in view.
    ana.page.wait_for_function(
        """() => new Promise((done) => {
            const before = JSON.stringify(window.storming.camera.visibleWorld(0));
            setTimeout(() => done(JSON.stringify(window.storming.camera.visibleWorld(0)) === before), 150);
        })""",
    )
    seen = ana.page.evaluate("window.storming.camera.visibleWorld(0)")
    assert seen["x"] < where["x"] < seen["x"] + seen["w"]
    assert seen["y"] < where["y"] < seen["y"] + seen["h"]


def test_the_activity_feed_says_what_an_undo_took_back(app_server, open_board):
    board = app_server.create_board("Undo words")
    for i in range(3):
        app_server.add_note(board, "event", f"E{i}", 100 + 200 * i, 100)
    fran = open_board(board, "Fran")
    fran.page.keyboard.press("Control+A")
    fran.page.keyboard.press("Control+C")
    fran.page.keyboard.press("Control+V")
    expect(fran.page.locator(".note")).to_have_count(6)
    fran.settled()
    fran.page.keyboard.press("Control+Z")
    expect(fran.page.locator(".note")).to_have_count(3)
    fran.page.locator("#history-button").click()
    expect(fran.page.locator(".activity-entry").first).to_contain_text("Fran undid adding 3 stickies")
    shot(fran.page, "front-undo-wording")


def test_the_example_board_opens_at_a_readable_zoom(app_server, open_board):
    board = app_server.create_board("Checkout", example="checkout")
    ana = open_board(board, "Ana")
    assert ana.page.evaluate("window.storming.camera.zoom") >= 0.6
    assert ana.page.locator(".note-text").first.evaluate("el => getComputedStyle(el).display") != "none"
    shot(ana.page, "front-example-opening")


def test_the_export_panel_breaks_no_word_in_the_middle(app_server, open_board):
    board = app_server.create_board("Checkout", example="checkout")
    ana = open_board(board, "Ana")
    ana.page.locator("#export-button").click()
    table = ana.page.locator(".export-topics")
    expect(table).to_be_visible()
    headers = table.locator("th").all()
    boxes = [h.bounding_box() for h in headers[1:]]
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a["x"] + a["width"] <= b["x"] + 0.5, "column headers overlap"
    # Words of the small columns stay whole: each cell is one line.
    for cell in table.locator("td:not(.export-topic-name)").all()[:12]:
        assert cell.evaluate("el => el.getClientRects().length && el.scrollWidth <= el.clientWidth + 1")
        assert cell.evaluate(
            "el => { const h = parseFloat(getComputedStyle(el).lineHeight) || 16; return el.getBoundingClientRect().height < 2 * h; }"
        )
    shot(ana.page, "front-export-panel")


def test_when_two_people_edit_one_sticky_the_one_who_finishes_last_can_put_the_other_text_back(app_server, open_board):
    board = app_server.create_board("Both typing")
    note_id = app_server.add_note(board, "event", "Order Placed", 200, 200)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    ana.note(note_id).locator(".note-text").dblclick()
    ana.page.keyboard.press("Control+A")
    ana.page.keyboard.type("Order Submitted")
    expect(ben.page.locator(".typing-lock")).to_contain_text("Ana is typing")
    ben.note(note_id).locator(".note-text").dblclick()
    ben.page.keyboard.press("Control+A")
    ben.page.keyboard.type("Order Confirmed")
    ben.page.keyboard.press("Enter")
    ben.settled()
    ana.page.wait_for_function(
        "(id) => window.storming.state.view.notes.get(id).text === 'Order Confirmed'", arg=note_id
    )
    ana.page.keyboard.press("Enter")
    notice = ana.page.locator(".toast", has_text="changed this sticky while you typed")
    expect(notice).to_be_visible()
    expect(ben.note(note_id).locator(".note-text")).to_have_text("Order Submitted")
    notice.get_by_role("button", name="Put theirs back").click()
    expect(ben.note(note_id).locator(".note-text")).to_have_text("Order Confirmed")


def test_a_click_on_the_board_while_the_text_is_too_long_keeps_typing_in_the_editor(app_server, open_board):
    board = app_server.create_board("Stay")
    note_id = app_server.add_note(board, "event", "Short", 200, 200)
    ana = open_board(board, "Ana")
    ana.note(note_id).locator(".note-text").dblclick()
    ana.page.keyboard.insert_text("y" * 2010)
    ana.page.keyboard.press("Enter")
    ana.page.mouse.click(900, 650)
    expect(ana.page.locator(".note-editor")).to_be_focused()
    ana.page.keyboard.press("1")  # lands in the text, not a new sticky on the board
    expect(ana.page.locator(".note")).to_have_count(1)
    ana.page.keyboard.press("Escape")
    ana.page.keyboard.press("Escape")  # gives up: the text is kept as a draft
    expect(ana.page.locator(".note-editor")).to_have_count(0)
    expect(ana.page.locator(".toast.draft")).to_contain_text("too long")


def test_a_downloaded_picture_shows_all_of_a_long_text_in_a_taller_sticky(app_server, open_board):
    board = app_server.create_board("Long picture")
    note_id = app_server.add_note(board, "policy", LONG.strip(), 100, 100)
    ana = open_board(board, "Ana")
    ana.page.locator("#download-button").click()
    with ana.page.expect_download() as download:
        ana.page.locator('[data-download="svg"]').click()
    root = ET.fromstring(Path(download.value.path()).read_bytes())
    ns = {"svg": "http://www.w3.org/2000/svg"}
    group = root.find(f".//svg:g[@data-id='{note_id}']", ns)
    lines = ["".join(t.itertext()) for t in group.iterfind("svg:text[@class='body']/svg:tspan", ns)]
    assert " ".join(lines) == " ".join(LONG.split())
    last_line_y = float(group.findall("svg:text[@class='body']/svg:tspan", ns)[-1].get("y"))
    assert last_line_y > 100 + 110, "the sticky grows to hold the text"
    view_box = [float(v) for v in root.get("viewBox").split()]
    assert view_box[1] + view_box[3] > last_line_y
