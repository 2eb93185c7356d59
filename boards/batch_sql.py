"""The statements of a batch of ops, written out: what `store.apply_ops` runs for every batch.

A batch runs the same five statements every time (lock the board row, look up its op_ids, insert
its events, upsert the rows it changed, move the board's seq on). Built by the ORM they cost more
Python time than everything else a server does for an op (docs/performance.md, "Where the time
goes"), so here they are plain SQL, put together once per database and run on one cursor. Values
that need converting (ids, JSON, times) go through their model field's own `get_db_prep_save`, so
what lands in a column is what the ORM would have stored there, on SQLite and on PostgreSQL alike.
Everything else stays on the ORM.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from django.db.models import Field, Model

from boards.models import Board, BoardEvent

# The board columns a batch reads: enough for the key check, the state and the seq.
BOARD_FIELDS = ("id", "name", "facilitator_key", "edit_key", "view_key", "meta", "seq")
# An event's board and time first: the events of a batch share them (prepared once).
EVENT_FIELDS = ("board", "at", "seq", "type", "data", "before", "derived", "actor", "author", "op_id", "op")
# Columns whose values the database takes as the domain holds them.
PLAIN_FIELDS = {"CharField", "TextField", "FloatField", "BigIntegerField", "BooleanField"}

# Every function takes the batch's cursor and reads the connection from it (`cursor.db`): going
# through django.db.connection costs a thread-local look-up for every value.


def _table(db: Any, model: type[Model]) -> str:
    return db.ops.quote_name(model._meta.db_table)


def _column(db: Any, model: type[Model], name: str) -> str:
    return db.ops.quote_name(model._meta.get_field(name).column)


def _columns(db: Any, model: type[Model], names: Iterable[str]) -> str:
    return ", ".join(_column(db, model, name) for name in names)


@cache
def _converting(model: type[Model], names: tuple[str, ...]) -> list[Field | None]:
    fields = [model._meta.get_field(name) for name in names]
    return [None if field.get_internal_type() in PLAIN_FIELDS else field for field in fields]


def _prep(db: Any, model: type[Model], names: tuple[str, ...], values: Sequence[Any]) -> list[Any]:
    return [
        value if field is None else field.get_db_prep_save(value, db)
        for field, value in zip(_converting(model, names), values, strict=True)
    ]


def _board_key(db: Any, board_id: Any) -> Any:
    return Board._meta.pk.get_db_prep_value(board_id, db)


_built: dict[tuple[Any, ...], str] = {}


def _sql(db: Any, build: Callable[..., str], *args: Any) -> str:
    """The statement `build(db, *args)` makes, made once per kind of database."""
    key = (db.vendor, build, *args)
    sql = _built.get(key)
    if sql is None:
        sql = _built[key] = build(db, *args)
    return sql


def _lock_sql(db: Any) -> str:
    fields = [f for f in Board._meta.concrete_fields if f.attname in BOARD_FIELDS]
    # SQLite has no row locks: the settings' IMMEDIATE transactions take the database's write
    # lock at BEGIN instead, which serialises batches just the same.
    lock = " FOR UPDATE" if db.features.has_select_for_update else ""
    columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
    return f"SELECT {columns} FROM {_table(db, Board)} WHERE {_column(db, Board, 'id')} = %s{lock}"


def lock_board(cursor: Any, board_id: str) -> Board:
    """The board's row, locked until the transaction ends. Raises Board.DoesNotExist."""
    db = cursor.db
    cursor.execute(_sql(db, _lock_sql), [_board_key(db, board_id)])
    row = cursor.fetchone()
    if row is None:
        raise Board.DoesNotExist(f"No board {board_id}.")
    names = [f.attname for f in Board._meta.concrete_fields if f.attname in BOARD_FIELDS]
    values = dict(zip(names, row, strict=True))
    values["id"] = values["id"] if isinstance(values["id"], uuid.UUID) else uuid.UUID(values["id"])
    values["meta"] = json.loads(values["meta"]) if isinstance(values["meta"], str) else values["meta"]
    # The other columns stay deferred: reading one fetches it, so nothing is ever silently blank.
    return Board.from_db(db.alias, names, [values[name] for name in names])


