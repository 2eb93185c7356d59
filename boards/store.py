"""Persistence of ops: one transaction per batch writes the event log and the current-state rows.

The caller may hand in a `CachedState`: the board's state in memory, tagged with the seq it
reflects (the live layer's room keeps one per board it serves). Under the board's row lock the
cached state is brought up to date from the log (another process may have written), the ops are
decided against it, and the events and changed rows are written in bulk. If anything fails the
cached state is dropped, so memory never runs ahead of the database. This module imports nothing
from the live layer: it only persists.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Sum, TextField
from django.db.models.functions import Cast, Length
from django.utils import timezone

from boards import batch_sql, redaction
from boards.domain import Actor, BoardState, Rejection, default_meta, evolve
from boards.history import decide_op, state_at
from boards.models import Board, BoardEvent, BoardSnapshot, Comment, Frame, Link, Note

# Past this many missed events a reconnecting client gets a snapshot instead of the events.
CATCH_UP_LIMIT = 2000
# Bytes a stored event takes besides its data (its row's other columns and index entries).
EVENT_ROW_BYTES = 150

NOTE_COLUMNS = ("kind", "text", "x", "y", "w", "h", "fields", "aggregate", "context")
FRAME_COLUMNS = ("kind", "name", "x", "y", "w", "h", "context")
COMMENT_COLUMNS = ("note", "text", "author", "name", "at", "edited")


@dataclass
class OpRequest:
    op: str
    data: Any
    op_id: str = ""
    actor: str = ""
    role: str = "editor"
    author: str = ""
    # The board key the op came with: checked against the board row in the op's own transaction,
    # so a replaced link stops editing even where news of the change never arrived. None for the
    # server's own ops (imports, the example).
    key: str | None = None
    # The server's own op (an import): may put back comments as their authors wrote them.
    # Never set for what a client sends.
    trusted: bool = False


@dataclass
class OpResult:
    op_id: str
    seq: int | None = None
    error: dict[str, str] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    duplicate: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


class CachedState:
    """One board's state kept in memory between batches by whoever owns it (a board's room)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state: BoardState | None = None

    def forget(self) -> None:
        self.state = None


def _uid(value: Any) -> str | None:
    return None if value is None else str(value)


def load_state(board: Board) -> BoardState:
    """Read the board's current state from the projection tables."""
    notes = {}
    for row in Note.objects.filter(board=board).order_by("pk").values("uid", *NOTE_COLUMNS):
        note = {"id": str(row.pop("uid")), **row}
        note["aggregate"], note["context"] = _uid(note["aggregate"]), _uid(note["context"])
        notes[note["id"]] = note
    frames = {}
    for row in Frame.objects.filter(board=board).order_by("pk").values("uid", *FRAME_COLUMNS):
        frame = {"id": str(row.pop("uid")), **row}
        frame["context"] = _uid(frame["context"])
        frames[frame["id"]] = frame
    links = {
        str(uid): {"id": str(uid), "from": str(source), "to": str(target), "label": label}
        for uid, source, target, label in Link.objects.filter(board=board)
        .values_list("uid", "source", "target", "label")
        .order_by("pk")
    }
    comments = {}
    for row in Comment.objects.filter(board=board).values("uid", *COMMENT_COLUMNS):
        comment = {"id": str(row.pop("uid")), **row}
        comment["note"] = str(comment["note"])
        comments[comment["id"]] = comment
    meta = default_meta()
    meta.update({key: value for key, value in board.meta.items() if key in meta})
    return BoardState(
        name=board.name,
        seq=board.seq,
        notes=notes,
        frames=frames,
        links=links,
        meta=meta,
        votes=board.meta.get("votes", {}),
        comments=comments,
        resolved=board.meta.get("resolved", {}),
        hidden=board.meta.get("hidden", {}),
    )


def _current_state(board: Board, cache: CachedState) -> BoardState:
    """The cached state brought up to `board.seq`, from the log when another process wrote."""
    state = cache.state
    if state is not None and state.seq < board.seq and board.seq - state.seq <= CATCH_UP_LIMIT:
        for event in BoardEvent.objects.filter(board=board, seq__gt=state.seq).order_by("seq"):
            evolve(state, event.type, event.data)
            state.seq = event.seq
    if state is None or state.seq != board.seq:
        state = load_state(board)
    cache.state = state
    return state


