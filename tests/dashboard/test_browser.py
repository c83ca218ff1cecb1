"""Head office in a real browser: headless Chromium against a real ``sgpos-central serve``
with two tills that rang a day of sales and synced them through ``sgpos-sync once``.

The figures read off the pages are compared with sums computed here straight from the
``sgpos`` tables; the GST export Chromium downloads must hold the same figures.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import text

from shared.gst import SINGAPORE
from tests.conftest import IN_CI
from tests.migrations.central_support import fresh_database

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
DOWNLOAD_TIMEOUT_S = 60.0


def _screenshots_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "head_office_screenshots", ROOT / "docs" / "screenshots" / "head_office.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


shots = _screenshots_module()


@contextmanager
def signed_in_browser(
    base: str, email: str, password: str | None = None, downloads: Path | None = None
) -> Iterator[WebDriver]:
    """Headless Chromium signed in to the dashboard at ``base``. As with PostgreSQL: a
    newcomer's machine may lack the browser (skipped, saying how to get it); CI must have it
    (.ci/run installs it), so there it fails."""
    missing = [p for p in (shots.CHROMIUM, shots.CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        why = (
            f"no headless browser ({', '.join(missing)}): apt-get install chromium chromium-driver"
        )
        if IN_CI:
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    driver = shots.chromium(downloads)
    try:
        if password is None:
            shots.sign_in(driver, base, email)
        else:
            shots.sign_in(driver, base, email, password)
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def head_office(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The demo company (Orchard, GST-registered; Toa Payoh, not) in a database of its own."""
    day = datetime.now(SINGAPORE).date()
    with (
        fresh_database(pg_server) as url,
        shots.demo_head_office(url, tmp_path_factory.mktemp("browser"), day=day) as shop,
    ):
        yield shop


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(head_office: Any, downloads: Path) -> Iterator[WebDriver]:
    with signed_in_browser(
        head_office.central.url, head_office.admin_email, downloads=downloads
    ) as driver:
        yield driver


def sql(head_office: Any, query: str, **params: object) -> tuple:
    with head_office.engine.connect() as conn:
        return tuple(conn.execute(text(query), params).one())


def outlet_ids(head_office: Any) -> dict[str, object]:
    with head_office.engine.connect() as conn:
        return {
            code: outlet_id
            for code, outlet_id in conn.execute(
                text("SELECT code, outlet_id FROM sgpos.outlet WHERE code = ANY(:c)"),
                {"c": [t.outlet_code for t in head_office.tills]},
            )
        }


def money(element_text: str) -> Decimal:
    return Decimal(element_text.replace(",", "").strip())


def test_the_overview_shows_what_the_database_holds(browser: WebDriver, head_office: Any) -> None:
    day: date = head_office.day
    browser.get(f"{head_office.central.url}/ho/?from={day}&to={day}")
    assert browser.find_element(By.CSS_SELECTOR, "main svg")  # the hourly chart is drawn
    for code, outlet_id in outlet_ids(head_office).items():
        row = browser.find_element(By.CSS_SELECTOR, f"tr[data-outlet='{code}']")
        shown = {
            cell.get_attribute("data-figure"): cell.text
            for cell in row.find_elements(By.CSS_SELECTOR, "td[data-figure]")
        }
        sales, count, gst = sql(
            head_office,
            "SELECT coalesce(sum(total), 0), count(*), coalesce(sum(gst_total), 0) "
            "FROM sgpos.sale WHERE outlet_id = :o AND business_date = :d",
            o=outlet_id,
            d=day,
        )
        refunds, refund_gst = sql(
            head_office,
            "SELECT coalesce(sum(total), 0), coalesce(sum(gst_total), 0) FROM sgpos.refund "
            "WHERE outlet_id = :o AND business_date = :d",
            o=outlet_id,
            d=day,
        )
        assert count > 0
        assert money(shown["sales"]) == sales
        assert int(shown["transactions"]) == count
        assert money(shown["gst"]) == gst - refund_gst
        assert money(shown["refunds"]) == refunds