def _done_sql(db: Any, count: int) -> str:
    op_id, seq, board = (_column(db, BoardEvent, name) for name in ("op_id", "seq", "board"))
    marks = ", ".join(["%s"] * count)
    # On the (board, op_id) index: one look-up per op_id, however long the log.
    return (
        f"SELECT {op_id}, MAX({seq}) FROM {_table(db, BoardEvent)} "
        f"WHERE {board} = %s AND {op_id} IN ({marks}) GROUP BY {op_id}"
    )


def stored_op_ids(cursor: Any, board: Board, op_ids: set[str]) -> dict[str, int]:
    """The last seq of each of these op_ids that is already in the board's log."""
    if not op_ids:
        return {}
    cursor.execute(_sql(cursor.db, _done_sql, len(op_ids)), [_board_key(cursor.db, board.pk), *op_ids])
    return {op_id: seq for op_id, seq in cursor.fetchall()}


def _insert_sql(db: Any, model: type[Model], names: tuple[str, ...], upsert: bool) -> str:
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {_table(db, model)} ({_columns(db, model, names)}) VALUES ({marks})"
    if upsert:  # SQLite (3.24 on) and PostgreSQL spell it the same way
        key = _columns(db, model, ("board", "uid"))
        updates = ", ".join(f"{c} = excluded.{c}" for c in (_column(db, model, n) for n in names[2:]))
        sql += f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    return sql


def insert_events(cursor: Any, rows: list[BoardEvent]) -> None:
    db, shared, own = cursor.db, EVENT_FIELDS[:2], EVENT_FIELDS[2:]
    prepared: dict[tuple[Any, Any], list[Any]] = {}
    params = []
    for row in rows:
        key = (row.board_id, row.at)
        if key not in prepared:
            prepared[key] = _prep(db, BoardEvent, shared, key)
        params.append(prepared[key] + _prep(db, BoardEvent, own, [getattr(row, name) for name in own]))
    _execute(cursor, _sql(db, _insert_sql, BoardEvent, EVENT_FIELDS, False), params)


def _execute(cursor: Any, sql: str, params: list[list[Any]]) -> None:
    # One row is the usual batch: psycopg runs executemany in a pipeline, which costs more.
    if len(params) == 1:
        cursor.execute(sql, params[0])
    else:
        cursor.executemany(sql, params)


def upsert_elements(
    cursor: Any, model: type[Model], board: Board, elements: list[dict], columns: tuple[str, ...]
) -> None:
    """Insert these elements' rows, or bring them to these values where they exist."""
    if not elements:
        return
    db, names = cursor.db, ("board", "uid", *columns)
    params = [_prep(db, model, names, [board.pk, e["id"], *(e[c] for c in columns)]) for e in elements]
    _execute(cursor, _sql(db, _insert_sql, model, names, True), params)


def delete_elements(cursor: Any, model: type[Model], board: Board, uids: set[str]) -> None:
    if not uids:
        return
    db, uid = cursor.db, model._meta.get_field("uid")
    marks = ", ".join(["%s"] * len(uids))
    where = f"{_column(db, model, 'board')} = %s AND {_column(db, model, 'uid')} IN ({marks})"
    cursor.execute(
        f"DELETE FROM {_table(db, model)} WHERE {where}",
        [_board_key(db, board.pk), *(uid.get_db_prep_value(u, db) for u in uids)],
    )


def update_board(cursor: Any, board: Board, changes: dict[str, Any]) -> None:
    """Set these columns of the board's row (seq and updated_at, with name and meta when they changed)."""
    db, names = cursor.db, tuple(changes)
    assignments = ", ".join(f"{_column(db, Board, name)} = %s" for name in names)
    cursor.execute(
        f"UPDATE {_table(db, Board)} SET {assignments} WHERE {_column(db, Board, 'id')} = %s",
        [*_prep(db, Board, names, [changes[name] for name in names]), _board_key(db, board.pk)],
    )
