"""The board as a picture: every sticky's text is there, as text, and the context map is right."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from boards import store
from boards.pictures import board_svg, context_crossings, context_map_svg
from tests.boards.helpers import bearer
from tests.chromium import CHROMIUM, CHROMIUM_ARGS, chromium_installed
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "boards" / "examples" / "checkout.json"
NS = {"svg": "http://www.w3.org/2000/svg"}
SCRIPT = "<script>alert('owned')</script>"


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text())


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode())


def drawn_notes(svg: str) -> dict[str, ET.Element]:
    root = parse(svg)
    return {g.get("data-id"): g for g in root.iterfind(".//svg:g[@class='note']", NS)}


def shown_text(group: ET.Element) -> str:
    """The lines a person sees on a sticky, joined as one sentence."""
    body = group.find("svg:text[@class='body']", NS)
    return " ".join("".join(t.itertext()) for t in body.iterfind("svg:tspan", NS)) if body is not None else ""


def test_the_board_is_valid_svg_with_every_sticky_and_frame():
    board = example()
    svg = board_svg(board)
    root = parse(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert set(drawn_notes(svg)) == {n["id"] for n in board["notes"]}
    frames = {g.get("data-id") for g in root.iterfind(".//svg:g[@class='frame']", NS)}
    assert frames == {f["id"] for f in board["frames"]}
    assert len(root.findall(".//svg:g[@class='link']", NS)) == len(board["links"])


def test_every_sticky_shows_its_whole_text():
    board = example()
    notes = drawn_notes(board_svg(board))
    for note in board["notes"]:
        assert shown_text(notes[note["id"]]) == " ".join(note["text"].split()), note["text"]


def test_every_sticky_says_its_kind_in_words_not_only_colour():
    board = example()
    notes = drawn_notes(board_svg(board))
    labels = {"event": "EVENT", "command": "COMMAND", "policy": "POLICY", "external_system": "EXTERNAL SYSTEM"}
    labels |= {"actor": "ACTOR", "read_model": "READ MODEL", "hotspot": "HOTSPOT"}
    for note in board["notes"]:
        heads = ["".join(t.itertext()) for t in notes[note["id"]].iterfind("svg:text[@class='head']", NS)]
        assert labels[note["kind"]] in heads


def test_hotspots_are_tilted_and_frames_look_like_frames():
    board = example()
    svg = board_svg(board)
    notes = drawn_notes(svg)
    hotspot = next(n for n in board["notes"] if n["kind"] == "hotspot")
    assert notes[hotspot["id"]].get("transform", "").startswith("rotate(-3")
    root = parse(svg)
    context = root.find(".//svg:g[@data-kind='bounded_context']/svg:rect", NS)
    assert context.get("stroke-dasharray")
    aggregate = root.find(".//svg:g[@data-kind='aggregate']", NS)
    assert "AGGREGATE" in "".join(aggregate.itertext())
    assert aggregate.find("svg:rect", NS).get("stroke-dasharray") is None


def test_links_are_arrows():
    root = parse(board_svg(example()))
    paths = root.findall(".//svg:g[@class='link']/svg:path", NS)
    assert paths and all(p.get("marker-end") == "url(#arrowhead)" for p in paths)
    assert root.find(".//svg:marker[@id='arrowhead']", NS) is not None


def test_long_text_wraps_inside_the_sticky():
    board = {"name": "b", "notes": [], "frames": [], "links": []}
    text = "Whenever a customer abandons the cart for a whole day, then remind them by mail"
    board["notes"].append({"id": "n", "kind": "policy", "text": text, "x": 0, "y": 0, "w": 160, "h": 100})
    group = drawn_notes(board_svg(board))["n"]
    lines = group.findall("svg:text[@class='body']/svg:tspan", NS)
    assert len(lines) > 2
    assert shown_text(group) == text


def test_script_in_text_is_drawn_as_text_not_markup():
    board = example()
    board["notes"][0]["text"] = SCRIPT
    board["frames"][0]["name"] = "<b onmouseover=alert(1)>Cart</b>"
    board["name"] = "</title><script>alert(2)</script>"
    board["links"][0]["label"] = '"><script>alert(3)</script>'
    svg = board_svg(board)
    assert "<script" not in svg
    root = parse(svg)
    assert not root.findall(".//svg:script", NS) and not root.findall(".//svg:b", NS)
    # A word too long for the sticky breaks across lines; the characters are all there, in order.
    assert shown_text(drawn_notes(svg)[board["notes"][0]["id"]]).replace(" ", "") == SCRIPT.replace(" ", "")
    assert "<b onmouseover=alert(1)>Cart</b>" in "".join(root.itertext())


def test_characters_xml_cannot_hold_do_not_break_the_picture():
    board = example()
    board["notes"][0]["text"] = "Bell\x07 and \x1b escape"
    parse(board_svg(board))
    parse(context_map_svg(board))


def test_a_selection_draws_only_what_is_selected():
    board = example()
    chosen = [n for n in board["notes"] if n["text"] in ("Place Order", "Order Placed", "Customer Notified")]
    svg = board_svg(board, {n["id"] for n in chosen})
    assert set(drawn_notes(svg)) == {n["id"] for n in chosen}
    root = parse(svg)
    assert root.findall(".//svg:g[@class='frame']", NS) == []
    # Only the links between drawn stickies (Place Order -> Order goes to a frame not drawn).
    assert root.findall(".//svg:g[@class='link']", NS) == []
    # The picture is cropped to the selection, not the whole board.
    width = float(root.get("width"))
    assert width < 4500


def test_a_selected_frame_brings_its_members():
    board = example()
    payment = next(f for f in board["frames"] if f["kind"] == "bounded_context" and f["name"] == "Payment")
    svg = board_svg(board, {payment["id"]})
    expected = {n["id"] for n in board["notes"] if n["context"] == payment["id"]}
    assert set(drawn_notes(svg)) == expected
    assert "Payment Provider" in "".join(parse(svg).itertext())


def test_an_empty_selection_is_a_picture_that_says_so():
    svg = board_svg(example(), set())
    assert "Nothing to draw" in "".join(parse(svg).itertext())


# --- context map -----------------------------------------------------------------------------


def context_id(board: dict[str, Any], name: str) -> str:
    return next(f["id"] for f in board["frames"] if f["kind"] == "bounded_context" and f["name"] == name)


def test_crossings_follow_events_directly_and_through_policies():
    board = example()
    crossings = {(c.source, c.target): c.events for c in context_crossings(board)}
    ordering, payment = context_id(board, "Ordering"), context_id(board, "Payment")
    shipping, notification = context_id(board, "Shipping"), context_id(board, "Notification")
    assert crossings[(ordering, payment)] == ["Order Placed"]
    assert sorted(crossings[(payment, ordering)]) == ["Payment Failed", "Payment Received"]
    assert crossings[(shipping, notification)] == ["Goods Shipped"]
    assert crossings[(shipping, ordering)] == ["Goods Shipped"]  # to the Order Status read model
    assert not any(context_id(board, "Shopping") in pair for pair in crossings)


def test_a_policy_in_the_event_s_context_passes_the_event_on():
    board = {"name": "b", "frames": [], "links": []}
    board["frames"] = [
        {"id": "A", "kind": "bounded_context", "name": "Billing", "x": 0, "y": 0, "w": 500, "h": 300, "context": None},
        {"id": "B", "kind": "bounded_context", "name": "Mail", "x": 600, "y": 0, "w": 500, "h": 300, "context": None},
    ]
    note = {"x": 0, "y": 0, "w": 160, "h": 100, "aggregate": None}
    board["notes"] = [
        {**note, "id": "e", "kind": "event", "text": "Invoice Sent", "context": "A"},
        {**note, "id": "p", "kind": "policy", "text": "Whenever Invoice Sent, then Mail It", "context": "A"},
        {**note, "id": "c", "kind": "command", "text": "Mail Invoice", "context": "B"},
    ]
    board["links"] = [
        {"id": "1", "from": "e", "to": "p", "label": ""},
        {"id": "2", "from": "p", "to": "c", "label": ""},
    ]
    [crossing] = context_crossings(board)
    assert (crossing.source, crossing.target, crossing.events) == ("A", "B", ["Invoice Sent"])


def test_the_context_map_shows_contexts_aggregates_and_labelled_arrows():
    board = example()
    root = parse(context_map_svg(board))
    boxes = {g.get("data-id"): "".join(g.itertext()) for g in root.iterfind(".//svg:g[@class='context']", NS)}
    assert len(boxes) == 5
    assert "Ordering" in boxes[context_id(board, "Ordering")]
    assert "Order" in boxes[context_id(board, "Ordering")] and "Cart" in boxes[context_id(board, "Shopping")]
    arrows = root.findall(".//svg:g[@class='crossing']", NS)
    labels = ["".join(a.find("svg:text", NS).itertext()) for a in arrows]
    assert len(arrows) == 5
    assert "Order Placed" in labels
    assert all(a.find("svg:path", NS).get("marker-end") == "url(#arrowhead)" for a in arrows)


def test_a_board_without_contexts_gets_a_map_that_says_so():
    board = {"name": "b", "notes": [], "frames": [], "links": []}
    assert "No bounded contexts yet" in "".join(parse(context_map_svg(board)).itertext())


def test_pictures_import_without_django():
    # The export builds its ZIP from pure functions; the context map must not need Django set up.
    code = (
        "import json, sys; from boards.pictures import context_map_svg; "
        f"context_map_svg(json.load(open({str(EXAMPLE)!r}))); "
        "assert not any(m.startswith('django') for m in sys.modules), 'django imported'"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# --- the endpoint ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls("tests.boards.test_backup")
def test_the_svg_endpoint_draws_the_board_or_the_selection(client):
    board = store.create_board("Checkout", example())
    snapshot = store.snapshot(board.id)
    response = client.get(f"/api/boards/{board.id}/board.svg", **bearer(board.view_key))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "sandbox" in response["Content-Security-Policy"]
    assert len(drawn_notes(response.content.decode())) == 37

    two = [n["id"] for n in snapshot["notes"][:2]]
    response = client.get(f"/api/boards/{board.id}/board.svg?ids={','.join(two)}", **bearer(board.view_key))
    assert set(drawn_notes(response.content.decode())) == set(two)


@pytest.mark.django_db
@pytest.mark.urls("tests.boards.test_backup")
def test_the_svg_of_a_missing_board_is_a_404(client):
    response = client.get("/api/boards/5d0c4d1e-0000-4000-8000-000000000000/board.svg")
    assert response.status_code == 404


# --- the browser's PNG -----------------------------------------------------------------------


@pytest.mark.browser
def test_the_page_downloads_the_board_as_a_png_at_twice_the_size(tmp_path):
    from playwright import sync_api as playwright

    need(f"Chromium at {CHROMIUM}", chromium_installed(), "is not installed (apt-get install chromium)")
    svg = board_svg(example())
    root = parse(svg)
    asked: list[str] = []

    def serve_svg(route):
        asked.append(route.request.url)
        headers = {"Content-Type": "image/svg+xml", "Content-Disposition": 'inline; filename="checkout.svg"'}
        route.fulfill(status=200, body=svg, headers=headers)

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(accept_downloads=True)
        page.route("http://app.test/", lambda r: r.fulfill(body="<!doctype html><title>board</title>"))
        scripts = ROOT / "static" / "boards" / "js"

        def serve_script(route):
            # picture.js and the modules it imports, from the real static folder.
            name = route.request.url.rsplit("/", 1)[-1]
            route.fulfill(path=scripts / name, content_type="text/javascript")

        page.route("http://app.test/*.js", serve_script)
        page.route("http://app.test/api/boards/*/board.svg*", serve_svg)
        page.goto("http://app.test/")
        with page.expect_download() as download:
            page.evaluate("import('/picture.js').then((m) => m.downloadPng('b1', ['n1', 'n2']))")
        png = tmp_path / "board.png"
        download.value.save_as(png)
        filename = download.value.suggested_filename
        browser.close()

    assert filename == "checkout.png"
    assert asked == ["http://app.test/api/boards/b1/board.svg?ids=n1,n2"]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (round(float(root.get("width")) * 2), round(float(root.get("height")) * 2))


def test_a_sticky_too_small_for_its_text_grows_in_the_picture_instead_of_cutting_it():
    text = "Whenever a payment is declined three times in a row, the customer is told and the order is held " * 4
    note = {"id": "n", "kind": "policy", "text": text.strip(), "x": 0, "y": 0, "w": 160, "h": 110}
    svg = board_svg({"name": "B", "notes": [note], "frames": [], "links": []})
    group = drawn_notes(svg)["n"]
    assert shown_text(group) == " ".join(text.split())
    assert "…" not in shown_text(group)
    paper = group.find("svg:path", NS)  # a policy's paper
    bottom = max(float(v) for v in paper.get("d").replace("V", " ").split() if v.replace(".", "").isdigit())
    assert bottom > 110
    view = [float(v) for v in parse(svg).get("viewBox").split()]
    assert view[1] + view[3] > bottom


def test_a_link_from_an_aggregate_to_its_event_starts_at_the_header_like_the_board():
    frame = {"id": "f", "kind": "aggregate", "name": "Order", "x": 0, "y": 0, "w": 500, "h": 300}
    note = {"id": "n", "kind": "event", "text": "Placed", "x": 200, "y": 150, "w": 160, "h": 110}
    link = {"id": "l", "from": "f", "to": "n", "label": ""}
    root = parse(board_svg({"name": "B", "notes": [note], "frames": [frame], "links": [link]}))
    path = root.find(".//svg:g[@data-id='l']/svg:path", NS)
    # From the header (y 30) straight down to the sticky's top edge (y 150), not the frame's centre.
    assert path.get("d") == "M280 30 L280 150"
