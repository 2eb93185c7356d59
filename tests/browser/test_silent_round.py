"""Silent brainstorming and anonymous dots in the real page, with a facilitator and two participants.

Each person has a browser context of their own, so what one sees of another's sticky or dots came
from the server. The socket frames a page received are recorded too: the text of someone else's
face-down sticky must be in none of them before the reveal, not merely hidden by the page.
Screenshots: var/screenshots/silent-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
ANA_SECRET = "Refund Issued Quietly"
BO_SECRET = "Chargeback Disputed"


def as_facilitator(board: dict) -> dict:
    return {**board, "url": board["facilitator_url"]}


def record_frames(tab) -> list[str]:
    """Every frame the page's socket receives from now on (the page is reloaded to catch its socket)."""
    frames: list[str] = []

    def on_socket(ws) -> None:
        ws.on("framereceived", lambda payload: frames.append(payload if isinstance(payload, str) else str(payload)))

    tab.page.on("websocket", on_socket)
    tab.reload()
    return frames


def shot(tab, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=SHOTS / f"silent-{name}.png")


def test_a_silent_round_keeps_each_participants_stickies_face_down_for_the_others_until_revealed(
    app_server, open_board
):
    board = app_server.create_board("Silent round")
    fran = open_board(as_facilitator(board), "Fran")
    ana = open_board(board, "Ana")
    bo = open_board(board, "Bo")
    bo_frames, fran_frames = record_frames(bo), record_frames(fran)

    fran.page.locator(".silent-toggle").click()
    expect(ana.page.locator(".silent-badge")).to_be_visible()
    expect(bo.page.locator(".silent-badge")).to_be_visible()
    expect(fran.page.locator(".silent-toggle")).to_have_text(re.compile(r"Reveal \(0\)"))

    ana_note = ana.add_note("event", ANA_SECRET)
    expect(ana.note(ana_note)).to_have_class(re.compile(r"\bprivate\b"))
    expect(ana.note(ana_note).locator(".note-text")).to_have_text(ANA_SECRET)
    bo_note = bo.add_note("event", BO_SECRET)

    # Everyone else sees that something was written, face down, with no text.
    for tab, theirs in ((bo, ana_note), (fran, ana_note), (ana, bo_note), (fran, bo_note)):
        expect(tab.note(theirs)).to_have_class(re.compile(r"\bface-down\b"))
        expect(tab.note(theirs).locator(".note-text")).to_have_text("")
    expect(fran.page.locator(".silent-toggle")).to_have_text(re.compile(r"Reveal \(2\)"))
    for tab, secret in ((bo, ANA_SECRET), (fran, ANA_SECRET), (fran, BO_SECRET), (ana, BO_SECRET)):
        assert secret not in tab.page.content()
    for frames, secret in ((bo_frames, ANA_SECRET), (fran_frames, ANA_SECRET), (fran_frames, BO_SECRET)):
        assert frames and not [f for f in frames if secret in f]
    assert any('"face_down":true' in f for f in bo_frames)

    # A face-down sticky cannot be opened by someone else.
    bo.note(ana_note).locator(".note-text").dblclick()
    expect(bo.page.locator(".toast", has_text="This sticky is face down")).to_be_visible()
    expect(bo.page.locator(".note-editor")).to_have_count(0)
    shot(fran, "facilitator-face-down")
    shot(ana, "author-sees-own")

    # One click turns everything over for everyone at once.
    fran.page.locator(".silent-toggle").click()
    for tab in (ana, bo, fran):
        expect(tab.note(ana_note).locator(".note-text")).to_have_text(ANA_SECRET)
        expect(tab.note(bo_note).locator(".note-text")).to_have_text(BO_SECRET)
        expect(tab.page.locator(".note.face-down")).to_have_count(0)
        expect(tab.page.locator(".note.private")).to_have_count(0)
    expect(ana.page.locator(".silent-badge")).to_be_hidden()
    expect(fran.page.locator(".silent-toggle")).to_have_text("Silent round")
    assert any(ANA_SECRET in f and "silent.revealed" in f for f in bo_frames)
    shot(bo, "revealed")

    # Undoing the reveal is refused with the reason, and nothing turns back over.
    fran.page.keyboard.press("Control+z")
    expect(fran.page.locator(".toast", has_text="A reveal cannot be undone")).to_be_visible()
    expect(bo.note(ana_note).locator(".note-text")).to_have_text(ANA_SECRET)


def test_anonymous_dots_show_each_participant_only_their_own_until_the_facilitator_reveals_them(app_server, open_board):
    board = app_server.create_board("Anonymous dots")
    hotspot = app_server.add_note(board, "hotspot", "Who pays shipping?", 0, 0)
    fran = open_board(as_facilitator(board), "Fran")
    ana = open_board(board, "Ana")
    bo = open_board(board, "Bo")

    fran.page.locator(".dots-menu-button").click()
    fran.page.locator(".dots-anonymous").check()
    expect(ana.page.locator(".dots-mode .dots-anonymous-tag")).to_be_visible()
    fran.page.locator(".dots-menu-button").click()

    ana.page.locator(".dots-mode").click()
    ana.note(hotspot).locator(".dots-badge").click()
    expect(ana.note(hotspot).locator(".dots-count")).to_have_text("1")
    ana.note(hotspot).locator(".dots-badge").click()
    expect(ana.note(hotspot).locator(".dots-count")).to_have_text("2")
    ana.settled()
    bo.page.locator(".dots-mode").click()
    bo.note(hotspot).locator(".dots-badge").click()
    expect(bo.note(hotspot).locator(".dots-count")).to_have_text("1")  # Bo's own, not Ana's
    bo.settled()
    expect(ana.note(hotspot).locator(".dots-count")).to_have_text("2")
    expect(fran.note(hotspot).locator(".dots-badge")).to_have_count(0)  # the facilitator sees none yet
    shot(bo, "anonymous-dots")

    fran.page.locator(".dots-menu-button").click()
    fran.page.locator(".dots-reveal").click()
    for tab in (ana, bo, fran):
        expect(tab.note(hotspot).locator(".dots-count")).to_have_text("3")
    expect(ana.page.locator(".toast", has_text="The dots are revealed")).to_be_visible()
    expect(ana.page.locator(".dots-mode.anonymous")).to_have_count(0)
    shot(fran, "dots-revealed")
