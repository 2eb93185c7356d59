"""Releasing the contract from the export panel, and seeing what breaks it there and in the checks."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.screenshots import shot

pytestmark = pytest.mark.browser


def shoot(page: Any, name: str) -> None:
    shot(page, f"release-{name}")


def set_coupon(app_server: Any, board: dict, required: bool) -> None:
    """A colleague gives 'Order Placed' a coupon field (over the API, as their page would)."""
    placed = next(n for n in app_server.snapshot(board["id"])["notes"] if n["text"] == "Order Placed")
    fields = [f for f in placed["fields"] if f["name"] != "coupon"]
    fields.append({"name": "coupon", "type": "string", "required": required, "doc": ""})
    app_server.op(board, "note.update", {"id": placed["id"], "fields": fields})


def test_release_v1_then_a_required_field_breaks_and_an_optional_one_does_not(app_server, open_board):
    board = app_server.create_board("Contract", example="checkout")
    ana = open_board({**board, "url": board["facilitator_url"]}, "Ana")
    page = ana.page
    page.locator("#export-button").click()
    section = page.locator(".contract-section")
    status = section.locator(".contract-status")
    expect(status).to_contain_text("Not released yet")

    section.locator("input[name=release_note]").fill("First contract for the payments team")
    section.locator(".contract-release").click()
    expect(section.locator(".contract-report")).to_contain_text("Released version 1")
    expect(status).to_contain_text("Release 1 is current")
    expect(section.locator(".contract-history")).to_contain_text("First contract for the payments team")
    shoot(page, "1-released")

    set_coupon(app_server, board, required=True)
    section.locator(".contract-compare").click()
    expect(status).to_contain_text("1 breaking")
    breaking = section.locator('.contract-change[data-breaking="true"]')
    expect(breaking).to_have_count(1)
    expect(breaking).to_contain_text("required field 'coupon'")
    expect(breaking).to_contain_text("payment.whenever-order-placed-then-request-payment")
    shoot(page, "2-required-field-breaks")
    page.locator("#checks-button").click()  # the checks take the export panel's place
    flagged = page.locator('.check-finding[data-code="breaking_change"]')
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("Breaks release 1")
    shoot(page, "3-checks-flag-it")

    set_coupon(app_server, board, required=False)
    expect(flagged).to_have_count(0)  # the checks follow the board's changes on their own
    page.locator("#export-button").click()  # opening the panel compares the board as it is now
    expect(status).to_contain_text("1 compatible change")
    expect(section.locator('.contract-change[data-breaking="true"]')).to_have_count(0)
    expect(section.locator('.contract-change[data-breaking="false"]')).to_contain_text("optional field 'coupon'")
    shoot(page, "4-optional-field-compatible")


def test_only_the_facilitator_sees_release_contract(app_server, open_board):
    board = app_server.create_board("Contract", example="checkout")
    bo = open_board(board, "Bo")  # the edit link
    bo.page.locator("#export-button").click()
    expect(bo.page.locator(".contract-status")).to_contain_text("Not released yet")
    expect(bo.page.locator(".contract-release")).to_be_hidden()


def test_a_renamed_sticky_keeps_its_wire_name_until_the_facilitator_renames_it_on_the_wire(app_server, open_board):
    board = app_server.create_board("Contract", example="checkout")
    placed = next(n for n in app_server.snapshot(board["id"])["notes"] if n["text"] == "Order Placed")
    app_server.request("POST", f"/api/boards/{board['id']}/releases/", {"note": "v1"}, key=board["keys"]["facilitator"])
    app_server.op(board, "note.update", {"id": placed["id"], "text": "Order Submitted"})
    ana = open_board({**board, "url": board["facilitator_url"]}, "Ana")
    page = ana.page
    page.locator("#export-button").click()
    section = page.locator(".contract-section")
    # Only the description changes: people read the new text, machines the released names.
    expect(section.locator(".contract-status")).to_contain_text("Since release 1: 1 compatible change")
    pin = section.locator(".contract-pin")
    expect(pin).to_contain_text('"Order Submitted" stays OrderPlaced')

    pin.locator("input[type=checkbox]").check()
    renamed = section.locator('.contract-change[data-change="renamed"]')
    expect(renamed).to_contain_text("is now published as ordering.OrderSubmitted")
    expect(renamed).to_have_attribute("data-breaking", "true")
    shoot(page, "5-rename-on-the-wire-is-breaking")
    section.locator("input[name=release_note]").fill("Orders are submitted now")
    section.locator(".contract-release").click()
    expect(section.locator(".contract-report")).to_contain_text("Released version 2")
    expect(section.locator(".contract-status")).to_contain_text("Release 2 is current")
    expect(pin).to_have_count(0)
    topics = page.locator(".export-topics")
    expect(topics).to_contain_text("ordering.OrderSubmitted")


def test_the_compatibility_level_chosen_in_the_panel_judges_the_changes(app_server, open_board):
    board = app_server.create_board("Contract", example="checkout")
    app_server.request("POST", f"/api/boards/{board['id']}/releases/", {"note": "v1"}, key=board["keys"]["facilitator"])
    set_coupon(app_server, board, required=True)
    ana = open_board({**board, "url": board["facilitator_url"]}, "Ana")
    ana.page.locator("#export-button").click()
    status = ana.page.locator(".contract-status")
    expect(status).to_contain_text("1 breaking (BACKWARD, json)")
    # Old readers ignore the new field: forward compatible, though new readers need it.
    ana.page.locator("select[name=compatibility]").select_option("FORWARD")
    expect(status).to_contain_text("1 compatible change (FORWARD, json)")
