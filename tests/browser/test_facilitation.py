"""The workshop in the real page: phase, lock, timer, dots, follow me, the checks panel and the legend.

Each test has a facilitator (the board's creator link) and a participant (the edit link) in two
browser contexts, so everything shared goes through the server.
"""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def as_facilitator(board: dict) -> dict:
    return {**board, "url": board["facilitator_url"]}


def clock_seconds(text: str) -> int:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


def record_rejects(tab) -> None:
    """Keep every reject code this page gets, from the page's state and its socket alike."""
    tab.page.evaluate(
        """() => {
          window.rejects = [];
          window.storming.state.addEventListener("reject", (e) => window.rejects.push(e.detail.error.code));
          window.storming.socket.addEventListener("frame", (e) => {
            if (e.detail.type === "reject") window.rejects.push(e.detail.error.code);
          });
        }"""
    )


def test_the_facilitators_timer_counts_down_for_the_participant_and_says_when_time_is_up(app_server, open_board):
    board = app_server.create_board("Timer")
    fran = open_board(as_facilitator(board), "Fran")
    pat = open_board(board, "Pat")
    expect(pat.page.locator(".timer-button")).to_be_hidden()  # only the facilitator starts one

    fran.page.locator(".timer-button").click()
    fran.page.locator('.timer-preset[data-minutes="2"]').click()

    clock = pat.page.locator(".timer-pill .timer-clock")
    expect(clock).to_have_text(re.compile(r"^(2:00|1:5\d)$"))
    first = clock_seconds(clock.inner_text())
    time.sleep(1.6)
    later = clock_seconds(clock.inner_text())
    assert 0 < later < first <= 120
    # Both compute the same remaining time from the server's ends_at.
    assert abs(clock_seconds(fran.page.locator(".timer-pill .timer-clock").inner_text()) - later) <= 1

    fran.page.locator(".timer-stop").click()
    expect(pat.page.locator(".timer-pill")).to_be_hidden()

    app_server.op(board, "timer.start", {"seconds": 1})
    expect(pat.page.locator(".timer-pill.done")).to_be_visible()
    expect(pat.page.locator(".timer-pill")).to_contain_text("Time's up")


def test_dots_a_participant_casts_show_for_the_facilitator_within_the_limit(app_server, open_board):
    board = app_server.create_board("Dots")
    first = app_server.add_note(board, "event", "Order Placed", 0, 0)
    second = app_server.add_note(board, "hotspot", "Who pays shipping?", 260, 0)
    command = app_server.add_note(board, "command", "Place Order", 0, 200)
    fran = open_board(as_facilitator(board), "Fran")
    pat = open_board(board, "Pat")

    fran.page.locator(".dots-menu-button").click()
    per_person = fran.page.locator(".dots-per-person")
    per_person.fill("2")
    per_person.press("Tab")
    expect(pat.page.locator(".dots-left")).to_have_text("2 left")
    fran.page.locator(".dots-menu-button").click()
    expect(fran.page.locator(".dots-menu")).to_be_hidden()

    pat.page.locator(".dots-mode").click()
    expect(pat.note(command).locator(".dots-badge")).to_have_count(0)  # commands take no dots
    pat.note(first).locator(".dots-badge").click()
    pat.note(first).locator(".dots-badge").click()
    expect(fran.note(first).locator(".dots-count")).to_have_text("2")
    expect(pat.page.locator(".dots-left")).to_have_text("0 left")

    # A third dot is one too many: the page says so and nothing is cast.
    pat.note(second).locator(".dots-badge").click()
    expect(pat.page.locator(".toast", has_text="used all 2 of your dots")).to_be_visible()
    # ... and the server says so too when the page's own check is bypassed.
    record_rejects(pat)
    pat.page.evaluate("(id) => window.storming.state.submit('vote.cast', {id})", second)
    pat.page.wait_for_function("() => window.rejects.includes('conflict')")
    expect(fran.note(second).locator(".dots-badge")).to_have_count(0)

    # Shift+click takes one back.
    pat.note(first).locator(".dots-badge").click(modifiers=["Shift"])
    expect(fran.note(first).locator(".dots-count")).to_have_text("1")
    pat.note(second).locator(".dots-badge").click()
    expect(fran.note(second).locator(".dots-count")).to_have_text("1")

    # The results list the voted stickies; a click shows one on the board.
    fran.page.locator(".dots-menu-button").click()
    results = fran.page.locator(".dots-result")
    expect(results).to_have_count(2)
    results.filter(has_text="Who pays shipping?").click()
    expect(fran.note(second)).to_have_class(re.compile(r"\bselected\b"))

    fran.page.locator(".dots-menu-button").click()
    fran.page.locator(".dots-clear").click()
    fran.page.locator(".dots-clear").click()  # a second click confirms
    expect(pat.note(second).locator(".dots-count")).to_have_text("+")
    expect(pat.page.locator(".dots-left")).to_have_text("2 left")


