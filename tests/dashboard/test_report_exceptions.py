"""Discounts, price overrides, voids and refunds by staff with their approvers: real tills
discount (some approved), override a price and void a sale with a manager's approval, sync,
and the report counts and sums each kind as the facts hold them, in names."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from shared.protocol import EventOutcome
from shared.tender import Tender, TenderType
from sync_service.central.reports.common import Period, Scope
from sync_service.central.reports.exceptions import exception_report
from tests.dashboard.report_support import ReportShop, build_shop, one, push_all
from till.simulate import _products

pytestmark = pytest.mark.postgres
WHOLE = Period(date(2023, 12, 31), date(2024, 1, 3))


@pytest.fixture(scope="module")
def shop(
    dashboard_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportShop]:
    built = build_shop(dashboard_engine, tmp_path_factory.mktemp("report-exceptions"))
    b = built.till_b.demo
    checkout = b.till.checkout(b.cashier)
    product = next(p for p in _products(b.till)[0] if not p.weighed and p.unit_price > 1)
    line = checkout.add(product, Decimal(2))
    cheaper = product.unit_price - Decimal("0.50")
    checkout.override_price(line.line_id, cheaper, approved_by=b.manager)
    due = checkout.totals().total
    done = checkout.complete([Tender(TenderType.CARD, due, reference="A1", card_last4="4242")])
    b.till.refunds().void(b.cashier, done.receipt_no, reason="rung twice", approved_by=b.manager)
    assert EventOutcome.APPLIED in set(push_all(built.engine, built.till_b))
    yield built
    built.close()


def test_each_kind_is_counted_and_summed_as_the_facts_hold_it(shop: ReportShop) -> None:
    ids = list(shop.ids)
    with shop.engine.connect() as conn:
        report = exception_report(conn, shop.both, WHOLE)
    discounts = one(
        shop.engine,
        "SELECT count(*), coalesce(sum(discount_total), 0) FROM sgpos.sale "
        "WHERE outlet_id = ANY(:o) AND discount_total <> 0",
        o=ids,
    )
    overrides = one(
        shop.engine,
        "SELECT count(*), coalesce(sum((list_price - unit_price) * quantity), 0) "
        "FROM sgpos.sale_line l JOIN sgpos.sale s USING (sale_id) "
        "WHERE s.outlet_id = ANY(:o) AND l.unit_price <> l.list_price",
        o=ids,
    )
    voids = one(
        shop.engine,
        "SELECT count(*), coalesce(sum(total), 0) FROM sgpos.refund "
        "WHERE outlet_id = ANY(:o) AND is_void",
        o=ids,
    )
    refunds = one(
        shop.engine,
        "SELECT count(*), coalesce(sum(total), 0) FROM sgpos.refund "
        "WHERE outlet_id = ANY(:o) AND NOT is_void",
        o=ids,
    )
    for kind, (n, amount) in (
        ("discount", discounts),
        ("override", overrides),
        ("void", voids),
        ("refund", refunds),
    ):
        assert (report.counts[kind], report.amounts[kind]) == (n, amount), kind
        assert n > 0, kind
    assert report.amounts["override"] == Decimal("1.00")  # 50 cents off, two of them
    assert report.complete and len(report.events) == report.total_events
    for kind in report.counts:
        assert sum(s.counts[kind] for s in report.staff) == report.counts[kind]
        assert sum(s.amounts[kind] for s in report.staff) == report.amounts[kind]


def test_approvers_are_named_and_credited(shop: ReportShop) -> None:
    with shop.engine.connect() as conn:
        report = exception_report(conn, Scope.outlet(shop.outlet_b.outlet_id), WHOLE)
    manager = shop.till_b.demo.manager
    void = next(e for e in report.events if e.kind == "void")
    override = next(e for e in report.events if e.kind == "override")
    assert void.approver_name == override.approver_name == manager.display_name
    assert void.detail == "rung twice" and void.original_sale_id == override.document_id
    assert void.staff_name == shop.till_b.demo.cashier.display_name
    manager_id = uuid.UUID(str(manager.staff_id))
    row = next(s for s in report.staff if s.staff_id == manager_id)
    approved = sum(1 for e in report.events if e.approver_id == manager_id)
    assert row.approved == approved >= 2 and report.approved == approved
    assert {e.outlet_code for e in report.events} == {shop.outlet_b.code}  # scope kept


def test_the_page_limit_keeps_the_totals_of_every_event(shop: ReportShop) -> None:
    with shop.engine.connect() as conn:
        everything = exception_report(conn, shop.both, WHOLE, limit=None)
        first = exception_report(conn, shop.both, WHOLE, limit=1)
    assert len(first.events) == 1 and not first.complete
    assert first.counts == everything.counts and first.amounts == everything.amounts
    moments = [e.at for e in everything.events]
    assert moments == sorted(moments, reverse=True)
