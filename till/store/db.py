"""Opening the till's SQLite store, and the errors a cashier can act on.

WAL lets the UI read while the sync agent writes; ``synchronous=FULL`` means a sale the cashier
saw complete survives a power cut. The driver's own transaction handling is switched off so
that SQLAlchemy owns every transaction: writers start with ``BEGIN IMMEDIATE`` (one writer at
a time, failing fast on the busy timeout instead of deadlocking half-way), readers with a plain
``BEGIN`` that never blocks on WAL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shared.disk import FULL, disk_fix, disk_trouble
from till.files import disk_trouble_at

BUSY_TIMEOUT_MS = 5000


class StoreError(RuntimeError):
    """A store problem described for the person in front of the till."""


class StoreBusy(StoreError):
    pass


class StoreFull(StoreError):
    pass


class StoreTooNew(StoreError):
    pass


def translate(exc: BaseException, path: Path | None = None) -> StoreError | None:
    """The actionable StoreError behind a driver error, if we know one; ``path``: the store's,
    to tell a full disk behind SQLite's bare "disk I/O error"."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, sqlite3.Error):
        return None
    text = str(orig).lower()
    if "locked" in text or "busy" in text:
        return StoreBusy(
            "the till's database is busy (another program is writing to it); "
            "nothing was saved — try again in a moment"
        )
    trouble = disk_trouble_at(orig, path.parent) if path else disk_trouble(orig)
    if trouble == FULL:
        return StoreFull(
            "the disk is full, so nothing was saved; free some space (or call support) "
            "and try again — the cart is still here"
        )
    if trouble is not None:
        return StoreError(
            f"the till cannot write its database: {trouble}, so nothing was saved; "
            f"{disk_fix(trouble)}"
        )
    if "unable to open" in text:
        return StoreError(f"the till cannot open its database ({orig}); check the data folder")
    return None


def open_engine(
    path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, foreign_keys: bool = True
) -> Engine:
    """An engine for the store at ``path``; migrations pass ``foreign_keys=False`` because a
    batch rebuild of a parent table with foreign keys on deletes its cascading children."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy, not the driver, opens transactions
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        write = conn.get_execution_options().get("sgpos_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@dataclass
class Store:
    """One till database: a reader engine and a writer view of the same pool."""

    path: Path
    engine: Engine

    @classmethod
    def open(cls, path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Store:
        return cls(path, open_engine(path, busy_timeout_ms=busy_timeout_ms))

    @property
    def writer(self) -> Engine:
        return self.engine.execution_options(sgpos_write=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session; it never blocks behind a writer."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()
