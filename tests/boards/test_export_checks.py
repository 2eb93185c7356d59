"""The export preview warns with the model checks, so a team fixes the board before generating code."""

import pytest

from boards import store

from .helpers import bearer, new_id, op

pytestmark = pytest.mark.django_db


def test_the_preview_lists_what_the_model_checks_found(client):
    board = store.create_board("Checkout")
    policy = new_id()
    store.apply_ops(
        board.id, [op("note.create", {"id": policy, "kind": "policy", "text": "Pay later", "x": 0, "y": 0})]
    )
    preview = client.get(f"/api/boards/{board.id}/export/", **bearer(board.view_key)).json()
    policy_findings = [f for f in preview["checks"] if f["element_id"] == policy]
    assert any("Whenever" in f["message"] for f in policy_findings)
    assert all(f["severity"] in ("error", "warning") for f in preview["checks"])


def _flow_board(*, trigger_linked: bool, cycle: bool) -> tuple[dict, dict]:
    from .test_checks import board, frame, link, note

    ordering, payment = frame("bounded_context", "Ordering"), frame("bounded_context", "Payment")
    received_o = note("event", "Payment Received", context=ordering["id"])
    received_p = note("event", "Payment Received", context=payment["id"])
    policy = note("policy", "Whenever Payment Received, then Charge Card", context=payment["id"])
    charge = note("command", "Charge Card", context=payment["id"])
    links = [link(policy, charge), link(charge, received_p if cycle else received_o)]
    if trigger_linked:
        links.append(link(received_p, policy))
    return board(ordering, payment, received_o, received_p, policy, charge, *links), policy


def test_it_flags_a_policy_whose_command_triggers_it_again():
    from boards.checks import run_checks

    snapshot, policy = _flow_board(trigger_linked=True, cycle=True)
    codes = {f["code"] for f in run_checks(snapshot) if f["element_id"] == policy["id"]}
    assert "policy_cycle" in codes
    snapshot, policy = _flow_board(trigger_linked=True, cycle=False)
    assert "policy_cycle" not in {f["code"] for f in run_checks(snapshot) if f["element_id"] == policy["id"]}


def test_it_flags_a_policy_that_names_an_event_several_contexts_have_without_a_link():
    from boards.checks import run_checks

    snapshot, policy = _flow_board(trigger_linked=False, cycle=False)
    (finding,) = [f for f in run_checks(snapshot) if f["code"] == "policy_ambiguous_trigger"]
    assert finding["element_id"] == policy["id"]
    assert "2 events" in finding["message"] and "Ordering, Payment" in finding["message"]
    snapshot, _ = _flow_board(trigger_linked=True, cycle=False)
    assert not [f for f in run_checks(snapshot) if f["code"] == "policy_ambiguous_trigger"]
