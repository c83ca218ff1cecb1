"""The dashboard's pages over real HTTP on the year of data: what a person waits for.

The central application (sync API and dashboard, ``make_app`` + ``make_runner``) is served on a
free loopback port over the benchmark database. A bench admin and an outlet manager are created
once (kept afterwards), sign in through the sign-in form exactly as a browser does (the form's
CSRF cookie and hidden token), and GET every page a person uses with parameters over the year.
The server's clock is pinned to the evening of the dataset's last trading day, so "today" is a
trading day and default periods end where the data ends.

Each page is requested once "cold" (the engine's connections closed first, so the page runs on
new server processes with empty plan and catalogue caches; templates and the operating system's
file cache stay warm) and ``runs`` times warm; a time is from sending the request to the last
byte of the body. Any answer other than 200 is a failure of the benchmark.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import Engine, select, text

from bench.common import percentiles
from shared.gst import SINGAPORE
from shared.logs import configure_logging
from sync_service.central.db import CentralSettings, central_engine
from sync_service.central.models import HeadOfficeUser
from sync_service.central.users import create_user
from sync_service.server.app import make_app, make_runner

ADMIN_EMAIL = "bench-admin@example.com"
MANAGER_EMAIL = "bench-manager@example.com"
PASSWORD = "bench dashboard pages"  # noqa: S105 - throwaway accounts in a bench database
TIMEOUT_S = 120.0  # a page far over target is still measured, not cut off
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


class PageFailed(RuntimeError):
    """The benchmark could not do what a person does; the message says what went wrong."""


@dataclass(frozen=True)
class Visit:
    name: str
    who: str  # "admin" or "manager"
    path: str  # path and query, as a browser would ask for it


@dataclass(frozen=True)
class Facts:
    """Real ids from the dataset to put in addresses."""

    first_day: date
    last_day: date
    outlet_id: str
    outlet_code: str
    till_id: str
    cashier_id: str
    sale_id: str
    receipt_no: str
    product_id: str


def facts(engine: Engine, first_day: date, last_day: date) -> Facts:
    mid = first_day + (last_day - first_day) // 2
    with engine.connect() as conn:
        one = conn.execute(
            text("SELECT outlet_id, code FROM sgpos.outlet WHERE code LIKE 'B%' ORDER BY code")
        ).first()
        if one is None:
            raise PageFailed("the benchmark database has no bench outlets (codes B..)")
        params = {"o": one.outlet_id, "d": mid}
        till = conn.execute(
            text("SELECT till_id FROM sgpos.till WHERE outlet_id = :o ORDER BY code LIMIT 1"),
            params,
        ).scalar_one()
        sale = conn.execute(
            text(
                "SELECT sale_id, receipt_no, cashier_id FROM sgpos.sale WHERE outlet_id = :o "
                "AND business_date = :d ORDER BY sold_at LIMIT 1"
            ),
            params,
        ).one()
        product = conn.execute(
            text(
                "SELECT product_id FROM sgpos.stock_on_hand WHERE outlet_id = :o "
                "ORDER BY quantity LIMIT 1"
            ),
            params,
        ).scalar_one()
        conn.rollback()
    return Facts(
        first_day,
        last_day,
        str(one.outlet_id),
        one.code,
        str(till),
        str(sale.cashier_id),
        str(sale.sale_id),
        sale.receipt_no,
        str(product),
    )


def visits(f: Facts) -> list[Visit]:
    year = f"from={f.first_day}&to={f.last_day}"
    month_start = f.last_day.replace(day=1)
    month = f"date_from={month_start}&date_to={f.last_day}"
    mid_month_end = (f.first_day + (f.last_day - f.first_day) // 2).replace(day=28)
    journal = f"/ho/journal{{}}?outlet={f.outlet_id}&{year}"
    pages = [
        ("overview.today_and_week", "/ho/"),
        ("overview.year", f"/ho/?{year}"),
        ("sales.first_page", "/ho/sales"),
        ("sales.to_mid_year", f"/ho/sales?date_to={mid_month_end}"),
        ("sales.mid_year_next_page", "NEXT:sales.to_mid_year"),
        ("sales.by_outlet", f"/ho/sales?outlet={f.outlet_id}"),
        ("sales.by_till", f"/ho/sales?till={f.till_id}"),
        ("sales.by_cashier", f"/ho/sales?cashier={f.cashier_id}"),
        ("sales.by_receipt_no", f"/ho/sales?receipt_no={f.receipt_no}"),
        ("sales.by_payment_voucher", "/ho/sales?tender=voucher"),
        ("sales.date_range_month", f"/ho/sales?{month}"),
        ("sale_detail", f"/ho/sales/{f.sale_id}"),
        ("gst.year", f"/ho/gst?{year}"),
        ("gst.year.csv", f"/ho/gst.csv?{year}"),
        ("gst.year.xlsx", f"/ho/gst.xlsx?{year}"),
        ("journal.year.one_outlet", journal.format("")),
        ("journal.year.csv", journal.format(".csv")),
        ("journal.year.xlsx", journal.format(".xlsx")),
        ("stock.first_page", "/ho/stock"),
        ("stock.search", "/ho/stock?q=rice"),
        ("stock.negative_only", "/ho/stock?negative=1"),
        ("stock.product_movements", f"/ho/stock/{f.outlet_id}/{f.product_id}"),
        # Cost: the valuation, the low-stock list and the downloads (every row).
        ("stock.low", "/ho/stock?low=5"),
        ("stock.valuation", "/ho/stock/valuation"),
        ("stock.valuation.xlsx", "/ho/stock/valuation.xlsx"),
        ("stock.one_outlet.csv", f"/ho/stock.csv?outlet={f.outlet_id}"),
        ("stock.product_movements.csv", f"/ho/stock/{f.outlet_id}/{f.product_id}/movements.csv"),
        ("reports.item.year.margin", f"/ho/reports?by=item&order=margin&{year}"),
        ("audit.first_page", "/ho/audit"),
        ("audit.by_till", f"/ho/audit?till={f.till_id}"),
        ("audit.action_in_a_month", f"/ho/audit?action=sale.refunded&{month}"),
        ("fleet", "/ho/fleet"),
        ("fleet.one_till", f"/ho/fleet/tills/{f.till_id}"),
        ("catalogue.list", "/ho/catalogue"),
        ("catalogue.search", "/ho/catalogue?q=rice"),
        ("staff.list", "/ho/staff"),
        # The reports of issue 19: a month and the whole year, by each dimension.
        ("reports.item.month", f"/ho/reports?by=item&from={month_start}&to={f.last_day}"),
        ("reports.item.year", f"/ho/reports?by=item&{year}"),
        ("reports.item.year.bottom", f"/ho/reports?by=item&order=bottom&{year}"),
        ("reports.category.year", f"/ho/reports?by=category&{year}"),
        ("reports.outlet.year", f"/ho/reports?by=outlet&{year}"),
        ("reports.till.year", f"/ho/reports?by=till&{year}"),
        ("reports.staff.year", f"/ho/reports?by=staff&{year}"),
        ("reports.hour.year", f"/ho/reports?by=hour&{year}"),
        ("reports.day.year", f"/ho/reports?by=day&{year}"),
        ("reports.week.year", f"/ho/reports?by=week&{year}"),
        ("reports.month.year", f"/ho/reports?by=month&{year}"),
        ("reports.item.year.csv", f"/ho/reports.csv?by=item&{year}"),
        ("reports.item.year.xlsx", f"/ho/reports.xlsx?by=item&{year}"),
        ("shifts.month", f"/ho/shifts?from={month_start}&to={f.last_day}"),
        ("shifts.year.csv", f"/ho/shifts.csv?{year}"),
        ("exceptions.month", f"/ho/exceptions?from={month_start}&to={f.last_day}"),
        ("exceptions.year", f"/ho/exceptions?{year}"),
        ("exceptions.year.xlsx", f"/ho/exceptions.xlsx?{year}"),
    ]
    manager = [
        ("manager.overview.today_and_week", "/ho/"),
        ("manager.overview.year", f"/ho/?{year}"),
        ("manager.sales.first_page", "/ho/sales"),
        ("manager.reports.item.year", f"/ho/reports?by=item&{year}"),
    ]
    return [Visit(n, "admin", p) for n, p in pages] + [Visit(n, "manager", p) for n, p in manager]


def ensure_users(engine: Engine, outlet_code: str) -> None:
    """The bench admin and the manager of ``outlet_code``, created on the first run only."""
    for email, role, outlet in (
        (ADMIN_EMAIL, "admin", None),
        (MANAGER_EMAIL, "outlet_manager", outlet_code),
    ):
        with engine.connect() as conn:
            found = conn.scalar(select(HeadOfficeUser.user_id).where(HeadOfficeUser.email == email))
            conn.rollback()
        if found is None:
            create_user(engine, email=email, password=PASSWORD, role=role, outlet_code=outlet)


async def _answer(
    browser: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
) -> tuple[int, bytes, str]:
    async with browser.request(method, path, allow_redirects=False, **kwargs) as response:
        return response.status, await response.read(), response.headers.get("Location", "")


async def sign_in(browser: aiohttp.ClientSession, email: str) -> None:
    """As a browser: the overview sends an anonymous visitor to the sign-in form, whose hidden
    fields (CSRF token, where to go next) and cookie go back with the email and password."""
    status, _, login = await _answer(browser, "GET", "/ho/")
    if status != 303 or not login.startswith("/ho/login"):
        raise PageFailed(f"an anonymous visitor to /ho/ got {status}, not the sign-in form")
    status, body, _ = await _answer(browser, "GET", login)
    if status != 200:
        raise PageFailed(f"the sign-in form answered {status}")
    form = {name: html.unescape(value) for name, value in _HIDDEN.findall(body.decode())}
    form |= {"email": email, "password": PASSWORD}
    status, body, goes_to = await _answer(browser, "POST", "/ho/login", data=form)
    if status != 303:
        raise PageFailed(
            f"{email} could not sign in ({status}); if the account was made by hand with "
            "another password, delete it from sgpos.ho_user and run again"
        )
    status, _, _ = await _answer(browser, "GET", goes_to)
    if status != 200:
        raise PageFailed(f"after signing in, {goes_to} answered {status}")


async def sign_out(browser: aiohttp.ClientSession) -> None:
    """With the session's form token from a page, so the session does not linger."""
    _, body, _ = await _answer(browser, "GET", "/ho/staff")
    form = dict(_HIDDEN.findall(body.decode()))
    await _answer(browser, "POST", "/ho/logout", data={"csrf_token": form.get("csrf_token", "")})


