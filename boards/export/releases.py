"""Released versions of a board's contract, read from the board's own history.

A release is a `ContractRelease` row: a version number pointing at a seq of the board's log. The
contract it froze is not stored: it is whatever the export derives from the board as it was right
after that seq (`store.state_at`), which the append-only log keeps reproducible forever.

From the releases follow
- the names pinned on the wire: each element keeps the name its first release gave it, whatever
  its sticky says later, unless a release lists it in `renamed` (an explicit, breaking change);
- each subject's schema version, bumped by the release that changed its schema;
- the changes since the latest release, judged by boards.export.compatibility.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from boards import store
from boards.domain import Rejection
from boards.models import Board, ContractRelease

from . import compatibility
from .naming import Name
from .options import ExportOptions, parse_options
from .plan import ContractInfo, ExportPlan, ReleaseInfo, plan_export

MAX_NOTE = 2000
MAX_RENAMED = 500
# Past releases never change (the log is append-only), so what they pin is computed once.
_RELEASED_CACHE_SIZE = 32
_PLANS_PER_RELEASE = 2  # the default export and the one a person is looking at
_released_cache: OrderedDict[tuple[str, int, int], Released] = OrderedDict()
_cache_lock = threading.Lock()  # views run in several threads


@dataclass
class Released:
    """One release: the board as it froze it, and the wire names in force from it on."""

    release: ContractRelease
    snapshot: dict[str, Any]
    pins_before: dict[str, Name]  # what the earlier releases pinned, less this one's renames
    pins: dict[str, Name] = field(default_factory=dict)
    plans: OrderedDict[ExportOptions, ExportPlan] = field(default_factory=OrderedDict)

    def plan(self, options: ExportOptions) -> ExportPlan:
        """The release's export plan for these options (callers must not change it)."""
        plan = self.plans.get(options)
        if plan is None:
            plan = plan_export(self.snapshot, options, self.pins_before)
            with _cache_lock:
                self.plans[options] = plan
                while len(self.plans) > _PLANS_PER_RELEASE:
                    self.plans.popitem(last=False)
        return plan


def names_of(plan: ExportPlan) -> dict[str, Name]:
    """Every element's name as the plan put it on the wire, by element id."""
    names: dict[str, Name] = {}
    for context in plan.contexts:
        if context.id:
            names[context.id] = context.name
        for item in (*context.emitters, *context.events, *context.commands, *context.policies):
            names[item.id] = item.name
    return names


def history(board: Board) -> list[Released]:
    """The board's releases, oldest first, each with the names it pins."""
    result: list[Released] = []
    pins: dict[str, Name] = {}
    for release in ContractRelease.objects.filter(board=board).order_by("version"):
        key = (str(board.id), release.pk, release.seq)
        released = _released_cache.get(key)
        if released is None:
            snapshot = store.state_at(board, release.seq).snapshot(str(board.id))
            before = {k: v for k, v in pins.items() if k not in set(release.renamed)}
            released = Released(release, snapshot, before)
            # Names do not depend on the export options: the defaults will do.
            released.pins = {**before, **names_of(released.plan(ExportOptions()))}
        with _cache_lock:
            _released_cache[key] = released
            _released_cache.move_to_end(key)
            while len(_released_cache) > _RELEASED_CACHE_SIZE:
                _released_cache.popitem(last=False)
        pins = released.pins
        result.append(released)
    return result


def plan_with_releases(board: Board, snapshot: dict[str, Any], options: ExportOptions) -> ExportPlan:
    """The export plan of the board now, with the latest release's names and the schema versions."""
    released = history(board)
    plan = plan_export(snapshot, options, released[-1].pins if released else None)
    stamp(plan, released, options, int(snapshot.get("seq") or board.seq))
    return plan


def stamp(plan: ExportPlan, released: list[Released], options: ExportOptions, board_seq: int) -> None:
    """Give every event its schema version and the plan its place among the releases."""
    versions: dict[str, tuple[int, str]] = {}  # subject -> (version, fingerprint)
    infos = []
    previous: ExportPlan | None = None
    for item in released:
        release_plan = item.plan(options)
        _advance(versions, release_plan)
        changes = compatibility.compare(previous, release_plan) if previous else []
        infos.append(
            ReleaseInfo(
                version=item.release.version,
                seq=item.release.seq,
                note=item.release.note,
                at=item.release.created_at.isoformat(),
                by=item.release.actor,
                changes=tuple(c.as_dict() for c in changes),
            )
        )
        previous = release_plan
    changes = compatibility.compare(previous, plan) if previous else []
    subjects = {}
    for subject, event in compatibility.subjects(plan).items():
        version, fingerprint = versions.get(subject, (0, ""))
        event.schema_version = version if fingerprint == compatibility.fingerprint(plan, event) else version + 1
        subjects[subject] = event.schema_version
    latest = released[-1].release if released else None
    plan.contract = ContractInfo(
        version=latest.version if latest else None,
        seq=latest.seq if latest else None,
        board_seq=board_seq,
        released=latest is not None and not changes,
        subjects=subjects,
        releases=tuple(infos),
        changes=tuple(c.as_dict() for c in changes),
    )


def _advance(versions: dict[str, tuple[int, str]], plan: ExportPlan) -> None:
    for subject, event in compatibility.subjects(plan).items():
        version, fingerprint = versions.get(subject, (0, ""))
        now = compatibility.fingerprint(plan, event)
        versions[subject] = (version, now) if now == fingerprint else (version + 1, now)


@dataclass
class Comparison:
    base: int
    changes: list[compatibility.Change]
    pinned: list[dict[str, str]]  # stickies whose text now says another name than the wire


def compare_with(
    board: Board,
    snapshot: dict[str, Any],
    options: ExportOptions,
    base: int | None,
    level: str,
    renamed: frozenset[str] = frozenset(),
    with_pinned: bool = True,
) -> Comparison:
    """The changes from release `base` (the latest if None) to the board now, judged at `level`.

    `renamed` previews a release that lets these elements' wire names follow their text.
    """
    released = history(board)
    if not released:
        raise Rejection("no_release", "This board has no release yet: release the contract first.")
    base = len(released) if base is None else base
    if not 1 <= base <= len(released):
        raise Rejection("not_found", f"There is no release {base}; this board has releases 1 to {len(released)}.")
    pins = released[-1].pins
    current = plan_export(snapshot, options, pins)
    elements = {e["id"] for e in (*snapshot.get("notes", []), *snapshot.get("frames", []))}
    free = names_of(plan_export(snapshot, options)) if with_pinned else {}
    pinned = [
        {"element": element, "text": name.text, "wire": name.pascal, "text_name": free[element].pascal}
        for element, name in names_of(current).items()
        if element in elements and element in pins and element in free and free[element].pascal != name.pascal
    ]
    if renamed:
        current = plan_export(snapshot, options, {k: v for k, v in pins.items() if k not in renamed})
    bases = released[:base] if level.endswith("_TRANSITIVE") else [released[base - 1]]
    changes: list[compatibility.Change] = []
    for item in bases:
        changes += [c for c in compatibility.compare(item.plan(options), current, level) if c not in changes]
    return Comparison(base, changes, pinned)


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
    comparison = compare_with(board, snapshot, options, None, compatibility.DEFAULT_LEVEL, with_pinned=False)
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
