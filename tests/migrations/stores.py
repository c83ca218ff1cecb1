"""Stores for migration tests: data written as a till at revision 0001 wrote it, and ways to
look at a store file without the code under test.

The rows are plain SQL against the 0001 schema (money in integer cents, quantities in
thousandths, GST rates in basis points, times as UTC text), so they stay valid however the
models move on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Protocol

from alembic import command
from sqlalchemy.orm import Session

from till.store.db import open_engine
from till.store.migrate import MIGRATIONS_DIR, alembic_config

INITIAL = "0001_initial_schema"
PRODUCT_ID = "7f1c2a4e-0000-4000-8000-000000000001"
PRODUCT_NAME = "Kaya Toast Set"
BARCODE = "8888000000017"
STAFF_ID = "7f1c2a4e-0000-4000-8000-000000000002"
SHIFT_ID = "7f1c2a4e-0000-4000-8000-000000000003"


class AddRevision(Protocol):
    """The ``add_revision`` fixture: appends a test-only revision to a copy of the history."""

    def __call__(self, revision: str, upgrade: str, downgrade: str = "pass") -> str: ...


def sale_id(n: int) -> str:
    return f"7f1c2a4e-0000-4000-8001-{n:012d}"


def add_shop(db: sqlite3.Connection) -> None:
    """One product (with a barcode), one cashier and her open shift."""
    db.execute(
        "INSERT INTO product (product_id, sku, name, price, tax_code, category_id, weighed,"
        " active) VALUES (?, 'KAYA-SET', ?, 450, 'SR', NULL, 0, 1)",
        (PRODUCT_ID, PRODUCT_NAME),
    )
    db.execute("INSERT INTO barcode (code, product_id) VALUES (?, ?)", (BARCODE, PRODUCT_ID))
    db.execute(
        "INSERT INTO staff (staff_id, code, display_name, role, pin_hash, active,"
        " failed_attempts, locked_until) VALUES (?, '1001', 'Tan Mei Ling', 'cashier',"
        " 'not-a-real-hash', 1, 0, NULL)",
        (STAFF_ID,),
    )
    db.execute(
        "INSERT INTO shift (shift_id, opened_by, opened_at, opening_float)"
        " VALUES (?, ?, '2024-03-01T01:00:00.000000Z', 10000)",
        (SHIFT_ID, STAFF_ID),
    )


def add_sale(db: sqlite3.Connection, n: int) -> str:
    """Sale ``n``: two Kaya Toast Sets for $9.00 (GST $0.74 inclusive), paid with $10 cash."""
    sid = sale_id(n)
    db.execute(
        "INSERT INTO sale (sale_id, receipt_no, shift_id, cashier_id, sold_at, subtotal,"
        " discount_total, total, gst_total, rounding, change, customer_id, reprint_count)"
        " VALUES (?, ?, ?, ?, ?, 900, 0, 900, 74, 0, 100, NULL, 0)",
        (sid, f"T01-{n:06d}", SHIFT_ID, STAFF_ID, f"2024-03-01T02:{n:02d}:00.000000Z"),
    )
    for position in (1, 2):
        db.execute(
            "INSERT INTO sale_line (line_id, sale_id, position, product_id, sku, name, quantity,"
            " unit_price, list_price, line_discount, cart_discount, amount, tax_code, gst_rate,"
            " gst, weighed, approved_by) VALUES (?, ?, ?, ?, 'KAYA-SET', ?, 1000, 450, 450, 0,"
            " 0, 450, 'SR', 900, 37, 0, NULL)",
            (
                f"7f1c2a4e-0000-4000-8002-{n:010d}{position:02d}",
                sid,
                position,
                PRODUCT_ID,
                PRODUCT_NAME,
            ),
        )
    db.execute(
        "INSERT INTO payment (payment_id, sale_id, refund_id, position, type, amount)"
        " VALUES (?, ?, NULL, 1, 'cash', 1000)",
        (f"7f1c2a4e-0000-4000-8003-{n:012d}", sid),
    )
    return sid


def add_shop_and_sales(path: Path, *, sales: int) -> None:
    with closing(sqlite3.connect(path)) as db, db:
        add_shop(db)
        for n in range(1, sales + 1):
            add_sale(db, n)


def upgrade_to(path: Path, revision: str, *, migrations: Path = MIGRATIONS_DIR) -> None:
    command.upgrade(alembic_config(path, migrations=migrations), revision)


def store_at_0001_with_sales(path: Path, *, sales: int) -> Path:
    upgrade_to(path, INITIAL)
    add_shop_and_sales(path, sales=sales)
    return path


def query(path: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql, args).fetchall()


def count(path: Path, table: str) -> int:
    return int(query(path, f"SELECT count(*) FROM {table}")[0][0])


def tables(path: Path) -> set[str]:
    return {
        str(name) for (name,) in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")
    }


def schema(path: Path) -> list[tuple[Any, ...]]:
    """Every table, index and trigger with its SQL, apart from Alembic's own bookkeeping."""
    return query(
        path,
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name != 'alembic_version'"
        " ORDER BY type, name",
    )


def search_products(path: Path, words: str) -> list[str]:
    """What the till's name search finds, straight from the FTS5 index."""
    return [
        name
        for (name,) in query(
            path,
            "SELECT name FROM product WHERE rowid IN"
            " (SELECT rowid FROM product_fts WHERE product_fts MATCH ?)",
            words,
        )
    ]


@contextmanager
def orm_session(path: Path) -> Iterator[Session]:
    """Read the store the way today's code does (the models describe head)."""
    engine = open_engine(path)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()
