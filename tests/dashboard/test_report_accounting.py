"""The daily sales journal as Xero manual journals and QuickBooks Online journal entries:
balanced per journal, every account mapped, the limits and gaps refused in plain words."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from sync_service.central.db import CentralSettings
from sync_service.central.reports.accounting import (
    DEFAULT_XERO_CODES,
    QBO_HEADER,
    XERO_HEADER,
    AccountMap,
    qbo_rows,
    xero_rows,
)
from sync_service.central.reports.common import Period, ReportError
from sync_service.central.reports.journal import (
    JournalDay,
    JournalLine,
    SalesJournal,
    sales_journal,
)
from tests.dashboard.conftest import Shop
from tests.dashboard.report_support import PERIOD, ReportShop, build_shop
from tests.dashboard.support import Visitor
from tests.dashboard.test_web_pages import period

pytestmark = pytest.mark.postgres
SignIn = Callable[[str], Visitor]


@pytest.fixture(scope="module")
def traded(
    dashboard_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportShop]:
    built = build_shop(dashboard_engine, tmp_path_factory.mktemp("report-accounting"))
    yield built
    built.close()


def test_xero_journals_balance_per_narration_and_use_the_mapped_codes(
    traded: ReportShop,
) -> None:
    with traded.engine.connect() as conn:
        journal = sales_journal(conn, traded.both, PERIOD, traded.outlet_a.outlet_id)
    codes = AccountMap.from_settings({"Cash in drawers": "090"}, "No Tax", {})
    rows = xero_rows(journal, codes)
    assert len(rows) == sum(len(d.lines) for d in journal.days) > 0
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for narration, day, _, code, rate, amount in rows:
        sums[(narration, day)] += amount
        assert rate == "No Tax" and code
    assert set(sums.values()) == {Decimal(0)}  # each day's journal balances
    assert len(sums) == len(journal.days) >= 2
    assert ("SG-POS sales " + traded.outlet_a.code + " 2024-01-02", "02/01/2024") in sums
    assert {r[3] for r in rows if r[2].startswith("Cash in drawers")} == {"090"}
    assert {r[3] for r in rows if r[2].startswith("Sales revenue")} == {"4000"}
    debits = sum(r[5] for r in rows if r[5] > 0)
    assert debits == journal.debits


def test_quickbooks_entries_balance_per_journal_number(traded: ReportShop) -> None:
    with traded.engine.connect() as conn:
        journal = sales_journal(conn, traded.both, PERIOD, traded.outlet_a.outlet_id)
    rows = qbo_rows(journal, AccountMap.from_settings({}, "No GST", {"Sales revenue": "Sales"}))
    by_number: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for number, _, account, debit, credit, _ in rows:
        by_number[number][0] += debit or 0
        by_number[number][1] += credit or 0
        assert account != "Sales revenue"  # renamed by the settings
    assert all(d == c > 0 for d, c in by_number.values())
    assert f"{traded.outlet_a.code}-20240102" in by_number


def test_unmapped_accounts_and_long_periods_are_refused_saying_what_to_do(
    traded: ReportShop,
) -> None:
    with traded.engine.connect() as conn:
        journal = sales_journal(conn, traded.both, PERIOD, traded.outlet_a.outlet_id)
        year = sales_journal(
            conn, traded.both, Period(date(2023, 1, 1), date(2024, 1, 2)), traded.outlet_a.outlet_id
        )
    missing = AccountMap({k: v for k, v in DEFAULT_XERO_CODES.items() if k != "Sales revenue"})
    with pytest.raises(ReportError, match="no Xero account code is set for 'Sales revenue'"):
        xero_rows(journal, missing)
    assert len(year.days) == len(journal.days)  # days without trade make no journal
    assert xero_rows(year, AccountMap())  # a year of few lines is still one file
    line = JournalLine("Cash in drawers", "takings", Decimal("1.00"), Decimal(0))
    back = JournalLine("Sales revenue", "sales", Decimal(0), Decimal("1.00"))
    busy = SalesJournal(
        journal.outlet,
        Period(date(2024, 1, 1), date(2024, 1, 31)),
        tuple(
            JournalDay(date(2024, 1, d), (line, back) * 5) for d in range(1, 32)
        ),  # 31 days of 10 lines
    )
    with pytest.raises(ReportError, match="at most 300 lines per file and this period has 310"):
        xero_rows(busy, AccountMap())
    assert len(qbo_rows(busy, AccountMap())) == 310  # QuickBooks has no such limit
    lopsided = SalesJournal(journal.outlet, busy.period, (JournalDay(date(2024, 1, 1), (line,)),))
    with pytest.raises(ReportError, match="does not balance on 2024-01-01"):
        qbo_rows(lopsided, AccountMap())


def test_the_settings_map_accounts_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SGPOS_XERO_ACCOUNT_CODES", '{"Cash in drawers": "090"}')
    monkeypatch.setenv("SGPOS_XERO_TAX_RATE", "No Tax")
    settings = CentralSettings.load()
    mapped = AccountMap.from_settings(
        settings.xero_account_codes, settings.xero_tax_rate, settings.qbo_account_names
    )
    assert mapped.xero_codes["Cash in drawers"] == "090"
    assert mapped.xero_codes["GST output tax"] == DEFAULT_XERO_CODES["GST output tax"]
    assert mapped.xero_tax_rate == "No Tax"


def test_both_downloads_from_the_journal_page(signed_in: SignIn, shop: Shop) -> None:
    analyst = signed_in("analyst")
    wanted = {"outlet": str(shop.outlet_a.outlet_id), **period(shop)}
    page = analyst.get("/ho/journal", **wanted)
    assert 'id="journal-xero"' in page.text and 'id="journal-qbo"' in page.text
    for path, header in (
        ("/ho/journal.xero.csv", XERO_HEADER),
        ("/ho/journal.qbo.csv", QBO_HEADER),
    ):
        answer = analyst.get(path, **wanted)
        assert answer.status == 200, answer.text
        table = list(csv.DictReader(io.StringIO(answer.body.decode("utf-8-sig"))))
        assert tuple(table[0].keys()) == header and len(table) > 5
        if "Amount" in header:
            net = sum((Decimal(r["Amount"]) for r in table), Decimal(0))
        else:
            net = sum(
                (Decimal(r["Debits"] or 0) - Decimal(r["Credits"] or 0) for r in table),
                Decimal(0),
            )
        assert net == 0
