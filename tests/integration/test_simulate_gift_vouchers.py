"""``seed-demo`` gives head office the demo gift voucher batch, a demo till holds the same one,
and ``sgpos-till simulate --gift-vouchers`` sells and spends vouchers that head office then
counts: sold, spent, still owed, nothing flagged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from shared.protocol import EventOutcome
from sync_service.central import models as m
from sync_service.central.migrate import upgrade_central
from sync_service.central.reports.gift_vouchers import flags, liability
from sync_service.central.seed import seed_demo
from tests.central import enrolled_till
from tests.integration.test_gift_vouchers import push
from tests.migrations.central_support import fresh_database
from till.simulate import simulate
from till.store.models import GiftVoucherUse


def test_a_simulated_day_sells_and_spends_the_seeded_vouchers_and_head_office_agrees(
    pg_server: str, tmp_path: Path
) -> None:
    with fresh_database(pg_server) as url:
        upgrade_central(url)
        engine = create_engine(url)
        try:
            seed_demo(engine, products=10)
            again = seed_demo(engine, products=10)  # nothing doubles
            assert again.voucher_batches == 0
            with Session(engine, expire_on_commit=False) as s:
                orchard = s.scalars(select(m.Outlet).where(m.Outlet.code == "ORC")).one()
            till = enrolled_till(engine, tmp_path / "till", orchard, "T01")
            shop = till.demo
            try:
                summary = simulate(
                    shop.till,
                    30,
                    seed=3,
                    cashier=shop.cashier,
                    manager=shop.manager,
                    gift_vouchers=3,
                    stock=False,
                )
                with shop.till.store.read() as s:
                    uses = s.scalars(select(GiftVoucherUse)).all()
                answer = push(engine, till, till.events())
            finally:
                shop.till.close()
            with engine.connect() as conn:
                report = liability(conn, date(2025, 3, 1))
                found, _ = flags(conn)
                serials = conn.execute(
                    text("SELECT count(*) FROM sgpos.gift_voucher WHERE serial LIKE 'GV50-%'")
                ).scalar_one()
        finally:
            engine.dispose()
    assert serials == 100
    assert (summary.vouchers_sold, summary.vouchers_redeemed) == (3, 3)
    assert sorted(u.kind for u in uses) == ["redeemed"] * 3 + ["sold"] * 3
    assert EventOutcome.QUARANTINED not in {r.outcome for r in answer.results}
    [batch] = report.batches
    spent = sum((u.amount for u in uses if u.kind == "redeemed"), Decimal(0))
    assert (batch.prefix, batch.sold, batch.sold_value) == ("GV50", 3, Decimal("150.00"))
    assert batch.redeemed_value == spent
    assert batch.outstanding == Decimal("150.00") - spent
    assert found == ()
