"""Head office's customer pages in a real browser: a member enrolled at a real till, who bought
and returned something, synced by ``sgpos-sync once`` to a real ``sgpos-central serve``; the
list, the detail (consent, points ledger, purchases) and the PDPA export Chromium downloads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select, text

from shared.demo_catalogue import DEMO_STAFF
from shared.gst import SINGAPORE
from shared.tender import Tender, TenderType
from tests.dashboard.test_browser import _downloaded, shots, signed_in_browser
from tests.migrations.central_support import fresh_database
from till.services.customers import NewMember
from till.store.models import LoyaltyEntry, Product

pytestmark = pytest.mark.postgres

D = Decimal
CASHIER = next(m for m in DEMO_STAFF if m.role == "cashier")


@pytest.fixture(scope="module")
def head_office(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    day = datetime.now(SINGAPORE).date()
    with (
        fresh_database(pg_server) as url,
        shots.demo_head_office(
            url, tmp_path_factory.mktemp("customers"), outlet_codes=("ORC",), day=day
        ) as shop,
    ):
        yield shop


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("customer-downloads")


@pytest.fixture(scope="module")
def browser(head_office: Any, downloads: Path) -> Iterator[WebDriver]:
    with signed_in_browser(
        head_office.central.url, head_office.admin_email, downloads=downloads
    ) as driver:
        yield driver


@pytest.fixture(scope="module")
def member(head_office: Any) -> dict[str, Any]:
    """Enrolled at the Orchard till, two groceries bought, one brought back; then synced."""
    agent_till = head_office.tills[0]
    with agent_till.opened() as till:
        cashier = till.staff.sign_in(CASHIER.code, CASHIER.pin)
        card = till.customers().enrol(
            NewMember(
                name="Lim Ah Kow",
                mobile="9123 4576",  # not the demo member's: the till knows them
                consent_contact=True,
                company_name="Lim Trading Pte Ltd",
                uen="201912345K",
                address_lines=("8 Shenton Way #30-01", "Singapore 068811"),
            ),
            cashier,
        )
        with till.store.read() as s:
            skus = list(
                s.scalars(
                    select(Product.sku)
                    .where(Product.tax_code == "SR", ~Product.weighed)
                    .order_by(Product.sku)
                    .limit(2)
                )
            )
        checkout = till.checkout(cashier)
        for sku in skus:
            [product] = [p for p in till.catalogue.search(sku, limit=5) if p.sku == sku]
            checkout.add(product)
        checkout.attach_customer(card)
        total = checkout.totals().total
        sale = checkout.complete([Tender(TenderType.CARD, total, reference="APPR01")])
        first = till.refunds().lookup(sale.receipt_no).lines[0]
        till.refunds().refund(cashier, sale.receipt_no, {first.line_id: D(1)}, reason="damaged")
        with till.store.read() as s:
            ledger = list(
                s.scalars(
                    select(LoyaltyEntry.points).where(LoyaltyEntry.customer_id == card.customer_id)
                )
            )
    shots.sync(agent_till)
    assert len(ledger) == 2 and ledger[0] > 0 > ledger[1], ledger
    return {
        "card": card,
        "receipt_no": sale.receipt_no,
        "points": sum(ledger),
        "cashier": cashier,
    }


def test_the_member_is_listed_with_a_masked_mobile_and_the_points_the_ledger_sums(
    browser: WebDriver, head_office: Any, member: dict[str, Any]
) -> None:
    card = member["card"]
    browser.get(f"{head_office.central.url}/ho/customers?q=4576")
    row = browser.find_element(By.CSS_SELECTOR, f"tr[data-customer='{card.customer_id}']")
    cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
    assert cells[0] == card.member_no
    assert cells[1] == "Lim Ah Kow" and cells[2] == "Lim Trading Pte Ltd"
    assert cells[3] == "****4576"
    assert "91234576" not in browser.page_source
    with head_office.engine.connect() as conn:
        central = conn.execute(
            text("SELECT sum(points) FROM sgpos.loyalty_entry WHERE customer_id = :c"),
            {"c": card.customer_id},
        ).scalar_one()
    assert int(cells[6]) == central == member["points"] > 0


def test_the_detail_shows_consent_ledger_and_purchases_and_exports_everything_kept(
    browser: WebDriver, head_office: Any, member: dict[str, Any], downloads: Path
) -> None:
    card = member["card"]
    browser.get(f"{head_office.central.url}/ho/customers")
    row = browser.find_element(By.CSS_SELECTOR, f"tr[data-customer='{card.customer_id}']")
    row.find_element(By.LINK_TEXT, "Lim Ah Kow").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Lim Trading Pte Ltd"
    assert browser.title.startswith(f"Customer {card.member_no} ·")  # no name in the history
    assert browser.find_element(By.CSS_SELECTOR, "[data-fact='consent']").text.startswith("yes")
    assert "membership" in browser.find_element(By.CSS_SELECTOR, "[data-fact='purpose']").text
    assert browser.find_element(By.CSS_SELECTOR, "[data-fact='marketing']").text == "no"
    # Who recorded the consent: the cashier by name, linked to their page, not an id.
    cashier = member["cashier"]
    recorded = browser.find_element(By.CSS_SELECTOR, "[data-fact='recorded-by'] a")
    assert recorded.text.startswith(cashier.display_name)
    assert (recorded.get_attribute("href") or "").endswith(f"/ho/staff/{cashier.staff_id}")
    kinds = [
        row.find_elements(By.TAG_NAME, "td")[1].text
        for row in browser.find_elements(By.CSS_SELECTOR, "#ledger tbody tr")
    ]
    assert kinds == ["earned", "reversed"]
    purchases = browser.find_element(By.ID, "purchases").text
    assert member["receipt_no"] in purchases

    browser.find_element(By.ID, "export").click()

    data = json.loads(_downloaded(downloads, ".json").read_text(encoding="utf-8"))
    assert data["customer_id"] == card.customer_id
    assert data["phone"] == "+6591234576" and data["uen"] == "201912345K"
    assert [p["receipt_no"] for p in data["purchases"]] == [member["receipt_no"]]
    assert sum(e["points"] for e in data["ledger"]) == member["points"]
    assert not any("nric" in key.lower() for key in data)


def shown(browser: WebDriver, selector: str) -> str:
    """The text of ``selector`` once the page that has it has loaded (after a form post)."""
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, selector))
    return str(browser.find_element(By.CSS_SELECTOR, selector).text)
