"""The page's board state (static/boards/js/state.js), run in Chromium as the page runs it:
events strictly in seq order, duplicates ignored, gaps held until filled, pending ops shown
on top of confirmed state until acked, rejected ops rolled back."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

SCRIPT = """async (steps) => {
  const { BoardState } = await import('/static/boards/js/state.js');
  const state = new BoardState();
  const sent = [];
  const rejects = [];
  state.transport = (frame) => sent.push(frame);
  state.addEventListener('reject', (e) => rejects.push(e.detail.error.message));
  const note = (id, extra = {}) => ({id, kind: 'event', text: id, x: 0, y: 0, w: 160, h: 110, ...extra});
  const ev = (seq, event, data, op_id = null) => ({type: 'event', seq, event, data, op_id});
  const view = () => ({
    seq: state.seq,
    notes: Object.fromEntries([...state.view.notes.values()].map((n) => [n.id, [n.text, n.x, n.y]])),
    pending: state.pending.length,
  });
  const results = [];
  for (const step of steps) results.push(eval(step));
  return results.map((r) => (r === undefined ? null : r));
}"""


def run(page: Any, *steps: str) -> list[Any]:
    return page.evaluate(SCRIPT, list(steps))


@pytest.fixture
def page(browser: Any, app_server: Any) -> Any:
    # The steps are eval'd, which the site's Content-Security-Policy rightly forbids to pages.
    context = browser.new_context(bypass_csp=True)
    tab = context.new_page()
    tab.goto(app_server.url + "/")
    yield tab
    context.close()


def test_events_apply_in_seq_order_and_duplicates_are_ignored(page):
    [_, first, again] = run(
        page,
        "state.loadSnapshot(1, {name: 'B', notes: [note('a')], frames: [], links: []})",
        "state.receiveEvents([ev(2, 'note.updated', {id: 'a', text: 'A2'})]), view()",
        "state.receiveEvents([ev(2, 'note.updated', {id: 'a', text: 'stale'})]), view()",
    )
    assert first == {"seq": 2, "notes": {"a": ["A2", 0, 0]}, "pending": 0}
    assert again == first


def test_a_gap_holds_later_events_and_asks_for_what_is_missing(page):
    [_, since, held, filled] = run(
        page,
        "state.loadSnapshot(1, {name: 'B', notes: [note('a')], frames: [], links: []})",
        "state.receiveEvents([ev(4, 'note.updated', {id: 'a', text: 'A4'})])",
        "view()",
        "state.receiveEvents([ev(2, 'note.updated', {id: 'a', text: 'A2'}), ev(3, 'note.created', note('b'))]), view()",
    )
    assert since == 1
    assert held == {"seq": 1, "notes": {"a": ["a", 0, 0]}, "pending": 0}
    assert filled == {"seq": 4, "notes": {"a": ["A4", 0, 0], "b": ["b", 0, 0]}, "pending": 0}


def test_a_pending_op_shows_at_once_and_stays_until_its_events_arrive(page):
    [_, op_id, optimistic, acked_early, remote, confirmed] = run(
        page,
        "state.loadSnapshot(5, {name: 'B', notes: [note('a')], frames: [], links: []})",
        "state.submit('note.update', {id: 'a', x: 50, y: 60})",
        "view()",
        # The ack may overtake the op's own event: the move must not flicker back meanwhile.
        "state.ack(sent[0].op_id, 7), view()",
        "state.receiveEvents([ev(6, 'note.updated', {id: 'a', text: 'remote'})]), view()",
        "state.receiveEvents([ev(7, 'note.updated', {id: 'a', x: 50, y: 60}, sent[0].op_id)]), view()",
    )
    assert isinstance(op_id, str)
    assert optimistic == {"seq": 5, "notes": {"a": ["a", 50, 60]}, "pending": 1}
    assert acked_early == optimistic
    assert remote == {"seq": 6, "notes": {"a": ["remote", 50, 60]}, "pending": 1}
    assert confirmed == {"seq": 7, "notes": {"a": ["remote", 50, 60]}, "pending": 0}


def test_a_rejected_op_is_rolled_back_and_its_message_shown(page):
    [_, _, rolled_back, messages] = run(
        page,
        "state.loadSnapshot(1, {name: 'B', notes: [note('a')], frames: [], links: []})",
        "state.submit('note.create', note('b'))",
        "state.reject(sent[0].op_id, {code: 'invalid', message: 'No.'}), view()",
        "rejects",
    )
    assert rolled_back == {"seq": 1, "notes": {"a": ["a", 0, 0]}, "pending": 0}
    assert messages == ["No."]


def test_moving_a_frame_moves_its_members_before_the_server_answers(page):
    [_, _, moved] = run(
        page,
        "state.loadSnapshot(1, {name: 'B', notes: [note('a', {x: 20, y: 40, aggregate: 'f'})], "
        "frames: [{id: 'f', kind: 'aggregate', name: 'F', x: 0, y: 0, w: 400, h: 300, context: null}], links: []})",
        "state.submit('frame.update', {id: 'f', x: 100, y: 10})",
        "view()",
    )
    assert moved["notes"] == {"a": ["a", 120, 50]}
