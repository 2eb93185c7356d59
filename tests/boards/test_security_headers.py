"""Every page and API answer carries headers that keep user text from becoming code."""

import pytest

from boards.models import Board

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/api/boards/", "board", "api"])
def test_responses_forbid_inline_scripts_framing_and_sniffing(client, path):
    board = Board.objects.create(name="Checkout")
    url = {"board": f"/b/{board.id}/", "api": f"/api/boards/{board.id}/"}.get(path, path)
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {board.view_key}")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_board_page_has_no_inline_script_that_the_policy_would_block(client):
    board = Board.objects.create(name="<script>alert(1)</script>")
    html = client.get(f"/b/{board.id}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    for tag in html.split("<script")[1:]:
        opening = tag.split(">", 1)[0]
        assert "src=" in opening or 'type="application/json"' in opening, opening


def test_pages_may_open_sockets_to_this_site_only(client):
    board = Board.objects.create(name="Checkout")
    policy = client.get(f"/b/{board.id}/", headers={"host": "localhost:8000"}).headers["Content-Security-Policy"]
    [connect] = [d for d in policy.split("; ") if d.startswith("connect-src")]
    assert connect.split() == ["connect-src", "'self'", "ws://localhost:8000", "wss://localhost:8000"]


def test_a_request_for_a_foreign_host_names_no_host_in_the_policy(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Content-Security-Policy", "")


@pytest.mark.django_db(transaction=True)
async def test_an_async_server_gets_the_same_headers_on_the_async_ops_api(async_client):
    board = await Board.objects.acreate(name="Checkout")
    body = {"op_id": "a", "op": "note.delete", "data": {"id": "not a uuid"}}
    response = await async_client.post(
        f"/api/boards/{board.id}/ops/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {board.edit_key}"},
    )
    assert response.status_code == 400
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