def event_frame(event: BoardEvent | dict[str, Any]) -> dict[str, Any]:
    if isinstance(event, BoardEvent):
        return {
            "type": "event",
            "seq": event.seq,
            "event": event.type,
            "data": event.data,
            "op_id": event.op_id,
            "actor": event.actor,
            "at": event.at.isoformat(),
            "op": event.op,
            # Follows from another event of the same op (a member moved with its frame).
            **({"derived": True} if event.derived else {}),
        }
    return event


def apply_ops(board_id: str | uuid.UUID, ops: Iterable[OpRequest], cache: CachedState | None = None) -> list[OpResult]:
    """Decide and persist a batch of ops on one board in one transaction.

    Each op is accepted or refused on its own. An op whose op_id is already in the log is not
    applied again; it is answered with its original seq. Raises Board.DoesNotExist, and lets
    database errors through (nothing of the batch is then stored). Telling anyone is the
    caller's business, after this returns (the transaction has committed by then).
    """
    ops = list(ops)
    cache = cache or CachedState()
    with cache.lock:
        try:
            return _apply_locked(str(board_id), ops, cache)
        except BaseException:
            cache.forget()
            raise


def _apply_locked(board_id: str, ops: list[OpRequest], cache: CachedState) -> list[OpResult]:
    with transaction.atomic(), connection.cursor() as cursor:
        board = batch_sql.lock_board(cursor, board_id)
        state = _current_state(board, cache)
        done = batch_sql.stored_op_ids(cursor, board, {op.op_id for op in ops if op.op_id})
        now = timezone.now()
        results: list[OpResult] = []
        rows: list[BoardEvent] = []
        # In the order first touched (a dict, not a set): rows made in one batch get their pks, and
        # so their order on reload (load_state), in the order they were made.
        touched: dict[str, dict[str, None]] = {"note": {}, "frame": {}, "link": {}, "comment": {}}
        renamed = False
        meta_changed = False
        for op in ops:
            if op.op_id in done:
                results.append(OpResult(op.op_id, seq=done[op.op_id], duplicate=True))
                continue
            actor = Actor(role=op.role, author=op.author, now=time.time(), name=op.actor, trusted=op.trusted)
            try:
                _check_key(board, op)
                events = decide_op(board, state, op, actor, rows)
            except Rejection as rejection:
                results.append(OpResult(op.op_id, error=rejection.as_dict()))
                continue
            result = OpResult(op.op_id, seq=state.seq)
            for event in events:
                state.seq += 1
                row = BoardEvent(
                    board_id=board.pk,
                    seq=state.seq,
                    type=event.type,
                    data=event.data,
                    before=event.before,
                    derived=event.derived,
                    actor=op.actor[:100],
                    author=op.author[:64],
                    op_id=op.op_id,
                    op=op.op[:40],
                    at=now,
                )
                rows.append(row)
                result.events.append(event_frame(row))
                entity = event.type.partition(".")[0]
                if event.type == "board.renamed":
                    renamed = True
                elif entity in touched:
                    touched[entity][event.data["id"]] = None
                # Dots and who wrote the face-down stickies live in the board row's meta.
                if entity in ("board", "timer", "vote", "votes", "silent", "thread") or event.type == "note.deleted":
                    meta_changed = True
                elif event.type == "note.created" and "hidden_by" in event.data:
                    meta_changed = True
            result.seq = state.seq
            if op.op_id:
                done[op.op_id] = state.seq
            results.append(result)
        if rows:
            batch_sql.insert_events(cursor, rows)
            _write_projection(cursor, board, state, touched)
            changes: dict[str, Any] = {"seq": state.seq, "updated_at": now}
            if renamed:
                changes["name"] = state.name
            if meta_changed:
                changes["meta"] = {
                    **state.meta,
                    "votes": state.votes,
                    "hidden": state.hidden,
                    "resolved": state.resolved,
                }
            batch_sql.update_board(cursor, board, changes)
            if _snapshot_due(board, state):
                BoardSnapshot.objects.create(board=board, seq=state.seq, state=state.snapshot())
    return results


