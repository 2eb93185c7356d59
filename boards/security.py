"""Who may open a board socket."""

from typing import Any

from channels.security.websocket import AllowedHostsOriginValidator, OriginValidator


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
