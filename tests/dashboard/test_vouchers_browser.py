"""Head office's gift voucher pages in headless Chromium: an admin issues a batch and voids a
voucher; the liability page shows what is owed per batch and outlet; the flags page shows a
voucher two offline tills both took. Bad input is refused in plain words with nothing
written; an analyst may look, not issue; an outlet manager may not look."""

from __future__ import annotations

import html
import secrets
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import text

from shared.protocol import (
    PROTOCOL_VERSION,
    Event,
    EventKind,
    EventOutcome,
    PushOk,
    PushRequest,
    TillReport,
)
from shared.wire import payload_hash
from sync_service.central.ingest import apply_push
from sync_service.central.tills import TillAuth
from tests.dashboard.conftest import Shop
from tests.dashboard.support import PASSWORD, LiveDashboard, Visitor
from tests.dashboard.test_browser import click_through, signed_in_browser
from tests.dashboard.test_purchasing_pages import notice

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def browser(dashboard: LiveDashboard, shop: Shop) -> Iterator[WebDriver]:
    with signed_in_browser(dashboard.url, shop.emails["admin"], PASSWORD) as driver:
        yield driver


def fill(browser: WebDriver, form: str, name: str, value: str) -> None:
    field = browser.find_element(By.CSS_SELECTOR, f"form#{form} [name='{name}']")
    field.clear()
    field.send_keys(value)


_SEQ = iter(range(900_000 + secrets.randbelow(10_000) * 10, 10**9))


def send(shop: Shop, till: TillAuth, kind: EventKind, payload: dict[str, Any]) -> None:
    """One event as ``till`` would push it (a key of its own no genuine event uses)."""
    event = Event(
        event_id=uuid.uuid4(),
        till_id=till.till_id,
        epoch=1,
        seq=next(_SEQ),
        kind=kind.value,
        schema_version=1,
        occurred_at=datetime.now(UTC),
        payload=payload,
        payload_sha256=payload_hash(payload),
    )
    report = TillReport(
        app_version="test",
        store_revision="test",
        backlog=0,
        oldest_pending_at=None,
        sent_at=datetime.now(UTC),
    )
    request = PushRequest(protocol=PROTOCOL_VERSION, till=report, events=[event])
    result = apply_push(shop.engine, till, request, now=datetime.now(UTC))
    assert isinstance(result, PushOk)
    assert result.results[0].outcome is EventOutcome.APPLIED, result.results[0].reason


def sold(serial: str, amount: str) -> dict[str, Any]:
    return {
        "serial": serial,
        "sale_id": str(uuid.uuid4()),
        "line_id": str(uuid.uuid4()),
        "amount": amount,
        "sold_at": datetime.now(UTC).isoformat(),
    }


def redeemed(serial: str, amount: str) -> dict[str, Any]:
    return {
        "redemption_id": str(uuid.uuid4()),
        "serial": serial,
        "sale_id": str(uuid.uuid4()),
        "amount": amount,
        "redeemed_at": datetime.now(UTC).isoformat(),
    }


