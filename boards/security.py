"""Who may open a board socket, and the headers every page is served with."""

from collections.abc import Callable
from typing import Any

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
    """Content-Security-Policy on every response (Django's SecurityMiddleware sets the others)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The admin ships inline scripts of its own; it is for staff, behind a login.
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
