"""A page that sends faster than its op budget waits as the server asks, and loses nothing.

The server here allows 2 ops a second after a burst of 3; pasting ten lines makes ten stickies.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server
from tests.browser.screenshots import shot

pytestmark = pytest.mark.browser

LINES = [f"Step {i}" for i in range(10)]

# What the page sends and hears on its socket, with the time, and every toast it shows.
RECORDER = """
window.__sent = [];
window.__heard = [];
window.__toasts = [];
const NativeSocket = window.WebSocket;
window.WebSocket = class extends NativeSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (e) => window.__heard.push([performance.now(), JSON.parse(e.data)]));
  }
  send(data) {
    window.__sent.push([performance.now(), JSON.parse(data)]);
    return super.send(data);
  }
};
new MutationObserver((changes) => {
  for (const change of changes) for (const node of change.addedNodes) window.__toasts.push(node.textContent);
}).observe(document.documentElement, { childList: true, subtree: true, characterData: false });
"""


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("strict"))
    server.env.update(STORMING_CONNECTION_OPS_PER_SECOND="2", STORMING_CONNECTION_OPS_BURST="3")
    server.migrate()
    server.start()
    yield server
    server.stop()


def test_ops_refused_as_too_fast_go_again_no_sooner_than_asked_and_all_arrive_without_a_toast(
    strict_server, open_board
):
    board = strict_server.create_board("Budget")
    ana = open_board(board, "Ana")
    ana.page.add_init_script(RECORDER)
    ana.reload()
    ana.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=strict_server.url)
    ana.page.evaluate(f"navigator.clipboard.writeText({chr(10).join(LINES)!r})")
    ana.page.locator("#viewport").click(position={"x": 600, "y": 600})
    ana.page.keyboard.press("Control+V")
    expect(ana.page.locator("#paste-kind-dialog")).to_contain_text("10 lines")
    ana.page.keyboard.press("2")
    expect(ana.page.locator('.note[data-kind="command"]')).to_have_count(10)
    ana.settled()
    shot(ana.page, "rate-limits-all-arrived")

    texts = sorted(n["text"] for n in strict_server.snapshot(board["id"])["notes"])
    assert texts == sorted(LINES)
    heard = ana.page.evaluate("window.__heard")
    sent = ana.page.evaluate("window.__sent")
    refusals = [(t, f["op_id"], f["error"]["retry_after_ms"]) for t, f in heard if f.get("type") == "reject"]
    assert refusals and all(f["error"]["code"] == "rate_limited" for _, f in heard if f.get("type") == "reject")
    for refused_at, op_id, wait in refusals:
        again = [t for t, f in sent if f.get("op_id") == op_id and t > refused_at]
        assert again, f"{op_id} was refused and never sent again"
        assert again[0] - refused_at >= wait, f"sent again after {again[0] - refused_at:.0f} ms, asked {wait} ms"
    # Refused are the ops past the burst, sent before the first refusal came back; the owed ones
    # then go at the budget's pace, not all again after each wait (which would be refused anew).
    assert len(refusals) < 2 * len(LINES), f"{len(refusals)} refusals for {len(LINES)} ops"
    toasts = ana.page.evaluate("window.__toasts")
    assert not [t for t in toasts if "too fast" in t.lower()], toasts
