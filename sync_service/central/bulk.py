"""Many rows into one table: COPY into a staging table, then one set-based INSERT … SELECT.

The push path writes tens of thousands of rows per minute. A multi-row ``INSERT … VALUES``
(psycopg2's ``execute_values``) made the client quote every value and PostgreSQL parse every
literal of one huge statement; COPY's text format streams rows that the server reads far
faster, and the ``INSERT … SELECT … ON CONFLICT`` from the staging table keeps every
constraint and conflict rule of the fact table. The staging table has the fact table's column
types (``CREATE … AS SELECT … WITH NO DATA``), so a value too long or out of range is refused
exactly as the fact table would refuse it. A table written with no conflict rule and nothing
read back (the inbox) takes the COPY straight, with no staging. So does every insert that
would skip a conflict while ``copied_straight()`` is on: there a conflict fails the statement
instead, and the caller projects again the careful way (``sync_service.central.ingest``).
Column names here come from our own row dicts and table objects, never from a request.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from psycopg2.extensions import AsIs, register_adapter
from sqlalchemy import Connection, Table

# UUIDs as uuid literals (psycopg2 only knows them after registration).
register_adapter(uuid.UUID, lambda u: AsIs("'%032x'::uuid" % u.int))  # noqa: UP031

# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_stage_names = itertools.count()


def _escaped(text: str) -> str:
    if _SPECIAL.search(text) is None:  # nearly always: no escaping needed
        return text
    if "\x00" in text:
        # PostgreSQL stores NUL in no text column; refused like an INSERT would refuse it.
        raise ValueError("a value holds a NUL character (\\u0000), which cannot be stored")
    return text.translate(_ESCAPES)


def _text(value: Any) -> str:
    """One value as COPY text. The types are the ones our row dicts hold."""
    exact = _BY_TYPE.get(type(value))
    if exact is not None:
        return exact(value)
    if isinstance(value, str):
        return _escaped(value)
    if isinstance(value, uuid.UUID | Decimal | int):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return _escaped(json.dumps(value, ensure_ascii=False))
    raise TypeError(f"no COPY text for a {type(value).__name__}")


_SPECIAL = re.compile("[\\\\\t\n\r\x00]")
_BY_TYPE: dict[type, Callable[[Any], str]] = {
    type(None): lambda _: "\\N",
    bool: lambda b: "t" if b else "f",
    str: _escaped,
    # 32 hex digits, which PostgreSQL reads as a uuid: five times quicker than str(uuid).
    uuid.UUID: lambda u: "%032x" % u.int,  # noqa: UP031 (quicker than format())
    Decimal: str,
    int: str,
    datetime: datetime.isoformat,
    date: date.isoformat,
}
_ROWS_PER_CHUNK = 500
_straight: ContextVar[bool] = ContextVar("copied_straight", default=False)


@contextmanager
def copied_straight(on: bool = True) -> Iterator[None]:
    """Within: rows an insert would skip on a conflict go straight into their table by COPY,
    a conflict fails the statement, and what is "read back" is every row given. A batch in
    which nothing collides with what is stored, nearly every batch, then costs PostgreSQL a
    COPY's work instead of a staging table's and an ``INSERT … SELECT … ON CONFLICT``'s."""
    token = _straight.set(on)
    try:
        yield
    finally:
        _straight.reset(token)


def _column(values: list[Any]) -> list[str]:
    """One column's values as COPY text. A column nearly always holds one type (with perhaps
    some NULLs): formatted with that type's formatter in one pass, not by looking each value's
    type up; anything else value by value (``_text``)."""
    kinds = set(map(type, values))
    nulls = type(None) in kinds
    kinds.discard(type(None))
    if len(kinds) != 1:
        return list(map(_text, values))
    (kind,) = kinds
    present = [v for v in values if v is not None] if nulls else values
    if kind is uuid.UUID:
        texts = ["%032x" % u.int for u in present]  # noqa: UP031
    elif kind is str:
        # One search over the whole column: nearly always nothing to escape.
        clean = _SPECIAL.search("".join(present)) is None
        texts = present if clean else list(map(_escaped, present))
    elif kind in _BY_TYPE:
        texts = list(map(_BY_TYPE[kind], present))
    else:
        texts = list(map(_text, present))
    if not nulls:
        return texts
    filled = iter(texts)
    return ["\\N" if v is None else next(filled) for v in values]


class _Rows:
    """A file-like object COPY reads from, encoding rows a chunk at a time as they are asked
    for, so PostgreSQL reads one chunk while the next is made. Each chunk is encoded a column
    at a time (``_column``)."""

    def __init__(self, rows: Sequence[dict[str, Any]], columns: list[str]) -> None:
        self._chunks = self._encoded(rows, columns)

    @staticmethod
    def _encoded(rows: Sequence[dict[str, Any]], columns: list[str]) -> Iterator[bytes]:
        for start in range(0, len(rows), _ROWS_PER_CHUNK):
            chunk = rows[start : start + _ROWS_PER_CHUNK]
            texts = [_column([row[c] for row in chunk]) for c in columns]
            lines = texts[0] if len(texts) == 1 else list(map("\t".join, zip(*texts, strict=True)))
            lines.append("")
            yield "\n".join(lines).encode()

    def read(self, size: int = -1) -> bytes:
        # psycopg2 sends whatever one read returns; an empty answer ends the COPY.
        return next(self._chunks, b"")

    readline = read


def bulk_insert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    on_conflict: str | None = "DO NOTHING",
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (dicts with the same keys); return the ``returning`` columns inserted."""
    if not rows:
        return []
    columns = list(rows[0])
    names = ", ".join(columns)
    target = f"{table.schema}.{table.name}"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    straight = on_conflict == "DO NOTHING" and _straight.get()
    if straight or (on_conflict is None and not returning):
        # Nothing to skip and nothing to read back, or every row expected new: straight into
        # the table, whose own constraints refuse what they refuse (a unique violation names
        # the table as before).
        cursor.copy_expert(f"COPY {target} ({names}) FROM STDIN", _Rows(rows, columns))
        return [tuple(row[c] for c in returning) for row in rows] if returning else []
    # Dropped at commit; a fresh name per call so a savepoint rolled back never leaves one
    # half-filled behind for the next statement.
    stage = f"pg_temp.stage_{table.name}_{next(_stage_names)}"
    cursor.execute(
        f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {names} FROM {target} WITH NO DATA"  # noqa: S608
    )
    cursor.copy_expert(f"COPY {stage} ({names}) FROM STDIN", _Rows(rows, columns))
    sql = f"INSERT INTO {target} ({names}) SELECT {names} FROM {stage}"  # noqa: S608
    if on_conflict is not None:
        sql += f" ON CONFLICT {on_conflict}"
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    cursor.execute(sql)
    result = cursor.fetchall() if returning else []
    cursor.execute(f"DROP TABLE {stage}")
    return list(result)
