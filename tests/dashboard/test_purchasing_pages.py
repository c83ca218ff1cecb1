"""Head office's purchasing pages in headless Chromium: a supplier with its products, reorder
rules, the suggested order turned into a draft, the draft sent (PDF and CSV for the supplier)
and on the outlet's tills' pull; another order cancelled. Bad input is refused in words with
nothing written, and only an admin changes anything."""

from __future__ import annotations

import csv
import html
import io
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from sqlalchemy import text

from shared.protocol import MasterChange, MasterEntity
from sync_service.central.pull import pull_page
from sync_service.central.tills import TillAuth
from tests.conftest import IN_CI
from tests.dashboard.admin_support import till_at
from tests.dashboard.conftest import Shop
from tests.dashboard.support import PASSWORD, LiveDashboard, Visitor
from tests.dashboard.test_browser import click_through, signed_in_browser

pytestmark = pytest.mark.postgres
D = Decimal
WITH_ORDERS = frozenset({MasterEntity.PURCHASE_ORDER})


def products(shop: Shop, n: int) -> list[tuple[str, uuid.UUID]]:
    with shop.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT sku, product_id FROM sgpos.product WHERE active AND NOT weighed "
                "AND sku NOT LIKE 'XSS-%' ORDER BY sku DESC LIMIT :n"
            ),
            {"n": n},
        ).all()
    return [(r.sku, r.product_id) for r in rows]


def pulled(
    shop: Shop, till: TillAuth, extras: frozenset[MasterEntity] = WITH_ORDERS
) -> list[MasterChange]:
    """Every change a till asking for ``extras`` is sent from cursor 0 to the head."""
    cursor, changes = "0", []
    while True:
        page = pull_page(shop.engine, till, cursor, 5000, extras)
        changes += page.changes
        cursor = page.next_cursor
        if not page.has_more:
            return changes


def on_hand(shop: Shop, product_id: uuid.UUID) -> Decimal:
    with shop.engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT quantity FROM sgpos.stock_on_hand WHERE outlet_id = :o AND product_id = :p"
            ),
            {"o": shop.outlet_a.outlet_id, "p": product_id},
        ).scalar()
    return D(found or 0)


@pytest.fixture(scope="module")
def browser(dashboard: LiveDashboard, shop: Shop) -> Iterator[WebDriver]:
    with signed_in_browser(dashboard.url, shop.emails["admin"], PASSWORD) as driver:
        yield driver


def fill(browser: WebDriver, form: str, name: str, value: str) -> None:
    field = browser.find_element(By.CSS_SELECTOR, f"form#{form} [name='{name}']")
    field.clear()
    field.send_keys(value)


def order_id(browser: WebDriver) -> str:
    """The id of the order the browser shows, from its address."""
    return urlsplit(browser.current_url).path.rstrip("/").split("/")[-1]


def notice(browser: WebDriver) -> str:
    """The page's one notice (the page once said it twice: its own and the layout's)."""
    (shown,) = browser.find_elements(By.CSS_SELECTOR, "p.notice[role=status]")
    return str(shown.text)


