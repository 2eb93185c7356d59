"""Board backup and restore: a versioned JSON document, read as hostile until proven otherwise.

`read_document` turns the bytes of a file into a checked document or a Rejection that says what
is wrong; `restore` draws it as a new board through the board's own rules (all or nothing). The
views, `manage.py dump_board` / `load_board` and the tests share these functions.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from boards import pictures, store
from boards.domain import Rejection, budgets
from boards.http import NO_ACCESS, board_links, error, needs_key
from boards.models import Board

FORMAT = "storming-board"
VERSION = 1
MAX_FILE_BYTES = 5 * 1024 * 1024
# A board document is at most seven levels deep (document, board, notes, note, fields, field,
# enum values); anything deeper is not a board and only costs memory and stack to walk.
MAX_DEPTH = 12
COLLECTIONS = (("frames", "frame"), ("notes", "sticky"), ("links", "link"))


# --- the document ----------------------------------------------------------------------------


def export_document(board_id: str | uuid.UUID) -> dict[str, Any]:
    """The backup document of a board. Raises Board.DoesNotExist."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "board": store.snapshot(board_id),
    }


def dump_document(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def backup_filename(name: str) -> str:
    # ASCII only: the name goes into a header, and a slug cannot carry quotes or path parts.
    return f"{slugify(name)[:60].strip('-') or 'board'}.storming.json"


def read_document(raw: bytes | str) -> dict[str, Any]:
    """Parse and check a backup file. Raises Rejection with a message a person can act on."""
    if len(raw) > MAX_FILE_BYTES:
        raise Rejection("too_large", f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB.")
    try:
        document = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise Rejection("invalid", "The file is nested too deeply to be a Storming board file.") from None
    except UnicodeDecodeError:
        raise Rejection("bad_json", "The file is not UTF-8 text; a Storming board file is JSON.") from None
    except ValueError as exc:
        if isinstance(exc.__cause__, _Constant) or isinstance(exc, _Constant):
            raise Rejection("invalid", f"The file holds {exc}, which is not a number a board can use.") from None
        raise Rejection("bad_json", f"The file is not valid JSON ({str(exc)[:80]}).") from None
    _check_values(document)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise Rejection("invalid", 'This is not a Storming board file (it lacks "format": "storming-board").')
    version = document.get("version")
    if version != VERSION or isinstance(version, bool):
        raise Rejection(
            "invalid",
            f"This board file has version {json.dumps(version)[:20]}; this Storming reads version {VERSION}.",
        )
    board = document.get("board")
    if not isinstance(board, dict):
        raise Rejection("invalid", 'The file has no "board" object.')
    _check_board(board)
    return document


class _Constant(ValueError):
    pass


def _refuse_constant(name: str) -> None:
    # json accepts NaN and Infinity, which are not JSON and poison geometry and comparisons.
    raise _Constant(name)


def _check_values(value: Any) -> None:
    """Depth and text checks over the whole tree, without recursion (the tree is hostile)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise Rejection("invalid", "The file is nested too deeply to be a Storming board file.")
        if isinstance(item, dict):
            pending.extend((v, depth + 1) for v in item.values())
            pending.extend((k, depth + 1) for k in item)
        elif isinstance(item, list):
            pending.extend((v, depth + 1) for v in item)
        elif isinstance(item, str):
            # Text is kept exactly as written (markup included), but a database cannot store
            # NUL characters or halves of surrogate pairs, so such a file would fail half-way.
            if "\x00" in item:
                raise Rejection("invalid", "The file holds text with a NUL character, which a board cannot store.")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise Rejection("invalid", "The file holds text that is not valid Unicode.") from None


def _check_board(board: dict[str, Any]) -> None:
    name = board.get("name", "")
    limit = budgets().name
    if not isinstance(name, str) or len(name) > limit:
        raise Rejection("invalid", f"The board's name must be text of at most {limit} characters.")
    total = 0
    ids: set[str] = set()
    for key, what in COLLECTIONS:
        items = board.get(key, [])
        if not isinstance(items, list):
            raise Rejection("invalid", f'"{key}" must be a list.')
        total += len(items)
        if total > (limit := budgets().elements):
            raise Rejection("too_large", f"The file holds more than {limit} elements, a board's limit.")
        for position, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise Rejection("invalid", f"{what.capitalize()} {position} is not an object.")
            element_id = item.get("id")
            if not isinstance(element_id, str) or not element_id:
                raise Rejection("invalid", f"{what.capitalize()} {position} has no id.")
            if element_id in ids:
                raise Rejection("invalid", f"Two elements share the id {element_id[:40]!r}; ids must be unique.")
            ids.add(element_id)
            if key != "links" and not isinstance(item.get("kind"), str):
                raise Rejection("invalid", f"{what.capitalize()} {position} has no kind.")
    for position, link in enumerate(board.get("links", []), 1):
        for end, verb in (("from", "starts at"), ("to", "ends at")):
            target = link.get(end)
            if not isinstance(target, str) or target not in ids:
                raise Rejection(
                    "invalid",
                    f"Link {position} {verb} {str(target)[:40]!r}, which is not a sticky or frame in the file.",
                )
    _check_threads(board, {note["id"] for note in board.get("notes", [])})


def _check_threads(board: dict[str, Any], stickies: set[str]) -> None:
    """Comments and resolved threads (absent from files of before they existed) hang on stickies."""
    comments = board.get("comments", [])
    if not isinstance(comments, list):
        raise Rejection("invalid", '"comments" must be a list.')
    if len(comments) > (limit := budgets().comments):
        raise Rejection("too_large", f"The file holds {len(comments)} comments; a board holds at most {limit}.")
    seen: set[str] = set()
    for position, comment in enumerate(comments, 1):
        if not isinstance(comment, dict) or not isinstance(comment.get("id"), str) or comment["id"] in seen:
            raise Rejection("invalid", f"Comment {position} is not an object with an id of its own.")
        seen.add(comment["id"])
        if comment.get("note") not in stickies:
            raise Rejection(
                "invalid", f"Comment {position} is on {str(comment.get('note'))[:40]!r}, not a sticky in the file."
            )
    resolved = board.get("resolved", {})
    if not isinstance(resolved, dict):
        raise Rejection("invalid", '"resolved" must be an object: sticky id -> who resolved its thread, and when.')
    for note_id, entry in resolved.items():
        if note_id not in stickies or not isinstance(entry, dict):
            raise Rejection("invalid", f"A resolved thread is on {note_id[:40]!r}, not a sticky in the file.")


def restore(document: dict[str, Any], name: str | None = None, actor: str = "import") -> Board:
    """A new board drawn from a checked document. Nothing is created if any element is refused."""
    board = document["board"]
    name = (name if name is not None else board.get("name", "")).strip() or "Imported board"
    if len(name) > (limit := budgets().name):
        raise Rejection("invalid", f"A board's name is at most {limit} characters.")
    return store.create_board(name, board, actor=actor)


# --- views -----------------------------------------------------------------------------------


@require_GET
@needs_key("viewer")
def export_json(request: HttpRequest, board_id: str) -> HttpResponse:
    try:
        document = export_document(board_id)
    except Board.DoesNotExist:
        return error(404, "not_found", NO_ACCESS)
    response = HttpResponse(dump_document(document), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{backup_filename(document["board"]["name"])}"'
    return response


# The JSON path needs no CSRF token: it requires Content-Type application/json, which a
# cross-site form cannot send without a CORS preflight. The file upload is a form post, the
# kind a foreign page can forge, so it goes through Django's CSRF check as every form does.


@csrf_exempt
@require_POST
def import_board(request: HttpRequest) -> HttpResponse:
    if request.content_type == "application/json":
        return _import_body(request)
    if request.content_type == "multipart/form-data":
        return _import_upload(request)
    return error(
        400,
        "invalid",
        'Send the board file as the body with Content-Type: application/json, or as a form upload in the field "file".',
    )


def _import_body(request: HttpRequest) -> HttpResponse:
    # Read the stream ourselves: request.body would stop at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB)
    # with a bare 400, and a backup may be up to MAX_FILE_BYTES.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_FILE_BYTES:
        return _too_large()
    raw = request.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        return _too_large()
    return _import_bytes(request, raw, name=request.GET.get("name"))


@csrf_protect
def _import_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return error(400, "invalid", 'Choose a board file (.json) to import; the form field is "file".')
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        return _too_large()
    name = request.POST.get("name") or None
    return _import_bytes(request, upload.read(MAX_FILE_BYTES + 1), name=name)


def _too_large() -> HttpResponse:
    return error(400, "too_large", f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB.")


def _import_bytes(request: HttpRequest, raw: bytes, name: str | None) -> HttpResponse:
    try:
        board = restore(read_document(raw), name=name)
    except Rejection as rejection:
        return error(400, rejection.code, rejection.message)
    return JsonResponse(board_links(request, board, "facilitator"), status=201)


@require_GET
@needs_key("viewer")
def board_svg(request: HttpRequest, board_id: str) -> HttpResponse:
    """The board as a picture; `?ids=a,b,c` draws only those elements (and links among them)."""
    try:
        snapshot = store.snapshot(board_id)
    except Board.DoesNotExist:
        return error(404, "not_found", NO_ACCESS)
    ids = request.GET.get("ids")
    selection = {part.strip() for part in ids.split(",") if part.strip()} if ids else None
    if selection is not None and len(selection) > (limit := budgets().elements):
        return error(400, "invalid", f"Select at most {limit} elements.")
    response = HttpResponse(pictures.board_svg(snapshot, selection), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = (
        f'inline; filename="{backup_filename(snapshot["name"]).replace(".storming.json", ".svg")}"'
    )
    # An SVG opened on its own is a document that could run script; ours has none, and this
    # makes sure a browser would not run any even if some slipped in.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
