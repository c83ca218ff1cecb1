"""Breakdowns by item and category over periods that hold whole calendar months: those months
are read from the month rollup, the days either side from the day rows, and every figure still
equals the sums taken straight from the facts (the 2023 sale refunded in 2024 included)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from sync_service.central.reports.breakdown import _whole_months, sales_breakdown
from sync_service.central.reports.common import Period, Scope
from tests.dashboard.report_support import ReportShop, build_shop
from tests.dashboard.test_report_breakdown import _expected

pytestmark = pytest.mark.postgres

PERIODS = (
    Period(date(2023, 12, 31), date(2024, 1, 31)),  # a day, then a whole month
    Period(date(2023, 12, 1), date(2024, 1, 31)),  # two whole months
    Period(date(2023, 11, 30), date(2024, 1, 2)),  # a day, a whole month, two days
    Period(date(2024, 1, 2), date(2024, 1, 31)),  # days only
    Period(date(2024, 1, 1), date(2024, 1, 30)),  # days only, from a month's first
)


@pytest.fixture(scope="module")
def shop(
    dashboard_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportShop]:
    built = build_shop(dashboard_engine, tmp_path_factory.mktemp("report-months"))
    yield built
    built.close()


@pytest.mark.parametrize("period", PERIODS, ids=str)
@pytest.mark.parametrize("dimension", ["item", "category"])
def test_whole_months_and_their_edges_equal_the_facts(
    shop: ReportShop, dimension: str, period: Period
) -> None:
    with shop.engine.connect() as conn:
        report = sales_breakdown(conn, shop.both, period, dimension, "name")
        one = sales_breakdown(conn, Scope.outlet(shop.ids[0]), period, dimension, "name")
    expected = _expected(shop.engine, dimension, list(shop.ids), period)
    shown = {
        r.key: (r.quantity, r.transactions, r.revenue, r.discount, r.gst, r.refunds)
        for r in report.rows
    }
    assert shown == expected and expected
    mine = _expected(shop.engine, dimension, [shop.ids[0]], period)
    assert {r.key: r.revenue for r in one.rows} == {k: v[2] for k, v in mine.items()}


def test_the_whole_months_of_a_period() -> None:
    assert _whole_months(Period(date(2024, 1, 1), date(2024, 1, 31))) == (
        date(2024, 1, 1),
        date(2024, 2, 1),
    )
    assert _whole_months(Period(date(2023, 12, 31), date(2024, 3, 30))) == (
        date(2024, 1, 1),
        date(2024, 3, 1),
    )
    assert _whole_months(Period(date(2024, 1, 2), date(2024, 1, 31))) == (
        date(2024, 2, 1),
        date(2024, 2, 1),
    )  # none: empty, just after the period
    assert _whole_months(Period(date(2024, 1, 1), date(2024, 1, 30))) == (
        date(2024, 1, 31),
        date(2024, 1, 31),
    )
    assert _whole_months(Period(date(2023, 11, 30), date(2023, 12, 30)))[0] == date(2023, 12, 31)
