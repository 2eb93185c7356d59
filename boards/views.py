"""Pages and the JSON API. Every change goes through boards.store.apply_ops."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from typing import Any

from asgiref.sync import async_to_sync
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from boards import live, protocol, redaction, store
from boards.checks import run_checks
from boards.domain import Rejection, budgets
from boards.examples import load_example
from boards.export import releases
from boards.http import NO_ACCESS, board_links, board_summary, error, needs_key, read_json, request_key
from boards.models import Board

# --- pages -----------------------------------------------------------------------------------


def _listing(board: Board, role: str) -> dict[str, Any]:
    return {"id": board.id, "name": board.name, "created_at": board.created_at, "url": board.link(role), "role": role}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # Boards are private to their links: the page lists only a signed-in person's own boards
    # (and adds those this browser has opened). It hands out no shared key, not even an
    # example's: "Open the example" makes each visitor a copy of their own.
    mine = []
    if request.user.is_authenticated:
        mine = [_listing(b, "facilitator") for b in Board.objects.filter(owner=request.user)[:50]]
    return render(request, "boards/home.html", {"my_boards": mine})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@require_GET
def board_page(request: HttpRequest, board_id: uuid.UUID) -> HttpResponse:
    # The page is the same for every id and holds nothing of the board: it reads the key from
    # the link's fragment (which browsers never send) and gets the board over the keyed socket.
    # So an address without its key shows no board data, and no hint whether the board exists.
    config = {
        "boardId": str(board_id),
        "wsUrl": f"/ws/boards/{board_id}/",
        "apiUrl": f"/api/boards/{board_id}/",
        "exportUrl": f"/api/boards/{board_id}/export.zip",
        "protocol": protocol.VERSION,
        # Only whether to offer "members only" in the Share dialog (it needs a signed-in facilitator).
        "signedIn": request.user.is_authenticated,
        # The editor keeps text over this limit open with the reason, instead of losing it.
        "maxText": budgets().text,
    }
    return render(request, "boards/board.html", {"config": config})


# --- API -------------------------------------------------------------------------------------

# The JSON API takes no cookies-only form posts: it requires Content-Type application/json,
# which a cross-site form cannot send without a CORS preflight, so CSRF tokens are not needed.


@csrf_exempt
@require_http_methods(["GET", "POST"])
def boards_api(request: HttpRequest) -> JsonResponse:
    if request.method == "GET":
        # Only your own boards: listing everyone's would give away what the links keep private.
        mine = Board.objects.filter(owner=request.user) if request.user.is_authenticated else Board.objects.none()
        return JsonResponse({"boards": [board_summary(request, b) for b in mine[:50]]})
    try:
        body = read_json(request)
        if not isinstance(body, dict):
            raise Rejection("invalid", 'Send a JSON object such as {"name": "Checkout"}.')
        name = body.get("name", "")
        limit = budgets().name
        if not isinstance(name, str) or not name.strip() or len(name) > limit:
            raise Rejection("invalid", f"A board needs a name of 1 to {limit} characters.")
        example = body.get("example")
        snapshot = load_example(example) if isinstance(example, str) else None
        board = store.create_board(name.strip(), snapshot)
        if request.user.is_authenticated:
            Board.objects.filter(pk=board.pk).update(owner=request.user)
    except Rejection as rejection:
        return error(400, rejection.code, rejection.message)
    return JsonResponse(board_links(request, board), status=201)


# Every endpoint of one board needs one of its keys (boards.http.needs_key): reading it too.


def _seq_text(text: str) -> bool:
    """A seq as a query parameter: plain digits, few enough to fit the database's integers."""
    return text.isascii() and text.isdigit() and len(text) <= 15


@require_GET
@needs_key("viewer")
def board_api(request: HttpRequest, board_id: str) -> JsonResponse:
    """The board now, or with ?at=<seq> as it was right after that event."""
    at = request.GET.get("at")
    try:
        if at is not None and not _seq_text(at):
            raise Rejection("invalid", "at must be a seq: a whole number from 0 to the board's seq.")
        return JsonResponse(store.snapshot(board_id, at=int(at) if at is not None else None))
    except Board.DoesNotExist:
        return error(404, "not_found", NO_ACCESS)
    except Rejection as rejection:
        return error(400, rejection.code, rejection.message)


@require_GET
@needs_key("viewer")
def history_api(request: HttpRequest, board_id: str) -> JsonResponse:
    """Who did what: the log, newest first, a page at a time (?before=<seq>&limit=<n>)."""
    board = request.board
    before = request.GET.get("before", "")
    limit = request.GET.get("limit", "100")
    if not _seq_text(limit) or not 1 <= int(limit) <= 1000 or (before and not _seq_text(before)):
        return error(400, "invalid", "before must be a seq and limit a whole number from 1 to 1000.")
    events = board.events.order_by("-seq")
    if before:
        events = events.filter(seq__lt=int(before))
    frames = [redaction.event_for(store.event_frame(event), None) for event in events[: int(limit)]]
    return JsonResponse({"seq": board.seq, "events": frames})


