"""Two people on one board see each other's work, live, in the real page."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_sticky_placed_edited_moved_and_deleted_shows_up_for_the_other_person(app_server, open_board):
    board = app_server.create_board("Live stickies")
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")

    note_id = ana.add_note("event", "Order Placed")
    expect(ben.note(note_id).locator(".note-text")).to_have_text("Order Placed")
    expect(ben.note(note_id)).to_have_attribute("data-kind", "event")

    ana.note(note_id).dblclick()
    ana.page.keyboard.press("Control+A")
    ana.page.keyboard.type("Order Submitted")
    ana.page.keyboard.press("Enter")
    expect(ben.note(note_id).locator(".note-text")).to_have_text("Order Submitted")

    before = ben.transform(ben.note(note_id))
    ana.drag_by(ana.note(note_id), 180, 90)
    ana.settled()
    expect(ben.note(note_id)).to_have_attribute("style", re.compile(re.escape(ana.transform(ana.note(note_id)))))
    assert ben.transform(ben.note(note_id)) != before

    ana.note(note_id).click()
    ana.page.keyboard.press("Delete")
    expect(ben.note(note_id)).to_have_count(0)
    expect(ana.note(note_id)).to_have_count(0)


def test_a_frame_drawn_named_moved_and_deleted_shows_up_for_the_other_person(app_server, open_board):
    board = app_server.create_board("Live frames")
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")

    frame_id = ana.draw_frame("aggregate", (420, 220), (820, 520), "Order")
    expect(ben.frame(frame_id).locator(".frame-name")).to_have_text("Order")
    expect(ben.frame(frame_id)).to_have_attribute("data-kind", "aggregate")

    ana.frame(frame_id).locator(".frame-header").dblclick()
    ana.page.keyboard.press("Control+A")
    ana.page.keyboard.type("Basket")
    ana.page.keyboard.press("Enter")
    expect(ben.frame(frame_id).locator(".frame-name")).to_have_text("Basket")

    context_id = ana.draw_frame("bounded_context", (300, 560), (900, 760), "Ordering")
    expect(ben.frame(context_id)).to_have_attribute("data-kind", "bounded_context")
    expect(ben.frame(context_id).locator(".frame-name")).to_have_text("Ordering")

    before = ben.transform(ben.frame(frame_id))
    ana.drag_by(ana.frame(frame_id).locator(".frame-header"), -100, -60)
    ana.settled()
    expect(ben.frame(frame_id)).not_to_have_attribute("style", re.compile(re.escape(before)))
    assert ben.transform(ben.frame(frame_id)) == ana.transform(ana.frame(frame_id))

    ana.frame(frame_id).locator(".frame-header").click()
    ana.page.keyboard.press("Delete")
    expect(ben.frame(frame_id)).to_have_count(0)
    expect(ben.frame(context_id)).to_have_count(1)


def test_moving_a_frame_moves_the_stickies_inside_it_for_everyone(app_server, open_board):
    board = app_server.create_board("Frame moves")
    f = app_server.add_frame(board, "aggregate", "Order", 0, 0, 500, 300)
    n = app_server.add_note(board, "event", "Order Placed", 100, 100)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")

    zoom = ana.page.evaluate("window.storming.camera.zoom")
    ana.drag_by(ana.frame(f).locator(".frame-header"), 200, 100)
    ana.settled()

    snapshot = app_server.snapshot(board["id"])
    note = next(x for x in snapshot["notes"] if x["id"] == n)
    frame = next(x for x in snapshot["frames"] if x["id"] == f)
    assert (frame["x"], frame["y"]) == pytest.approx((200 / zoom, 100 / zoom), abs=2)
    assert (note["x"] - frame["x"], note["y"] - frame["y"]) == (100, 100)
    expect(ben.note(n)).to_have_attribute("style", re.compile(rf"translate\({note['x']:g}px, {note['y']:g}px\)"))


def test_a_reload_shows_the_same_board(app_server, open_board):
    board = app_server.create_board("Reloaded")
    ana = open_board(board, "Ana")
    first = ana.add_note("command", "Place Order")
    second = ana.add_note("policy", "Whenever Order Placed, then Request Payment")
    frame_id = ana.draw_frame("bounded_context", (700, 150), (1100, 450), "Payments")
    ana.settled()

    ana.reload()
    expect(ana.note(first).locator(".note-text")).to_have_text("Place Order")
    expect(ana.note(second)).to_have_attribute("data-kind", "policy")
    expect(ana.frame(frame_id).locator(".frame-name")).to_have_text("Payments")
    expect(ana.page.locator(".note")).to_have_count(2)


def test_links_follow_their_stickies_and_can_be_deleted(app_server, open_board):
    board = app_server.create_board("Links")
    a = app_server.add_note(board, "command", "Place Order", 0, 0)
    b = app_server.add_note(board, "event", "Order Placed", 400, 0)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")

    ana.note(a).click()
    handle = ana.note(a).locator(".connect-handle")
    # Aim at the near end of the target.
    target = ana.note(b).bounding_box()
    ana.drag(ana.centre(handle), (target["x"] + 30, target["y"] + target["height"] / 2))
    link = ben.page.locator(".link")
    expect(link).to_have_count(1)
    link_id = link.get_attribute("data-id")
    path_before = ben.page.locator(f'.link[data-id="{link_id}"] .link-line').get_attribute("d")

    ana.drag_by(ana.note(b), 0, 200)
    expect(ben.page.locator(f'.link[data-id="{link_id}"] .link-line')).not_to_have_attribute("d", path_before)

    snapshot = app_server.snapshot(board["id"])
    assert [(x["from"], x["to"]) for x in snapshot["links"]] == [(a, b)]

    ana.page.keyboard.press("Escape")
    hit = ana.page.locator(f'.link[data-id="{link_id}"] .link-hit')
    ana.page.mouse.dblclick(*ana.centre(hit))
    ana.page.keyboard.type("emits")
    ana.page.keyboard.press("Enter")
    expect(ben.page.locator(f'.link[data-id="{link_id}"] .link-label')).to_have_text("emits")

    ana.page.mouse.click(*ana.centre(hit))
    expect(ana.page.locator(f'.link[data-id="{link_id}"]')).to_have_class(re.compile("selected"))
    ana.page.keyboard.press("Delete")
    expect(ben.page.locator(".link")).to_have_count(0)
    expect(ben.page.locator(".note")).to_have_count(2)


def test_a_sticky_dropped_inside_a_frame_joins_it_and_leaves_when_dragged_out(app_server, open_board):
    board = app_server.create_board("Membership")
    frame_id = app_server.add_frame(board, "aggregate", "Order", 0, 0, 600, 400)
    ana = open_board(board, "Ana")

    palette_item = ana.page.locator('.palette-item[data-kind="event"]')
    ana.drag(ana.centre(palette_item), ana.centre(ana.frame(frame_id)))
    ana.page.locator(".note-editor").wait_for()
    ana.page.keyboard.type("Order Placed")
    ana.page.keyboard.press("Enter")
    ana.settled()

    [note] = app_server.snapshot(board["id"])["notes"]
    assert note["text"] == "Order Placed"
    assert note["aggregate"] == frame_id
    expect(ana.note(note["id"])).to_have_attribute("data-aggregate", frame_id)

    frame_box = ana.frame(frame_id).bounding_box()
    x, y = ana.centre(ana.note(note["id"]))
    ana.drag((x, y), (frame_box["x"] + frame_box["width"] + 150, y))
    ana.settled()
    [note] = app_server.snapshot(board["id"])["notes"]
    assert note["aggregate"] is None


def test_multi_select_moves_together_and_duplicate_makes_new_stickies(app_server, open_board):
    board = app_server.create_board("Selection")
    a = app_server.add_note(board, "event", "One", 0, 0)
    b = app_server.add_note(board, "event", "Two", 300, 0)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    zoom = ana.page.evaluate("window.storming.camera.zoom")

    ana.note(a).click()
    ana.note(b).click(modifiers=["Shift"])
    ana.drag_by(ana.note(a), 0, 100)
    ana.settled()
    notes = {n["id"]: n for n in app_server.snapshot(board["id"])["notes"]}
    assert notes[a]["y"] == notes[b]["y"] == pytest.approx(100 / zoom, abs=2)

    ana.page.keyboard.press("Control+D")
    expect(ben.page.locator(".note")).to_have_count(4)
    expect(ben.page.locator(".note-text", has_text="One")).to_have_count(2)
    ids = ben.page.locator(".note").evaluate_all("els => els.map(e => e.dataset.id)")
    assert len(set(ids)) == 4

    ana.page.keyboard.press("Escape")
    box = ana.page.locator("#viewport").bounding_box()
    ana.drag((box["x"] + 240, box["y"] + 10), (box["x"] + box["width"] - 10, box["y"] + box["height"] - 10), shift=True)
    ana.page.keyboard.press("Delete")
    expect(ben.page.locator(".note")).to_have_count(0)


def test_presence_shows_who_is_here_and_their_cursor(app_server, open_board):
    board = app_server.create_board("Presence")
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")

    for tab in (ana, ben):
        expect(tab.page.locator("#presence [data-user-id]")).to_have_count(2)
        expect(tab.page.locator("#presence")).to_contain_text("Ana")
        expect(tab.page.locator("#presence")).to_contain_text("Ben")
    expect(ana.page.locator("#presence .me")).to_contain_text("Ana (you)")

    ana.page.mouse.move(600, 400)
    ana.page.mouse.move(640, 420, steps=4)
    expect(ben.page.locator(".remote-cursor")).to_contain_text("Ana")

    ana.page.close()
    expect(ben.page.locator("#presence [data-user-id]")).to_have_count(1)


def test_a_dragged_sticky_shows_as_a_ghost_to_the_others_while_it_moves(app_server, open_board):
    board = app_server.create_board("Ghosts")
    n = app_server.add_note(board, "actor", "Customer", 0, 0, w=110, h=80)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")

    x, y = ana.centre(ana.note(n))
    ana.page.mouse.move(x, y)
    ana.page.mouse.down()
    ana.page.mouse.move(x + 100, y + 80, steps=8)
    ghost = ben.page.locator(f'.ghost[data-element-id="{n}"]')
    expect(ghost).to_contain_text("Ana")
    ana.page.mouse.up()
    expect(ghost).to_have_count(0)


def test_a_field_added_in_the_side_panel_survives_a_reload(app_server, open_board):
    board = app_server.create_board("Fields")
    ana = open_board(board, "Ana")
    note_id = ana.add_note("event", "Order Placed")

    panel = ana.page.locator("#side-panel")
    expect(panel).to_be_hidden()  # a selection alone leaves the canvas free
    ana.page.keyboard.press("i")
    expect(panel).to_be_visible()
    ana.page.locator("#add-field").click()
    name = panel.locator(".field-row .field-name").last
    name.fill("order_id")
    name.press("Enter")
    expect(panel.locator(".field-row .field-name").last).to_have_value("order_id")
    panel.locator(".field-row").last.locator(".field-type").select_option("enum")
    values = panel.locator(".field-row").last.locator(".field-values")
    values.fill("new, paid, shipped")
    values.press("Tab")
    ana.settled()

    ana.reload()
    ana.note(note_id).locator(".note-head").dblclick()
    row = ana.page.locator("#side-panel .field-row")
    expect(row).to_have_count(1)
    expect(row.locator(".field-name")).to_have_value("order_id")
    expect(row.locator(".field-type")).to_have_value("enum")
    expect(row.locator(".field-values")).to_have_value("new, paid, shipped")
    expect(ana.note(note_id).locator(".note-fields")).to_have_text("1 field")

    [note] = app_server.snapshot(board["id"])["notes"]
    assert note["fields"] == [
        {"name": "order_id", "type": "enum", "required": True, "doc": "", "values": ["new", "paid", "shipped"]}
    ]


def test_a_first_visit_asks_for_a_name_once(app_server, open_board):
    board = app_server.create_board("Names")
    cleo = open_board(board, name=None)
    dialog = cleo.page.locator("#name-dialog")
    expect(dialog).to_be_visible()
    cleo.page.locator("#display-name-input").fill("Cleo")
    cleo.page.locator("#display-name-submit").click()
    cleo.wait_until_loaded()
    expect(cleo.page.locator("#presence .me")).to_contain_text("Cleo")

    cleo.reload()
    expect(dialog).to_be_hidden()
    expect(cleo.page.locator("#presence .me")).to_contain_text("Cleo")


def test_every_sticky_kind_is_in_the_palette_with_a_label_and_the_help_lists_shortcuts(app_server, open_board):
    board = app_server.create_board("Palette")
    ana = open_board(board, "Ana")
    labels = ana.page.locator(".palette-item").evaluate_all(
        "els => els.map(e => [e.dataset.kind, e.querySelector('.label').textContent])"
    )
    assert labels == [
        ["event", "Event"],
        ["command", "Command"],
        ["policy", "Policy"],
        ["external_system", "External system"],
        ["actor", "Actor"],
        ["read_model", "Read model"],
        ["hotspot", "Hotspot"],
    ]
    ana.page.locator("#viewport").click(position={"x": 600, "y": 400})
    ana.page.keyboard.press("?")
    expect(ana.page.locator("#help-dialog")).to_be_visible()
    expect(ana.page.locator("#help-dialog")).to_contain_text("Copy, paste, duplicate")


def test_resizing_a_sticky_and_a_frame_shows_for_the_other_person(app_server, open_board):
    board = app_server.create_board("Resize")
    n = app_server.add_note(board, "external_system", "Payment Provider", 0, 0, w=260, h=110)
    f = app_server.add_frame(board, "bounded_context", "Payments", -100, 300, 600, 300)
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")
    zoom = ana.page.evaluate("window.storming.camera.zoom")

    ana.note(n).click()
    ana.drag_by(ana.note(n).locator(".resize-handle"), 60 * zoom, 40 * zoom)
    expect(ben.note(n)).to_have_attribute("style", re.compile(r"width: 320px; height: 150px"))

    ana.frame(f).locator(".frame-header").click()
    ana.drag_by(ana.frame(f).locator(".resize-handle"), -100 * zoom, 50 * zoom)
    expect(ben.frame(f)).to_have_attribute("style", re.compile(r"width: 500px; height: 350px"))


def test_copy_and_paste_make_new_stickies_with_their_link(app_server, open_board):
    board = app_server.create_board("Clipboard")
    a = app_server.add_note(board, "command", "Place Order", 0, 0)
    b = app_server.add_note(board, "event", "Order Placed", 300, 0)
    app_server.op(board, "link.create", {"id": str(uuid.uuid4()), "from": a, "to": b, "label": ""})
    ana = open_board(board, "Ana")
    ben = open_board(board, "Ben")

    ana.page.keyboard.press("Control+A")
    ana.page.keyboard.press("Control+C")
    ana.page.keyboard.press("Control+V")
    expect(ben.page.locator(".note")).to_have_count(4)
    expect(ben.page.locator(".link")).to_have_count(2)
    snapshot = app_server.snapshot(board["id"])
    copies = {n["id"] for n in snapshot["notes"]} - {a, b}
    assert len(copies) == 2
    [copied_link] = [link for link in snapshot["links"] if link["from"] in copies]
    assert copied_link["to"] in copies


def test_a_tilted_hotspot_far_from_the_origin_stays_where_it_was_put(app_server, open_board):
    board = app_server.create_board("Far away")
    hotspot = app_server.add_note(board, "hotspot", "Why?", 5000, 3000)
    event = app_server.add_note(board, "event", "Beside it", 5000, 3200)
    ana = open_board(board, "Ana")

    ana.page.keyboard.press("f")
    # The camera moves on the next animation frame; measure both after it, in one go.
    tilted, straight, zoom = ana.page.evaluate(
        """([a, b]) => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => {
          const box = (id) => document.querySelector(`[data-id="${id}"]`).getBoundingClientRect().toJSON();
          done([box(a), box(b), window.storming.camera.zoom]);
        })))""",
        [hotspot, event],
    )
    assert abs(tilted["x"] - straight["x"]) < 10 * zoom + 10
    assert abs((straight["y"] - tilted["y"]) - 200 * zoom) < 10 * zoom + 10