async def timed_get(browser: aiohttp.ClientSession, path: str) -> tuple[float, int, bytes]:
    start = time.perf_counter()
    async with browser.get(path, allow_redirects=False) as response:
        body = await response.read()
    return time.perf_counter() - start, response.status, body


async def measure(
    engine: Engine,
    browsers: dict[str, aiohttp.ClientSession],
    plan: Sequence[Visit],
    runs: int,
) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    bodies: dict[str, bytes] = {}
    for visit in plan:
        path = visit.path
        if path.startswith("NEXT:"):
            found = _NEXT.search(bodies[path.removeprefix("NEXT:")].decode())
            if found is None:
                raise PageFailed(f"{path.removeprefix('NEXT:')} has no next page link")
            path = html.unescape(found.group(1))
        browser = browsers[visit.who]
        engine.dispose()  # the cold request opens new server processes
        cold, status, body = await timed_get(browser, path)
        warm: list[float] = []
        while status == 200 and len(warm) < runs:
            took, status, body = await timed_get(browser, path)
            warm.append(took)
        bodies[visit.name] = body
        row: dict[str, Any] = {"who": visit.who, "path": path, "status": status}
        if status == 200:
            stats = percentiles(warm)
            row |= {
                "cold_ms": round(cold * 1000, 1),
                "warm": stats,
                "max_ms": round(max(cold * 1000, stats["max_ms"]), 1),
                "bytes": len(body),
            }
        else:
            words = re.sub(r"<[^>]+>|\s+", " ", body.decode(errors="replace")).strip()
            row["problem"] = words[:300]
            print(f"FAILED {visit.name}: GET {path} answered {status}: {words[:300]}", flush=True)
        figures[visit.name] = row
    return figures