def test_the_sales_explorer_filters_by_outlet_and_payment_type(
    browser: WebDriver, head_office: Any
) -> None:
    code, outlet_id = next(iter(outlet_ids(head_office).items()))
    browser.get(f"{head_office.central.url}/ho/sales")
    form = browser.find_element(By.CSS_SELECTOR, "form.filters")
    Select(form.find_element(By.NAME, "outlet")).select_by_value(str(outlet_id))
    Select(form.find_element(By.NAME, "tender")).select_by_value("cash")
    Select(form.find_element(By.NAME, "size")).select_by_visible_text("200")
    click_through(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.sales tbody tr[data-sale]")
    (expected,) = sql(
        head_office,
        "SELECT count(*) FROM sgpos.sale s WHERE s.outlet_id = :o AND EXISTS (SELECT 1 FROM "
        "sgpos.tender t WHERE t.document_id = s.sale_id AND t.type = 'cash')",
        o=outlet_id,
    )
    assert len(rows) == expected > 0
    assert all(r.find_elements(By.TAG_NAME, "td")[2].text == code for r in rows)
    click_through(browser, rows[0].find_element(By.CSS_SELECTOR, "a"))
    receipt = browser.find_element(By.CSS_SELECTOR, "pre.receipt").text
    assert browser.find_element(By.TAG_NAME, "h1").text.removeprefix("Sale ") in receipt


def click_through(browser: WebDriver, element: Any) -> None:
    """Click ``element`` and wait until the page it leads to has loaded.

    The old page is marked first and the wait is for a complete document without the mark:
    while Chromium swaps documents, a read can land on a node of the old one and fail, so
    driver errors during the wait are retried rather than taken as the answer."""
    browser.execute_script("window.sgposOldPage = true")
    element.click()
    WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,)).until(
        lambda b: b.execute_script(
            "return window.sgposOldPage === undefined && document.readyState === 'complete'"
        )
    )


def _downloaded(folder: Path, suffix: str, prefix: str = "") -> Path:
    """The file named ``prefix…suffix`` once the browser has finished writing it (the folder
    is shared by the module's tests, in any order)."""
    deadline = time.monotonic() + DOWNLOAD_TIMEOUT_S
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"{prefix}*{suffix}") if p.stat().st_size > 0]
        partial = list(folder.glob("*.crdownload"))
        if done and not partial:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} file arrived in the download folder")


def test_the_gst_export_downloads_the_figures_the_database_holds(
    browser: WebDriver, head_office: Any, downloads: Path
) -> None:
    day: date = head_office.day
    browser.get(f"{head_office.central.url}/ho/gst?from={day}&to={day}")
    on_page = {
        e.get_attribute("data-figure"): money(e.text)
        for e in browser.find_elements(By.CSS_SELECTOR, "[data-figure]")
    }
    browser.find_element(By.ID, "gst-csv").click()
    exported = _downloaded(downloads, ".csv", prefix="gst-f5-")
    assert exported.name == f"gst-f5-{day}-to-{day}.csv"
    rows = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    registered = 0
    for code, outlet_id in outlet_ids(head_office).items():
        mine = [r for r in rows[1:] if r[0].split(" ")[0] == code]
        (reg_no,) = sql(
            head_office, "SELECT gst_reg_no FROM sgpos.outlet WHERE outlet_id = :o", o=outlet_id
        )
        if reg_no is None:  # Toa Payoh: no return, so no boxes to copy into one
            assert [r[3] for r in mine] == ["Not GST-registered: no GST charged, no return"]
            continue
        registered += 1
        box1, box6 = sql(
            head_office,
            "SELECT coalesce(sum(l.amount - l.gst) FILTER (WHERE l.tax_code = 'SR'), 0), "
            "coalesce(sum(l.gst), 0) FROM sgpos.sale_line l JOIN sgpos.sale s USING (sale_id) "
            "WHERE s.outlet_id = :o AND s.business_date = :d",
            o=outlet_id,
            d=day,
        )
        back1, back6 = sql(
            head_office,
            "SELECT coalesce(sum(l.amount - l.gst) FILTER (WHERE l.tax_code = 'SR'), 0), "
            "coalesce(sum(l.gst), 0) FROM sgpos.refund_line l JOIN sgpos.refund r "
            "USING (refund_id) WHERE r.outlet_id = :o AND r.business_date = :d",
            o=outlet_id,
            d=day,
        )
        boxes = {r[2]: Decimal(r[4]) for r in mine if r[2]}
        assert boxes["1"] == box1 - back1 > 0
        assert boxes["6"] == box6 - back6 > 0
        assert on_page[f"{code}-box1"] == boxes["1"] and on_page[f"{code}-box6"] == boxes["6"]
    assert registered > 0


