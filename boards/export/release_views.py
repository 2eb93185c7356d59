"""HTTP: releasing the contract, listing releases, and comparing the board with a release.

Releasing needs the facilitator's key (it fixes names a team will build on); reading releases
and comparing needs any of the board's keys.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from boards import store
from boards.domain import Rejection
from boards.http import error, needs_key, read_json
from boards.models import Board, ContractRelease

from . import releases
from .compatibility import LEVELS
from .options import InvalidOption, parse_options

# Query parameters of the comparison that are not export options.
_COMPARISON_PARAMS = ("base", "level", "renamed")


@csrf_exempt  # needs a key in a header and a JSON body, which a cross-site form cannot send
@require_http_methods(["GET", "POST"])
@needs_key("viewer")
def releases_api(request: HttpRequest, board_id: object) -> JsonResponse:
    board, role = request.board, request.board_role
    if request.method == "GET":
        rows = ContractRelease.objects.filter(board=board).order_by("version")
        releases_list = [r.as_dict() for r in rows]
        return JsonResponse({"seq": board.seq, "releases": releases_list, "can_release": role == "facilitator"})
    if role != "facilitator":
        return error(403, "forbidden", "Only the facilitator can release the contract.")
    try:
        body = read_json(request)
        if not isinstance(body, dict):
            raise Rejection("invalid", 'Send a JSON object such as {"note": "First contract"}.')
        by = body.get("by")
        # Who released it, as the person signs: the key says only that it was the facilitator.
        actor = by.strip()[:100] if isinstance(by, str) and by.strip() else "facilitator"
        release = releases.create(str(board.id), body.get("note", ""), body.get("renamed", []), actor=actor)
    except Rejection as rejection:
        return error({"conflict": 409}.get(rejection.code, 400), rejection.code, rejection.message)
    return JsonResponse(release.as_dict(), status=201)


@require_GET
@needs_key("viewer")
def compatibility_api(request: HttpRequest, board_id: object) -> JsonResponse:
    board = request.board
    base = request.GET.get("base")
    level = request.GET.get("level")
    if base is not None and not base.isdigit():
        return error(400, "invalid", "base must be a release version: a whole number from 1.")
    if level is not None and level.upper() not in LEVELS:
        return error(400, "invalid", f"level must be one of {', '.join(LEVELS)}; got {level[:20]!r}.")
    renamed = frozenset(r for r in request.GET.get("renamed", "").split(",") if r)
    try:
        snapshot = store.snapshot(str(board.id))
        params = {k: v for k, v in request.GET.dict().items() if k not in _COMPARISON_PARAMS}
        options = parse_options(params, snapshot.get("name", ""))
        # Without ?level=, the export's own compatibility option (BACKWARD unless chosen).
        level = level.upper() if level else options.compatibility
        comparison = releases.compare_with(
            board, snapshot, options, int(base) if base else None, level, renamed=renamed
        )
    except Board.DoesNotExist:
        return error(404, "not_found", "There is no board with this id.")
    except InvalidOption as problem:
        return error(400, "invalid", str(problem))
    except Rejection as rejection:
        return error(404 if rejection.code in ("not_found", "no_release") else 400, rejection.code, rejection.message)
    changes = [c.as_dict() for c in comparison.changes]
    return JsonResponse(
        {
            "base": comparison.base,
            "level": level,
            "format": options.value_format,
            "compatible": not any(c["breaking"] for c in changes),
            "changes": changes,
            "pinned": comparison.pinned,
        }
    )
