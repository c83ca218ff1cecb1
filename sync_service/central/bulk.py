"""Many rows into one table in one statement (psycopg2's ``execute_values``).

The push path writes a few thousand rows per batch; psycopg2's ``executemany`` sends one
statement per row and SQLAlchemy's batching still pages them by the hundred, which made
ingest several times slower than the database itself. Column names here come from our own
row dicts and table objects, never from a request.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from psycopg2.extensions import AsIs, register_adapter
from psycopg2.extras import Json, execute_values
from sqlalchemy import Connection, Table

# UUIDs as uuid literals (psycopg2 only knows them after registration).
register_adapter(uuid.UUID, lambda u: AsIs(f"'{u}'::uuid"))


def _value(v: Any) -> Any:
    return Json(v, dumps=json.dumps) if isinstance(v, dict | list) else v


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
    sql = f"INSERT INTO {table.schema}.{table.name} ({', '.join(columns)}) VALUES %s"  # noqa: S608
    if on_conflict is not None:
        sql += f" ON CONFLICT {on_conflict}"
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    values = [tuple(_value(row[c]) for c in columns) for row in rows]
    result = execute_values(cursor, sql, values, page_size=len(values), fetch=bool(returning))
    return list(result or [])
