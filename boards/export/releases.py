"""Released versions of a board's contract, read from the board's own history.

A release is a `ContractRelease` row: a version number pointing at a seq of the board's log. The
contract it froze is not stored: it is whatever the export derives from the board as it was right
after that seq (`boards.history.state_at`), which the append-only log keeps reproducible forever.

From the releases follow (boards.export.versions computes them)
- the names pinned on the wire: each element keeps the name its first release gave it, whatever
  its sticky says later, unless a release lists it in `renamed` (an explicit, breaking change);
- each subject's schema version, bumped by the release that changed its schema;
- the changes since the latest release, judged by boards.export.compatibility.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from boards import redaction
from boards.domain import Rejection
from boards.history import state_at
from boards.models import Board, ContractRelease

from . import versions
from .naming import Name
from .options import ExportOptions, parse_options
from .plan import ExportPlan
from .versions import Released

MAX_NOTE = 2000
MAX_RENAMED = 500
# Past releases never change (the log is append-only), so what they pin is computed once.
_RELEASED_CACHE_SIZE = 32
_released_cache: OrderedDict[tuple[str, int, int], Released] = OrderedDict()
_cache_lock = threading.Lock()  # views run in several threads


def history(board: Board) -> list[Released]:
    """The board's releases, oldest first, each with the names it pins."""
    result: list[Released] = []
    pins: dict[str, Name] = {}
    for release in ContractRelease.objects.filter(board=board).order_by("version"):
        key = (str(board.id), release.pk, release.seq)
        released = _released_cache.get(key)
        if released is None:
            # A release made during a silent round pins no face-down sticky's words.
            snapshot = redaction.snapshot_for(state_at(board, release.seq).snapshot(str(board.id)), None)
            record = Released(
                version=release.version,
                seq=release.seq,
                note=release.note,
                at=release.created_at.isoformat(),
                by=release.actor,
                snapshot=snapshot,
                pins_before={},
            )
            released = versions.pin(record, pins, release.renamed)
        with _cache_lock:
            _released_cache[key] = released
            _released_cache.move_to_end(key)
            while len(_released_cache) > _RELEASED_CACHE_SIZE:
                _released_cache.popitem(last=False)
        pins = released.pins
        result.append(released)
    return result


def plan_for_board(board: Board, snapshot: dict[str, Any], options: ExportOptions) -> ExportPlan:
    """The export plan of the board now, with the latest release's names and the schema versions."""
    return versions.plan_with_releases(snapshot, options, history(board))


def compare_with(
    board: Board,
    snapshot: dict[str, Any],
    options: ExportOptions,
    base: int | None,
    level: str,
    renamed: frozenset[str] = frozenset(),
    with_pinned: bool = True,
) -> versions.Comparison:
    """The changes from release `base` (the latest if None) to the board now, judged at `level`."""
    return versions.compare(history(board), snapshot, options, base, level, renamed, with_pinned)


def create(board_id: str, note: Any, renamed: Any = (), actor: str = "") -> ContractRelease:
    """Release the contract as the board is now: the next version at the board's current seq."""
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise Rejection("invalid", f"note must be text of at most {MAX_NOTE} characters.")
    if (
        not isinstance(renamed, list | tuple)
        or len(renamed) > MAX_RENAMED
        or not all(isinstance(r, str) and len(r) <= 64 for r in renamed)
    ):
        raise Rejection("invalid", "renamed must be a list of element ids (the stickies to rename on the wire).")
    with transaction.atomic():
        # The board's row lock orders releases with the ops, so the seq is one the log has.
        board = Board.objects.select_for_update().get(pk=board_id)
        unknown = sorted(set(renamed) - _element_ids(board))
        if unknown:
            raise Rejection("invalid", f"renamed lists {unknown[0]!r}, which is no element of this board.")
        last = ContractRelease.objects.filter(board=board).aggregate(v=Max("version"), s=Max("seq"))
        if last["v"] and last["s"] == board.seq and not renamed:
            raise Rejection(
                "conflict", f"Nothing changed since release {last['v']} (seq {board.seq}): there is nothing to release."
            )
        try:
            with transaction.atomic():
                return ContractRelease.objects.create(
                    board=board,
                    version=(last["v"] or 0) + 1,
                    seq=board.seq,
                    note=note.strip(),
                    renamed=sorted(set(renamed)),
                    actor=actor[:100],
                )
        except IntegrityError:
            # SQLite has no row locks: two releases at once can both pick the same version.
            raise Rejection(
                "conflict", "Another release was made at the same moment; look at it, then try again."
            ) from None


def _element_ids(board: Board) -> set[str]:
    ids = {str(u) for u in board.notes.values_list("uid", flat=True)}
    return ids | {str(u) for u in board.frames.values_list("uid", flat=True)}


def latest_version(board_id: str) -> int:
    return ContractRelease.objects.filter(board_id=board_id).aggregate(v=Max("version"))["v"] or 0


def breaking_findings(board_id: str, snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """Model-check findings for what breaks the latest release, in the default export's format."""
    board = Board.objects.get(pk=board_id)
    released = history(board)
    if not released:
        return []
    options = parse_options({}, snapshot.get("name", ""))
    comparison = compare_with(board, snapshot, options, None, options.compatibility, with_pinned=False)
    return [
        {
            "code": "breaking_change",
            "severity": "warning",
            "element_id": change.element,
            "message": f"Breaks release {comparison.base}: {change.message}",
        }
        for change in comparison.changes
        if change.breaking
    ]
