"""Optional accounts in the page: a signed-in facilitator makes a board members-only."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_members_only_board_turns_away_a_stranger_with_the_edit_link(app_server, browser):
    owner = browser.new_context(viewport={"width": 1280, "height": 800})
    owner.set_default_timeout(15000)
    owner.add_init_script("localStorage.setItem('storming:name', 'Fay')")
    page = owner.new_page()
    page.goto(app_server.url + "/accounts/signup/")
    page.locator("#id_username").fill(f"fay-{uuid.uuid4().hex[:6]}")
    page.locator("#id_password1").fill("a long enough passphrase")
    page.locator("#id_password2").fill("a long enough passphrase")
    page.locator("button[type=submit]").click()
    page.wait_for_url(app_server.url + "/")
    page.locator("#new-board-name").fill("Payroll")
    page.locator("#create-board").click()
    page.wait_for_url("**/b/*/")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "connected")

    page.locator("#share-button").click()
    expect(page.locator("#share-members-only")).to_be_visible()  # the dialog is open and filled
    edit_link = page.locator("#share-edit-url").input_value()
    assert "#key=" in edit_link
    page.locator("#share-members-only").check()
    expect(page.locator(".toast")).to_contain_text("Only signed-in people")

    stranger = browser.new_context()
    stranger.add_init_script("localStorage.setItem('storming:name', 'Eve')")
    eve = stranger.new_page()
    eve.goto(edit_link)
    expect(eve.locator("#denied")).to_be_visible()
    expect(eve.locator("#denied")).to_contain_text("signed-in members")
    assert "Payroll" not in eve.content()
    # The owner, signed in, stays on the board.
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "connected")
    stranger.close()
    owner.close()
