"""Optional accounts: a signed-in facilitator finds their boards; strangers see none of them."""

import json

import pytest
from django.contrib.auth.models import User

from boards.models import Board

pytestmark = pytest.mark.django_db


def create(client, name):
    return client.post("/api/boards/", json.dumps({"name": name}), content_type="application/json").json()


def test_a_signed_in_facilitator_sees_their_boards_with_facilitator_links(client):
    ana = User.objects.create_user("ana", password="a long enough password")
    client.force_login(ana)
    body = create(client, "Ana's checkout")
    page = client.get("/").content.decode()
    assert "Ana&#x27;s checkout" in page
    assert Board.objects.get(pk=body["id"]).facilitator_key in page
    assert [b["name"] for b in client.get("/api/boards/").json()["boards"]] == ["Ana's checkout"]


def test_without_an_account_boards_stay_private_to_their_links(client):
    User.objects.create_user("ana", password="x")
    Board.objects.create(name="Secret merger", owner=User.objects.get())
    create(client, "Anonymous board")
    assert "Secret merger" not in client.get("/").content.decode()
    assert client.get("/api/boards/").json()["boards"] == []


def test_the_home_page_hands_out_no_board_key_not_even_an_examples(client):
    example = Board.objects.create(name="Checkout (example)", listed=True)
    page = client.get("/").content.decode()
    for key in (example.facilitator_key, example.edit_key, example.view_key):
        assert key not in page
    assert "Open the example" in page


def test_opening_the_example_makes_each_visitor_the_facilitator_of_a_copy(client):
    first, second = (
        client.post(
            "/api/boards/", json.dumps({"name": "Checkout", "example": "checkout"}), content_type="application/json"
        ).json()
        for _ in range(2)
    )
    assert first["id"] != second["id"] and first["role"] == second["role"] == "facilitator"
    ana = client.get(f"/api/boards/{first['id']}/", HTTP_AUTHORIZATION=f"Bearer {first['keys']['editor']}").json()
    assert len(ana["notes"]) == 37
    # What one visitor does to their copy, the other never sees.
    assert (
        client.get(f"/api/boards/{second['id']}/", HTTP_AUTHORIZATION=f"Bearer {first['keys']['editor']}").status_code
        == 404
    )


def test_signing_up_signs_you_in_and_the_form_carries_csrf(client):
    form = client.get("/accounts/signup/")
    assert "csrfmiddlewaretoken" in form.content.decode()
    response = client.post(
        "/accounts/signup/",
        {"username": "bo", "password1": "correct horse battery", "password2": "correct horse battery"},
    )
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.username == "bo"


def test_a_forged_signup_without_csrf_token_is_refused():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/accounts/signup/", {"username": "eve", "password1": "x1y2z3w4v5", "password2": "x1y2z3w4v5"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="eve").exists()


# --- members-only boards ---------------------------------------------------------------------


def make_members_only(client, board) -> None:
    response = client.post(
        f"/api/boards/{board.id}/access/",
        json.dumps({"members_only": True}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {board.facilitator_key}",
    )
    assert response.json() == {"members_only": True}


def test_a_signed_in_facilitator_restricts_a_board_to_signed_in_people(client):
    from django.test import Client

    board = Board.objects.create(name="Payroll")
    client.force_login(User.objects.create_user("ana", password="x"))
    make_members_only(client, board)
    # Ana, signed in, still reads it with the key...
    ana = client.get(f"/api/boards/{board.id}/", HTTP_AUTHORIZATION=f"Bearer {board.view_key}")
    assert ana.status_code == 200
    # ...a stranger with the same key is asked to sign in, and without a key learns nothing.
    stranger = Client()
    refused = stranger.get(f"/api/boards/{board.id}/", HTTP_AUTHORIZATION=f"Bearer {board.view_key}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "sign_in")
    assert stranger.get(f"/api/boards/{board.id}/").status_code == 404


def test_only_a_signed_in_facilitator_may_restrict_a_board(client):
    board = Board.objects.create(name="Payroll")
    body = json.dumps({"members_only": True})
    anonymous = client.post(
        f"/api/boards/{board.id}/access/",
        body,
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {board.facilitator_key}",
    )
    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (403, "sign_in")
    client.force_login(User.objects.create_user("bo", password="x"))
    editor = client.post(
        f"/api/boards/{board.id}/access/", body, "application/json", HTTP_AUTHORIZATION=f"Bearer {board.edit_key}"
    )
    assert editor.status_code == 403
    board.refresh_from_db()
    assert not board.members_only


@pytest.mark.django_db(transaction=True)
async def test_a_members_only_board_turns_away_sockets_that_are_not_signed_in(client):
    from channels.db import database_sync_to_async

    from .test_consumer import Client as Socket

    board = await database_sync_to_async(Board.objects.create)(name="Payroll", members_only=True)
    stranger = Socket(board, "Eve")
    connected, _ = await stranger.socket.connect()
    assert connected
    await stranger.send({"type": "hello", "protocol": 2, "since": 0, "name": "Eve"})
    assert (await stranger.expect("error"))["code"] == "sign_in"
    await stranger.closed_with(4401)

    user = await database_sync_to_async(User.objects.create_user)("ana", password="x")
    await database_sync_to_async(client.force_login)(user)
    cookie = (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())
    ana = Socket(board, "Ana", headers=[(b"origin", b"http://127.0.0.1:8000"), cookie])
    assert (await ana.join())["you"]["name"] == "Ana"
    await ana.close()


@pytest.mark.django_db(transaction=True)
async def test_making_a_board_members_only_closes_the_sockets_that_are_not_signed_in(client):
    from channels.db import database_sync_to_async

    from .test_consumer import Client as Socket

    board = await database_sync_to_async(Board.objects.create)(name="Payroll")
    stranger = Socket(board, "Eve")
    await stranger.join()
    user = await database_sync_to_async(User.objects.create_user)("ana", password="x")
    await database_sync_to_async(client.force_login)(user)
    await database_sync_to_async(make_members_only)(client, board)
    assert (await stranger.expect("error"))["code"] == "sign_in"
    await stranger.closed_with(4401)
