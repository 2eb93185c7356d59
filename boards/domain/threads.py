"""Threads: comments on a sticky, and resolving its thread (the "hotspots as questions" of a
workshop's wrap-up).

A comment is signed by the participant who wrote it (their id and display name) and the time.
Everyone with the edit link may comment and resolve or reopen a thread; a comment is edited only
by its author, and deleted by its author or the facilitator. A new comment on a resolved thread
reopens it. Deleting a sticky deletes its comments (undo brings them back, as they were).

`comment.restore` and `thread.restore` put back a comment or a resolution exactly as recorded;
only the server's own ops (undo, restore, import) may send them (`Actor.trusted`).
"""

from __future__ import annotations

from typing import Any

from boards.domain.budgets import budgets, check_board_grows, in_bytes
from boards.domain.state import Actor, BoardState, Element, Event, Rejection, emit, wire_bytes
from boards.domain.validation import allowed_keys, clean_number, clean_text, clean_uuid

MAX_AUTHOR = 64
MAX_AUTHOR_NAME = 100
# Comment times are Unix seconds; a restored one must lie between 2001 and 2286.
TIMES = (1e9, 1e10)


def _note(state: BoardState, value: Any) -> Element:
    note = state.notes.get(clean_uuid(value, "sticky's id"))
    if note is None:
        raise Rejection("not_found", "That sticky is no longer on the board; someone may have deleted it.")
    return note


def _comment(state: BoardState, data: Element) -> Element:
    comment = state.comments.get(clean_uuid(data.get("id"), "comment's id"))
    if comment is None:
        raise Rejection("not_found", "That comment is no longer there; someone may have deleted it.")
    return comment


def _new_comment_id(state: BoardState, value: Any) -> str:
    comment_id = clean_uuid(value, "comment's id")
    if comment_id in state.comments or state.element(comment_id) or comment_id in state.links:
        raise Rejection("conflict", "Something on this board already has that id.")
    return comment_id


def _text(value: Any) -> str:
    text = clean_text(value, "A comment", budgets().text).strip()
    if not text:
        raise Rejection("invalid", "A comment needs some text.")
    return text


def _signed(actor: Actor) -> tuple[str, str]:
    if not actor.author:
        raise Rejection("invalid", "Commenting needs to know who you are; reload the page and try again.")
    return actor.author, actor.name[:MAX_AUTHOR_NAME] or "Someone"


def _check_room(state: BoardState, note: Element, comment: Element) -> None:
    limits = budgets()
    if len(state.thread_of(note["id"])) >= limits.comments_per_sticky:
        raise Rejection(
            "too_large", f"This sticky has {limits.comments_per_sticky} comments, the most one thread may hold."
        )
    if len(state.comments) >= limits.comments:
        raise Rejection("too_large", f"This board holds {limits.comments} comments, its limit.")
    size = wire_bytes(comment)
    if size > limits.element_bytes:
        raise Rejection(
            "too_large",
            f"This comment would take {in_bytes(size)}; one may take at most {in_bytes(limits.element_bytes)}.",
        )
    check_board_grows(state, size + 1)


def _may_change(comment: Element, actor: Actor, what: str, facilitator_too: bool) -> None:
    if actor.trusted or comment["author"] == actor.author:
        return
    if facilitator_too and actor.role == "facilitator":
        return
    raise Rejection("forbidden", f"You can {what} your own comments only.")