def test_stock_after_a_day_with_deliveries_is_the_ledger_and_never_negative(
    browser: WebDriver, head_office: Any
) -> None:
    """Both tills received before they sold (sgpos-sync once brought the documents): the
    stock page shows each product's ledger sum, and none is below zero."""
    browser.get(f"{head_office.central.url}/ho/stock?size=500")
    shown = {
        (row.find_element(By.CSS_SELECTOR, "td").text, row.get_attribute("data-product")): money(
            row.find_element(By.CSS_SELECTOR, "td[data-figure='on-hand']").text
        )
        for row in browser.find_elements(By.CSS_SELECTOR, "tr[data-product]")
    }
    with head_office.engine.connect() as conn:
        ledger = {
            (code, str(product)): quantity
            for code, product, quantity in conn.execute(
                text(
                    "SELECT o.code, m.product_id, sum(m.quantity) FROM sgpos.stock_movement m "
                    "JOIN sgpos.outlet o USING (outlet_id) GROUP BY 1, 2"
                )
            )
        }
        kinds = set(
            conn.execute(
                text(
                    "SELECT DISTINCT split_part(coalesce(detail, reason), ':', 1) "
                    "FROM sgpos.stock_movement"
                )
            ).scalars()
        )
    assert shown and shown == ledger
    assert min(shown.values()) >= 0
    # Valued at the latest cost it came in at: quantity x cost, for every row with a cost.
    valued = 0
    for row in browser.find_elements(By.CSS_SELECTOR, "tr[data-product]"):
        cells = {
            c.get_attribute("data-figure"): c.text
            for c in row.find_elements(By.CSS_SELECTOR, "td[data-figure]")
        }
        if cells["unit-cost"]:
            valued += 1
            expected = money(cells["on-hand"]) * money(cells["unit-cost"])
            assert money(cells["value"]) == expected.quantize(Decimal("0.01"))
    assert valued > 0
    assert {"delivery", "count", "damaged", "out", "in", "sale"} <= kinds
    assert not browser.find_elements(By.CSS_SELECTOR, "tr.negative")


