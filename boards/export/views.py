"""HTTP: the export as a ZIP, and its preview as JSON. Options come as query parameters.

Like reading a board, exporting it needs only its id: the export holds nothing the snapshot
does not already show.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from boards import store
from boards.models import Board

from . import build_zip, parse_options, plan_export, render_files
from .options import InvalidOption
from .plan import ExportPlan


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _plan(request: HttpRequest, board_id: object) -> ExportPlan | JsonResponse:
    try:
        snapshot = store.snapshot(str(board_id))
    except Board.DoesNotExist:
        return _error(404, "not_found", "There is no board with this id.")
    try:
        options = parse_options(request.GET.dict(), snapshot.get("name", ""))
    except InvalidOption as error:
        return _error(400, "invalid", str(error))
    return plan_export(snapshot, options)


@require_GET
def export_zip(request: HttpRequest, board_id: object) -> HttpResponse:
    plan = _plan(request, board_id)
    if isinstance(plan, JsonResponse):
        return plan
    folder = plan.options.package_name
    response = HttpResponse(build_zip(render_files(plan), folder), content_type="application/zip")
    # The package name is [a-z0-9_] only, so it needs no quoting in the header.
    response["Content-Disposition"] = f'attachment; filename="{folder}.zip"'
    return response


@require_GET
def export_preview(request: HttpRequest, board_id: object) -> JsonResponse:
    plan = _plan(request, board_id)
    if isinstance(plan, JsonResponse):
        return plan
    files = render_files(plan)
    return JsonResponse(
        {
            "board": plan.board_name,
            "options": plan.options.as_dict(),
            "topics": [
                {
                    "name": t.name,
                    "kind": t.kind,
                    "partitions": t.partitions,
                    "replication_factor": t.replication_factor,
                    "key": t.key,
                    "cleanup_policy": t.cleanup_policy,
                    "retention_ms": t.retention_ms,
                    "events": [e.event_type for e in t.events],
                    "consumer_group": t.group_id,
                }
                for t in plan.topics
            ],
            "schemas": sorted(p for p in files if p.startswith("schemas/")),
            "files": [{"path": p, "size": len(c)} for p, c in files.items()],
            "warnings": [w.as_dict() for w in plan.warnings],
        }
    )