def _comment_create(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id", "note", "text"}, "comment.create")
    comment_id = _new_comment_id(state, data.get("id"))
    note = _note(state, data.get("note"))
    if note["id"] in state.hidden:
        # A comment reaches everyone: on a face-down sticky it would give away what it says.
        raise Rejection(
            "face_down", "That sticky is face down until the facilitator reveals the silent round; comment after it."
        )
    author, name = _signed(actor)
    comment = {
        "id": comment_id,
        "note": note["id"],
        "text": _text(data.get("text")),
        "author": author,
        "name": name,
        "at": round(actor.now, 3),
        "edited": None,
    }
    _check_room(state, note, comment)
    events: list[Event] = []
    emit(state, events, "comment.created", comment)
    # Something new to say about a settled question makes it open again.
    if note["id"] in state.resolved:
        emit(state, events, "thread.reopened", {"id": note["id"]})
    return events


def _comment_update(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id", "text"}, "comment.update")
    comment = _comment(state, data)
    _may_change(comment, actor, "edit", facilitator_too=False)
    text = _text(data.get("text"))
    events: list[Event] = []
    if text == comment["text"]:
        return events
    changes = {"id": comment["id"], "text": text, "edited": round(actor.now, 3)}
    size = wire_bytes({**comment, **changes})
    if size > budgets().element_bytes:
        raise Rejection("too_large", f"This comment would take {in_bytes(size)}; make it shorter.")
    check_board_grows(state, size + 1 - state.weight_of(f"comment:{comment['id']}"))
    emit(state, events, "comment.updated", changes)
    return events


def _comment_delete(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id"}, "comment.delete")
    comment = _comment(state, data)
    _may_change(comment, actor, "delete", facilitator_too=True)
    events: list[Event] = []
    emit(state, events, "comment.deleted", {"id": comment["id"]})
    return events


def _thread_resolve(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id"}, "thread.resolve")
    note = _note(state, data.get("id"))
    events: list[Event] = []
    if note["id"] in state.resolved:
        return events
    if note["kind"] != "hotspot" and not state.thread_of(note["id"]):
        raise Rejection("invalid", "There is nothing to resolve: this sticky has no comments.")
    author, name = _signed(actor)
    resolution = {"id": note["id"], "author": author, "name": name, "at": round(actor.now, 3)}
    check_board_grows(state, wire_bytes(resolution) + 1)
    emit(state, events, "thread.resolved", resolution)
    return events


def _thread_reopen(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id"}, "thread.reopen")
    note = _note(state, data.get("id"))
    events: list[Event] = []
    if note["id"] in state.resolved:
        emit(state, events, "thread.reopened", {"id": note["id"]})
    return events


# --- what only the server's own ops send -----------------------------------------------------


def _signature(data: Element) -> tuple[str, str, float]:
    author = clean_text(data.get("author", ""), "A comment's author", MAX_AUTHOR)
    name = clean_text(data.get("name", ""), "A comment's author name", MAX_AUTHOR_NAME)
    at = clean_number(data.get("at"), "A comment's time", *TIMES)
    return author, name, at


def _comment_restore(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id", "note", "text", "author", "name", "at", "edited"}, "comment.restore")
    comment_id = _new_comment_id(state, data.get("id"))
    note = _note(state, data.get("note"))
    author, name, at = _signature(data)
    edited = data.get("edited")
    comment = {
        "id": comment_id,
        "note": note["id"],
        "text": _text(data.get("text")),
        "author": author,
        "name": name,
        "at": at,
        "edited": None if edited is None else clean_number(edited, "A comment's edit time", *TIMES),
    }
    _check_room(state, note, comment)
    events: list[Event] = []
    emit(state, events, "comment.created", comment)
    return events


def _thread_restore(state: BoardState, data: Element, actor: Actor) -> list[Event]:
    data = allowed_keys(data, {"id", "author", "name", "at"}, "thread.restore")
    note = _note(state, data.get("id"))
    author, name, at = _signature(data)
    events: list[Event] = []
    if state.resolved.get(note["id"]) == {"author": author, "name": name, "at": at}:
        return events
    if note["id"] in state.resolved:
        emit(state, events, "thread.reopened", {"id": note["id"]})
    resolution = {"id": note["id"], "author": author, "name": name, "at": at}
    check_board_grows(state, wire_bytes(resolution) + 1)
    emit(state, events, "thread.resolved", resolution)
    return events


def drop_thread(state: BoardState, events: list[Event], note_id: str) -> None:
    """A sticky's comments and resolution go with it (before its note.deleted)."""
    for comment in state.thread_of(note_id):
        emit(state, events, "comment.deleted", {"id": comment["id"]})
    if note_id in state.resolved:
        emit(state, events, "thread.reopened", {"id": note_id})


THREAD_HANDLERS = {
    "comment.create": _comment_create,
    "comment.update": _comment_update,
    "comment.delete": _comment_delete,
    "thread.resolve": _thread_resolve,
    "thread.reopen": _thread_reopen,
}
RESTORE_HANDLERS = {
    "comment.restore": _comment_restore,
    "thread.restore": _thread_restore,
}


# --- undo and restore ------------------------------------------------------------------------


def undo_thread_event(state: BoardState, event: Event) -> list[tuple[str, Element]] | None:
    """The ops that take back one comment or thread event, or None for other events."""
    data, before = event.data, event.before or {}
    if event.type == "comment.created":
        return [("comment.delete", {"id": data["id"]})]
    if event.type == "comment.deleted":
        return [("comment.restore", dict(before))]
    if event.type == "comment.updated":
        current = state.comments.get(data["id"])
        if current is not None and current["text"] != data["text"]:
            raise Rejection("conflict", "This comment was changed after you; undo would overwrite that change.")
        return [("comment.update", {"id": data["id"], "text": before["text"]})]
    if event.type == "thread.resolved":
        return [("thread.reopen", {"id": data["id"]})]
    if event.type == "thread.reopened":
        return [("thread.restore", dict(before))]
    return None


def thread_restore_ops(current: BoardState, target: BoardState) -> tuple[list, list]:
    """The ops that bring `current`'s comments and resolutions back to `target`'s: those to send
    before the stickies are restored (taking away), and those after (putting back)."""
    first: list[tuple[str, Element]] = []
    last: list[tuple[str, Element]] = []
    for note_id in current.resolved.keys() - target.resolved.keys():
        if note_id in target.notes:
            first.append(("thread.reopen", {"id": note_id}))
    for comment_id, comment in current.comments.items():
        wanted = target.comments.get(comment_id)
        if wanted is None or wanted != comment:
            if wanted is None and comment["note"] not in target.notes:
                continue  # goes with its sticky
            first.append(("comment.delete", {"id": comment_id}))
    for comment_id, wanted in target.comments.items():
        if current.comments.get(comment_id) != wanted:
            last.append(("comment.restore", dict(wanted)))
    for note_id, entry in target.resolved.items():
        if current.resolved.get(note_id) != entry:
            last.append(("thread.restore", {"id": note_id, **entry}))
    return first, last
