"""HTTP helpers every view shares: error bodies, JSON bodies, the board key a request carries.

Views import from here, never from each other, so no view module is ever a library.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404

from boards import protocol
from boards.domain import Rejection
from boards.models import Board
from boards.protocol import BadFrame

MAX_BODY = 5 * 1024 * 1024


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def read_json(request: HttpRequest) -> Any:
    """The request's JSON body, or Rejection with what is wrong with it."""
    if request.content_type != "application/json":
        raise Rejection("invalid", "Send JSON with the header Content-Type: application/json.")
    if len(request.body) > MAX_BODY:
        raise Rejection("too_large", f"The body is larger than {MAX_BODY // (1024 * 1024)} MiB.")
    try:
        return protocol.loads(request.body)
    except BadFrame as bad:
        raise Rejection(bad.code, bad.message) from None


def board_summary(request: HttpRequest, board: Board) -> dict[str, Any]:
    return {"id": str(board.id), "name": board.name, "api_url": request.build_absolute_uri(f"/api/boards/{board.id}/")}


def board_links(request: HttpRequest, board: Board, role: str = "facilitator") -> dict[str, Any]:
    """What the holder of `role` may know: the links for their role and the roles below it."""
    scheme = "wss" if request.is_secure() else "ws"
    roles = {"facilitator": ("facilitator", "editor", "viewer"), "editor": ("editor", "viewer"), "viewer": ("viewer",)}
    visible = roles[role]
    own_key = {"facilitator": board.facilitator_key, "editor": board.edit_key, "viewer": board.view_key}[role]
    links = {
        **board_summary(request, board),
        "role": role,
        # `url` is the link to share: editing for whoever may hand it out, else watching.
        "url": request.build_absolute_uri(board.link("editor" if "editor" in visible else "viewer")),
        "view_url": request.build_absolute_uri(board.link("viewer")),
        "ws_url": f"{scheme}://{request.get_host()}{board.ws_path}?key={own_key}",
        "keys": {
            r: k
            for r, k in (("facilitator", board.facilitator_key), ("editor", board.edit_key), ("viewer", board.view_key))
            if r in visible
        },
    }
    if role == "facilitator":
        links["facilitator_url"] = request.build_absolute_uri(board.link("facilitator"))
    return links


def request_key(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip()
    return request.headers.get("X-Board-Key")


def board_role(request: HttpRequest, board_id: str) -> tuple[Board, str | None]:
    board = get_object_or_404(Board, pk=board_id)
    return board, board.role_for(request_key(request))