# Every open page asks for the checks as the board changes; one run per board and seq serves them all.
_checks_cache: OrderedDict[tuple[str, int, int], list[dict[str, Any]]] = OrderedDict()
CHECKS_CACHE_SIZE = 256


@require_GET
@needs_key("viewer")
def checks_api(request: HttpRequest, board_id: str) -> JsonResponse:
    seq = request.board.seq
    # A release changes what breaks it without changing the board's seq.
    key = (str(board_id), seq, releases.latest_version(str(board_id)))
    findings = _checks_cache.get(key)
    if findings is None:
        snapshot = store.snapshot(board_id)
        findings = run_checks(snapshot) + releases.breaking_findings(str(board_id), snapshot)
        _checks_cache[(str(board_id), snapshot["seq"], key[2])] = findings
        while len(_checks_cache) > CHECKS_CACHE_SIZE:
            _checks_cache.popitem(last=False)
    return JsonResponse({"seq": seq, "findings": findings})


@csrf_exempt
@require_http_methods(["GET", "POST"])
@needs_key("viewer")
def links_api(request: HttpRequest, board_id: str) -> JsonResponse:
    """GET: the links your key lets you share. POST (facilitator): replace the edit and view links."""
    board, role = request.board, request.board_role
    if request.method == "POST":
        if role != "facilitator":
            return error(403, "forbidden", "Only the facilitator can replace the board's links.")
        with transaction.atomic():
            board.rotate_links()
        # After commit, and best effort: every op re-checks its key against the board row anyway.
        async_to_sync(live.access_changed)(str(board.id))
    return JsonResponse(board_links(request, board, role))


@csrf_exempt
@require_http_methods(["GET", "POST"])
@needs_key("viewer")
def access_api(request: HttpRequest, board_id: str) -> JsonResponse:
    """GET: who may open the board. POST {"members_only": bool} (signed-in facilitator): restrict it."""
    board = request.board
    if request.method == "POST":
        if request.board_role != "facilitator":
            return error(403, "forbidden", "Only the facilitator's key may change who opens the board.")
        if not request.user.is_authenticated:
            # Else the facilitator would lock themselves out of their own board.
            return error(403, "sign_in", "Sign in first: a members-only board opens for signed-in people only.")
        try:
            body = read_json(request)
            if not isinstance(body, dict) or not isinstance(body.get("members_only"), bool):
                raise Rejection("invalid", 'Send {"members_only": true} or {"members_only": false}.')
        except Rejection as rejection:
            return error(400, rejection.code, rejection.message)
        board.members_only = body["members_only"]
        if board.owner_id is None:
            board.owner = request.user
        board.save(update_fields=["members_only", "owner", "updated_at"])
        # Sockets of people who are not signed in must go, as when the links are replaced.
        async_to_sync(live.access_changed)(str(board.id))
    return JsonResponse({"members_only": board.members_only})


@csrf_exempt
@require_http_methods(["POST"])
@needs_key("editor")
async def ops_api(request: HttpRequest, board_id: str) -> JsonResponse:
    role = request.board_role
    try:
        body = read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("op"), str):
            raise Rejection("invalid", 'Send {"op_id": "<uuid>", "op": "note.create", "data": {...}}.')
        op_id = body.get("op_id", "")
        if not isinstance(op_id, str) or len(op_id) > 64:
            raise Rejection("invalid", "op_id must be a string of at most 64 characters.")
    except Rejection as rejection:
        return error(400, rejection.code, rejection.message)
    op = store.OpRequest(
        op=body["op"],
        data=body.get("data", {}),
        op_id=op_id,
        actor="api",
        role=role,
        author=f"api-{role}",
        key=request_key(request),
    )
    # Through the board's room, like a socket's op: same batching, budgets, order and fan-out.
    # An async view, so no thread waits while the room's writer needs the database thread.
    result = await live.http_op(str(board_id), op)
    if not result.ok:
        status = {"not_found": 404, "conflict": 409, "rate_limited": 429, "revoked": 403}.get(result.error["code"], 400)
        response = JsonResponse({"error": result.error}, status=status)
        if "retry_after_ms" in result.error:
            response["Retry-After"] = str(max(1, -(-result.error["retry_after_ms"] // 1000)))
        return response
    return JsonResponse({"ack": result.seq, "op_id": result.op_id}, status=200 if result.duplicate else 201)
