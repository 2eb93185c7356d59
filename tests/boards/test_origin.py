"""The board socket lets browsers in only from the site itself: same host, same port."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from boards.models import Board
from storming.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def board():
    return await database_sync_to_async(Board.objects.create)(name="Checkout")


async def opens(board, origin: str | None, host: str | None = "127.0.0.1:8000", scheme: str = "ws") -> bool:
    headers = [(name, value.encode()) for name, value in ((b"origin", origin), (b"host", host)) if value is not None]
    socket = WebsocketCommunicator(application, f"/ws/boards/{board.id}/?key={board.edit_key}", headers=headers)
    socket.scope["scheme"] = scheme
    connected, _ = await socket.connect()
    await socket.disconnect()
    return connected


async def test_the_page_of_the_site_itself_connects(board):
    assert await opens(board, "http://127.0.0.1:8000")
    assert await opens(board, "http://localhost:8000", host="localhost:8000")
    assert await opens(board, "http://[::1]:8000", host="[::1]:8000")


async def test_a_page_on_another_port_of_the_same_host_is_refused(board):
    assert not await opens(board, "http://127.0.0.1:9999")
    assert not await opens(board, "http://127.0.0.1")  # port 80 is not port 8000


async def test_without_a_port_in_host_the_origin_must_use_its_schemes_default_port(board, settings):
    settings.ALLOWED_HOSTS = ["storming.example.com"]
    assert await opens(board, "https://storming.example.com", host="storming.example.com")
    assert await opens(board, "https://storming.example.com:443", host="storming.example.com")
    assert not await opens(board, "https://storming.example.com:8443", host="storming.example.com")


async def test_another_host_is_refused_even_if_it_points_here(board):
    # DNS rebinding: a foreign name resolving to this server sends a matching Origin and Host.
    assert not await opens(board, "http://evil.example:8000", host="evil.example:8000")
    assert not await opens(board, "https://evil.example", host="127.0.0.1:8000")
    assert not await opens(board, "null")


async def test_behind_tls_a_page_served_over_plain_http_is_refused(board, settings):
    settings.STORMING_BEHIND_TLS = True
    settings.ALLOWED_HOSTS = ["storming.example.com"]
    assert await opens(board, "https://storming.example.com", host="storming.example.com")
    assert not await opens(board, "http://storming.example.com:443", host="storming.example.com")


async def test_scripts_without_origin_are_let_in(board):
    assert await opens(board, None)
