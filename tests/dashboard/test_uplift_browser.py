"""The promotion uplift report in headless Chromium: a till rings a product before and during
a buy-2-get-1 promotion and pushes its sales; the page's units, revenue and discount, and the
same product's days before, equal what independent SQL over the stored sale lines says, and
the figures worked out by hand (docs/promotions.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import Engine, text

from shared.gst import SINGAPORE
from shared.promotion_wire import PromotionV1
from shared.protocol import (
    PROTOCOL_VERSION,
    EventOutcome,
    MasterEntity,
    PushOk,
    PushRequest,
    TillReport,
)
from shared.tender import Tender, TenderType
from sync_service.central.admin.promotions import save_promotion
from sync_service.central.ingest import apply_push
from sync_service.central.pull import pull_page
from tests.central import SyncedTill, add_outlet, enrolled_till
from tests.dashboard.conftest import Shop
from tests.dashboard.support import PASSWORD, LiveDashboard
from tests.dashboard.test_browser import signed_in_browser
from till.store.master import apply_changes
from till.store.uow import UnitOfWork

pytestmark = pytest.mark.postgres
D = Decimal
START = date(2026, 6, 1)  # the promotion runs 1-7 June 2026 (SGT); nothing else trades then
DAYS = 7


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SINGAPORE)


@pytest.fixture(scope="module")
def browser(dashboard: LiveDashboard, shop: Shop) -> Iterator[WebDriver]:
    with signed_in_browser(dashboard.url, shop.emails["analyst"], PASSWORD) as driver:
        yield driver


def a_product(engine: Engine) -> tuple[uuid.UUID, str, Decimal]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT product_id, sku, price FROM sgpos.product WHERE active AND NOT weighed "
                "AND price BETWEEN 2 AND 20 AND tax_code = 'SR' AND sku NOT LIKE 'XSS-%' "
                "ORDER BY sku DESC LIMIT 1"
            )
        ).one()
    return row.product_id, row.sku, row.price


def push(engine: Engine, till: SyncedTill, when: datetime | None = None) -> None:
    events = till.events()
    when = when or at(START + timedelta(days=DAYS))
    report = TillReport(
        app_version="test",
        store_revision="test",
        backlog=len(events),
        oldest_pending_at=None,
        sent_at=when,
    )
    request = PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events)
    answer = apply_push(engine, till.auth, request, now=when)
    assert isinstance(answer, PushOk)
    assert {r.outcome for r in answer.results} == {EventOutcome.APPLIED}


def ring(till: SyncedTill, when: datetime, barcode: str, units: int) -> str:
    till.demo.clock.now = when
    checkout = till.demo.till.checkout(till.demo.cashier)
    for _ in range(units):
        checkout.scan(barcode)
    return checkout.complete([Tender(TenderType.CASH, D("500.00"))]).receipt_no


def figure(browser: WebDriver, promotion_id: uuid.UUID, name: str) -> str:
    cell = browser.find_element(
        By.CSS_SELECTOR, f"tr[data-promotion='{promotion_id}'] td[data-figure='{name}']"
    )
    return str(cell.text)


def independent(engine: Engine, product_id: uuid.UUID, start: date, end: date) -> tuple:
    """Over the product's stored sale lines alone (no promotion table): units, revenue and
    the discount on its lines that had one."""
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    "SELECT coalesce(sum(l.quantity), 0), coalesce(sum(l.amount), 0), "
                    "coalesce(sum(l.line_discount), 0) FROM sgpos.sale_line l "
                    "JOIN sgpos.sale s ON s.sale_id = l.sale_id "
                    "WHERE l.product_id = :p AND s.business_date BETWEEN :a AND :b"
                ),
                {"p": product_id, "a": start, "b": end},
            ).one()
        )


def buy_2_get_1(shop: Shop, product_id: uuid.UUID, name: str, start: date) -> PromotionV1:
    """A buy-2-get-1 on the product for ``DAYS`` days from ``start``, saved at head office."""
    promo = PromotionV1(
        promotion_id=uuid.uuid4(),
        name=f"{name} {uuid.uuid4().hex[:6]}: buy 2 get 1",
        kind="buy_x_get_y",
        products=[product_id],
        buy=2,
        get=1,
        starts_at=at(start, 0),
        ends_at=at(start + timedelta(days=DAYS), 0),
    )
    save_promotion(shop.engine, shop.emails["admin"], promo)
    return promo


def promotions_pulled(shop: Shop, till: SyncedTill, product_id: uuid.UUID) -> str:
    """The till takes head office's promotions as a pull brings them; the product's barcode."""
    page = pull_page(shop.engine, till.auth, "0", 5000, frozenset({MasterEntity.PROMOTION}))
    with UnitOfWork(till.demo.till.store) as uow:
        apply_changes(uow.session, [c for c in page.changes if c.entity == "promotion"])
        uow.commit()
    return next(
        c.key
        for c in pull_page(shop.engine, till.auth, "0", 5000).changes
        if c.entity == MasterEntity.BARCODE and c.data and c.data["product_id"] == str(product_id)
    )


def test_the_uplift_report_shows_what_the_sale_lines_hold(
    browser: WebDriver, dashboard: LiveDashboard, shop: Shop, tmp_path: Path
) -> None:
    product_id, sku, price = a_product(shop.engine)
    promo = buy_2_get_1(shop, product_id, "Uplift test", START)
    till = enrolled_till(shop.engine, tmp_path / "till", shop.outlet_a, "T08")
    try:
        barcode = promotions_pulled(shop, till, product_id)
        till.demo.clock.now = at(START - timedelta(days=3), 9)
        till.demo.till.shifts.open_shift(till.demo.cashier, D("100.00"))
        ring(till, at(START - timedelta(days=3)), barcode, 2)  # before: full price
        ring(till, at(START + timedelta(days=1)), barcode, 3)  # one set: one free
        ring(till, at(START + timedelta(days=2)), barcode, 4)  # one set and one more
        push(shop.engine, till)
    finally:
        till.demo.till.close()

    end = START + timedelta(days=DAYS - 1)
    browser.get(f"{dashboard.url}/ho/promotions/uplift?from={START}&to={end}")
    units, revenue, discount = independent(shop.engine, product_id, START, end)
    before = independent(
        shop.engine, product_id, START - timedelta(days=DAYS), START - timedelta(days=1)
    )
    # By hand: 7 units of which 2 free; 2 units at full price the week before.
    assert (units, revenue, discount) == (D(7), 5 * price, 2 * price)
    assert before[:2] == (D(2), 2 * price)
    shown = {
        name: figure(browser, promo.promotion_id, name)
        for name in ("units", "revenue", "discount", "units_before", "revenue_before", "uplift")
    }
    assert shown == {
        "units": "7",
        "revenue": f"{revenue:,.2f}",
        "discount": f"{discount:,.2f}",
        "units_before": "2",
        "revenue_before": f"{before[1]:,.2f}",
        "uplift": "5",
    }
    assert sku  # the product the promotion covers


JULY = date(2026, 7, 6)  # a second promotion runs 6-12 July 2026 (SGT); nothing else trades then


def test_the_uplift_is_net_of_refunds_of_the_lines_it_counts(
    browser: WebDriver, dashboard: LiveDashboard, shop: Shop, tmp_path: Path
) -> None:
    product_id, _, price = a_product(shop.engine)
    promo = buy_2_get_1(shop, product_id, "Uplift refunds", JULY)
    till = enrolled_till(shop.engine, tmp_path / "till", add_outlet(shop.engine), "T01")
    shop_till, cashier = till.demo.till, till.demo.cashier
    try:
        barcode = promotions_pulled(shop, till, product_id)
        till.demo.clock.now = at(JULY - timedelta(days=3), 9)
        shop_till.shifts.open_shift(cashier, D("100.00"))

        def refund(receipt: str, units: int, when: datetime) -> Decimal:
            till.demo.clock.now = when
            [line] = shop_till.refunds().lookup(receipt).lines
            done = shop_till.refunds().refund(
                cashier, receipt, {line.line_id: D(units)}, reason="changed mind"
            )
            return done.total

        before = ring(till, at(JULY - timedelta(days=3)), barcode, 2)  # full price
        refund(before, 1, at(JULY - timedelta(days=2)))  # one of them back: one kept
        kept_two = ring(till, at(JULY + timedelta(days=1)), barcode, 3)  # a set: one free
        # One returned: the two kept are no set and cost what was paid, so nothing goes back.
        assert refund(kept_two, 1, at(JULY + timedelta(days=2))) == D("0.00")
        all_back = ring(till, at(JULY + timedelta(days=2)), barcode, 3)
        # All three back after the promotion ended: a refund counts whenever it was made.
        assert refund(all_back, 3, at(JULY + timedelta(days=DAYS + 1))) == 2 * price
        push(shop.engine, till, at(JULY + timedelta(days=DAYS + 2)))
    finally:
        shop_till.close()

    end = JULY + timedelta(days=DAYS - 1)
    browser.get(f"{dashboard.url}/ho/promotions/uplift?from={JULY}&to={end}")
    shown = {
        name: figure(browser, promo.promotion_id, name)
        for name in ("units", "revenue", "discount", "units_before", "revenue_before", "uplift")
    }
    assert "net of refunds" in browser.find_element(By.CSS_SELECTOR, "p.muted").text
    # By hand: the kept set's two units, paid 2 x price, with two thirds of the one unit's
    # saving; the set given back counts nothing; the week before, one unit of two kept.
    assert shown == {
        "units": "2",
        "revenue": f"{2 * price:,.2f}",
        "discount": f"{(price * 2 / 3).quantize(D('0.01')):,.2f}",
        "units_before": "1",
        "revenue_before": f"{price:,.2f}",
        "uplift": "1",
    }
