"""The rest of the facilitator's board (issue 14), in the real page with mouse and keys:
swimlanes, colours that the server gives each person, and a PDF of each bounded context.

Screenshots for a reviewer go to var/screenshots/lanes-*.png, colours-*.png and pdf-*.png."""

from __future__ import annotations

import base64
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
    page.screenshot(path=SHOTS / f"{name}.png")


def snapshot(app_server: Any, board: dict[str, Any]) -> dict[str, Any]:
    return app_server.snapshot(board["id"])


def lanes_of(app_server: Any, board: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in snapshot(app_server, board)["frames"] if f["kind"] == "lane"]


def notes_of(app_server: Any, board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in snapshot(app_server, board)["notes"]}


def in_band(lane: dict[str, Any], note: dict[str, Any]) -> bool:
    cx, cy = note["x"] + note["w"] / 2, note["y"] + note["h"] / 2
    return lane["x"] <= cx <= lane["x"] + lane["w"] and lane["y"] <= cy <= lane["y"] + lane["h"]


def type_name(tab: Any, name: str) -> None:
    editor = tab.page.locator(".frame-name-editor")
    editor.wait_for()
    tab.page.keyboard.press("Control+A")
    tab.page.keyboard.type(name)
    tab.page.keyboard.press("Enter")
    editor.wait_for(state="detached")


# --- swimlanes -------------------------------------------------------------------------------


def test_shift_w_adds_lanes_one_under_another_and_a_lane_carries_its_stickies(app_server, open_board):
    board = app_server.create_board("Lanes")
    ana = open_board(board, "Ana")
    ana.page.locator("#viewport").click(position={"x": 700, "y": 600})
    ana.page.keyboard.press("Shift+W")
    type_name(ana, "Customer")
    ana.page.keyboard.press("Escape")
    ana.page.keyboard.press("Shift+W")
    type_name(ana, "Payment provider")
    ana.settled()
    customer, payment = sorted(lanes_of(app_server, board), key=lambda f: f["y"])
    assert (customer["name"], payment["name"]) == ("Customer", "Payment provider")
    assert payment["y"] == customer["y"] + customer["h"] and payment["w"] == customer["w"]

    # An event dragged (by mouse) into the Customer lane is in it; another stays outside.
    ana.page.keyboard.press("Escape")
    inside = ana.add_note("event", "Order Placed")
    outside = ana.add_note("event", "Stays put")
    band = ana.frame(customer["id"]).bounding_box()
    ana.drag(ana.centre(ana.note(inside)), (band["x"] + 400, band["y"] + band["height"] / 2))
    ana.settled()
    ana.drag(ana.centre(ana.note(outside)), (band["x"] + 700, band["y"] + band["height"] * 3))
    ana.settled()
    notes = notes_of(app_server, board)
    assert in_band(customer, notes[inside]) and not in_band(customer, notes[outside])
    assert notes[inside]["context"] is None and notes[inside]["aggregate"] is None  # layout only
    shot(ana.page, "lanes-added")

    # Dragging the lane by its label moves the lane and its sticky, nothing else.
    header = ana.frame(customer["id"]).locator(".frame-header")
    ana.drag_by(header, 0, -150)
    ana.settled()
    moved = notes_of(app_server, board)
    [lane] = [f for f in lanes_of(app_server, board) if f["id"] == customer["id"]]
    dy = lane["y"] - customer["y"]
    assert dy < -100
    assert moved[inside]["y"] == notes[inside]["y"] + dy
    assert moved[outside]["y"] == notes[outside]["y"]
    expect(ana.frame(customer["id"])).to_have_attribute("data-kind", "lane")
    shot(ana.page, "lanes-moved")


