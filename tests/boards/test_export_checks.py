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
