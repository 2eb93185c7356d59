"""Persistence of ops: one transaction per batch writes the event log and the current-state rows.

A process keeps each board's state in memory, tagged with the seq it reflects. Under the board's
row lock the cache is brought up to date from the log (another process may have written), the ops
are decided against it, and the events and changed rows are written in bulk. If anything fails the
cache is dropped, so memory never runs ahead of the database.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum, TextField
from django.db.models.functions import Cast, Length
from django.utils import timezone

from boards.domain import (
    Actor,
    BoardState,
    Event,
    Rejection,
    decide,
    decide_all,
    default_meta,
    evolve,
    restore_ops,
    undo_ops,
)
from boards.models import Board, BoardEvent, BoardSnapshot, Frame, Link, Note

# Past this many missed events a reconnecting client gets a snapshot instead of the events.
CATCH_UP_LIMIT = 2000
# Bytes a stored event takes besides its data (its row's other columns and index entries).
EVENT_ROW_BYTES = 150
MAX_UNDO_OPS = 500

NOTE_COLUMNS = ("kind", "text", "x", "y", "w", "h", "fields", "aggregate", "context")
FRAME_COLUMNS = ("kind", "name", "x", "y", "w", "h", "context")


@dataclass
class OpRequest:
    op: str
    data: Any
    op_id: str = ""
    actor: str = ""
    role: str = "editor"
    author: str = ""


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


class _BoardCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states: dict[str, BoardState] = {}
        self.board_locks: dict[str, threading.Lock] = {}

    def board_lock(self, board_id: str) -> threading.Lock:
        with self.lock:
            return self.board_locks.setdefault(board_id, threading.Lock())


_cache = _BoardCache()


def forget_cached_states() -> None:
    """Drop every cached board state (tests use it to simulate a fresh process)."""
    with _cache.lock:
        _cache.states.clear()


def _uid(value: Any) -> str | None:
    return None if value is None else str(value)


def load_state(board: Board) -> BoardState:
    """Read the board's current state from the projection tables."""
    notes = {}
    for row in Note.objects.filter(board=board).values("uid", *NOTE_COLUMNS):
        note = {"id": str(row.pop("uid")), **row}
        note["aggregate"], note["context"] = _uid(note["aggregate"]), _uid(note["context"])
        notes[note["id"]] = note
    frames = {}
    for row in Frame.objects.filter(board=board).values("uid", *FRAME_COLUMNS):
        frame = {"id": str(row.pop("uid")), **row}
        frame["context"] = _uid(frame["context"])
        frames[frame["id"]] = frame
    links = {
        str(uid): {"id": str(uid), "from": str(source), "to": str(target), "label": label}
        for uid, source, target, label in Link.objects.filter(board=board).values_list(
            "uid", "source", "target", "label"
        )
    }
    meta = default_meta()
    meta.update({key: value for key, value in board.meta.items() if key in meta})
    votes = board.meta.get("votes", {})
    return BoardState(name=board.name, seq=board.seq, notes=notes, frames=frames, links=links, meta=meta, votes=votes)


def _current_state(board: Board) -> BoardState:
    """The cached state brought up to `board.seq`, from the log when another process wrote."""
    key = str(board.id)
    state = _cache.states.get(key)
    if state is not None and state.seq < board.seq and board.seq - state.seq <= CATCH_UP_LIMIT:
        for event in BoardEvent.objects.filter(board=board, seq__gt=state.seq).order_by("seq"):
            evolve(state, event.type, event.data)
            state.seq = event.seq
    if state is None or state.seq != board.seq:
        state = load_state(board)
    _cache.states[key] = state
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


def apply_ops(
    board_id: str | uuid.UUID,
    ops: Iterable[OpRequest],
    publish: Callable[[list[dict[str, Any]]], None] | None = None,
) -> list[OpResult]:
    """Decide and persist a batch of ops on one board in one transaction.

    Each op is accepted or refused on its own. An op whose op_id is already in the log is not
    applied again; it is answered with its original seq. Raises Board.DoesNotExist, and lets
    database errors through (nothing of the batch is then stored). `publish` is called with
    the new event frames once the transaction has committed, never before.
    """
    ops = list(ops)
    key = str(board_id)
    with _cache.board_lock(key):
        try:
            return _apply_locked(key, ops, publish)
        except BaseException:
            _cache.states.pop(key, None)
            raise