def test_transfers_show_what_is_in_transit_and_the_difference_taken_in(
    browser: WebDriver, head_office: Any
) -> None:
    browser.get(f"{head_office.central.url}/ho/stock")
    click_link = browser.find_element(By.CSS_SELECTOR, "a[href='/ho/stock/transfers']")
    click_link.click()
    WebDriverWait(browser, 10).until(lambda d: "/ho/stock/transfers" in d.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.transfers tr[data-transfer]")
    with head_office.engine.connect() as conn:
        halves = conn.execute(
            text(
                "SELECT reference, product_id, -sum(quantity) FILTER (WHERE detail LIKE 'out:%'), "
                "coalesce(sum(quantity) FILTER (WHERE detail LIKE 'in:%'), 0) "
                "FROM sgpos.stock_movement WHERE reason = 'transfer' GROUP BY 1, 2"
            )
        ).all()
    expected = {(ref, str(pid)): (sent, got) for ref, pid, sent, got in halves}
    assert len(rows) == len(expected) >= 2  # each till sent some; one was taken in
    statuses = []
    for row in rows:
        key = (str(row.get_attribute("data-transfer")), str(row.get_attribute("data-product")))
        figure = {
            c.get_attribute("data-figure"): c.text
            for c in row.find_elements(By.CSS_SELECTOR, "td[data-figure]")
        }
        sent, got = expected[key]
        assert (money(figure["sent"]), money(figure["received"])) == (sent, got)
        assert money(figure["in-transit"]) == (sent if got == 0 else 0)
        statuses.append(figure["status"])
    # The one taken in came one unit short: flagged; the others are still on the road.
    assert statuses.count("short by 1") == 1
    assert statuses.count("in transit") == len(rows) - 1
    assert browser.find_element(By.CSS_SELECTOR, "[data-figure='in-transit-value']").text


def test_the_transfers_export_downloads_what_the_page_shows(
    browser: WebDriver, head_office: Any, downloads: Path
) -> None:
    browser.get(f"{head_office.central.url}/ho/stock/transfers")
    on_page = {
        (str(r.get_attribute("data-transfer")), r.find_elements(By.TAG_NAME, "td")[4].text): (
            r.find_element(By.CSS_SELECTOR, "td[data-figure='status']").text
        )
        for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-transfer]")
    }
    browser.find_element(By.ID, "transfers-csv").click()
    exported = downloads / "transfers.csv"
    deadline = time.monotonic() + DOWNLOAD_TIMEOUT_S
    while not (exported.exists() and exported.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.1)
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    assert {(r["Transfer"], r["Product"]): r["Status"] for r in rows} == on_page
    short = [r for r in rows if r["Status"] == "short by 1"]
    assert len(short) == 1 and Decimal(short[0]["In transit"]) == 0
    assert all(
        Decimal(r["Value in transit"])
        == (Decimal(r["In transit"]) * Decimal(r["Cost per unit"])).quantize(Decimal("0.01"))
        for r in rows
    )


def test_every_page_renders_for_the_screenshots(
    browser: WebDriver, head_office: Any, tmp_path: Path
) -> None:
    day: date = head_office.day
    saved = shots.capture(browser, head_office.central.url, tmp_path, day, day)
    names = {p.name for p in saved}
    assert {"ho-overview.png", "ho-sales.png", "ho-sale.png", "ho-gst.png"} <= names
    assert {"ho-journal.png", "ho-stock.png", "ho-stock-movements.png", "ho-audit.png"} <= names
    assert {
        "ho-reports.png",
        "ho-shifts.png",
        "ho-exceptions.png",
        "ho-stock-transfers.png",
    } <= names
    phone = shots.capture_phone(browser, head_office.central.url, tmp_path, day, day)
    assert len(phone) == 7 and all(p.stat().st_size > 10_000 for p in phone)  # with the F5
    assert all(p.stat().st_size > 10_000 for p in saved)  # a rendered page, not a blank one
    for title in browser.find_elements(By.TAG_NAME, "h1"):
        assert "went wrong" not in title.text


