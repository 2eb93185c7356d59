"""A big board keeps only what is near the view in the page; what scrolls into view must be there,
and up to date, whatever happened to it while it was far away."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Puts board point (x, y) in the middle of the view at 100 %.
LOOK_AT = """
([x, y]) => {
  const camera = window.storming.camera;
  const r = camera.rect;
  camera.zoom = 1;
  camera.x = r.width / 2 - x;
  camera.y = r.height / 2 - y;
  camera.changed();
}
"""


def pan_right(board_page, pixels: int, step: int = 400) -> None:
    """Shift and the mouse wheel, the way a person slides the board sideways."""
    page = board_page.page
    page.mouse.move(640, 400)
    page.keyboard.down("Shift")
    for _ in range(abs(pixels) // step):
        page.mouse.wheel(0, step if pixels > 0 else -step)
        page.wait_for_timeout(20)
    page.keyboard.up("Shift")


def linked_pair(app_server, name: str, first: tuple, second: tuple) -> tuple[dict, str, str, str]:
    """A board with two stickies, each (kind, text, x, y), and a link from the first to the second."""
    board = app_server.create_board(name)
    a = app_server.add_note(board, *first)
    b = app_server.add_note(board, *second)
    link = str(uuid.uuid4())
    app_server.op(board, "link.create", {"id": link, "from": a, "to": b, "label": "then"})
    return board, a, b, link


def test_a_sticky_changed_while_far_out_of_view_is_up_to_date_when_panned_to(app_server, open_board):
    board, here, far, link = linked_pair(
        app_server, "Long timeline", ("event", "Order Placed", 0, 0), ("command", "Ship Goods", 12000, 0)
    )
    ana = open_board(board, "Ana")
    expect(ana.note(far)).to_have_count(1)

    ana.page.evaluate(LOOK_AT, [80, 55])
    expect(ana.note(here)).to_be_visible()
    expect(ana.note(far)).to_be_hidden()  # 12,000 px away: not drawn at all

    # Someone else renames and recolours it meanwhile.
    app_server.op(board, "note.update", {"id": far, "text": "Ship Goods Today", "kind": "policy"})
    ana.page.wait_for_function("(id) => window.storming.state.view.notes.get(id)?.text === 'Ship Goods Today'", arg=far)

    pan_right(ana, 12000)
    expect(ana.note(far)).to_be_visible()
    expect(ana.note(far).locator(".note-text")).to_have_text("Ship Goods Today")
    expect(ana.note(far)).to_have_attribute("data-kind", "policy")
    expect(ana.page.locator(f'.link[data-id="{link}"]')).to_be_visible()
    expect(ana.note(here)).to_be_hidden()  # now it is the far one

    pan_right(ana, -12000)
    expect(ana.note(here)).to_be_visible()
    expect(ana.note(here).locator(".note-text")).to_have_text("Order Placed")


def test_a_link_far_from_the_start_of_the_board_is_drawn_where_its_stickies_are(app_server, open_board):
    board, a, b, link = linked_pair(
        app_server,
        "Far corner",
        ("event", "Parcel Sent", 30000, 20000),
        ("policy", "Whenever Parcel Sent, then Notify", 30400, 20000),
    )
    ana = open_board(board, "Ana")
    expect(ana.note(a)).to_be_visible()

    # The line runs from the first sticky's right edge to the second's left edge, on screen.
    line = ana.page.locator(f'.link[data-id="{link}"] .link-line').bounding_box()
    first = ana.note(a).bounding_box()
    second = ana.note(b).bounding_box()
    assert line is not None and first is not None and second is not None
    assert line["width"] > 0
    assert abs(line["x"] - (first["x"] + first["width"])) < 6
    assert abs(line["x"] + line["width"] - second["x"]) < 6
    assert first["y"] < line["y"] < first["y"] + first["height"]