def _apply_locked(board_id: str, ops: list[OpRequest], publish: Callable | None) -> list[OpResult]:
    with transaction.atomic():
        board = Board.objects.select_for_update().get(pk=board_id)
        state = _current_state(board)
        op_ids = {op.op_id for op in ops if op.op_id}
        done = (
            dict(
                BoardEvent.objects.filter(board=board, op_id__in=op_ids)
                .values("op_id")
                .annotate(last=Max("seq"))
                .values_list("op_id", "last")
            )
            if op_ids
            else {}
        )
        now = timezone.now()
        results: list[OpResult] = []
        rows: list[BoardEvent] = []
        touched: dict[str, set[str]] = {"note": set(), "frame": set(), "link": set()}
        renamed = False
        meta_changed = False
        for op in ops:
            if op.op_id in done:
                results.append(OpResult(op.op_id, seq=done[op.op_id], duplicate=True))
                continue
            actor = Actor(role=op.role, author=op.author, now=time.time())
            try:
                events = _decide(board, state, op, actor, rows)
            except Rejection as rejection:
                results.append(OpResult(op.op_id, error=rejection.as_dict()))
                continue
            result = OpResult(op.op_id, seq=state.seq)
            for event in events:
                state.seq += 1
                row = BoardEvent(
                    board=board,
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
                    touched[entity].add(event.data["id"])
                if entity in ("board", "timer", "vote", "votes") or entity == "note" and event.type == "note.deleted":
                    meta_changed = True
            result.seq = state.seq
            if op.op_id:
                done[op.op_id] = state.seq
            results.append(result)
        if rows:
            BoardEvent.objects.bulk_create(rows)
            _write_projection(board, state, touched)
            changes: dict[str, Any] = {"seq": state.seq, "updated_at": now}
            if renamed:
                changes["name"] = state.name
            if meta_changed:
                changes["meta"] = {**state.meta, "votes": state.votes}
            Board.objects.filter(pk=board.pk).update(**changes)
            if _snapshot_due(board, state):
                BoardSnapshot.objects.create(board=board, seq=state.seq, state=state.snapshot())
            if publish is not None:
                frames = [frame for result in results for frame in result.events]
                transaction.on_commit(lambda: publish(frames))
    return results


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


def _decide(board: Board, state: BoardState, op: OpRequest, actor: Actor, pending: list[BoardEvent]) -> list[Event]:
    """Plain ops go straight to the rules; undo and restore first become the ops they stand for."""
    if op.op == "undo":
        return decide_all(state, undo_ops(state, _recorded(board, op, pending)), actor)
    if op.op == "board.restore":
        seq = op.data.get("seq") if isinstance(op.data, dict) else None
        if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= state.seq:
            raise Rejection("invalid", f"Restore needs a seq from 0 to {state.seq}.")
        return decide_all(state, restore_ops(state, state_at(board, seq)), actor)
    return decide(state, op.op, op.data, actor)


def _recorded(board: Board, op: OpRequest, pending: list[BoardEvent]) -> list[Event]:
    """The events of the ops that `op` undoes, which must be the same participant's."""
    op_ids = op.data.get("op_ids") if isinstance(op.data, dict) else None
    if not isinstance(op_ids, list) or not op_ids or len(op_ids) > MAX_UNDO_OPS:
        raise Rejection("invalid", f'undo needs {{"op_ids": [...]}}: the ids of 1 to {MAX_UNDO_OPS} of your ops.')
    wanted = {str(op_id) for op_id in op_ids}
    rows = list(BoardEvent.objects.filter(board=board, op_id__in=wanted).order_by("seq"))
    rows += [row for row in pending if row.op_id in wanted]
    if not rows:
        raise Rejection("not_found", "Nothing to undo: that change is not on this board.")
    if not op.author or any(row.author != op.author for row in rows):
        raise Rejection("forbidden", "Undo takes back your own changes only.")
    return [Event(row.type, row.data, row.before, row.derived) for row in rows]


def state_at(board: Board, seq: int) -> BoardState:
    """The board as it was right after event `seq`: the nearest stored snapshot, then the log."""
    base = BoardSnapshot.objects.filter(board=board, seq__lte=seq).order_by("-seq").first()
    state = BoardState.from_snapshot(base.state) if base else BoardState()
    events = BoardEvent.objects.filter(board=board, seq__gt=state.seq, seq__lte=seq).order_by("seq")
    for event_type, data, event_seq in events.values_list("type", "data", "seq"):
        evolve(state, event_type, data)
        state.seq = event_seq
    state.seq = seq
    if not state.name:
        state.name = board.name
    return state


def _write_projection(board: Board, state: BoardState, touched: dict[str, set[str]]) -> None:
    """Bring the current-state rows of every touched element to what `state` says."""
    _upsert(
        Note,
        board,
        [note for uid in touched["note"] if (note := state.notes.get(uid))],
        NOTE_COLUMNS,
        {uid for uid in touched["note"] if uid not in state.notes},
    )
    _upsert(
        Frame,
        board,
        [frame for uid in touched["frame"] if (frame := state.frames.get(uid))],
        FRAME_COLUMNS,
        {uid for uid in touched["frame"] if uid not in state.frames},
    )
    links = [
        {"id": link["id"], "source": link["from"], "target": link["to"], "label": link["label"]}
        for uid in touched["link"]
        if (link := state.links.get(uid))
    ]
    _upsert(
        Link, board, links, ("source", "target", "label"), {uid for uid in touched["link"] if uid not in state.links}
    )


def _upsert(model: type, board: Board, elements: list[dict], columns: tuple[str, ...], deleted: set[str]) -> None:
    if deleted:
        model.objects.filter(board=board, uid__in=deleted).delete()
    if elements:
        model.objects.bulk_create(
            [model(board=board, uid=e["id"], **{c: e[c] for c in columns}) for e in elements],
            update_conflicts=True,
            unique_fields=["board", "uid"],
            update_fields=list(columns),
        )


# --- reads -----------------------------------------------------------------------------------


def snapshot(board_id: str | uuid.UUID, at: int | None = None) -> dict[str, Any]:
    """The board as the projection tables hold it (the HTTP API's and the export's view), or as
    it was right after event `at`."""
    board = Board.objects.get(pk=board_id)
    if at is not None:
        if not 0 <= at <= board.seq:
            raise Rejection("invalid", f"This board's history runs from seq 0 to {board.seq}.")
        return state_at(board, at).snapshot(str(board.id))
    return load_state(board).snapshot(str(board.id))


def cached_snapshot(board_id: str | uuid.UUID) -> dict[str, Any]:
    """The same snapshot, served from this process's memory when it is current (joins)."""
    key = str(board_id)
    with _cache.board_lock(key):
        with transaction.atomic():
            board = Board.objects.get(pk=key)
            try:
                state = _current_state(board)
            except BaseException:
                _cache.states.pop(key, None)
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
                    _cache.states.pop(str(board.id), None)
                    raise Rejection(result.error["code"], f"{_describe(op)} was refused: {result.error['message']}")
    return Board.objects.get(pk=board.pk)


def _describe(op: OpRequest) -> str:
    """Name the element of a board file that an op came from, the way a person would look for it."""
    what = {"note": "sticky", "frame": "frame", "link": "link"}.get(op.op.partition(".")[0], "board setting")
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
    settings = {key: snapshot[key] for key in ("phase", "locked", "votes_per_person", "follow") if key in snapshot}
    if settings:
        ops.append(OpRequest("board.configure", settings, actor=actor, role="facilitator"))
    return ops