def test_a_price_changed_in_the_catalogue_is_what_the_database_and_the_tills_get(
    browser: WebDriver, head_office: Any
) -> None:
    product_id, old = sql(
        head_office,
        "SELECT product_id, price FROM sgpos.product WHERE sku LIKE 'BEV-%' AND active "
        "ORDER BY sku LIMIT 1",
    )
    (last_change,) = sql(head_office, "SELECT coalesce(max(change_id), 0) FROM sgpos.change_log")
    new = old + Decimal("0.10")
    browser.get(f"{head_office.central.url}/ho/catalogue/products/{product_id}")
    form = browser.find_element(By.CSS_SELECTOR, "form[action$='/price']")
    form.find_element(By.NAME, "price").send_keys(str(new))
    click_through(
        browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]")
    )  # the answer page
    shown = browser.find_element(By.CSS_SELECTOR, "[data-figure='price']").text
    (stored,) = sql(
        head_office, "SELECT price FROM sgpos.product WHERE product_id = :p", p=product_id
    )
    assert money(shown) == stored == new
    changed_by, changes = sql(
        head_office,
        "SELECT (SELECT changed_by FROM sgpos.ho_audit WHERE table_name = 'product' AND "
        "key = :k ORDER BY audit_id DESC LIMIT 1), (SELECT count(*) FROM sgpos.change_log "
        "WHERE change_id > :c AND entity = 'product' AND key = :k)",
        k=str(product_id),
        c=last_change,
    )
    assert changed_by == head_office.admin_email  # audited under the admin's name
    assert changes >= 1  # on its way to the tills through the pull cursor


# --- the pages of issue 12, at a phone's width and a desktop's ---------------------------------

WIDTHS = (390, 1366)


def fits(browser: WebDriver) -> bool:
    """The page itself never scrolls sideways (a wide table scrolls in its own box)."""
    return bool(
        browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    )


@pytest.fixture
def narrow_then_wide(browser: WebDriver) -> Iterator[WebDriver]:
    yield browser
    browser.set_window_size(shots.WIDTH, shots.HEIGHT)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_hostile_till_shows_red_on_the_fleet_with_its_refused_events(
    narrow_then_wide: WebDriver, head_office: Any, width: int
) -> None:
    browser, base = narrow_then_wide, head_office.central.url
    with head_office.engine.connect() as conn:
        hostile = conn.execute(
            text("SELECT count(*) FROM sgpos.till WHERE code = 'T09'")
        ).scalar_one()
    if not hostile:
        shots.hostile_till(head_office)
    browser.set_window_size(width, 900)
    browser.get(f"{base}/ho/fleet")
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-health='red']")
    assert "refused for naming another till's data" in row.text
    assert row.find_element(By.CSS_SELECTOR, "[data-refused]").text == "2"
    assert fits(browser)
    click_through(browser, row.find_element(By.CSS_SELECTOR, "a.alarm"))
    refused = browser.find_elements(By.CSS_SELECTOR, "tr[data-refused]")
    fields = sorted(r.find_elements(By.TAG_NAME, "code")[-1].text for r in refused)
    assert fields == ["receipt_no", "shift_id"]
    assert fits(browser)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_adds_an_authenticator_app_in_the_browser_and_signs_in_with_it(
    head_office: Any, width: int
) -> None:
    import pyotp

    from sync_service.central.users import create_user

    email = f"second-{width}-{time.time_ns()}@example.com"
    create_user(
        head_office.engine, email=email, password=shots.PASSWORD, role="admin", outlet_code=None
    )
    base = head_office.central.url
    driver = shots.chromium()
    try:
        driver.set_window_size(width, 900)
        shots.sign_in(driver, base, email)
        for page in ("/ho/account", "/ho/users"):
            driver.get(base + page)
            assert fits(driver), page
        driver.get(f"{base}/ho/account")
        click_through(driver, driver.find_element(By.CSS_SELECTOR, "form[action$='start'] button"))
        assert driver.find_element(By.CSS_SELECTOR, ".qr svg").size["width"] > 100
        assert fits(driver)
        secret = driver.find_element(By.CSS_SELECTOR, "code.secret").text
        driver.find_element(By.NAME, "code").send_keys(pyotp.TOTP(secret).now())
        turn_on = "form[action='/ho/account/second-factor'] button"
        click_through(driver, driver.find_element(By.CSS_SELECTOR, turn_on))
        assert "The authenticator app is set up" in driver.page_source

        click_through(driver, driver.find_element(By.CSS_SELECTOR, "form.who button"))
        driver.get(f"{base}/ho/login")
        driver.find_element(By.NAME, "email").send_keys(email)
        driver.find_element(By.NAME, "password").send_keys(shots.PASSWORD)
        sign_in = "form[action='/ho/login'] button"
        click_through(driver, driver.find_element(By.CSS_SELECTOR, sign_in))
        assert "authenticator code is not right" in driver.page_source  # the password alone
        driver.find_element(By.NAME, "password").send_keys(shots.PASSWORD)
        later = pyotp.TOTP(secret).at(time.time() + 30)  # the code it set up with is spent
        driver.find_element(By.NAME, "code").send_keys(later)
        click_through(driver, driver.find_element(By.CSS_SELECTOR, sign_in))
        assert driver.find_elements(By.CSS_SELECTOR, "form.who"), driver.page_source[:500]
    finally:
        driver.quit()