def _check_key(board: Board, op: OpRequest) -> None:
    """Fail closed: the key must still grant the op's role by what the locked board row says now."""
    if op.key is not None and board.role_for(op.key) != op.role:
        raise Rejection("revoked", "The facilitator replaced this link; ask for the new one.")


def _snapshot_due(board: Board, state: BoardState) -> bool:
    """Whether to store a snapshot after this batch, which bounds the replay for a past state.

    A snapshot costs the whole board on disk, so one is stored at most once every
    STORMING_SNAPSHOT_EVERY events, and only when the events logged since the last one take at
    least STORMING_SNAPSHOT_LOG_PERCENT % of the board's size: snapshots then take about as much
    disk as the log (at 100 %) at most, and replaying from one reads about a snapshot's worth.
    """
    every = max(1, settings.STORMING_SNAPSHOT_EVERY)
    if state.seq // every == board.seq // every:  # looked at once every `every` events
        return False
    last = BoardSnapshot.objects.filter(board=board).aggregate(last=Max("seq"))["last"] or 0
    # The log's bytes since then, from the size of its latest `every` events (a bounded read).
    recent = BoardEvent.objects.filter(board=board, seq__gt=state.seq - every)
    sizes = recent.aggregate(
        data=Sum(Length(Cast("data", TextField()))), before=Sum(Length(Cast("before", TextField())))
    )
    per_event = ((sizes["data"] or 0) + (sizes["before"] or 0)) / every + EVENT_ROW_BYTES
    return (state.seq - last) * per_event * 100 >= state.weight() * settings.STORMING_SNAPSHOT_LOG_PERCENT


def _write_projection(cursor: Any, board: Board, state: BoardState, touched: dict[str, dict[str, None]]) -> None:
    """Bring the current-state rows of every touched element to what `state` says."""
    links = {
        uid: {"id": uid, "source": link["from"], "target": link["to"], "label": link["label"]}
        for uid in touched["link"]
        if (link := state.links.get(uid))
    }
    for model, present, columns in (
        (Note, state.notes, NOTE_COLUMNS),
        (Frame, state.frames, FRAME_COLUMNS),
        (Link, links, ("source", "target", "label")),
        (Comment, state.comments, COMMENT_COLUMNS),
    ):
        uids = touched[model.__name__.lower()]
        batch_sql.delete_elements(cursor, model, board, {uid for uid in uids if uid not in present})
        batch_sql.upsert_elements(cursor, model, board, [present[uid] for uid in uids if uid in present], columns)


# --- reads -----------------------------------------------------------------------------------


def snapshot(board_id: str | uuid.UUID, at: int | None = None) -> dict[str, Any]:
    """The board as the projection tables hold it (the HTTP API's and the export's view), or as
    it was right after event `at`. Read without a participant: face-down stickies stay face down."""
    board = Board.objects.get(pk=board_id)
    if at is not None:
        if not 0 <= at <= board.seq:
            raise Rejection("invalid", f"This board's history runs from seq 0 to {board.seq}.")
        return redaction.snapshot_for(state_at(board, at).snapshot(str(board.id)), None)
    return redaction.snapshot_for(load_state(board).snapshot(str(board.id)), None)


def cached_snapshot(board_id: str | uuid.UUID, cache: CachedState) -> dict[str, Any]:
    """The whole snapshot, served from `cache` when it is current (joins: the socket redacts it)."""
    key = str(board_id)
    with cache.lock:
        with transaction.atomic():
            board = Board.objects.get(pk=key)
            try:
                state = _current_state(board, cache)
            except BaseException:
                cache.forget()
                raise
            return state.snapshot(key)