def test_sort_by_time_and_next_event_keep_each_sticky_in_its_lane(app_server, open_board):
    board = app_server.create_board("Lanes and time")
    customer = app_server.add_frame(board, "lane", "Customer", 0, 0, 900, 240)
    payment = app_server.add_frame(board, "lane", "Payment", 0, 240, 900, 240)
    placed = app_server.add_note(board, "event", "Order Placed", 600, 60)
    shipped = app_server.add_note(board, "event", "Order Shipped", 300, 80)
    paid = app_server.add_note(board, "event", "Payment Received", 100, 300)
    for a, b in ((placed, paid), (paid, shipped)):
        app_server.op(board, "link.create", {"id": str(uuid.uuid4()), "from": a, "to": b, "label": ""})
    ana = open_board(board, "Ana")
    ana.page.keyboard.press("f")
    ana.note(placed).click()
    ana.note(shipped).click(modifiers=["Shift"])
    ana.note(paid).click(modifiers=["Shift"])
    ana.page.keyboard.press("Shift+S")
    ana.settled()
    notes = notes_of(app_server, board)
    lanes = {f["id"]: f for f in lanes_of(app_server, board)}
    assert notes[placed]["x"] < notes[paid]["x"] < notes[shipped]["x"]
    assert notes[placed]["y"] == notes[shipped]["y"] == 60  # one row at the top of the Customer lane
    assert in_band(lanes[customer], notes[placed]) and in_band(lanes[customer], notes[shipped])
    assert in_band(lanes[payment], notes[paid])
    shot(ana.page, "lanes-sorted")

    # The next event goes right of the selected one, in the same lane, which grows to hold it.
    ana.note(shipped).click()
    for text in ("Order Delivered", "Invoice Sent"):
        ana.page.keyboard.press("n")
        expect(ana.page.locator(".note-editor")).to_be_visible()
        ana.page.keyboard.type(text)
        ana.page.keyboard.press("Enter")
        ana.settled()
    notes = notes_of(app_server, board)
    lanes = {f["id"]: f for f in lanes_of(app_server, board)}
    [last] = [n for n in notes.values() if n["text"] == "Invoice Sent"]
    assert last["y"] == notes[shipped]["y"] and last["x"] > notes[shipped]["x"]
    assert lanes[customer]["w"] > 900 and in_band(lanes[customer], last)
    assert lanes[payment]["w"] == 900
    ana.page.keyboard.press("f")
    shot(ana.page, "lanes-next-event")

    # The picture of the board draws the lanes, under the stickies.
    ana.page.keyboard.press("Escape")
    ana.page.locator("#download-button").click()
    with ana.page.expect_download() as download:
        ana.page.locator('[data-download="svg"]').click()
    svg = Path(download.value.path()).read_text()
    assert svg.count('data-kind="lane"') == 2
    assert "Lane: Customer" in svg and "Lane: Payment" in svg
    assert svg.index('data-kind="lane"') < svg.index('class="notes"')


def test_the_lane_tool_draws_a_lane_with_the_mouse_and_the_help_lists_it(app_server, open_board):
    board = app_server.create_board("Drawn lane")
    ana = open_board(board, "Ana")
    expect(ana.page.locator('.tool[data-tool="lane"]')).to_be_visible()
    ana.page.keyboard.press("w")
    ana.drag((300, 300), (1000, 480))
    type_name(ana, "Warehouse")
    ana.settled()
    [lane] = lanes_of(app_server, board)
    assert lane["name"] == "Warehouse" and lane["w"] > 2 * lane["h"]
    ana.page.keyboard.press("Escape")
    ana.page.keyboard.press("?")
    help_text = ana.page.locator("#help-dialog").inner_text()
    assert "swimlane" in help_text and "Add a lane under the last one" in help_text
    assert "Context as PDF" in help_text
    ana.page.keyboard.press("Escape")
    ana.page.keyboard.press("l")
    expect(ana.page.locator(".legend-sample[data-kind=lane]")).to_be_visible()
    shot(ana.page, "lanes-legend")
    # A viewer sees the lane but is offered no lane tool.
    vi = open_board({**board, "url": board["view_url"]}, "Vi")
    expect(vi.frame(lane["id"])).to_be_visible()
    expect(vi.page.locator('.tool[data-tool="lane"]')).to_be_hidden()


# --- people ----------------------------------------------------------------------------------


def test_people_get_distinct_colours_in_join_order_that_survive_reload_and_restart(app_server, open_board):
    board = app_server.create_board("Colours")
    names = ["Fran", "Ana", "Ben", "Bea", "Cy", "Dee", "Eli"]
    tabs = [open_board(board, name) for name in names]
    fran = tabs[0]
    people = fran.page.locator(".person")
    expect(people).to_have_count(len(names))
    mine = [tab.page.evaluate("window.storming.presence.me.color") for tab in tabs]
    assert len(set(mine)) == len(names), mine
    roster = fran.page.evaluate("[...window.storming.presence.users.values()].map((u) => u.color)")
    assert sorted(roster) == sorted(mine)
    shown = people.evaluate_all("els => els.map((el) => el.style.getPropertyValue('--person'))")
    assert len(set(shown)) == len(names)
    shot(fran.page, "colours-seven-people")

    # Ben reloads: same identity, same colour, for himself and for the others.
    ben = tabs[2]
    ben.reload()
    assert ben.page.evaluate("window.storming.presence.me.color") == mine[2]
    fran.page.wait_for_function(
        "([name, colour]) => [...window.storming.presence.users.values()].some((u) => u.name === name && u.color === colour)",
        arg=["Ben", mine[2]],
    )

    # The server restarts: everyone reconnects in their own colour.
    app_server.restart()
    for tab in tabs:
        tab.wait_until_loaded()
    after = [tab.page.evaluate("window.storming.presence.me.color") for tab in tabs]
    assert after == mine
    expect(people).to_have_count(len(names))
    shot(fran.page, "colours-after-restart")


