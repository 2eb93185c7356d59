"""The board's contract among its releases, computed without a database (an export worker runs it).

`Released` is one release as plain data: the board as it froze it and the wire names in force from
it on. From a list of them follow the names pinned in an export, each subject's schema version,
and the changes since a release (boards.export.compatibility judges them). boards.export.releases
reads them from the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from boards.domain import Rejection

from . import compatibility
from .naming import Name
from .options import ExportOptions
from .plan import ContractInfo, ExportPlan, ReleaseInfo, plan_export

_PLANS_PER_RELEASE = 2  # the default export and the one a person is looking at
_plans_lock = threading.Lock()  # views run in several threads


@dataclass
class Released:
    """One release: what it recorded, the board as it froze it, and the wire names it pins."""

    version: int
    seq: int
    note: str
    at: str
    by: str
    snapshot: dict[str, Any]
    pins_before: dict[str, Name]  # what the earlier releases pinned, less this one's renames
    pins: dict[str, Name] = field(default_factory=dict)
    plans: OrderedDict[ExportOptions, ExportPlan] = field(default_factory=OrderedDict)

    def __getstate__(self) -> dict[str, Any]:
        # Sent to an export worker: the plans are a cache it can rebuild.
        return {**self.__dict__, "plans": OrderedDict()}

    def plan(self, options: ExportOptions) -> ExportPlan:
        """The release's export plan for these options (callers must not change it)."""
        plan = self.plans.get(options)
        if plan is None:
            plan = plan_export(self.snapshot, options, self.pins_before)
            with _plans_lock:
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


def pin(released: Released, earlier: dict[str, Name], renamed: list[str]) -> Released:
    """Fill in the names a release pins: the earlier ones but those it renames, and its new ones."""
    released.pins_before = {k: v for k, v in earlier.items() if k not in set(renamed)}
    # Names do not depend on the export options: the defaults will do.
    released.pins = {**released.pins_before, **names_of(released.plan(ExportOptions()))}
    return released


def plan_with_releases(snapshot: dict[str, Any], options: ExportOptions, released: list[Released]) -> ExportPlan:
    """The export plan of the board now, with the latest release's names and the schema versions."""
    plan = plan_export(snapshot, options, released[-1].pins if released else None)
    stamp(plan, released, options, int(snapshot.get("seq") or 0))
    return plan


def stamp(plan: ExportPlan, released: list[Released], options: ExportOptions, board_seq: int) -> None:
    """Give every event its schema version and the plan its place among the releases."""
    versions: dict[str, tuple[int, str]] = {}  # subject -> (version, fingerprint)
    infos = []
    previous: ExportPlan | None = None
    for item in released:
        release_plan = item.plan(options)
        _advance(versions, release_plan)
        changes = compatibility.compare(previous, release_plan, options.compatibility) if previous else []
        infos.append(
            ReleaseInfo(
                version=item.version,
                seq=item.seq,
                note=item.note,
                at=item.at,
                by=item.by,
                changes=tuple(c.as_dict() for c in changes),
            )
        )
        previous = release_plan
    changes = compatibility.compare(previous, plan, options.compatibility) if previous else []
    subjects = {}
    for subject, event in compatibility.subjects(plan).items():
        version, fingerprint = versions.get(subject, (0, ""))
        event.schema_version = version if fingerprint == compatibility.fingerprint(plan, event) else version + 1
        subjects[subject] = event.schema_version
    latest = released[-1] if released else None
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


def compare(
    released: list[Released],
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
        {"element": element, "text": name.text, "wire": name.wire_pascal, "text_name": free[element].wire_pascal}
        for element, name in names_of(current).items()
        if element in elements and element in pins and element in free and free[element].wire_pascal != name.wire_pascal
    ]
    if renamed:
        current = plan_export(snapshot, options, {k: v for k, v in pins.items() if k not in renamed})
    bases = released[:base] if level.endswith("_TRANSITIVE") else [released[base - 1]]
    changes: list[compatibility.Change] = []
    for item in bases:
        changes += [c for c in compatibility.compare(item.plan(options), current, level) if c not in changes]
    return Comparison(base, changes, pinned)
