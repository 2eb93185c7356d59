"""Undo and restore: ops that stand for other ops, worked out from the board's log.

An `undo` takes back a participant's own earlier ops; a `board.restore` brings the board back to
how it was after a past event. Both become plain ops, which the board's rules then decide like
any other. The store calls `decide_op` for every op of a batch, inside the batch's transaction.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from boards.domain import Actor, BoardState, Event, Rejection, decide, decide_all, evolve, restore_ops, undo_ops
from boards.models import Board, BoardEvent, BoardSnapshot

MAX_UNDO_OPS = 500


class Op(Protocol):
    op: str
    data: Any
    author: str


def decide_op(board: Board, state: BoardState, op: Op, actor: Actor, pending: list[BoardEvent]) -> list[Event]:
    """Plain ops go straight to the rules; undo and restore first become the ops they stand for.

    `pending` holds the batch's events not yet written, so an undo can take back an op of the
    same batch. The ops they stand for are the server's own (trusted): they may put back comments
    as their authors wrote them.
    """
    if op.op in ("undo", "board.restore"):
        actor = replace(actor, trusted=True)
    if op.op == "undo":
        return decide_all(state, undo_ops(state, _recorded(board, op, pending)), actor)
    if op.op == "board.restore":
        if state.meta["silent"]:
            # A past version would bring back stickies face up, or under the restorer's name.
            raise Rejection("silent", "Reveal the silent round first; then an earlier version can be restored.")
        seq = op.data.get("seq") if isinstance(op.data, dict) else None
        if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= state.seq:
            raise Rejection("invalid", f"Restore needs a seq from 0 to {state.seq}.")
        return decide_all(state, restore_ops(state, _without_unrevealed(board, state_at(board, seq))), actor)
    return decide(state, op.op, op.data, actor)


def _without_unrevealed(board: Board, target: BoardState) -> BoardState:
    """A past version without the stickies that were face down then and never revealed after (their
    author deleted them first): bringing them back would show text nobody else ever saw."""
    revealed = {
        note["id"]
        for data in BoardEvent.objects.filter(board=board, type="silent.revealed", seq__gt=target.seq).values_list(
            "data", flat=True
        )
        for note in data.get("notes", [])
    }
    gone = {note_id for note_id in target.hidden if note_id not in revealed}
    for note_id in gone:
        target.notes.pop(note_id, None)
    target.links = {k: link for k, link in target.links.items() if not {link["from"], link["to"]} & gone}
    return target


def _recorded(board: Board, op: Op, pending: list[BoardEvent]) -> list[Event]:
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
