"""Who may open a board socket, and the headers every page is served with."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host

from boards.middleware import Middleware


class OriginCheck:
    """Refuse browsers on foreign sites (cross-site WebSocket hijacking).

    A browser always sends Origin and Host: the socket is let in only when the Origin's host and
    port are those the browser connected to (Host), and that host is one of ALLOWED_HOSTS. A page
    on another port of the same machine is another site. Scripts and bots send no Origin; they are
    let in on the board link they hold, as an HTTP client would be.
    """

    def __init__(self, application: Any):
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", ()))
        if origin_allowed(headers.get(b"origin"), headers.get(b"host"), scope.get("scheme", "ws")):
            return await self.application(scope, receive, send)
        return await refuse_socket(receive, send)


async def refuse_socket(receive: Any, send: Any) -> None:
    """Refuse the handshake (the browser sees HTTP 403).

    Not Channels' WebsocketDenier: that one opens a channel on the layer (one in Redis per
    refused socket) only to listen on it until the client goes, and waits on its cancelled
    receive as it ends, which on Python 3.11 can wait for ever (boards/live/stopping.py).
    """
    while (message := await receive())["type"] != "websocket.connect":
        if message["type"] == "websocket.disconnect":
            return
    await send({"type": "websocket.close"})


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_allowed(origin: bytes | None, host: bytes | None, scheme: str) -> bool:
    if origin is None:
        return True
    try:
        parsed = urlsplit(origin.decode("latin1"))
        origin_port = parsed.port or DEFAULT_PORTS.get(parsed.scheme)
    except ValueError:
        return False
    if origin_port is None or not parsed.hostname:
        return False
    if (settings.STORMING_BEHIND_TLS or scheme == "wss") and parsed.scheme != "https":
        return False  # a page served over plain HTTP is not this site
    allowed_hosts = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    if host is None:
        # No Host: not a browser (every browser sends it), so only the host name is checked.
        return validate_host(_bracketed(parsed.hostname), allowed_hosts)
    host_name, host_port = split_domain_port(host.decode("latin1"))
    if not host_name or not validate_host(host_name, allowed_hosts):
        return False
    expected_port = int(host_port) if host_port else DEFAULT_PORTS[parsed.scheme]
    return _bracketed(parsed.hostname) == host_name and origin_port == expected_port


def _bracketed(hostname: str) -> str:
    """An IPv6 address as Host writes it: urlsplit drops the brackets, ALLOWED_HOSTS keeps them."""
    return f"[{hostname}]" if ":" in hostname else hostname


# No inline script or style anywhere: user text can never become code, even if a template slips.
# Sockets go to this site only: CSP3 browsers count ws(s) on the page's own host as 'self', older
# ones need the host named, which each response adds (see `content_security_policy`).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def content_security_policy(request: HttpRequest) -> str:
    try:
        host = request.get_host()  # checked against ALLOWED_HOSTS: safe to put in a header
    except DisallowedHost:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("connect-src 'self'", f"connect-src 'self' ws://{host} wss://{host}")


class SecurityHeaders(Middleware):
    """Content-Security-Policy on every response (Django's SecurityMiddleware sets the others)."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # The admin ships inline scripts of its own; it is for staff, behind a login.
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", content_security_policy(request))
        return response
