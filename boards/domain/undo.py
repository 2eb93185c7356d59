"""Undo and restore: the ops that take back earlier events, or bring back an earlier state."""

from __future__ import annotations

from boards.domain.state import COLLECTIONS, MEMBERSHIP_KEYS, BoardState, Element, Event, Rejection
from boards.domain.threads import thread_restore_ops, undo_thread_event

_NOUNS = {"note": "sticky", "frame": "frame", "link": "link"}


def undo_ops(state: BoardState, recorded: list[Event]) -> list[tuple[str, Element]]:
    """The ops that take back `recorded` (the events of one or more earlier ops, in seq order).

    Refuses when someone else changed the same thing since: undo never overwrites their work.
    """
    ops: list[tuple[str, Element]] = []
    for event in reversed(recorded):
        if event.derived:
            continue  # follows again from the primary change being undone
        entity, _, verb = event.type.partition(".")
        data, before = event.data, event.before or {}
        if event.type in ("silent.revealed", "votes.revealed"):
            # What everyone has seen cannot be made unseen; hiding it again would only pretend.
            what = "stickies" if event.type == "silent.revealed" else "dots"
            raise Rejection(
                "irreversible",
                f"A reveal cannot be undone: everyone has seen the {what}. "
                + (
                    "Start a new silent round for the next ideas."
                    if what == "stickies"
                    else "Make votes anonymous again for the next vote."
                ),
            )
        thread_ops = undo_thread_event(state, event)
        if thread_ops is not None:
            ops += thread_ops
        elif event.type == "board.renamed":
            ops.append(("board.rename", {"name": before["name"]}))
        elif event.type == "board.configured":
            ops.append(("board.configure", before))
        elif event.type == "vote.cast":
            ops.append(("vote.retract", {"id": data["id"]}))
        elif event.type == "vote.retracted":
            ops.append(("vote.cast", {"id": data["id"]}))
        elif entity not in _NOUNS:
            continue  # timers and cleared votes are not taken back
        elif verb == "created":
            ops.append((f"{entity}.delete", {"id": data["id"]}))
        elif verb == "deleted":
            ops.append((f"{entity}.create", _creatable(entity, before)))
        elif verb == "updated":
            current = getattr(state, COLLECTIONS[entity]).get(data["id"])
            restored = {key: value for key, value in before.items() if key not in MEMBERSHIP_KEYS}
            if current is not None and any(current.get(key) != data[key] for key in restored):
                raise Rejection(
                    "conflict", f"Someone changed this {_NOUNS[entity]} after you; undo would overwrite their change."
                )
            if restored:
                ops.append((f"{entity}.update", {"id": data["id"], **restored}))
    return ops


def _creatable(entity: str, element: Element) -> Element:
    if entity == "note":
        keys = ("id", "kind", "text", "x", "y", "w", "h", "fields")
    elif entity == "frame":
        keys = ("id", "kind", "name", "x", "y", "w", "h")
    else:
        keys = ("id", "from", "to", "label")
    return {key: element[key] for key in keys if key in element}


def restore_ops(current: BoardState, target: BoardState) -> list[tuple[str, Element]]:
    """The ops that bring `current` back to `target` (an earlier state), erasing nothing from the log."""
    take_away, put_back = thread_restore_ops(current, target)
    ops: list[tuple[str, Element]] = list(take_away)
    for link_id in current.links.keys() - target.links.keys():
        ops.append(("link.delete", {"id": link_id}))
    for note_id in current.notes.keys() - target.notes.keys():
        ops.append(("note.delete", {"id": note_id}))
    for frame_id in current.frames.keys() - target.frames.keys():
        ops.append(("frame.delete", {"id": frame_id}))
    for frames in (
        [f for f in target.frames.values() if f["kind"] == "bounded_context"],
        [f for f in target.frames.values() if f["kind"] == "aggregate"],
        [f for f in target.frames.values() if f["kind"] == "lane"],
    ):
        ops += _restore_elements("frame", current.frames, frames)
    ops += _restore_elements("note", current.notes, list(target.notes.values()))
    ops += _restore_elements("link", current.links, list(target.links.values()))
    ops += put_back
    if target.name and target.name != current.name:
        ops.append(("board.rename", {"name": target.name}))
    return ops


def _restore_elements(entity: str, current: dict[str, Element], wanted: list[Element]) -> list[tuple[str, Element]]:
    ops = []
    for element in wanted:
        plain = _creatable(entity, element)
        existing = current.get(element["id"])
        if existing is None:
            ops.append((f"{entity}.create", plain))
        elif entity == "link":
            if existing["label"] != element["label"]:
                ops.append(("link.update", {"id": element["id"], "label": element["label"]}))
            if (existing["from"], existing["to"]) != (element["from"], element["to"]):
                ops += [("link.delete", {"id": element["id"]}), ("link.create", plain)]
        else:
            # A frame's kind never changes; a sticky's may.
            fixed = ("id", "kind") if entity == "frame" else ("id",)
            changed = {k: v for k, v in plain.items() if k not in fixed and existing.get(k) != v}
            if changed:
                ops.append((f"{entity}.update", {"id": element["id"], **changed}))
    return ops
