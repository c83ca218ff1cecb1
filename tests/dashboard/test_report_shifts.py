"""Shifts and cash drawers as head office sees them: two real tills close their shifts (one
short, approved by a manager), sync, and the report shows each figure as the shift table holds
it, with names instead of ids and the shortage flagged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from shared.protocol import EventOutcome
from sync_service.central.reports.common import Period, Scope
from sync_service.central.reports.shifts import shift_report
from tests.dashboard.report_support import ReportShop, build_shop, push_all, rows

pytestmark = pytest.mark.postgres
WHOLE = Period(date(2023, 12, 31), date(2024, 1, 3))


@pytest.fixture(scope="module")
def shop(
    dashboard_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportShop]:
    built = build_shop(dashboard_engine, tmp_path_factory.mktemp("report-shifts"))
    a, b = built.till_a.demo, built.till_b.demo
    # Till A counts one $50 note: far short of what it expects, so a manager approves it.
    a.till.shifts.close_shift(a.cashier, {"50.00": 1}, approved_by=a.manager)
    # Till B counts exactly what it expects, and a new shift opens on it.
    expected = b.till.shifts.x_report().expected_cash
    b.till.shifts.close_shift(b.cashier, _notes(expected))
    b.till.shifts.open_shift(b.cashier, Decimal("150.00"))
    for till in (built.till_a, built.till_b):
        assert EventOutcome.APPLIED in set(push_all(built.engine, till))
    yield built
    built.close()


def _notes(amount: Decimal) -> dict[str, int]:
    """Singapore denominations adding up to ``amount`` exactly."""
    counted: dict[str, int] = {}
    left = amount
    for d in ("100.00", "50.00", "10.00", "5.00", "2.00", "1.00", "0.50", "0.20", "0.10", "0.05"):
        n = int(left // Decimal(d))
        if n:
            counted[d] = n
            left -= n * Decimal(d)
    assert left == 0, amount
    return counted


def test_each_shift_shows_its_drawer_as_stored_with_names(shop: ReportShop) -> None:
    with shop.engine.connect() as conn:
        report = shift_report(conn, shop.both, WHOLE)
    stored = {
        r[0]: r[1:]
        for r in rows(
            shop.engine,
            "SELECT sh.shift_id, sh.opening_float, sh.expected_cash, sh.counted_cash, "
            "sh.variance, ob.display_name, cb.display_name, ab.display_name "
            "FROM sgpos.shift sh LEFT JOIN sgpos.staff ob ON ob.staff_id = sh.opened_by "
            "LEFT JOIN sgpos.staff cb ON cb.staff_id = sh.closed_by "
            "LEFT JOIN sgpos.staff ab ON ab.staff_id = sh.approved_by "
            "WHERE sh.outlet_id = ANY(:o)",
            o=list(shop.ids),
        )
    }
    assert len(stored) == 3 == report.total.shifts == len(report.rows)
    for s in report.rows:
        assert (
            s.opening_float,
            s.expected_cash,
            s.counted_cash,
            s.variance,
            s.opened_by_name,
            s.closed_by_name,
            s.approved_by_name,
        ) == stored[s.shift_id]
    short = next(s for s in report.rows if s.outlet_id == shop.outlet_a.outlet_id)
    assert short.counted_cash == Decimal("50.00")
    assert short.variance == Decimal("50.00") - short.expected_cash < 0
    assert short.over_limit and short.approved_by_name == shop.till_a.demo.manager.display_name
    exact = [s for s in report.rows if s.outlet_id == shop.outlet_b.outlet_id]
    assert sorted(s.is_open for s in exact) == [False, True]
    assert all(s.variance in (None, Decimal("0.00")) for s in exact)
    assert not any(s.over_limit for s in exact)
    t = report.total
    assert t.open == 1 and t.over_limit == 1
    assert t.variance == short.variance
    assert t.opening_float == sum((s.opening_float or 0 for s in report.rows), Decimal(0))
    assert t.expected_cash == sum((s.expected_cash or 0 for s in report.rows), Decimal(0))


def test_newest_first_a_till_filter_the_scope_and_the_page_limit(shop: ReportShop) -> None:
    a, b = shop.ids
    with shop.engine.connect() as conn:
        everything = shift_report(conn, shop.both, WHOLE)
        only_b = shift_report(conn, Scope.outlet(b), WHOLE)
        till_a = shift_report(conn, shop.both, WHOLE, till_id=shop.till_a.auth.till_id)
        a_looks_at_b = shift_report(conn, Scope.outlet(a), WHOLE, till_id=shop.till_b.auth.till_id)
        first = shift_report(conn, shop.both, WHOLE, limit=1)
    opened = [s.opened_at for s in everything.rows if s.opened_at is not None]
    assert len(opened) == len(everything.rows)
    assert opened == sorted(opened, reverse=True)
    assert {s.outlet_id for s in only_b.rows} == {b} and only_b.total.shifts == 2
    assert [s.till_id for s in till_a.rows] == [shop.till_a.auth.till_id]
    assert a_looks_at_b.rows == () and a_looks_at_b.total.shifts == 0
    assert len(first.rows) == 1 and not first.complete
    assert first.total == everything.total  # totals are over every shift, shown or not
