"""Every endpoint of a board answers only to one of its keys: reads as well as writes.

404 without a key (the same 404 as for a board that does not exist), 200 with each key that
may read, 403 for a key that may read but not write; replaced keys stop working at once.
"""

import json

import pytest

from boards import store
from boards.examples import load_example
from boards.models import Board

from .helpers import bearer, new_id

pytestmark = pytest.mark.django_db

READS = [
    "",
    "?at=60",
    "history/",
    "checks/",
    "links/",
    "export.zip",
    "export/",
    "export.json",
    "board.svg",
    "releases/",
]


@pytest.fixture
def board() -> Board:
    return store.create_board("Secret roadmap", load_example("checkout"))


def keys(board: Board) -> dict[str, str]:
    return {"facilitator": board.facilitator_key, "editor": board.edit_key, "viewer": board.view_key}


def an_op() -> str:
    data = {"id": new_id(), "kind": "event", "text": "Leaked", "x": 0, "y": 0}
    return json.dumps({"op_id": new_id(), "op": "note.create", "data": data})


@pytest.mark.parametrize("path", READS)
def test_it_reads_nothing_for_the_id_alone_or_a_wrong_key(client, board, path):
    url = f"/api/boards/{board.id}/{path}"
    for headers in ({}, bearer("guessed"), bearer(Board.objects.create(name="Other").view_key)):
        response = client.get(url, **headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert b"Secret roadmap" not in response.content and b"Order Placed" not in response.content


@pytest.mark.parametrize("path", READS)
def test_a_board_that_does_not_exist_answers_exactly_as_a_missing_key(client, board, path):
    missing = client.get(f"/api/boards/{new_id()}/{path}", **bearer(board.view_key))
    keyless = client.get(f"/api/boards/{board.id}/{path}")
    assert (missing.status_code, missing.content) == (keyless.status_code, keyless.content)


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("role", ["facilitator", "editor", "viewer"])
def test_each_key_reads_every_endpoint(client, board, path, role):
    response = client.get(f"/api/boards/{board.id}/{path}", **bearer(keys(board)[role]))
    assert response.status_code == 200
    if path in ("", "?at=60", "export.json", "board.svg"):
        assert b"Order Placed" in response.content


def test_a_view_key_may_read_but_not_write(client, board):
    viewer = bearer(board.view_key)
    ops = client.post(f"/api/boards/{board.id}/ops/", an_op(), content_type="application/json", **viewer)
    assert (ops.status_code, ops.json()["error"]["code"]) == (403, "read_only")
    assert client.post(f"/api/boards/{board.id}/provision/", **viewer).status_code == 403
    assert client.post(f"/api/boards/{board.id}/links/", **viewer).status_code == 403
    assert not any(n["text"] == "Leaked" for n in store.snapshot(board.id)["notes"])


def test_only_the_facilitator_key_releases_the_contract(client, board):
    url = f"/api/boards/{board.id}/releases/"
    body = json.dumps({"note": "v1"})
    for key in ({}, bearer("guessed")):
        assert client.post(url, body, content_type="application/json", **key).status_code == 404
    for key in (board.view_key, board.edit_key):
        assert client.post(url, body, content_type="application/json", **bearer(key)).status_code == 403
    released = client.post(url, body, content_type="application/json", **bearer(board.facilitator_key))
    assert released.status_code == 201
    compared = client.get(f"/api/boards/{board.id}/contract/compatibility/?base=1")
    assert compared.status_code == 404
    assert client.get(f"/api/boards/{board.id}/contract/compatibility/?base=1", **bearer(board.view_key)).json()[
        "compatible"
    ]


def test_an_edit_key_writes_but_may_not_replace_the_links(client, board, settings):
    editor = bearer(board.edit_key)
    ops = client.post(f"/api/boards/{board.id}/ops/", an_op(), content_type="application/json", **editor)
    assert ops.status_code == 201
    settings.KAFKA_BOOTSTRAP_SERVERS = ""
    # Past the key check: the server only says it has no cluster to create topics on.
    assert client.post(f"/api/boards/{board.id}/provision/", **editor).status_code == 409
    assert client.post(f"/api/boards/{board.id}/links/", **editor).status_code == 403
    assert client.post(f"/api/boards/{board.id}/links/", **bearer(board.facilitator_key)).status_code == 200


def test_writes_without_a_key_are_404_too(client, board):
    assert client.post(f"/api/boards/{board.id}/ops/", an_op(), content_type="application/json").status_code == 404
    assert client.post(f"/api/boards/{board.id}/provision/").status_code == 404
    assert client.post(f"/api/boards/{board.id}/links/").status_code == 404


@pytest.mark.parametrize("path", READS)
def test_replaced_keys_lose_reads_at_once(client, board, path):
    old = keys(board)
    client.post(f"/api/boards/{board.id}/links/", **bearer(board.facilitator_key))
    board.refresh_from_db()
    for role in ("editor", "viewer"):
        assert client.get(f"/api/boards/{board.id}/{path}", **bearer(old[role])).status_code == 404
        assert client.get(f"/api/boards/{board.id}/{path}", **bearer(keys(board)[role])).status_code == 200
    assert client.get(f"/api/boards/{board.id}/{path}", **bearer(board.facilitator_key)).status_code == 200


def test_replaced_keys_lose_writes_at_once(client, board):
    old_edit = board.edit_key
    client.post(f"/api/boards/{board.id}/links/", **bearer(board.facilitator_key))
    response = client.post(f"/api/boards/{board.id}/ops/", an_op(), content_type="application/json", **bearer(old_edit))
    assert response.status_code == 404


def test_the_board_page_holds_no_board_data_and_is_the_same_for_any_id(client, board):
    page = client.get(f"/b/{board.id}/").content.decode()
    assert "Secret roadmap" not in page and "Order Placed" not in page
    assert board.edit_key not in page and board.view_key not in page
    other = client.get(f"/b/{new_id()}/")
    assert other.status_code == 200
