"""HTTP helpers every view shares: error bodies, JSON bodies, the board key a request carries.

Views import from here, never from each other, so no view module is ever a library.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse

from boards import protocol
from boards.domain import Rejection
from boards.identity import SIGN_IN
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


# Reading a board needs a key like changing it does: an id leaks easily (address bars, logs,
# screenshots) and a key is what the facilitator can replace. A missing board and a missing
# or wrong key get the same 404, so an id alone never tells whether the board exists.
NO_ACCESS = "There is no board with this id, or no valid key for it: send Authorization: Bearer <key>."
ROLE_RANK = {"viewer": 0, "editor": 1, "facilitator": 2}
TOO_LOW = {
    "editor": ("read_only", "This is the view-only key; changes need the edit key."),
    "facilitator": ("forbidden", "Only the facilitator's key may do this."),
}


def keyed_board(request: HttpRequest, board_id: object) -> tuple[Board, str] | None:
    """The board and the role the request's key grants, read from the database every time
    (a replaced key stops working at once, on every process), or None."""
    board = Board.objects.filter(pk=board_id).first()
    role = board.role_for(request_key(request)) if board is not None else None
    return (board, role) if role is not None else None


def needs_key(minimum: str = "viewer") -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: 404 without a valid key for the board, 403 for a key below `minimum`
    or, on a members-only board, for a request that is not signed in.

    The view keeps its signature; it finds the board and the role on request.board and
    request.board_role.
    """

    def refusal(request: HttpRequest, board_id: object) -> HttpResponse | None:
        access = keyed_board(request, board_id)
        if access is None:
            return error(404, "not_found", NO_ACCESS)
        request.board, request.board_role = access
        if not request.board.admits(request.user):
            return error(403, "sign_in", SIGN_IN)
        if ROLE_RANK[request.board_role] < ROLE_RANK[minimum]:
            return error(403, *TOO_LOW[minimum])
        return None

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        if iscoroutinefunction(view):

            @wraps(view)
            async def wrapped_async(request: HttpRequest, board_id: object, *args: Any, **kwargs: Any) -> Any:
                refused = await sync_to_async(refusal)(request, board_id)
                return refused if refused is not None else await view(request, board_id, *args, **kwargs)

            return wrapped_async

        @wraps(view)
        def wrapped(request: HttpRequest, board_id: object, *args: Any, **kwargs: Any) -> HttpResponse:
            refused = refusal(request, board_id)
            return refused if refused is not None else view(request, board_id, *args, **kwargs)

        return wrapped

    return decorator