def test_the_server_refuses_a_kind_the_phase_does_not_allow_even_when_the_palette_is_bypassed(app_server, open_board):
    board = app_server.create_board("Phases")
    fran = open_board(as_facilitator(board), "Fran")
    pat = open_board(board, "Pat")

    fran.page.locator(".phase-select").select_option("exploration")
    expect(pat.page.locator(".phase-name")).to_have_text("Chaotic exploration")
    expect(pat.page.locator(".phase-instruction")).to_contain_text("past tense")
    expect(fran.page.locator(".phase-instruction")).to_contain_text("past tense")
    command_item = pat.page.locator('.palette-item[data-kind="command"]')
    expect(command_item).to_have_attribute("aria-disabled", "true")
    expect(command_item).to_have_attribute("title", re.compile("Commands and policies"))
    expect(pat.page.locator('.palette-item[data-kind="event"]')).to_have_attribute("aria-disabled", "false")

    # The palette's refusal is a courtesy; the server is the one that says no.
    record_rejects(pat)
    note_id = str(uuid.uuid4())
    pat.page.evaluate(
        """(id) => window.storming.state.submit("note.create",
             {id, kind: "command", text: "Place Order", x: 0, y: 0, w: 160, h: 110, fields: []})""",
        note_id,
    )
    pat.page.wait_for_function("() => window.rejects.includes('phase')")
    expect(pat.page.locator(".toast", has_text="comes later")).to_be_visible()
    expect(pat.note(note_id)).to_have_count(0)

    # An event is fine in this phase; once it reached Fran, the command had its chance too.
    event_id = pat.add_note("event", "Order Placed")
    expect(fran.note(event_id)).to_have_count(1)
    expect(fran.note(note_id)).to_have_count(0)
    assert all(n["kind"] != "command" for n in app_server.snapshot(board["id"])["notes"])


def test_a_locked_board_tells_participants_and_refuses_their_changes(app_server, open_board):
    board = app_server.create_board("Lock")
    fran = open_board(as_facilitator(board), "Fran")
    pat = open_board(board, "Pat")

    fran.page.locator(".lock-toggle").click()
    expect(pat.page.locator(".lock-badge")).to_have_text("Locked by the facilitator")
    expect(fran.page.locator(".lock-toggle")).to_have_attribute("aria-pressed", "true")

    pat.page.locator("#viewport").focus()
    pat.page.keyboard.press("1")
    expect(pat.page.locator(".toast", has_text="locked")).to_be_visible()
    # Straight down the socket, past the page's own check: the server refuses it.
    record_rejects(pat)
    note_id = str(uuid.uuid4())
    pat.page.evaluate(
        """(id) => window.storming.socket.sendOp({type: "op", op_id: crypto.randomUUID(), op: "note.create",
             data: {id, kind: "event", text: "Sneaky", x: 0, y: 0, w: 160, h: 110, fields: []}})""",
        note_id,
    )
    pat.page.wait_for_function("() => window.rejects.includes('locked')")
    expect(fran.page.locator(".note")).to_have_count(0)

    fran.page.locator(".lock-toggle").click()
    expect(pat.page.locator(".lock-badge")).to_be_hidden()
    event_id = pat.add_note("event", "Order Placed")
    expect(fran.note(event_id)).to_have_count(1)


