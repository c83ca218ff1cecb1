"""Migration 0021_goods_only_summaries on a head office whose breakdown summaries an earlier
release filled with gift vouchers summed in: afterwards every row is what ingest of the same
events makes on a database at head, figures and cost alike, and no voucher is on any row.

A real till sells goods with deliveries (so lines carry a cost), then, the next day, a voucher
alone, a voucher before two teas, a voucher alone at an hour of its own, another product
alone, refunds a tea, and sends a refund of a voucher's line besides. Its events are ingested
into a database at head; a copy of that database is taken back to 0020 with its summaries
filled as the earlier release kept them (revision 0019's fill, vouchers in), then upgraded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from shared.gst import SINGAPORE
from shared.tender import Tender, TenderType
from sync_service.central.migrate import alembic_config, upgrade_central
from tests.central import add_outlet, enrolled_till
from tests.gift_voucher_support import new_batch, pull_batches
from tests.integration.test_gift_vouchers import goods, snapshot
from tests.integration.test_sales_summaries import _forged_voucher_refund, push
from till.simulate import simulate

from .central_support import execute, fresh_database, query

pytestmark = pytest.mark.postgres

D = Decimal
DAY = date(2025, 3, 2)  # the hand-rung day; the simulated one is the day before
FACE = D("50.00")
TABLES = {
    "sales_by_item": "business_date, outlet_id, product_id",
    "sales_by_item_month": "month, outlet_id, product_id",
    "sales_by_staff": "business_date, outlet_id, till_id, cashier_id, hour",
}


@dataclass(frozen=True)
class Traded:
    url: str  # ingested at head
    batch_id: uuid.UUID
    tea: tuple[uuid.UUID, Decimal]
    other: tuple[uuid.UUID, Decimal]


def revision(name: str) -> ModuleType:
    module = ScriptDirectory.from_config(alembic_config()).get_revision(name).module
    assert isinstance(module, ModuleType)
    return module


def rows(url: str, table: str) -> list[tuple[Any, ...]]:
    return query(url, f"SELECT * FROM sgpos.{table} ORDER BY {TABLES[table]}")


@pytest.fixture(scope="module")
def traded(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Traded]:
    with fresh_database(pg_server) as url:
        upgrade_central(url)
        engine = create_engine(url)
        till = enrolled_till(engine, tmp_path_factory.mktemp("till"), add_outlet(engine), "T01")
        demo, cashier = till.demo, till.demo.cashier
        try:
            prefix = new_batch(engine, face_value=str(FACE))
            pull_batches(engine, till)
            demo.till.shifts.open_shift(cashier, D("200.00"))
            simulate(demo.till, 20, seed=7, cashier=cashier, manager=demo.manager, stock=True)
            tea, other = goods(demo.till, 0), goods(demo.till, 1)

            def sell(hour: int, serial: str | None, *items: object) -> str:
                demo.clock.now = datetime.combine(DAY, time(hour), tzinfo=SINGAPORE)
                checkout = demo.till.checkout(cashier)
                if serial:
                    checkout.scan(serial)
                for product in items:
                    checkout.add(snapshot(demo.till, product))  # type: ignore[arg-type]
                due = checkout.totals().total
                return checkout.complete([Tender(TenderType.CARD, due, reference="A1")]).receipt_no

            sell(11, f"{prefix}-000001")
            mixed = sell(11, f"{prefix}-000002", tea, tea)
            sell(14, f"{prefix}-000003")
            sell(15, None, other)
            demo.clock.now = datetime.combine(DAY, time(16), tzinfo=SINGAPORE)
            refunds = demo.till.refunds()
            [tea_line] = [ln for ln in refunds.lookup(mixed).lines if ln.left == 2]
            refunds.refund(cashier, mixed, {tea_line.line_id: D(1)}, reason="faulty")
            events = till.events()
            sale = next(e for e in events if e.payload.get("receipt_no") == mixed)
            voucher_line = sale.payload["lines"][0]
            assert voucher_line["voucher_serial"] == f"{prefix}-000002"
            push(engine, till, [*events, _forged_voucher_refund(till, sale, voucher_line)])
        finally:
            demo.till.close()
            engine.dispose()
        [(batch_id,)] = query(
            url, "SELECT batch_id FROM sgpos.voucher_batch WHERE prefix = %s", (prefix,)
        )
        yield Traded(
            url,
            batch_id,
            (uuid.UUID(tea.product_id), tea.price),
            (uuid.UUID(other.product_id), other.price),
        )


@pytest.fixture(scope="module")
def upgraded(pg_server: str, traded: Traded) -> Iterator[str]:
    """The same facts at 0020 with the summaries an earlier release kept, upgraded to head."""
    with fresh_database(pg_server, copy_of=traded.url) as url:
        config = alembic_config(url)
        command.downgrade(config, "0020_member_pull")
        earlier = revision("0019_sales_summary")
        execute(url, f"TRUNCATE {', '.join(f'sgpos.{t}' for t in TABLES)}")
        for fill in ("FILL_SALES_BY_ITEM", "FILL_SALES_BY_ITEM_MONTH", "FILL_SALES_BY_STAFF"):
            execute(url, getattr(earlier, fill))
        # As the earlier release left them: the vouchers under their batch, and the one sold
        # alone at 14:00 on a staff row of its own.
        [(sold, refunded)] = query(
            url,
            "SELECT sum(amount), sum(refund_amount) FROM sgpos.sales_by_item WHERE product_id = %s",
            (str(traded.batch_id),),
        )
        assert (sold, refunded) == (3 * FACE, FACE)
        assert query(
            url,
            "SELECT sales, amount FROM sgpos.sales_by_staff WHERE business_date = %s AND hour = 14",
            (DAY,),
        ) == [(1, FACE)]
        command.upgrade(config, "head")
        yield url


@pytest.mark.parametrize("table", TABLES)
def test_the_rebuilt_summary_is_what_ingest_makes_at_head(
    traded: Traded, upgraded: str, table: str
) -> None:
    expected = rows(traded.url, table)
    assert expected  # the till's sales reached it
    assert rows(upgraded, table) == expected


def test_no_voucher_is_left_on_any_row(traded: Traded, upgraded: str) -> None:
    (tea, tea_price), (other, other_price) = traded.tea, traded.other
    items = query(
        upgraded,
        "SELECT product_id, quantity, sales, category_sales, amount, refund_amount "
        "FROM sgpos.sales_by_item WHERE business_date = %s ORDER BY amount",
        (DAY,),
    )
    # By hand: two teas on one sale (its voucher's line first), one refunded; the other alone.
    assert sorted(items, key=lambda r: str(r[0])) == sorted(
        [
            (str(tea), D(2), 1, 1, 2 * tea_price, tea_price),
            (str(other), D(1), 1, 1, other_price, D(0)),
        ],
        key=lambda r: str(r[0]),
    )
    [(months,)] = query(
        upgraded,
        "SELECT count(*) FROM sgpos.sales_by_item_month WHERE product_id = %s",
        (str(traded.batch_id),),
    )
    assert months == 0
    # Nothing at 14:00, when only a voucher was sold: neither ingest nor the rebuild makes a
    # row of zeros there.
    for url in (traded.url, upgraded):
        staff = query(
            url,
            "SELECT hour, quantity, sales, amount, refund_amount FROM sgpos.sales_by_staff "
            "WHERE business_date = %s ORDER BY hour",
            (DAY,),
        )
        assert staff == [
            (11, D(2), 1, 2 * tea_price, D(0)),
            (15, D(1), 1, other_price, D(0)),
            (16, D(0), 0, D(0), tea_price),
        ]


def test_the_rebuild_keeps_the_cost_ingest_booked(traded: Traded, upgraded: str) -> None:
    """The cost columns are the lines' costs, goods only: the simulated day's deliveries gave
    its sales a cost, which the rebuilt rows carry as ingest did."""
    [(cost, refund_cost, uncosted)] = query(
        upgraded,
        "SELECT sum(cost), sum(refund_cost), sum(uncosted) FROM sgpos.sales_by_staff",
    )
    [(line_cost, line_uncosted)] = query(
        upgraded,
        "SELECT sum(coalesce(cost, 0)), count(*) FILTER (WHERE cost IS NULL) "
        "FROM sgpos.sale_line WHERE voucher_serial IS NULL",
    )
    [(given_back, given_back_uncosted)] = query(
        upgraded,
        "SELECT sum(coalesce(rl.cost, 0)), count(*) FILTER (WHERE rl.cost IS NULL) "
        "FROM sgpos.refund_line rl WHERE NOT EXISTS (SELECT 1 FROM sgpos.sale_line v "
        "WHERE v.line_id = rl.line_id AND v.voucher_serial IS NOT NULL)",
    )
    assert cost > 0
    assert (cost, refund_cost, uncosted) == (
        line_cost,
        given_back,
        line_uncosted + given_back_uncosted,
    )


def test_downgrade_keeps_the_goods_only_rows(pg_server: str, upgraded: str) -> None:
    before = {t: rows(upgraded, t) for t in TABLES}
    with fresh_database(pg_server, copy_of=upgraded) as url:
        command.downgrade(alembic_config(url), "0020_member_pull")
        assert {t: rows(url, t) for t in TABLES} == before
