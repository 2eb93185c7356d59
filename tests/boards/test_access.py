"""Who may do what on a board: facilitator, editor and viewer links, and revoking them."""

import json

import pytest
from channels.db import database_sync_to_async

from boards.models import Board, Note

from .helpers import new_id
from .test_consumer import Client, sticky

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def board():
    return await database_sync_to_async(Board.objects.create)(name="Checkout")


async def test_each_link_gives_its_role(board):
    for key, role in ((board.facilitator_key, "facilitator"), (board.edit_key, "editor"), (board.view_key, "viewer")):
        person = Client(board, key=key)
        assert (await person.join())["you"]["role"] == role
        await person.close()


async def test_the_page_may_send_its_key_in_hello_instead_of_the_url(board):
    person = Client(board, key="")
    assert (await person.join(key=board.edit_key))["you"]["role"] == "editor"
    await person.close()


async def test_a_viewer_cannot_change_anything_whatever_it_sends(board):
    viewer = Client(board, key=board.view_key)
    await viewer.join()
    await viewer.expect("snapshot")
    for name, data in (
        ("note.create", sticky()),
        ("board.rename", {"name": "Mine"}),
        ("frame.delete", {"id": new_id()}),
    ):
        op_id = await viewer.op(name, data)
        reject = await viewer.expect("reject")
        assert (reject["op_id"], reject["error"]["code"]) == (op_id, "read_only")
    assert await database_sync_to_async(Note.objects.count)() == 0
    await viewer.close()


async def test_a_wrong_key_is_refused(board):
    stranger = Client(board, key="guessed")
    connected, _ = await stranger.socket.connect()
    assert connected
    await stranger.send({"type": "hello", "protocol": 2, "since": 0, "name": "Eve"})
    assert (await stranger.expect("error"))["code"] == "forbidden"
    await stranger.closed_with(4403)


async def test_rotating_the_links_closes_open_sockets_of_old_links(board, client):
    editor, facilitator = Client(board, "Bo"), Client(board, "Ana", key=board.facilitator_key)
    await editor.join()
    await facilitator.join()
    response = await database_sync_to_async(client.post)(
        f"/api/boards/{board.id}/links/", HTTP_AUTHORIZATION=f"Bearer {board.facilitator_key}"
    )
    assert response.status_code == 200
    assert (await editor.expect("error"))["code"] == "revoked"
    await editor.closed_with(4403)
    # The facilitator's own socket stays, and the new edit link works.
    await facilitator.op("note.create", sticky())
    assert (await facilitator.expect("ack"))["seq"] == 1
    fresh = await database_sync_to_async(Board.objects.get)(pk=board.pk)
    newcomer = Client(fresh, "Cy")
    await newcomer.join()
    await newcomer.close()
    await facilitator.close()


def test_only_the_facilitator_rotates_links(client):
    board = Board.objects.create(name="Checkout")
    response = client.post(f"/api/boards/{board.id}/links/", HTTP_AUTHORIZATION=f"Bearer {board.edit_key}")
    assert response.status_code == 403
    board.refresh_from_db()
    assert client.get(f"/api/boards/{board.id}/links/", HTTP_AUTHORIZATION=f"Bearer {board.edit_key}").json()[
        "keys"
    ] == {"editor": board.edit_key, "viewer": board.view_key}


def test_changing_a_board_over_http_needs_an_edit_key(client):
    board = Board.objects.create(name="Checkout")
    op = json.dumps({"op_id": new_id(), "op": "note.create", "data": sticky()})
    url = f"/api/boards/{board.id}/ops/"
    assert client.post(url, op, content_type="application/json").status_code == 404
    viewer = client.post(url, op, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {board.view_key}")
    assert viewer.json()["error"]["code"] == "read_only"
    assert Note.objects.count() == 0


async def test_a_flood_of_ops_is_rate_limited_then_disconnected(board, settings):
    settings.STORMING_CONNECTION_OPS_PER_SECOND = 1
    settings.STORMING_CONNECTION_OPS_BURST = 5
    flooder = Client(board)
    await flooder.join()
    for i in range(40):
        await flooder.op("note.create", sticky(f"Spam {i}"))
    await flooder.closed_with(4400)
    assert await database_sync_to_async(Note.objects.count)() <= 5