def events_since(board_id: str | uuid.UUID, since: int) -> list[dict[str, Any]] | None:
    """Event frames after `since`, or None when so many were missed that a snapshot is cheaper."""
    board = Board.objects.get(pk=board_id)
    # A client ahead of the log saw a board that no longer exists (a restored backup, say).
    if board.seq - since > CATCH_UP_LIMIT or since > board.seq:
        return None
    return [event_frame(e) for e in BoardEvent.objects.filter(board=board, seq__gt=since).order_by("seq")]


def create_board(name: str, snapshot: Any = None, actor: str = "") -> Board:
    """A new board, optionally drawn from a snapshot (the example, an import).

    All or nothing: if any element of the snapshot is refused, no board is created and the
    Rejection says which element and why.
    """
    with transaction.atomic():
        board = Board.objects.create(name=name)
        if snapshot:
            ops = ops_from_snapshot(snapshot, actor=actor)
            for op, result in zip(ops, apply_ops(board.id, ops), strict=True):
                if not result.ok:
                    raise Rejection(result.error["code"], f"{_describe(op)} was refused: {result.error['message']}")
    return Board.objects.get(pk=board.pk)


def _describe(op: OpRequest) -> str:
    """Name the element of a board file that an op came from, the way a person would look for it."""
    nouns = {"note": "sticky", "frame": "frame", "link": "link", "comment": "comment", "thread": "resolved thread"}
    what = nouns.get(op.op.partition(".")[0], "board setting")
    data = op.data if isinstance(op.data, dict) else {}
    label = data.get("text") or data.get("name")
    if isinstance(label, str) and label.strip():
        return f"The {what} {label.strip()[:40]!r}"
    return f"A {what}" if what != "board setting" else "A board setting"


def ops_from_snapshot(snapshot: Any, actor: str = "") -> list[OpRequest]:
    """The ops that draw a snapshot's elements on an empty board, with fresh ids.

    Frames go first (bounded contexts before aggregates) so that membership follows geometry.
    """
    try:
        return _ops_from_snapshot(snapshot, actor)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise Rejection(
            "invalid", f"This is not a Storming board file ({type(exc).__name__}: {str(exc)[:80]})."
        ) from None


def _ops_from_snapshot(snapshot: dict[str, Any], actor: str) -> list[OpRequest]:
    ids: dict[str, str] = {}

    def fresh(old: Any) -> str:
        return ids.setdefault(str(old), str(uuid.uuid4()))

    ops: list[OpRequest] = []
    frames = sorted(snapshot.get("frames", []), key=lambda f: f["kind"] != "bounded_context")
    for frame in frames:
        data = {k: frame[k] for k in ("kind", "name", "x", "y", "w", "h") if k in frame}
        ops.append(OpRequest("frame.create", {**data, "id": fresh(frame["id"])}, actor=actor, role="facilitator"))
    for note in snapshot.get("notes", []):
        data = {k: note[k] for k in ("kind", "text", "x", "y", "w", "h", "fields") if k in note}
        ops.append(OpRequest("note.create", {**data, "id": fresh(note["id"])}, actor=actor, role="facilitator"))
    for link in snapshot.get("links", []):
        data = {
            "id": fresh(link["id"]),
            "from": fresh(link["from"]),
            "to": fresh(link["to"]),
            "label": link.get("label", ""),
        }
        ops.append(OpRequest("link.create", data, actor=actor, role="facilitator"))
    # Comments and resolutions come back as they were written: the server's own ops (trusted).
    for comment in snapshot.get("comments", []):
        data = {k: comment[k] for k in ("text", "author", "name", "at", "edited") if k in comment}
        data.update(id=fresh(comment["id"]), note=fresh(comment["note"]))
        ops.append(OpRequest("comment.restore", data, actor=actor, role="facilitator", trusted=True))
    for note_id, entry in snapshot.get("resolved", {}).items():
        data = {k: entry[k] for k in ("author", "name", "at") if k in entry}
        ops.append(
            OpRequest("thread.restore", {**data, "id": fresh(note_id)}, actor=actor, role="facilitator", trusted=True)
        )
    settings = {key: snapshot[key] for key in ("phase", "locked", "votes_per_person", "follow") if key in snapshot}
    if settings:
        ops.append(OpRequest("board.configure", settings, actor=actor, role="facilitator"))
    return ops