# --- the reports of issue 19, at a phone's width and a desktop's -------------------------------


def _figures(row: Any) -> dict[str, str]:
    return {
        str(cell.get_attribute("data-figure")): cell.text
        for cell in row.find_elements(By.CSS_SELECTOR, "[data-figure]")
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_sales_by_outlet_in_the_browser_equal_the_sale_lines_sums(
    narrow_then_wide: WebDriver, head_office: Any, width: int
) -> None:
    browser, day = narrow_then_wide, head_office.day
    browser.set_window_size(width, 844 if width < 1000 else 768)
    browser.get(f"{head_office.central.url}/ho/reports")
    form = browser.find_element(By.CSS_SELECTOR, "form.filters")
    Select(form.find_element(By.NAME, "by")).select_by_value("outlet")
    click_through(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    today = browser.find_element(By.LINK_TEXT, "Today")
    click_through(browser, today)
    assert fits(browser)
    assert "Sales by outlet" in browser.find_element(By.TAG_NAME, "h1").text
    (sold,) = sql(head_office, "SELECT sum(total) FROM sgpos.sale WHERE business_date = :d", d=day)
    trend = browser.find_element(By.CSS_SELECTOR, "section.trend")
    assert money(trend.find_element(By.CSS_SELECTOR, "[data-figure='trend-current']").text) == sold
    assert len(trend.find_elements(By.CSS_SELECTOR, "svg polyline")) == 3  # now, week, year
    for code, outlet_id in outlet_ids(head_office).items():
        row = browser.find_element(By.CSS_SELECTOR, f"tr[data-row='{outlet_id}']")
        assert row.is_displayed() and code in row.text
        shown = _figures(row)
        revenue, gst, discount, transactions = sql(
            head_office,
            "SELECT sum(l.amount), sum(l.gst), sum(l.line_discount + l.cart_discount), "
            "count(DISTINCT s.sale_id) FROM sgpos.sale_line l JOIN sgpos.sale s USING (sale_id) "
            "WHERE s.outlet_id = :o AND s.business_date = :d",
            o=outlet_id,
            d=day,
        )
        (refunds,) = sql(
            head_office,
            "SELECT coalesce(sum(total), 0) FROM sgpos.refund WHERE outlet_id = :o "
            "AND business_date = :d",
            o=outlet_id,
            d=day,
        )
        assert money(shown["revenue"]) == revenue > 0
        assert money(shown["gst"]) == gst
        assert money(shown["discount"]) == discount
        assert int(shown["transactions"]) == transactions
        assert money(shown["refunds"]) == refunds > 0
        assert money(shown["net"]) == revenue - refunds


def test_the_excel_download_of_sales_by_item_sums_to_the_pages_totals(
    browser: WebDriver, head_office: Any, downloads: Path
) -> None:
    from openpyxl import load_workbook

    day: date = head_office.day
    browser.get(f"{head_office.central.url}/ho/reports?by=item&order=bottom&from={day}&to={day}")
    total = _figures(browser.find_element(By.CSS_SELECTOR, "tr[data-row='total']"))
    count = int(browser.find_element(By.CSS_SELECTOR, "[data-figure='count']").text)
    (revenue,) = sql(
        head_office,
        "SELECT sum(l.amount) FROM sgpos.sale_line l JOIN sgpos.sale s USING (sale_id) "
        "WHERE s.business_date = :d",
        d=day,
    )
    assert money(total["revenue"]) == revenue
    cells = "tbody tr[data-row] [data-figure='revenue']"
    shown = [money(e.text) for e in browser.find_elements(By.CSS_SELECTOR, cells)]
    assert len(shown) == count and shown == sorted(shown)  # bottom sellers first
    for old in downloads.glob("*.xlsx"):
        old.unlink()
    browser.find_element(By.ID, "report-xlsx").click()
    book = load_workbook(_downloaded(downloads, ".xlsx"))
    values = list(book.worksheets[0].iter_rows(values_only=True))
    header, body, last = values[0], values[1:-1], values[-1]
    i = header.index("Revenue incl. GST (S$)")
    assert len(body) == count and last[1] == "Total"
    assert sum(Decimal(str(r[i])) for r in body) == Decimal(str(last[i])) == revenue


@pytest.mark.parametrize("width", WIDTHS)
def test_shifts_and_exceptions_in_the_browser_match_the_database(
    narrow_then_wide: WebDriver, head_office: Any, width: int
) -> None:
    browser, day, base = narrow_then_wide, head_office.day, head_office.central.url
    browser.set_window_size(width, 844 if width < 1000 else 768)
    browser.get(f"{base}/ho/shifts?from={day}&to={day}")
    assert fits(browser)
    (shifts, floats) = sql(
        head_office,
        "SELECT count(*), coalesce(sum(opening_float), 0) FROM sgpos.shift "
        "WHERE (opened_at AT TIME ZONE 'Asia/Singapore')::date = :d",
        d=day,
    )
    assert int(browser.find_element(By.CSS_SELECTOR, "[data-figure='count']").text) == shifts > 0
    total = _figures(browser.find_element(By.CSS_SELECTOR, "tr[data-row='total']"))
    assert money(total["float"]) == floats
    browser.get(f"{base}/ho/exceptions?from={day}&to={day}")
    assert fits(browser)
    refunds, refunded = sql(
        head_office,
        "SELECT count(*), coalesce(sum(total), 0) FROM sgpos.refund WHERE business_date = :d",
        d=day,
    )
    cards = {
        k: money(browser.find_element(By.CSS_SELECTOR, f"[data-figure='{k}']").text)
        for k in ("refund-amount", "void-amount", "refund-count", "void-count")
    }
    assert cards["refund-amount"] + cards["void-amount"] == refunded > 0
    assert cards["refund-count"] + cards["void-count"] == refunds
    receipt = browser.find_element(By.CSS_SELECTOR, "tr[data-event='refund'] th a")
    click_through(browser, receipt)
    assert browser.find_element(By.CSS_SELECTOR, "pre.receipt")  # the refunded sale opens


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_in_the_menu_fits_the_width(
    narrow_then_wide: WebDriver, head_office: Any, width: int
) -> None:
    browser, base = narrow_then_wide, head_office.central.url
    browser.set_window_size(width, 844 if width < 1000 else 768)
    browser.get(f"{base}/ho/")
    menu = [str(a.get_attribute("href")) for a in browser.find_elements(By.CSS_SELECTOR, "nav a")]
    assert len(menu) >= 12
    for page, first in (  # and one of each kind of detail page
        ("/ho/sales", "table.sales tbody a"),
        ("/ho/stock", "td a[href^='/ho/stock/']"),
        ("/ho/catalogue", "a[href^='/ho/catalogue/products/']"),
    ):
        browser.get(base + page)
        menu.append(str(browser.find_element(By.CSS_SELECTOR, first).get_attribute("href")))
    too_wide = []
    for link in menu:
        browser.get(link)
        if not fits(browser):
            too_wide.append(link.removeprefix(base))
    assert too_wide == []


@pytest.mark.parametrize("width", WIDTHS)
def test_on_a_phone_the_menu_folds_behind_one_button_and_opens_with_a_tap(
    narrow_then_wide: WebDriver, head_office: Any, width: int
) -> None:
    browser, base = narrow_then_wide, head_office.central.url
    browser.set_window_size(width, 844 if width < 1000 else 768)
    browser.get(f"{base}/ho/reports")
    button = browser.find_element(By.CSS_SELECTOR, "label.menu-button")
    stock = browser.find_element(By.CSS_SELECTOR, "header nav a[href='/ho/stock']")
    heading = browser.find_element(By.TAG_NAME, "h1")
    if width >= 1000:  # a desktop shows every link and no button
        assert stock.is_displayed() and not button.is_displayed()
        return
    # The page's own heading is on the first screen, not below seventeen links.
    assert not stock.is_displayed() and button.text == "Menu · Reports"
    assert heading.location["y"] < 300
    button.click()
    assert stock.is_displayed()
    stock.click()
    assert browser.current_url == f"{base}/ho/stock"
    assert fits(browser)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_discards_a_quarantined_sale_in_the_browser(
    narrow_then_wide: WebDriver, head_office: Any, width: int
) -> None:
    import json
    import uuid

    browser, base = narrow_then_wide, head_office.central.url
    till = head_office.tills[0]
    with head_office.engine.begin() as conn:
        stored = conn.execute(
            text(
                "SELECT receipt_no, sold_at, cashier_id, total FROM sgpos.sale WHERE till_id = :t "
                "ORDER BY sold_at LIMIT 1"
            ),
            {"t": till.till_id},
        ).one()
        payload = {
            "sale_id": str(uuid.uuid4()),
            "receipt_no": stored.receipt_no,
            "sold_at": stored.sold_at.isoformat(),
            "cashier_id": str(stored.cashier_id),
            "total": str(stored.total + 1),
            "gst_total": "0.00",
            "lines": [],
        }
        quarantine_id = conn.execute(
            text(
                "INSERT INTO sgpos.quarantine (till_id, epoch, seq, event_id, kind, reason, "
                "payload, payload_sha256) VALUES (:t, 99, :s, :e, 'sale.completed', :r, "
                "CAST(:p AS jsonb), :h) RETURNING quarantine_id"
            ),
            {
                "t": till.till_id,
                "s": width,
                "e": uuid.uuid4(),
                "r": f"receipt number {stored.receipt_no} is already stored for another sale",
                "p": json.dumps(payload),
                "h": "c" * 64,
            },
        ).scalar_one()
    browser.set_window_size(width, 844 if width < 1000 else 768)
    browser.get(f"{base}/ho/fleet/tills/{till.till_id}")
    panel = browser.find_element(By.CSS_SELECTOR, f"section[data-quarantine='{quarantine_id}']")
    assert "is already stored for another sale" in panel.text
    differing = [
        row.find_element(By.TAG_NAME, "th").text
        for row in panel.find_elements(By.CSS_SELECTOR, "table.side-by-side tr.negative")
    ]
    assert {"Sale id", "Total"} <= set(differing)
    assert fits(browser)
    panel.find_element(By.NAME, "reason").send_keys("the same basket rung twice")
    click_through(browser, panel.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "The event was discarded" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    panel = browser.find_element(By.CSS_SELECTOR, f"section[data-quarantine='{quarantine_id}']")
    resolution = panel.find_element(By.CSS_SELECTOR, "[data-resolution]").text
    assert head_office.admin_email in resolution and "the same basket rung twice" in resolution
    resolved, by = sql(
        head_office,
        "SELECT q.resolved_at, a.changed_by FROM sgpos.quarantine q JOIN sgpos.ho_audit a "
        "ON a.table_name = 'quarantine' AND a.key = q.quarantine_id::text "
        "WHERE q.quarantine_id = :q",
        q=quarantine_id,
    )
    assert resolved is not None and by == head_office.admin_email
