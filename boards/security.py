"""Who may open a board socket, and the headers every page is served with."""

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from channels.security.websocket import AllowedHostsOriginValidator, OriginValidator
from django.http import HttpRequest, HttpResponse


class OriginCheck(OriginValidator):
    """Refuse browsers on foreign sites (cross-site WebSocket hijacking).

    A browser always sends Origin, so a foreign page is refused. Scripts and bots send none;
    they are let in on the board link they hold, as an HTTP client would be.
    """

    def __init__(self, application: Any):
        allowed = AllowedHostsOriginValidator(application).allowed_origins
        super().__init__(application, allowed)

    def valid_origin(self, parsed_origin: Any) -> bool:
        if parsed_origin is None:
            return True
        return super().valid_origin(parsed_origin)


# No inline script or style anywhere: user text can never become code, even if a template slips.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeaders:
    """Content-Security-Policy on every response (Django's SecurityMiddleware sets the others).

    Async as well as sync, so that under an ASGI server an async view (the ops API) runs without
    a thread waiting on it.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self._acall(request)
        return self.add_headers(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        return self.add_headers(request, await self.get_response(request))

    def add_headers(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # The admin ships inline scripts of its own; it is for staff, behind a login.
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
