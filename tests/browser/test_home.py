"""The home page: start a board, empty or from the example, and land on it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, app_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15000)
    context.add_init_script("localStorage.setItem('storming:name', 'Fay')")
    tab = context.new_page()
    tab.goto(app_server.url + "/")
    yield tab
    context.close()


def test_creating_a_board_opens_it_as_its_facilitator(page):
    page.locator("#new-board-name").fill("Returns")
    page.locator("#create-board").click()
    page.wait_for_url("**/b/*/")
    expect(page.locator("#board-name")).to_have_text("Returns")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "connected")
    expect(page.locator("body")).to_have_attribute("data-role", "facilitator")
    expect(page.locator("#empty-hint")).to_be_visible()


def test_a_board_from_the_example_opens_with_its_stickies(page, app_server):
    page.locator("#new-example-board").click()
    page.wait_for_url("**/b/*/")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "connected")
    expect(page.locator(".frame[data-kind='bounded_context']").first).to_be_attached()
    board_id = page.url.rstrip("/").split("/")[-1]
    key = page.evaluate(f"localStorage.getItem('storming:key:{board_id}')")
    assert page.locator(".note").count() == len(app_server.snapshot(board_id, key)["notes"]) > 10

    page.goto(app_server.url + "/")
    expect(page.locator("#local-boards")).to_contain_text("Checkout (example)")