# --- the PDF of each bounded context -----------------------------------------------------------


def pdf_string(text: str) -> bytes:
    """A sticky's text as the PDF writes it in a text layer: one line, delimiters escaped."""
    line = " ".join(text.split())
    return ("(" + re.sub(r"([\\()])", r"\\\1", line) + ") Tj").encode("latin-1", "replace")


def jpegs_of(pdf: bytes) -> list[bytes]:
    out = []
    for match in re.finditer(rb"/Filter /DCTDecode /Length (\d+) >>\nstream\n", pdf):
        out.append(pdf[match.end() : match.end() + int(match.group(1))])
    return out


def show_pdf_page(tab: Any, jpeg: bytes, name: str) -> None:
    """What a page of the PDF shows, put in a browser tab of its own for a screenshot."""
    page = tab.page.context.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    data = base64.b64encode(jpeg).decode()
    page.set_content(
        f'<body style="margin:0;background:#fff"><img src="data:image/jpeg;base64,{data}" style="max-width:100%"></body>'
    )
    page.wait_for_function("document.images[0].complete && document.images[0].naturalWidth > 0")
    shot(page, name)
    page.close()


def test_a_selected_context_downloads_as_a_pdf_of_its_own_with_searchable_text(app_server, open_board):
    board = app_server.create_board("Checkout", example="checkout")
    frames = snapshot(app_server, board)["frames"]
    contexts = [f for f in frames if f["kind"] == "bounded_context"]
    ordering = next(c for c in contexts if c["name"] == "Ordering")
    ana = open_board(board, "Ana")
    ana.page.keyboard.press("f")
    ana.frame(ordering["id"]).locator(".frame-header").click()
    ana.page.locator("#download-button").click()
    item = ana.page.locator('[data-download="pdf"]')
    expect(item).to_contain_text("Context as PDF")
    expect(item).to_contain_text("Ordering")
    shot(ana.page, "pdf-menu")
    with ana.page.expect_download(timeout=60000) as download:
        item.click()
    assert download.value.suggested_filename == "checkout-ordering.pdf"
    pdf = Path(download.value.path()).read_bytes()
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "pdf-ordering.pdf").write_bytes(pdf)
    assert pdf.count(b"/Type /Page ") == 1
    assert b"(Checkout: Ordering) Tj" in pdf
    # Each sticky of the context is real (invisible) text on the page; others are not.
    notes = snapshot(app_server, board)["notes"]
    here = [n for n in notes if n["context"] == ordering["id"] and n["text"]]
    elsewhere = [n for n in notes if n["context"] not in (ordering["id"], None) and n["text"]]
    for n in here:
        assert pdf_string(n["text"]) in pdf, n["text"]
    shared = {m["text"] for m in here}
    assert not any(pdf_string(n["text"]) in pdf for n in elsewhere if n["text"] not in shared)
    assert b" 3 Tr " in pdf
    [jpeg] = jpegs_of(pdf)
    show_pdf_page(ana, jpeg, "pdf-ordering-page")

    # With nothing selected, the wrap-up has the board and every context, each with its text.
    ana.page.keyboard.press("Escape")
    ana.page.locator("#download-button").click()
    expect(item).to_contain_text("Wrap-up (PDF)")
    with ana.page.expect_download(timeout=60000) as download:
        item.click()
    wrap_up = Path(download.value.path()).read_bytes()
    assert wrap_up.count(b"/Type /Page ") == 1 + len(contexts)
    for n in notes:
        if n["text"]:
            assert pdf_string(n["text"]) in wrap_up, n["text"]
    show_pdf_page(ana, jpegs_of(wrap_up)[0], "pdf-wrap-up-board")
