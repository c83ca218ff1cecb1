"""Central-side test helpers: a migrated `sgpos` database, outlets and enrolled tills."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from shared.demo_catalogue import demo_outlet
from shared.protocol import Event
from sync_service.central import models as m
from sync_service.central.tills import TillAuth, create_enrolment_code, enrol
from tests.tills import DemoTill, demo_till
from till.store.models import OutboxEvent, Outlet, TillIdentity
from till.store.outbox import to_wire
from till.store.uow import UnitOfWork


def add_outlet(engine: Engine, code: str | None = None) -> m.Outlet:
    """A fresh outlet (with its company) under a random code, so tests never collide."""
    code = code or "O" + secrets.token_hex(3).upper()[:5]
    base = demo_outlet()
    with Session(engine, expire_on_commit=False) as s, s.begin():
        company = m.Company(company_id=uuid.uuid4(), name=f"Test {code} Pte Ltd")
        outlet = m.Outlet(
            outlet_id=uuid.uuid4(),
            company_id=company.company_id,
            code=code,
            name=f"Shop {code}",
            address_lines=list(base.address_lines),
            gst_reg_no=base.gst_reg_no,
            gst_rounding=base.gst_rounding,
            cash_rounding=base.cash_rounding,
            discount_limit_percent=base.discount_limit_percent,
            variance_limit=base.variance_limit,
            paynow_uen=base.paynow_uen,
            receipt_footer=list(base.receipt_footer),
        )
        s.add(company)
        s.flush()
        s.add(outlet)
    return outlet


@dataclass
class SyncedTill:
    """A real till store whose identity is an enrolled central till."""

    demo: DemoTill
    auth: TillAuth
    secret: str

    def events(self, *, after_seq: int = 0) -> list[Event]:
        with self.demo.till.store.read() as s:
            rows = s.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.seq > after_seq)
                .order_by(OutboxEvent.epoch, OutboxEvent.seq)
            ).all()
        return [to_wire(r, str(self.auth.till_id)) for r in rows]


def enrolled_till(engine: Engine, data_dir: Path, outlet: m.Outlet, till_code: str) -> SyncedTill:
    now = datetime.now(UTC)
    code = create_enrolment_code(
        engine, outlet_code=outlet.code, till_code=till_code, created_by="test", now=now
    )
    ok = enrol(engine, code=code, now=now)
    demo = demo_till(data_dir, till_id=str(ok.till_id))
    # Receipt numbers carry outlet and till codes; make them this central outlet's.
    with UnitOfWork(demo.till.store) as uow:
        uow.session.execute(update(Outlet).values(code=outlet.code))
        uow.session.execute(update(TillIdentity).values(till_code=till_code))
        uow.commit()
    auth = TillAuth(ok.till_id, outlet.outlet_id, outlet.code, till_code)
    return SyncedTill(demo, auth, ok.secret)
