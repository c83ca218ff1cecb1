"""Helpers for the head-office editing tests: audit rows, the pull cursor, a till's view."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, text

from shared.protocol import MasterChange
from sync_service.central import models as m
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.pull import pull_page
from sync_service.central.tills import TillAuth
from tests.migrations.central_support import fresh_database


@contextmanager
def private_central(pg_server: str) -> Iterator[Engine]:
    """A migrated central database of its own. These tests move the clock (a price scheduled
    for next week is applied "next week"), which must not meet a running dashboard whose
    scheduler applies prices by the real clock in the shared test database."""
    with fresh_database(pg_server) as url:
        upgrade_central(url)
        engine = central_engine(url, pool_size=2)
        try:
            yield engine
        finally:
            engine.dispose()


def actor() -> str:
    return f"admin-{uuid.uuid4().hex[:8]}@example.com"


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def last_audit(engine: Engine) -> int:
    return int(scalar(engine, "SELECT coalesce(max(audit_id), 0) FROM sgpos.ho_audit"))


def last_change(engine: Engine) -> int:
    return int(scalar(engine, "SELECT coalesce(max(change_id), 0) FROM sgpos.change_log"))


def audit_since(engine: Engine, audit_id: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT table_name, key, op, before, after, changed_by FROM sgpos.ho_audit "
                "WHERE audit_id > :a ORDER BY audit_id"
            ),
            {"a": audit_id},
        ).mappings()
        return [dict(r) for r in rows]


def till_at(outlet: m.Outlet) -> TillAuth:
    """A till identity at ``outlet``: all a pull needs to decide what the till may see."""
    return TillAuth(uuid.uuid4(), outlet.outlet_id, outlet.code, "T99")


def pull_to_head(
    engine: Engine, till: TillAuth, cursor: str = "0"
) -> tuple[str, list[MasterChange]]:
    """Every change after ``cursor`` up to head office's head."""
    changes: list[MasterChange] = []
    while True:
        page = pull_page(engine, till, cursor, 1000)
        changes += page.changes
        cursor = page.next_cursor
        if not page.has_more:
            return cursor, changes


def latest(changes: list[MasterChange], entity: str, key: str) -> MasterChange | None:
    found = [c for c in changes if c.entity == entity and c.key == key]
    return found[-1] if found else None