def table(figures: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'page':<34} {'cold ms':>8} {'warm p50':>9} {'max ms':>8} {'bytes':>9}"]
    for name, row in figures.items():
        if row["status"] != 200:
            lines.append(f"{name:<34} FAILED: status {row['status']}")
            continue
        p50 = row["warm"]["p50_ms"]
        lines.append(
            f"{name:<34} {row['cold_ms']:>8.0f} {p50:>9.0f} {row['max_ms']:>8.0f} "
            f"{row['bytes']:>9,}"
        )
    return "\n".join(lines)


async def _serve_and_visit(
    url: str, plan_for: Callable[[Engine], tuple[Facts, list[Visit]]], runs: int
) -> dict[str, dict[str, Any]]:
    engine = central_engine(url, pool_size=4)
    try:
        f, plan = plan_for(engine)
        ensure_users(engine, f.outlet_code)
        evening = datetime.combine(f.last_day, clock_time(19, 0), SINGAPORE).astimezone(UTC)
        settings = CentralSettings.load(central_db_url=url, db_pool_size=4)
        runner = make_runner(make_app(settings, engine, clock=lambda: evening))
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            base = f"http://127.0.0.1:{runner.addresses[0][1]}"
            browsers = {
                who: aiohttp.ClientSession(
                    base_url=base,
                    cookie_jar=aiohttp.CookieJar(unsafe=True),  # keep cookies for 127.0.0.1
                    timeout=aiohttp.ClientTimeout(total=TIMEOUT_S),
                )
                for who in ("admin", "manager")
            }
            try:
                await sign_in(browsers["admin"], ADMIN_EMAIL)
                await sign_in(browsers["manager"], MANAGER_EMAIL)
                figures = await measure(engine, browsers, plan, runs)
                for browser in browsers.values():
                    await sign_out(browser)
            finally:
                for browser in browsers.values():
                    await browser.close()
        finally:
            await runner.cleanup()
    finally:
        engine.dispose()
    return figures


def run_pages(
    url: str,
    first_day: date,
    last_day: date,
    runs: int,
    target_ms: float,
) -> dict[str, Any]:
    """Serve the central app over ``url``, visit every page, print the table, return figures."""
    configure_logging(log_file=None, level="WARNING")  # one log line per request would drown it

    def plan_for(engine: Engine) -> tuple[Facts, list[Visit]]:
        f = facts(engine, first_day, last_day)
        return f, visits(f)

    figures = asyncio.run(_serve_and_visit(url, plan_for, runs))
    print(table(figures), flush=True)
    failed = sorted(n for n, row in figures.items() if row["status"] != 200)
    timed = {n: row["max_ms"] for n, row in figures.items() if row["status"] == 200}
    slowest = max(timed, key=timed.__getitem__) if timed else None
    return {
        "server": "make_app + make_runner on 127.0.0.1, clock pinned to the last trading day",
        "runs": runs,
        "cases": figures,
        "failed": failed,
        "slowest_page": slowest,
        "slowest_ms": timed[slowest] if slowest else None,
        "targets": {
            "page_max_ms": target_ms,
            "met": not failed and all(ms <= target_ms for ms in timed.values()),
        },
    }
