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


def test_the_listed_example_is_offered_to_everyone_with_its_edit_link(client):
    example = Board.objects.create(name="Checkout (example)", listed=True)
    page = client.get("/").content.decode()
    assert example.link("editor") in page
    assert example.facilitator_key not in page


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
