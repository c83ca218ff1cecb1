"""Head office's promotion pages: create with a preview against a sample cart, save, end; in
headless Chromium and over plain HTTP. What is saved reaches a till's pull; bad input is
refused in plain words with nothing written."""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from sqlalchemy import text

from shared.protocol import MasterEntity
from sync_service.central.pull import pull_page
from tests.dashboard.admin_support import till_at
from tests.dashboard.conftest import Shop
from tests.dashboard.support import PASSWORD, LiveDashboard, Visitor
from tests.dashboard.test_browser import click_through, signed_in_browser
from tests.dashboard.test_purchasing_pages import notice

pytestmark = pytest.mark.postgres
D = Decimal


def two_products(shop: Shop) -> list[tuple[str, Decimal]]:
    with shop.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT sku, price FROM sgpos.product WHERE active AND NOT weighed "
                "AND price BETWEEN 2 AND 20 AND sku NOT LIKE 'XSS-%' ORDER BY sku LIMIT 2"
            )
        ).all()
    assert len(rows) == 2
    return [(r.sku, r.price) for r in rows]


@pytest.fixture(scope="module")
def browser(dashboard: LiveDashboard, shop: Shop) -> Iterator[WebDriver]:
    with signed_in_browser(dashboard.url, shop.emails["admin"], PASSWORD) as driver:
        yield driver


def fill(browser: WebDriver, name: str, value: str) -> None:
    field = browser.find_element(By.CSS_SELECTOR, f"form#promotion [name='{name}']")
    field.clear()
    field.send_keys(value)


def test_an_admin_previews_saves_and_ends_a_promotion_in_the_browser(
    browser: WebDriver, dashboard: LiveDashboard, shop: Shop
) -> None:
    (sku_a, price_a), (sku_b, price_b) = two_products(shop)
    name = f"Pair deal {uuid.uuid4().hex[:6]}"
    deal = price_a + price_b - D("0.50")
    browser.get(f"{dashboard.url}/ho/promotions")
    click_through(browser, browser.find_element(By.LINK_TEXT, "New promotion"))
    fill(browser, "name", name)
    Select(browser.find_element(By.NAME, "kind")).select_by_value("mix_and_match")
    fill(browser, "products", f"{sku_a}, {sku_b}")
    fill(browser, "buy", "2")
    fill(browser, "amount", f"{deal}")
    fill(browser, "sample", f"{sku_a}\n{sku_b}")
    fill(browser, "outlet", shop.outlet_a.code)
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "button[value=preview]"))

    assert D(browser.find_element(By.ID, "preview_total").text.replace(",", "")) == deal
    assert browser.find_element(By.ID, "preview_saved").text == "0.50"
    reasons = browser.find_element(By.ID, "preview_reasons").text
    assert f"✓ {name}: saved $0.50" in reasons
    # Previewing saved nothing.
    with shop.engine.connect() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM sgpos.promotion WHERE name = :n"), {"n": name}
        ).scalar()
    assert found == 0

    click_through(browser, browser.find_element(By.CSS_SELECTOR, "button[value=save]"))
    assert "The promotion was saved" in notice(browser)
    row = browser.find_element(By.XPATH, f"//table[@id='promotions']//tr[td/a[text()='{name}']]")
    assert "running" in row.text
    with shop.engine.connect() as conn:
        promotion_id = conn.execute(
            text("SELECT promotion_id FROM sgpos.promotion WHERE name = :n"), {"n": name}
        ).scalar_one()
    # A till that asks for promotions gets it with its next pull; one that does not, does not.
    till = till_at(shop.outlet_a)
    asking = pull_page(shop.engine, till, "0", 5000, frozenset({MasterEntity.PROMOTION}))
    assert any(c.key == str(promotion_id) for c in asking.changes)
    older = pull_page(shop.engine, till, "0", 5000)
    assert not any(c.entity == MasterEntity.PROMOTION for c in older.changes)

    click_through(browser, row.find_element(By.CSS_SELECTOR, "button"))
    assert "has ended" in notice(browser)
    row = browser.find_element(By.XPATH, f"//table[@id='promotions']//tr[td/a[text()='{name}']]")
    assert "ended" in row.text


def test_bad_input_is_refused_in_plain_words_and_nothing_is_written(
    signed_in: Callable[[str], Visitor], shop: Shop
) -> None:
    admin = signed_in("admin")
    token = admin.csrf_token()
    (sku_a, _), _ = two_products(shop)
    cases = {
        ("percent_off", "products", "NO-SUCH-SKU"): "no product has SKU 'NO-SUCH-SKU'",
        ("percent_off", "percent", "150"): "150 is not a percentage from 0.01 to 100",
        ("mix_and_match", "buy", "1"): "a mix and match takes 2 to 99 items",
        ("percent_off", "days", "Funday"): "'Funday' is not a day",
    }
    for (kind, field, value), words in cases.items():
        form = {
            "name": "Broken",
            "kind": kind,
            "products": sku_a,
            "percent": "10",
            "amount": "5.00" if kind == "mix_and_match" else "",
            "buy": "2",
        }
        form[field] = value
        if kind == "mix_and_match":
            form["percent"] = ""
        page = admin.post("/ho/promotions/new", form, token=token)
        assert page.status == 400, (field, page.status)
        assert words in html.unescape(page.text), (field, words)
    with shop.engine.connect() as conn:
        assert not conn.execute(
            text("SELECT count(*) FROM sgpos.promotion WHERE name = 'Broken'")
        ).scalar()


def test_an_analyst_may_look_but_not_save(signed_in: Callable[[str], Visitor], shop: Shop) -> None:
    analyst = signed_in("analyst")
    assert analyst.get("/ho/promotions").status == 200
    assert analyst.get("/ho/promotions/new").status in (403, 404)
    answer = analyst.post(
        "/ho/promotions/new",
        {"name": "Sneaky", "kind": "percent_off", "percent": "50"},
        token=analyst.csrf_token(),
    )
    assert answer.status in (403, 404)
    with shop.engine.connect() as conn:
        assert not conn.execute(
            text("SELECT count(*) FROM sgpos.promotion WHERE name = 'Sneaky'")
        ).scalar()
