"""HTTP: the export as a ZIP, and its preview as JSON. Options come as query parameters.

Like reading a board, exporting it needs one of the board's keys (any: the export holds nothing
the snapshot does not already show); creating topics needs the edit key.
"""

from __future__ import annotations

from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from boards import store
from boards.checks import run_checks
from boards.http import NO_ACCESS, error, needs_key
from boards.models import Board

from . import parse_options, releases, render_files, runner
from .changelog import contract_dict
from .options import InvalidOption
from .plan import ExportPlan
from .topics import topic_dict


def _plan(request: HttpRequest, board_id: object, snapshot: dict | None = None) -> ExportPlan | JsonResponse:
    try:
        snapshot = snapshot or store.snapshot(str(board_id))
    except Board.DoesNotExist:
        return error(404, "not_found", NO_ACCESS)
    try:
        options = parse_options(request.GET.dict(), snapshot.get("name", ""))
    except InvalidOption as invalid:
        return error(400, "invalid", str(invalid))
    # Released names stay on the wire; schema versions and the changelog come from the releases.
    return releases.plan_for_board(Board.objects.get(pk=str(board_id)), snapshot, options)


@require_GET
@needs_key("viewer")
async def export_zip(request: HttpRequest, board_id: object) -> HttpResponse:
    # Built in a worker process with a time cap (runner.py): a large board's export would stall
    # the whole server process if built here.
    board = await Board.objects.filter(pk=board_id).only("name", "seq").afirst()
    if board is None:
        return error(404, "not_found", NO_ACCESS)
    try:
        load = partial(sync_to_async(store.snapshot), str(board_id))
        # A release changes the export (versions, changelog) without changing the board's seq.
        release = await sync_to_async(releases.latest_version)(str(board_id))
        load_releases = partial(sync_to_async(releases.history), board)
        folder, data = await runner.archive(
            str(board_id), board.name, board.seq, request.GET.dict(), load, release, load_releases
        )
    except InvalidOption as invalid:
        return error(400, "invalid", str(invalid))
    except runner.ExportRefused as refused:
        response = error(refused.status, refused.code, refused.message)
        if refused.retry_after:
            response["Retry-After"] = str(refused.retry_after)
        return response
    response = HttpResponse(data, content_type="application/zip")
    # The package name is [a-z0-9_] only, so it needs no quoting in the header.
    response["Content-Disposition"] = f'attachment; filename="{folder}.zip"'
    return response


@require_GET
@needs_key("viewer")
def export_preview(request: HttpRequest, board_id: object) -> JsonResponse:
    try:
        snapshot = store.snapshot(str(board_id))
    except Board.DoesNotExist:
        return error(404, "not_found", NO_ACCESS)
    plan = _plan(request, board_id, snapshot)
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
            # What the model checks say that the generated code will carry over.
            "checks": [f for f in run_checks(snapshot) if f["severity"] != "info"],
            "provisioning": bool(settings.KAFKA_BOOTSTRAP_SERVERS),
            "contract": contract_dict(plan.contract) if plan.contract else None,
        }
    )


@csrf_exempt  # needs the board's edit key in a header, which a cross-site form cannot send
@require_POST
@needs_key("editor")
def provision(request: HttpRequest, board_id: object) -> JsonResponse:
    """Create the board's missing topics on the configured cluster; report what exists or differs."""
    from boards.export.templates.provision_topics import Unreachable
    from boards.export.templates.provision_topics import provision as provision_topics

    if not settings.KAFKA_BOOTSTRAP_SERVERS:
        return error(
            409, "not_configured", "No Kafka cluster is configured: set KAFKA_BOOTSTRAP_SERVERS on the server."
        )
    # dry_run is this endpoint's own parameter, not an export option.
    params = {k: v for k, v in request.GET.dict().items() if k != "dry_run"}
    dry_run = request.GET.get("dry_run") == "1"
    try:
        snapshot = store.snapshot(str(board_id))
        options = parse_options(params, snapshot.get("name", ""))
        # The released topic names, whatever the stickies are called now.
        plan = releases.plan_for_board(Board.objects.get(pk=str(board_id)), snapshot, options)
    except Board.DoesNotExist:
        return error(404, "not_found", "There is no board with this id.")
    except InvalidOption as invalid:
        return error(400, "invalid", str(invalid))
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS})
    try:
        report = provision_topics(admin, [topic_dict(t) for t in plan.topics], dry_run=dry_run, timeout=10)
    except Unreachable as unreachable:
        return error(502, "unreachable", f"Cannot reach Kafka at {settings.KAFKA_BOOTSTRAP_SERVERS}: {unreachable}")
    return JsonResponse(
        {
            "cluster": settings.KAFKA_BOOTSTRAP_SERVERS,
            "dry_run": dry_run,
            "topics": [{"name": name, "status": status, "detail": detail} for name, status, detail in report],
        }
    )
