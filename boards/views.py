"""Pages and the JSON API. Every change goes through boards.store.apply_ops."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

from asgiref.sync import async_to_sync
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from boards import store
from boards.domain import MAX_NAME, Rejection
from boards.models import Board
from boards.writer import broadcast_events

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
EXAMPLES = {"checkout": "checkout.json"}
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
        return json.loads(request.body, parse_constant=lambda name: _bad_constant(name))
    except (ValueError, UnicodeDecodeError):
        raise Rejection("bad_json", "The body is not valid JSON.") from None


def _bad_constant(name: str) -> None:
    raise ValueError(name)


def board_links(request: HttpRequest, board: Board) -> dict[str, str]:
    scheme = "wss" if request.is_secure() else "ws"
    return {
        "id": str(board.id),
        "name": board.name,
        "url": request.build_absolute_uri(board.url),
        "ws_url": f"{scheme}://{request.get_host()}{board.ws_path}",
        "api_url": request.build_absolute_uri(f"/api/boards/{board.id}/"),
    }


def load_example(name: str) -> dict[str, Any]:
    if name not in EXAMPLES:
        raise Rejection("invalid", f"Unknown example {name[:40]!r}; examples: {', '.join(EXAMPLES)}.")
    return json.loads((EXAMPLES_DIR / EXAMPLES[name]).read_text())


# --- pages -----------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "boards/home.html", {"recent_boards": Board.objects.all()[:20]})


@require_GET
def board_page(request: HttpRequest, board_id: str) -> HttpResponse:
    board = get_object_or_404(Board, pk=board_id)
    config = {
        "boardId": str(board.id),
        "boardName": board.name,
        "wsUrl": board.ws_path,
        "apiUrl": f"/api/boards/{board.id}/",
        "exportUrl": f"/api/boards/{board.id}/export.zip",
    }
    return render(request, "boards/board.html", {"board": board, "config": config})


# --- API -------------------------------------------------------------------------------------

# The JSON API takes no cookies-only form posts: it requires Content-Type application/json,
# which a cross-site form cannot send without a CORS preflight, so CSRF tokens are not needed.


@csrf_exempt
@require_http_methods(["GET", "POST"])
def boards_api(request: HttpRequest) -> JsonResponse:
    if request.method == "GET":
        return JsonResponse({"boards": [board_links(request, b) for b in Board.objects.all()[:50]]})
    try:
        body = read_json(request)
        if not isinstance(body, dict):
            raise Rejection("invalid", 'Send a JSON object such as {"name": "Checkout"}.')
        name = body.get("name", "")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            raise Rejection("invalid", f"A board needs a name of 1 to {MAX_NAME} characters.")
        example = body.get("example")
        snapshot = load_example(example) if isinstance(example, str) else None
        board = store.create_board(name.strip(), snapshot)
    except Rejection as rejection:
        return error(400, rejection.code, rejection.message)
    return JsonResponse(board_links(request, board), status=201)


@require_GET
def board_api(request: HttpRequest, board_id: str) -> JsonResponse:
    try:
        return JsonResponse(store.snapshot(board_id))
    except Board.DoesNotExist:
        return error(404, "not_found", "There is no board with this id.")


def publish(board_id: str, events: list[dict[str, Any]]) -> None:
    async_to_sync(broadcast_events)(board_id, events)


@csrf_exempt
@require_http_methods(["POST"])
def ops_api(request: HttpRequest, board_id: str) -> JsonResponse:
    if not Board.objects.filter(pk=board_id).exists():
        raise Http404
    try:
        body = read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("op"), str):
            raise Rejection("invalid", 'Send {"op_id": "<uuid>", "op": "note.create", "data": {...}}.')
        op_id = body.get("op_id", "")
        if not isinstance(op_id, str) or len(op_id) > 64:
            raise Rejection("invalid", "op_id must be a string of at most 64 characters.")
    except Rejection as rejection:
        return error(400, rejection.code, rejection.message)
    request_op = store.OpRequest(op=body["op"], data=body.get("data", {}), op_id=op_id, actor="api")
    [result] = store.apply_ops(board_id, [request_op], publish=partial(publish, str(board_id)))
    if not result.ok:
        status = {"not_found": 404, "conflict": 409}.get(result.error["code"], 400)
        return error(status, result.error["code"], result.error["message"])
    return JsonResponse({"ack": result.seq, "op_id": result.op_id}, status=200 if result.duplicate else 201)