def test_batches_liability_and_flags_in_the_browser(
    browser: WebDriver, dashboard: LiveDashboard, shop: Shop
) -> None:
    prefix = "B" + secrets.token_hex(3).upper()[:5]
    browser.get(f"{dashboard.url}/ho/vouchers")
    fill(browser, "issue", "prefix", prefix.lower())  # typed in any case
    fill(browser, "issue", "count", "5")
    fill(browser, "issue", "face_value", "30")
    fill(browser, "issue", "expires_on", "2030-12-31")
    fill(browser, "issue", "note", "Christmas hampers")
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "form#issue button"))
    assert "The batch was issued" in notice(browser)
    row = browser.find_element(
        By.XPATH, f"//table[@id='batches']//tr[td[contains(., '{prefix}-000001')]]"
    )
    assert f"{prefix}-000005" in row.text and "30.00" in row.text and "2030-12-31" in row.text

    fill(browser, "void", "serial", f"{prefix}-000005")
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "form#void button"))
    assert "was voided" in notice(browser)
    with shop.engine.connect() as conn:
        status = conn.execute(
            text("SELECT status FROM sgpos.gift_voucher WHERE serial = :s"),
            {"s": f"{prefix}-000005"},
        ).scalar_one()
    assert status == "void"

    # Outlet A sells two; the first is then spent in full at A and, offline, at B as well.
    a, b = shop.tills["A"].till.auth, shop.tills["B"].till.auth
    first, second = f"{prefix}-000001", f"{prefix}-000002"
    send(shop, a, EventKind.VOUCHER_SOLD, sold(first, "30.00"))
    send(shop, a, EventKind.VOUCHER_SOLD, sold(second, "30.00"))
    send(shop, a, EventKind.VOUCHER_REDEEMED, redeemed(first, "30.00"))
    send(shop, b, EventKind.VOUCHER_REDEEMED, redeemed(first, "30.00"))

    browser.get(f"{dashboard.url}/ho/vouchers")
    click_through(browser, browser.find_element(By.LINK_TEXT, "Liability"))
    cells = [
        td.text
        for td in browser.find_elements(
            By.CSS_SELECTOR, f"table#liability tr[data-prefix='{prefix}'] td"
        )
    ]
    # sold 2 for 60.00; 60.00 redeemed; the second voucher's 30.00 is still owed.
    assert cells == [prefix, "30.00", "2", "60.00", "60.00", "30.00", "0.00"]
    outlets = browser.find_element(By.ID, "by_outlet").text
    assert shop.outlet_a.code in outlets and shop.outlet_b.code in outlets

    click_through(browser, browser.find_element(By.LINK_TEXT, "Flags"))
    flag = [
        td.text
        for td in browser.find_elements(
            By.CSS_SELECTOR, f"table#flags tr[data-serial='{first}'] td"
        )
    ]
    assert flag == [first, "over-redeemed", "30.00", "30.00", "60.00", "30.00", "2"]
    assert not browser.find_elements(By.CSS_SELECTOR, f"table#flags tr[data-serial='{second}']")
    assert "flagged" in browser.find_element(By.ID, "flag_count").text


def test_bad_batches_are_refused_in_plain_words_and_nothing_is_written(
    signed_in: Callable[[str], Visitor], shop: Shop
) -> None:
    admin = signed_in("admin")
    token = admin.csrf_token()
    good = {"prefix": "BADX", "count": "10", "face_value": "50", "expires_on": "2030-01-01"}
    cases = {
        ("prefix", "9LIVES"): "is not a series prefix",
        ("count", "0"): "a whole number of vouchers from 1 to 10000",
        ("count", "20000"): "a whole number of vouchers from 1 to 10000",
        ("face_value", "fifty"): "type the amount in dollars",
        ("face_value", "0.001"): "a value from $0.01",
        ("expires_on", "2001-01-01"): "that date has passed",
        ("expires_on", "31/12/2030"): "a date like 2027-12-31",
    }
    for (field, value), words in cases.items():
        page = admin.post("/ho/vouchers", {**good, field: value}, token=token)
        assert page.status == 400, (field, value, page.status)
        assert words in html.unescape(page.text), (field, words)
    page = admin.post("/ho/vouchers/void", {"serial": "BADX-000001"}, token=token)
    assert page.status == 400 and "no gift voucher BADX-000001 was issued" in page.text
    with shop.engine.connect() as conn:
        assert not conn.execute(
            text("SELECT count(*) FROM sgpos.voucher_batch WHERE prefix = 'BADX'")
        ).scalar()


def test_an_analyst_may_look_but_not_issue_and_an_outlet_manager_may_not_look(
    signed_in: Callable[[str], Visitor], shop: Shop
) -> None:
    analyst = signed_in("analyst")
    assert analyst.get("/ho/vouchers").status == 200
    assert analyst.get("/ho/vouchers/liability").status == 200
    answer = analyst.post(
        "/ho/vouchers",
        {"prefix": "SNEAKY", "count": "5", "face_value": "500"},
        token=analyst.csrf_token(),
    )
    assert answer.status in (403, 404)
    manager = signed_in("manager_a")
    assert manager.get("/ho/vouchers/flags").status in (403, 404)
    with shop.engine.connect() as conn:
        assert not conn.execute(
            text("SELECT count(*) FROM sgpos.voucher_batch WHERE prefix = 'SNEAKY'")
        ).scalar()
