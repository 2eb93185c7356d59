"""The HTTP API: creating boards, reading snapshots, changing a board without a socket."""

import json

import pytest
from channels.db import database_sync_to_async

from boards.models import Board, BoardEvent

from .helpers import new_id
from .test_consumer import Client

pytestmark = pytest.mark.django_db(transaction=True)


def post(client, url, body, content_type="application/json", key=None):
    data = json.dumps(body) if not isinstance(body, str) else body
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(url, data=data, content_type=content_type, **headers)


def test_creating_a_board_answers_with_its_links(client):
    response = post(client, "/api/boards/", {"name": "Checkout"})
    assert response.status_code == 201
    body = response.json()
    board = Board.objects.get(pk=body["id"])
    assert board.name == "Checkout"
    assert body["url"] == f"http://testserver/b/{board.id}/#key={board.edit_key}"
    assert body["facilitator_url"] == f"http://testserver/b/{board.id}/#key={board.facilitator_key}"
    assert body["view_url"] == f"http://testserver/b/{board.id}/#key={board.view_key}"
    assert body["ws_url"] == f"ws://testserver/ws/boards/{board.id}/?key={board.facilitator_key}"
    assert client.get(body["url"]).status_code == 200


def test_a_board_from_the_example_holds_the_checkout_story(client):
    body = post(client, "/api/boards/", {"name": "Shop", "example": "checkout"}).json()
    snapshot = client.get(f"/api/boards/{body['id']}/", HTTP_AUTHORIZATION=f"Bearer {body['keys']['viewer']}").json()
    texts = {n["text"] for n in snapshot["notes"]}
    assert "Order Placed" in texts and "Place Order" in texts
    assert snapshot["seq"] == BoardEvent.objects.filter(board_id=body["id"]).count()


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ({"name": ""}, "application/json", "name"),
        ({"name": "x" * 300}, "application/json", "name"),
        ({"title": "Checkout"}, "application/json", "name"),
        ("{broken", "application/json", "JSON"),
        ('["Checkout"]', "application/json", "object"),
        ("name=Checkout", "application/x-www-form-urlencoded", "Content-Type"),
        ({"name": "Shop", "example": "zoo"}, "application/json", "example"),
    ],
)
def test_bad_input_gets_a_400_that_says_what_to_fix(client, body, content_type, message):
    response = post(client, "/api/boards/", body, content_type)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert Board.objects.count() == 0


def test_an_unknown_board_is_a_404_with_a_message(client):
    response = client.get(f"/api/boards/{new_id()}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_an_op_over_http_is_stored_once_and_broadcast_to_sockets(async_client):
    board = await database_sync_to_async(Board.objects.create)(name="Checkout")
    # A socket on the board, through the app's own consumer: any channel layer can reach it.
    ana = Client(board)
    await ana.join()
    await ana.expect("snapshot")
    op = {
        "op_id": new_id(),
        "op": "note.create",
        "data": {"id": new_id(), "kind": "event", "text": "Paid", "x": 1, "y": 2},
    }
    headers = {"Authorization": f"Bearer {board.edit_key}"}
    url = f"/api/boards/{board.id}/ops/"
    first = await async_client.post(url, json.dumps(op), content_type="application/json", headers=headers)
    again = await async_client.post(url, json.dumps(op), content_type="application/json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["ack"] == again.json()["ack"] == 1
    [event] = await ana.events(1)
    assert (event["seq"], event["data"]["text"]) == (1, "Paid")
    assert await ana.no_more_events()
    await ana.close()
    snapshot = (await async_client.get(f"/api/boards/{board.id}/", headers=headers)).json()
    assert [note["text"] for note in snapshot["notes"]] == ["Paid"]


def test_a_refused_op_over_http_says_why(client):
    board = Board.objects.create(name="Checkout")
    op = {"op_id": new_id(), "op": "note.delete", "data": {"id": new_id()}}
    response = post(client, f"/api/boards/{board.id}/ops/", op, key=board.edit_key)
    assert response.status_code == 404
    assert "no longer on the board" in response.json()["error"]["message"]


def test_checks_follow_the_board_as_it_changes(client):
    board = Board.objects.create(name="Checkout")
    viewer = {"HTTP_AUTHORIZATION": f"Bearer {board.view_key}"}
    assert client.get(f"/api/boards/{board.id}/checks/", **viewer).json()["findings"] == []
    policy = new_id()
    op = {
        "op_id": new_id(),
        "op": "note.create",
        "data": {"id": policy, "kind": "policy", "text": "Pay", "x": 0, "y": 0},
    }
    post(client, f"/api/boards/{board.id}/ops/", op, key=board.edit_key)
    findings = client.get(f"/api/boards/{board.id}/checks/", **viewer).json()["findings"]
    assert any(f["element_id"] == policy and f["code"] == "policy_not_whenever" for f in findings)
    fix = {"op_id": new_id(), "op": "note.update", "data": {"id": policy, "text": "Whenever Order Placed, then Pay"}}
    post(client, f"/api/boards/{board.id}/ops/", fix, key=board.edit_key)
    findings = client.get(f"/api/boards/{board.id}/checks/", **viewer).json()["findings"]
    assert not any(f["code"] == "policy_not_whenever" for f in findings)