def test_follow_me_brings_the_participants_view_to_the_facilitators_until_they_stop(app_server, open_board):
    board = app_server.create_board("Follow")
    app_server.add_note(board, "event", "Far away", 3000, 2000)
    fran = open_board(as_facilitator(board), "Fran")
    pat = open_board(board, "Pat")

    fran.page.locator(".follow-toggle").click()
    expect(pat.page.locator(".follow-pill")).to_contain_text("Following Fran")
    fran.page.locator("#zoom-in").click()
    fran.page.locator("#zoom-in").click()
    fran.page.evaluate("() => { const c = window.storming.camera; c.panBy(-400, -250); }")
    target = fran.page.evaluate("() => ({...window.storming.camera.centreWorld(), zoom: window.storming.camera.zoom})")

    pat.page.wait_for_function(
        """(t) => { const c = window.storming.camera, p = c.centreWorld();
                   return Math.abs(c.zoom - t.zoom) < 0.01 && Math.abs(p.x - t.x) < 2 && Math.abs(p.y - t.y) < 2; }""",
        arg=target,
    )

    pat.page.locator(".follow-stop").click()
    expect(pat.page.locator(".follow-again")).to_be_visible()
    before = pat.page.evaluate("() => ({x: window.storming.camera.x, y: window.storming.camera.y})")
    fran.page.evaluate("() => window.storming.camera.panBy(300, 300)")
    time.sleep(0.6)
    after = pat.page.evaluate("() => ({x: window.storming.camera.x, y: window.storming.camera.y})")
    assert after == before


def test_the_checks_panel_points_at_a_policy_not_starting_with_whenever_and_selects_it(app_server, open_board):
    board = app_server.create_board("Checks")
    policy = app_server.add_note(board, "policy", "Send a confirmation", 400, 300)
    pat = open_board(board, "Pat")

    expect(pat.page.locator("#checks-button .checks-count")).to_have_text(re.compile(r"^\d+$"))
    pat.page.locator("#checks-button").click()
    finding = pat.page.locator('.check-finding[data-code="policy_not_whenever"]')
    expect(finding).to_contain_text("Whenever")
    expect(finding).to_have_attribute("data-severity", "warning")
    finding.click()
    expect(pat.note(policy)).to_have_class(re.compile(r"\bselected\b"))

    # Live: fix the text elsewhere and the finding goes away without a reload.
    app_server.op(board, "note.update", {"id": policy, "text": "Whenever an order is placed, send a confirmation"})
    expect(finding).to_have_count(0)

    # An error is marked on the board itself.
    event = app_server.add_note(board, "event", "Order Placed", 0, 0)
    actor = app_server.add_note(board, "actor", "Customer", 300, 0)
    app_server.op(board, "link.create", {"id": str(uuid.uuid4()), "from": event, "to": actor})  # no such flow
    expect(pat.page.locator('.check-finding[data-severity="error"]')).to_have_count(1)
    expect(pat.page.locator(".link.check-error")).to_have_count(1)
    expect(pat.page.locator("#checks-button .checks-count")).to_have_attribute("data-severity", "error")


def test_the_legend_opens_from_the_toolbar_and_with_l(app_server, open_board):
    board = app_server.create_board("Legend")
    pat = open_board(board, "Pat")

    pat.page.locator("#legend-button").click()
    legend = pat.page.locator("#legend-panel")
    expect(legend).to_be_visible()
    expect(legend.locator(".legend-kind")).to_have_count(10)  # seven stickies, two frames, lanes
    expect(legend).to_contain_text("Whenever")
    expect(legend.locator(".legend-chain").first).to_contain_text("Actor")
    pat.page.locator("#viewport").focus()
    pat.page.keyboard.press("l")
    expect(legend).to_be_hidden()
    pat.page.keyboard.press("L")
    expect(legend).to_be_visible()
