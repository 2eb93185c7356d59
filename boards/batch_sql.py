"""The statements of a batch of ops, written out: what `store.apply_ops` runs for every batch.

A batch runs the same five statements every time (lock the board row, look up its op_ids, insert
its events, upsert the rows it changed, move the board's seq on). Built by the ORM they cost more
Python time than everything else a server does for an op (docs/performance.md, "Where the time
goes"), so here they are plain SQL, put together once per database and run on one cursor. Values
go through the model fields' own `get_db_prep_save`, so what lands in a column is what the ORM
would have stored there, on SQLite and on PostgreSQL alike. Everything else stays on the ORM.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model

from boards.models import Board, BoardEvent

# The board columns a batch reads: enough for the key check, the state and the seq.
BOARD_FIELDS = ("id", "name", "facilitator_key", "edit_key", "view_key", "meta", "seq")
EVENT_FIELDS = ("board", "seq", "type", "data", "before", "derived", "actor", "author", "op_id", "op", "at")


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[Model], name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _columns(model: type[Model], names: Iterable[str]) -> str:
    return ", ".join(_column(model, name) for name in names)


def _prep(model: type[Model], names: Sequence[str], values: Sequence[Any]) -> list[Any]:
    return [model._meta.get_field(n).get_db_prep_save(v, connection) for n, v in zip(names, values, strict=True)]


def _board_key(board_id: Any) -> Any:
    return Board._meta.pk.get_db_prep_value(board_id, connection)


@cache
def _lock_sql(vendor: str) -> str:
    fields = [f for f in Board._meta.concrete_fields if f.attname in BOARD_FIELDS]
    # SQLite has no row locks: the settings' IMMEDIATE transactions take the database's write
    # lock at BEGIN instead, which serialises batches just the same.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return f"SELECT {columns} FROM {_table(Board)} WHERE {_column(Board, 'id')} = %s{lock}"


def lock_board(cursor: Any, board_id: str) -> Board:
    """The board's row, locked until the transaction ends. Raises Board.DoesNotExist."""
    cursor.execute(_lock_sql(connection.vendor), [_board_key(board_id)])
    row = cursor.fetchone()
    if row is None:
        raise Board.DoesNotExist(f"No board {board_id}.")
    names = [f.attname for f in Board._meta.concrete_fields if f.attname in BOARD_FIELDS]
    values = dict(zip(names, row, strict=True))
    values["id"] = values["id"] if isinstance(values["id"], uuid.UUID) else uuid.UUID(values["id"])
    values["meta"] = json.loads(values["meta"]) if isinstance(values["meta"], str) else values["meta"]
    # The other columns stay deferred: reading one fetches it, so nothing is ever silently blank.
    return Board.from_db(connection.alias, names, [values[name] for name in names])


@cache
def _done_sql(vendor: str, count: int) -> str:
    op_id, seq, board = _column(BoardEvent, "op_id"), _column(BoardEvent, "seq"), _column(BoardEvent, "board")
    marks = ", ".join(["%s"] * count)
    # On the (board, op_id) index: one look-up per op_id, however long the log.
    return (
        f"SELECT {op_id}, MAX({seq}) FROM {_table(BoardEvent)} "
        f"WHERE {board} = %s AND {op_id} IN ({marks}) GROUP BY {op_id}"
    )


def stored_op_ids(cursor: Any, board: Board, op_ids: set[str]) -> dict[str, int]:
    """The last seq of each of these op_ids that is already in the board's log."""
    if not op_ids:
        return {}
    cursor.execute(_done_sql(connection.vendor, len(op_ids)), [_board_key(board.pk), *op_ids])
    return {op_id: seq for op_id, seq in cursor.fetchall()}


@cache
def _insert_sql(vendor: str, model: type[Model], names: tuple[str, ...], upsert: bool) -> str:
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {_table(model)} ({_columns(model, names)}) VALUES ({marks})"
    if upsert:  # SQLite (3.24 on) and PostgreSQL spell it the same way
        key = _columns(model, ("board", "uid"))
        updates = ", ".join(f"{c} = excluded.{c}" for c in (_column(model, n) for n in names[2:]))
        sql += f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    return sql


def insert_events(cursor: Any, rows: list[BoardEvent]) -> None:
    params = [_prep(BoardEvent, EVENT_FIELDS, [getattr(row, _attname(n)) for n in EVENT_FIELDS]) for row in rows]
    cursor.executemany(_insert_sql(connection.vendor, BoardEvent, EVENT_FIELDS, False), params)


def _attname(name: str) -> str:
    return "board_id" if name == "board" else name


def upsert_elements(
    cursor: Any, model: type[Model], board: Board, elements: list[dict], columns: tuple[str, ...]
) -> None:
    """Insert these elements' rows, or bring them to these values where they exist."""
    if not elements:
        return
    names = ("board", "uid", *columns)
    params = [_prep(model, names, [board.pk, e["id"], *(e[c] for c in columns)]) for e in elements]
    cursor.executemany(_insert_sql(connection.vendor, model, names, True), params)


def delete_elements(cursor: Any, model: type[Model], board: Board, uids: set[str]) -> None:
    if not uids:
        return
    uid = model._meta.get_field("uid")
    marks = ", ".join(["%s"] * len(uids))
    cursor.execute(
        f"DELETE FROM {_table(model)} WHERE {_column(model, 'board')} = %s AND {_column(model, 'uid')} IN ({marks})",
        [_board_key(board.pk), *(uid.get_db_prep_value(u, connection) for u in uids)],
    )


def update_board(cursor: Any, board: Board, changes: dict[str, Any]) -> None:
    """Set these columns of the board's row (seq and updated_at, with name and meta when they changed)."""
    names = list(changes)
    assignments = ", ".join(f"{_column(Board, name)} = %s" for name in names)
    cursor.execute(
        f"UPDATE {_table(Board)} SET {assignments} WHERE {_column(Board, 'id')} = %s",
        [*_prep(Board, names, [changes[name] for name in names]), _board_key(board.pk)],
    )
