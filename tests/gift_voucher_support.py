"""Gift voucher batches issued at a real head office and pulled onto real tills, for tests."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from shared.protocol import MasterEntity
from sync_service.central.admin.gift_vouchers import NewBatch, issue_batch
from sync_service.central.pull import pull_page
from tests.central import SyncedTill
from till.store.master import apply_changes
from till.store.uow import UnitOfWork

FAR = date(2030, 12, 31)


def new_batch(
    engine: Engine,
    *,
    count: int = 20,
    face_value: str = "50.00",
    expires_on: date | None = FAR,
) -> str:
    """A batch under a prefix no other test uses; returns the prefix."""
    prefix = "G" + secrets.token_hex(3).upper()[:6]
    issue_batch(engine, "test@shop.sg", NewBatch(prefix, count, Decimal(face_value), expires_on))
    return prefix


def pull_batches(engine: Engine, till: SyncedTill) -> int:
    """Bring head office's voucher batches onto ``till`` as its pull would; how many."""
    wanted = frozenset({MasterEntity.VOUCHER_BATCH})
    cursor, changes = "0", []
    while True:
        page = pull_page(engine, till.auth, cursor, 5000, wanted)
        changes += [c for c in page.changes if c.entity is MasterEntity.VOUCHER_BATCH]
        cursor = page.next_cursor
        if not page.has_more:
            break
    with UnitOfWork(till.demo.till.store) as uow:
        apply_changes(uow.session, changes)
        uow.commit()
    return len(changes)
