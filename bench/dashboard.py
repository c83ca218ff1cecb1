"""Dashboard reports on a year of data for 20 outlets (>= 10 million sale lines): each page's
query must answer in <= 1 s (issue 7).

    python -m bench.dashboard [--runs 5] [--regenerate] [--skip-functions]

``SGPOS_BENCH_DASHBOARD_SCALE=2x30x50x300`` (outlets x days x sales a day x products) runs
the same cases on a small data set of its own database and result file, to check the
benchmark works before the long build.

The dataset lives in its own database, ``sgpos_bench_dashboard`` on the benchmark server
(``SGPOS_BENCH_PG_URL`` or the test suite's server); it is generated once
(``bench.dashboard_data``, ~10 GB, a while on a small machine) and reused while complete.
Each report function then runs once on a fresh connection ("cold": a new server process with
empty plan and catalogue caches; the operating system's file cache is not dropped) and
``--runs`` more times on the same connection ("warm"); p50 and max are reported per case.

Then the pages themselves (``bench.dashboard_pages``): the central server over the same
database, a signed-in admin and outlet manager, every page and export fetched over HTTP, one
cold and ``--runs`` warm requests each; saved under ``pages``. A page that does not answer 200
fails the run.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from sqlalchemy import Connection, Engine, text

from bench.common import percentiles, save_result
from bench.dashboard_data import (
    DATASET,
    DAYS,
    FIRST_DAY,
    FULL_SCALE,
    OUTLETS,
    SALES_PER_DAY,
    generate,
    is_complete,
)
from bench.dashboard_pages import PageFailed, run_pages
from sync_service.central import reports as r
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.reports.breakdown import DIMENSIONS, sales_breakdown
from sync_service.central.reports.common import encode_cursor
from sync_service.central.reports.exceptions import exception_report
from sync_service.central.reports.shifts import shift_report
from sync_service.central.reports.trend import daily_trend
from tests import pgserver

# A smaller scale (SGPOS_BENCH_DASHBOARD_SCALE) gets a database of its own.
DATABASE = (
    "sgpos_bench_dashboard"
    if FULL_SCALE
    else f"sgpos_bench_dashboard_{OUTLETS}x{DAYS}x{SALES_PER_DAY}"
)
TARGET_MS = 1000.0


@contextmanager
def _admin_url() -> Iterator[str]:
    explicit = os.environ.get("SGPOS_BENCH_PG_URL")
    if explicit:
        yield explicit
        return
    with pgserver.server_url() as url:
        yield url


def _database(admin_url: str, regenerate: bool) -> tuple[str, dict[str, Any] | None]:
    parts = urlsplit(admin_url)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE}", parts.query, ""))
    admin = psycopg2.connect(admin_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
        exists = cur.fetchone() is not None
        if exists and not regenerate and is_complete(url):
            admin.close()
            # A data set built by an earlier release: its migrations fill what is new (the
            # summaries of 0019 from the facts), as they would at a shop.
            upgrade_central(url)
            return url, None
        if exists:
            cur.execute(f'DROP DATABASE "{DATABASE}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{DATABASE}"')
    admin.close()
    print(f"generating {DATASET} into {DATABASE} (once; reused afterwards)")
    return url, generate(url)


Case = Callable[[Connection], object]


def _breakdown(scope: r.Scope, period: r.Period, dimension: str) -> Case:
    return lambda c: sales_breakdown(c, scope, period, dimension)


def _cases(engine: Engine) -> dict[str, Case]:
    with engine.connect() as conn:
        outlets = r.outlets(conn, r.Scope.everything())
        bench = [o for o in outlets if o.code.startswith("B")]
        one = bench[0]
        till = next(t for t in r.tills(conn, r.Scope.everything()) if t.outlet_id == one.outlet_id)
        cashier = r.cashiers(conn, r.Scope.outlet(one.outlet_id))[0]
        mid = conn.execute(
            text(
                "SELECT sale_id, receipt_no, sold_at FROM sgpos.sale WHERE outlet_id = :o "
                "AND business_date = :d ORDER BY sold_at LIMIT 1"
            ),
            {"o": one.outlet_id, "d": FIRST_DAY + timedelta(days=DAYS // 2)},
        ).one()
        hot = conn.execute(
            text(
                "SELECT product_id FROM sgpos.stock_on_hand WHERE outlet_id = :o "
                "ORDER BY quantity LIMIT 1"
            ),
            {"o": one.outlet_id},
        ).scalar_one()
    last = FIRST_DAY + timedelta(days=DAYS - 1)
    year = r.Period(FIRST_DAY, last)
    month = r.Period(last.replace(day=1), last)
    today = r.Period.day(last)
    everyone, manager = r.Scope.everything(), r.Scope.outlet(one.outlet_id)
    mid_cursor = encode_cursor(mid.sold_at, mid.sale_id)
    return {
        "outlets+tills+cashiers": lambda c: (
            r.outlets(c, everyone),
            r.tills(c, everyone),
            r.cashiers(c, everyone),
        ),
        "overview.today.all_outlets": lambda c: r.overview(c, everyone, today),
        "overview.year.all_outlets": lambda c: r.overview(c, everyone, year),
        "overview.year.one_outlet": lambda c: r.overview(c, manager, year),
        "sales.first_page.all": lambda c: r.search_sales(c, everyone, r.SaleFilter(), after=None),
        "sales.page_mid_year.all": lambda c: r.search_sales(
            c, everyone, r.SaleFilter(), after=mid_cursor
        ),
        "sales.outlet_manager": lambda c: r.search_sales(c, manager, r.SaleFilter(), after=None),
        "sales.by_till": lambda c: r.search_sales(
            c, everyone, r.SaleFilter(till_id=till.till_id), after=None
        ),
        "sales.by_cashier": lambda c: r.search_sales(
            c, everyone, r.SaleFilter(cashier_id=cashier.staff_id), after=None
        ),
        "sales.by_receipt_no": lambda c: r.search_sales(
            c, everyone, r.SaleFilter(receipt_no=mid.receipt_no), after=None
        ),
        "sales.voucher_in_a_week": lambda c: r.search_sales(
            c,
            everyone,
            r.SaleFilter(tender_type="voucher", date_from=last - timedelta(6), date_to=last),
            after=None,
        ),
        "sales.voucher_any_date": lambda c: r.search_sales(
            c, everyone, r.SaleFilter(tender_type="voucher"), after=None
        ),
        "sale_detail": lambda c: r.sale_detail(c, everyone, mid.sale_id),
        "gst.year.all_outlets": lambda c: r.gst_report(c, everyone, year),
        "gst.month.all_outlets": lambda c: r.gst_report(c, everyone, month),
        "journal.year.one_outlet": lambda c: r.sales_journal(c, everyone, year, one.outlet_id),
        "journal.month.one_outlet": lambda c: r.sales_journal(c, everyone, month, one.outlet_id),
        "stock.first_page.all": lambda c: r.stock_levels(c, everyone, r.StockFilter(), after=None),
        "stock.negative.one_outlet": lambda c: r.stock_levels(
            c, manager, r.StockFilter(negative_only=True), after=None
        ),
        "stock.search": lambda c: r.stock_levels(
            c, everyone, r.StockFilter(search="rice"), after=None
        ),
        "stock.totals.all": lambda c: r.stock_totals(c, everyone, r.StockFilter()),
        "stock.valuation.all": lambda c: r.stock_valuation(c, everyone),
        "stock.movements.busiest_product": lambda c: r.stock_movements(
            c, everyone, one.outlet_id, hot
        ),
        "audit.first_page.all": lambda c: r.audit_trail(c, everyone, r.AuditFilter(), after=None),
        "audit.by_till": lambda c: r.audit_trail(
            c, everyone, r.AuditFilter(till_id=till.till_id), after=None
        ),
        "audit.action_in_a_month": lambda c: r.audit_trail(
            c,
            everyone,
            r.AuditFilter(action="sale.refunded", date_from=month.start, date_to=month.end),
            after=None,
        ),
        "audit.chains.all": lambda c: r.audit_chains(c, everyone),
        "reports.item.month": lambda c: sales_breakdown(c, everyone, month, "item"),
        **{f"reports.{by}.year": _breakdown(everyone, year, by) for by in DIMENSIONS},
        "reports.item.year.one_outlet": lambda c: sales_breakdown(c, manager, year, "item"),
        "trend.year": lambda c: daily_trend(c, everyone, year),
        "shifts.year": lambda c: shift_report(c, everyone, year),
        "exceptions.month": lambda c: exception_report(c, everyone, month),
        "exceptions.year": lambda c: exception_report(c, everyone, year),
    }


def run(runs: int, regenerate: bool, functions: bool = True) -> dict[str, Any]:
    with _admin_url() as admin_url:
        url, generated = _database(admin_url, regenerate)
        engine = central_engine(url, pool_size=1)
        figures: dict[str, Any] = {}
        worst = 0.0
        try:
            with engine.connect() as conn:
                lines = conn.execute(text("SELECT count(*) FROM sgpos.sale_line")).scalar_one()
                outlets = conn.execute(
                    text("SELECT count(DISTINCT outlet_id) FROM sgpos.sale")
                ).scalar_one()
                days = conn.execute(
                    text("SELECT count(DISTINCT business_date) FROM sgpos.sale")
                ).scalar_one()
            cases = _cases(engine) if functions else {}
            for name, case in cases.items():
                engine.dispose()  # a fresh server process: the "cold" run
                with engine.connect() as conn:
                    start = time.perf_counter()
                    case(conn)
                    cold = time.perf_counter() - start
                    warm = []
                    for _ in range(runs):
                        start = time.perf_counter()
                        case(conn)
                        warm.append(time.perf_counter() - start)
                    conn.rollback()
                figures[name] = {"cold_ms": round(cold * 1000, 1), "warm": percentiles(warm)}
                worst = max(worst, cold * 1000, figures[name]["warm"]["max_ms"])
                p50 = figures[name]["warm"]["p50_ms"]
                print(f"{name}: cold {cold * 1000:.0f} ms, warm p50 {p50} ms", flush=True)
        finally:
            engine.dispose()
        last_day = FIRST_DAY + timedelta(days=DAYS - 1)
        pages = run_pages(url, FIRST_DAY, last_day, runs, TARGET_MS)
    return {
        "dataset": {
            "name": DATASET,
            "sale_lines": lines,
            "outlets": outlets,
            "trading_days": days,
            **({"generated": generated} if generated else {}),
        },
        "runs": runs,
        "cases": figures,
        "slowest_ms": round(worst, 1),
        "targets": {"page_max_ms": TARGET_MS, "met": worst <= TARGET_MS},
        "pages": pages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true", help="build the dataset again")
    parser.add_argument(
        "--skip-functions", action="store_true", help="time the pages only, not the functions"
    )
    args = parser.parse_args()
    try:
        result = run(args.runs, args.regenerate, functions=not args.skip_functions)
    except PageFailed as exc:
        raise SystemExit(f"dashboard pages: {exc}") from None
    # A smaller scale never replaces the published figures of the full data set.
    save_result("dashboard" if FULL_SCALE else DATABASE.removeprefix("sgpos_bench_"), result)
    failed = result["pages"]["failed"]
    if failed:
        raise SystemExit(f"dashboard pages that did not answer 200: {', '.join(failed)}")


if __name__ == "__main__":
    main()