def pdf_text(body: bytes, tmp_path: Path) -> str:
    """What poppler reads from a PDF (as the supplier's viewer shows it)."""
    tool = shutil.which("pdftotext")
    if tool is None:  # like the browser tests: skipped with a message, failing under CI
        (pytest.fail if IN_CI else pytest.skip)(
            "pdftotext is missing: apt-get install poppler-utils"
        )
    path = tmp_path / "order.pdf"
    path.write_bytes(body)
    done = subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def test_supplier_reorder_suggestion_draft_send_and_pull_in_the_browser(
    browser: WebDriver,
    dashboard: LiveDashboard,
    shop: Shop,
    signed_in: Callable[[str], Visitor],
    tmp_path: Path,
) -> None:
    (sku_low, low_id), (sku_fine, fine_id) = products(shop, 2)
    name = f"Tan Brothers {uuid.uuid4().hex[:6]}"
    browser.get(f"{dashboard.url}/ho/")
    click_through(browser, browser.find_element(By.LINK_TEXT, "Purchasing"))
    click_through(browser, browser.find_element(By.LINK_TEXT, "Suppliers"))
    fill(browser, "new-supplier", "name", name)
    fill(browser, "new-supplier", "uen", "201912345K")
    fill(browser, "new-supplier", "contact", "Mr Tan 6123 4567")
    fill(browser, "new-supplier", "payment_terms_days", "45")
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "form#new-supplier button"))
    assert notice(browser) == "Saved."
    for sku, pack, cost in ((sku_low, "24", "0.85"), (sku_fine, "6", "2.10")):
        fill(browser, "link-product", "sku", sku)
        fill(browser, "link-product", "supplier_sku", f"TB-{sku[-4:]}")
        fill(browser, "link-product", "pack_size", pack)
        fill(browser, "link-product", "last_cost", cost)
        click_through(browser, browser.find_element(By.CSS_SELECTOR, "form#link-product button"))
        assert "linked" in notice(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "table#supplied tbody tr")
    assert {r.get_attribute("data-sku") for r in rows} == {sku_low, sku_fine}

    # Reorder rules at outlet A: one product is below its point, the other well above.
    low, fine = on_hand(shop, low_id), on_hand(shop, fine_id)
    click_through(browser, browser.find_element(By.LINK_TEXT, "Suggested order"))
    Select(browser.find_element(By.NAME, "outlet")).select_by_value(shop.outlet_a.code)
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button"))
    for sku, point, level in ((sku_low, low + 5, low + 50), (sku_fine, fine - 10, fine + 5)):
        fill(browser, "reorder-rule", "sku", sku)
        fill(browser, "reorder-rule", "reorder_point", f"{max(point, D(0))}")
        fill(browser, "reorder-rule", "reorder_level", f"{max(level, D(1))}")
        click_through(browser, browser.find_element(By.CSS_SELECTOR, "form#reorder-rule button"))
        assert "reorder rule was saved" in notice(browser)
    row = browser.find_element(By.CSS_SELECTOR, f"table#suggestions tr[data-sku='{sku_low}']")
    want = ((low + 50 - low) / 24).to_integral_value(ROUND_CEILING) * 24  # whole packs of 24
    assert row.find_element(By.CSS_SELECTOR, "[data-figure=suggested]").text.startswith(f"{want:f}")
    assert name in row.text
    if fine - 10 >= 0:
        quiet = browser.find_element(By.CSS_SELECTOR, f"tr[data-sku='{sku_fine}']")
        assert quiet.find_element(By.CSS_SELECTOR, "[data-figure=suggested]").text == ""
    # Only the ticked suggestion goes on the draft.
    for box in browser.find_elements(By.CSS_SELECTOR, "table#suggestions input[type=checkbox]"):
        if box.get_attribute("aria-label") != f"order {sku_low}" and box.is_selected():
            box.click()
    click_through(browser, browser.find_element(By.ID, "make-drafts"))
    assert "Draft orders were made" in notice(browser)
    summary = browser.find_element(By.ID, "po-summary").text
    assert name in summary and "draft" in summary
    number = browser.find_element(By.TAG_NAME, "h1").text.split()[-1]
    lines = browser.find_elements(By.CSS_SELECTOR, "table#po-lines tbody tr")
    assert [ln.get_attribute("data-sku") for ln in lines] == [sku_low]
    po_id = order_id(browser)

    # A draft is not on any till's pull; sent, it is on outlet A's and not on outlet B's.
    till_a, till_b = till_at(shop.outlet_a), till_at(shop.outlet_b)
    assert not [c for c in pulled(shop, till_a) if c.key == po_id and c.data]
    click_through(browser, browser.find_element(By.ID, "po-send"))
    assert "The order was sent" in notice(browser)
    assert "sent" in browser.find_element(By.ID, "po-summary").text
    assert not browser.find_elements(By.ID, "po-form")  # no longer editable
    on_a = [c for c in pulled(shop, till_a)]
    sent = [c for c in on_a if c.key == po_id][-1]
    assert sent.op == "upsert" and sent.data is not None
    assert sent.data["number"] == number and sent.data["lines"][0]["pack_size"] == "24"
    on_b = [c for c in pulled(shop, till_b)]
    assert all(c.op == "delete" for c in on_b if c.key == po_id)
    assert not [
        c for c in pulled(shop, till_a, frozenset()) if c.entity == MasterEntity.PURCHASE_ORDER
    ]

    # The supplier's copies: PDF and CSV.
    admin = signed_in("admin")
    pdf = admin.get(f"/ho/purchase-orders/{po_id}/pdf")
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
    assert number in pdf.headers["Content-Disposition"]
    words = pdf_text(pdf.body, tmp_path)
    assert f"PURCHASE ORDER {number}" in words and name in words and "UEN 201912345K" in words
    assert sku_low in words and "Payment terms: 45 days" in words
    sheet = list(csv.DictReader(io.StringIO(admin.get(f"/ho/purchase-orders/{po_id}/csv").text)))
    assert [
        (r["po_number"], r["sku"], r["units"], r["pack_size"], r["unit_cost"]) for r in sheet
    ] == [(number, sku_low, f"{want:f}", "24", "0.85")]

    # A second order, typed by hand in packs, then cancelled: off the tills' pull.
    click_through(browser, browser.find_element(By.LINK_TEXT, "Purchase orders"))
    click_through(browser, browser.find_element(By.LINK_TEXT, "New purchase order"))
    Select(browser.find_element(By.NAME, "supplier")).select_by_visible_text(name)
    Select(browser.find_element(By.NAME, "outlet")).select_by_value(shop.outlet_a.code)
    fill(browser, "po-form", "lines", f"{sku_fine} 3x6")
    click_through(browser, browser.find_element(By.ID, "po-save"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-figure=ordered]").text == "18"
    click_through(browser, browser.find_element(By.ID, "po-send"))
    second = order_id(browser)
    click_through(browser, browser.find_element(By.ID, "po-cancel"))
    assert "cancelled" in notice(browser)
    last = [c for c in pulled(shop, till_a) if c.key == second]
    assert last[-1].op == "delete"
    click_through(browser, browser.find_element(By.LINK_TEXT, "Purchase orders"))
    listed = browser.find_element(By.CSS_SELECTOR, f"table#orders tr[data-number='{number}']")
    assert "sent" in listed.text and name in listed.text


def test_bad_input_is_refused_in_words_and_nothing_is_written(
    signed_in: Callable[[str], Visitor], shop: Shop
) -> None:
    admin = signed_in("admin")
    token = admin.csrf_token()
    page = admin.post("/ho/suppliers/new", {"name": "Bad UEN Pte", "uen": "12"}, token=token)
    assert page.status == 400 and "is not a UEN" in html.unescape(page.text)
    page = admin.post(
        "/ho/suppliers/new", {"name": "Terms Pte", "payment_terms_days": "400"}, token=token
    )
    assert page.status == 400 and "0 to 365" in html.unescape(page.text)
    with shop.engine.connect() as conn:
        assert not conn.execute(
            text("SELECT count(*) FROM sgpos.supplier WHERE name IN ('Bad UEN Pte', 'Terms Pte')")
        ).scalar()
    supplier = admin.post(
        "/ho/suppliers/new", {"name": f"Lines {uuid.uuid4().hex[:6]}"}, token=token
    )
    assert supplier.status == 303
    supplier_name = (
        html.unescape(admin.get(supplier.location).text).split("Supplier: ")[1].split("<")[0]
    )
    ((sku, _),) = products(shop, 1)
    with shop.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM sgpos.purchase_order")).scalar()
    cases = {
        f"{sku} 0": "must be 0.001",
        f"{sku} two": "is not units",
        "NO-SUCH 5": "no product has SKU 'NO-SUCH'",
        f"{sku} 5\n{sku} 6": "on the order twice",
        "": "add at least one line",
    }
    for lines, words in cases.items():
        form = {"supplier": supplier_name, "outlet": shop.outlet_a.code, "lines": lines}
        page = admin.post("/ho/purchase-orders/new", form, token=token)
        assert page.status == 400, lines
        assert words in html.unescape(page.text), (lines, words)
    with shop.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sgpos.purchase_order")).scalar() == before
    # A draft is edited (lines replaced); once sent, it no longer can be.
    (sku_b, _), (sku_c, _) = products(shop, 2)
    form = {"supplier": supplier_name, "outlet": shop.outlet_a.code, "lines": f"{sku_b} 6"}
    made = admin.post("/ho/purchase-orders/new", form, token=token)
    assert made.status == 303
    order = made.location.split("?")[0]
    edited = admin.post(order, {**form, "lines": f"{sku_c} 2x12"}, token=token)
    assert edited.status == 303
    shown = admin.get(order).text
    assert f'data-sku="{sku_c}"' in shown and f'data-sku="{sku_b}"' not in shown
    assert admin.post(f"{order}/send", {}, token=token).status == 303
    late = admin.post(order, {**form, "lines": f"{sku_b} 1"}, token=token)
    assert late.status == 400 and "this order is sent: it can no longer be edited" in late.text
    again = admin.post(f"{order}/send", {}, token=token)
    assert again.status == 400 and "can no longer be sent" in again.text
    rule = admin.post(
        f"/ho/reorder/rule?outlet={shop.outlet_a.code}",
        {"sku": sku, "reorder_point": "10", "reorder_level": "5"},
        token=token,
    )
    assert rule.status == 400 and "must be more than the reorder point" in html.unescape(rule.text)


def test_an_analyst_may_look_an_outlet_manager_may_not(
    signed_in: Callable[[str], Visitor], shop: Shop
) -> None:
    analyst = signed_in("analyst")
    for path in ("/ho/purchase-orders", "/ho/suppliers", "/ho/reorder"):
        assert analyst.get(path).status == 200, path
    answer = analyst.post("/ho/suppliers/new", {"name": "Sneaky"}, token=analyst.csrf_token())
    assert answer.status in (403, 404)
    manager = signed_in("manager_a")
    assert manager.get("/ho/purchase-orders").status in (403, 404)
    with shop.engine.connect() as conn:
        assert not conn.execute(
            text("SELECT count(*) FROM sgpos.supplier WHERE name = 'Sneaky'")
        ).scalar()
