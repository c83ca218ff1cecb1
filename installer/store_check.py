"""Looking at a till store file (the live one or one inside a backup) without changing it.

Used by backup (to verify what it wrote), restore (to refuse a damaged or foreign file before
anything is touched) and doctor (integrity and foreign keys of the live store).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from till.files import disk_trouble_at
from till.store.migrate import open_existing
from till.store.models import RECEIPT_COUNTER

# Tables every till store has had since its first revision: a file without them is not one.
TILL_TABLES = frozenset(
    {"alembic_version", "till_identity", "counter", "sale", "refund", "outbox", "sync_state"}
)


class NotATillStore(ValueError):
    """The file is not a (healthy) till store; the message says why."""


class DiskTrouble(OSError):
    """The store could not be looked at because of its disk (full, read-only), not itself."""


@dataclass(frozen=True)
class StoreFacts:
    revision: str | None
    till_id: str | None  # None: a store that never had an identity (never set up)
    till_code: str | None
    outlet_code: str | None
    central_url: str | None
    epoch: int
    sales: int
    receipt_counter: int
    pending: int  # events not yet acknowledged by head office

    @property
    def till_name(self) -> str:
        if self.outlet_code and self.till_code:
            return f"{self.outlet_code}-{self.till_code}"
        return self.till_code or "(no till identity)"


def integrity_problems(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` findings; empty when healthy."""
    try:
        with closing(open_existing(path)) as db:
            verdict = [str(r[0]) for r in db.execute("PRAGMA integrity_check")]
            problems = [] if verdict == ["ok"] else verdict[:5]
            for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall()[:5]:
                problems.append(f"{table} row {rowid} points to a missing {parent}")
    except sqlite3.DatabaseError as exc:
        trouble = disk_trouble_at(exc, path.parent)
        if trouble is not None:
            raise DiskTrouble(trouble) from None  # not the store's fault: say so
        return [f"cannot be read as a database ({exc})"]
    return problems


def examine(path: Path) -> StoreFacts:
    """The facts of a healthy till store; NotATillStore when it is damaged or not one."""
    problems = integrity_problems(path)
    if problems:
        raise NotATillStore(f"it is damaged: {'; '.join(problems)}")
    try:
        return facts(path)
    except sqlite3.DatabaseError as exc:
        raise NotATillStore(f"it cannot be read as a till store ({exc})") from None


def facts(path: Path) -> StoreFacts:
    """The facts without the (slow) integrity checks, for a store known to be a till's."""
    with closing(open_existing(path)) as db:
        tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = TILL_TABLES - tables
        if missing:
            raise NotATillStore(
                f"it is not an SG-POS till store (no {', '.join(sorted(missing)[:3])} table)"
            )
        revision = db.execute("SELECT version_num FROM alembic_version").fetchone()
        ident = db.execute(
            "SELECT till_id, till_code, outlet_id, epoch, central_url FROM till_identity"
        ).fetchone()
        outlet = None
        if ident is not None and "outlet" in tables:
            row = db.execute("SELECT code FROM outlet WHERE outlet_id = ?", (ident[2],)).fetchone()
            outlet = str(row[0]) if row else None
        counter = db.execute(
            "SELECT value FROM counter WHERE name = ?", (RECEIPT_COUNTER,)
        ).fetchone()
        mark = db.execute("SELECT acked_epoch, acked_seq FROM sync_state").fetchone() or (0, 0)
        pending = db.execute(
            "SELECT count(*) FROM outbox WHERE epoch > ? OR (epoch = ? AND seq > ?)",
            (mark[0], mark[0], mark[1]),
        ).fetchone()[0]
        sales = db.execute("SELECT count(*) FROM sale").fetchone()[0]
    return StoreFacts(
        revision=str(revision[0]) if revision else None,
        till_id=str(ident[0]) if ident else None,
        till_code=str(ident[1]) if ident else None,
        outlet_code=outlet,
        central_url=str(ident[4]) if ident and ident[4] else None,
        epoch=int(ident[3]) if ident else 0,
        sales=int(sales),
        receipt_counter=int(counter[0]) if counter else 0,
        pending=int(pending),
    )
