"""Many rows into one table: COPY into a staging table, then one set-based INSERT … SELECT.

The push path writes tens of thousands of rows per minute. A multi-row ``INSERT … VALUES``
(psycopg2's ``execute_values``) made the client quote every value and PostgreSQL parse every
literal of one huge statement; COPY's text format streams rows that the server reads far
faster, and the ``INSERT … SELECT … ON CONFLICT`` from the staging table keeps every
constraint and conflict rule of the fact table. The staging table has the fact table's column
types (``CREATE … AS SELECT … WITH NO DATA``), so a value too long or out of range is refused
exactly as the fact table would refuse it. Column names here come from our own row dicts and
table objects, never from a request.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from psycopg2.extensions import AsIs, register_adapter
from sqlalchemy import Connection, Table

# UUIDs as uuid literals (psycopg2 only knows them after registration).
register_adapter(uuid.UUID, lambda u: AsIs(f"'{u}'::uuid"))

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
    uuid.UUID: str,
    Decimal: str,
    int: str,
    datetime: datetime.isoformat,
    date: date.isoformat,
}


class _Rows:
    """A file-like object COPY reads from, encoding rows as they are asked for."""

    def __init__(self, rows: Sequence[dict[str, Any]], columns: list[str]) -> None:
        self._lines: Iterator[bytes] = (
            ("\t".join([_text(row[c]) for c in columns]) + "\n").encode() for row in rows
        )
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            line = next(self._lines, None)
            if line is None:
                break
            self._buffer += line
        if size < 0:
            size = len(self._buffer)
        chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        return chunk

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
    # Dropped at commit; a fresh name per call so a savepoint rolled back never leaves one
    # half-filled behind for the next statement.
    stage = f"pg_temp.stage_{table.name}_{next(_stage_names)}"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
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
