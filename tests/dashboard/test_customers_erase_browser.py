"""Erasing a customer on request, in a real browser, on a head office of its own: the erasure
must not take the member away from the list and detail tests (tests never share leftovers)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import select, text

from shared.protocol import Event, EventKind, EventOutcome
from shared.wire import payload_hash
from sync_service.central.tills import TillAuth
from tests.dashboard.test_customers_browser import (  # module-scoped: this module's own
    browser,
    downloads,
    head_office,
    member,
    shown,
)
from tests.security.world import push as push_events
from till.store.models import OutboxEvent

pytestmark = pytest.mark.postgres
__all__ = ["browser", "downloads", "head_office", "member"]


def test_erasing_on_request_keeps_the_sales_and_points_and_a_till_cannot_bring_it_back(
    browser: WebDriver, head_office: Any, member: dict[str, Any]
) -> None:
    card = member["card"]
    browser.get(f"{head_office.central.url}/ho/customers/{card.customer_id}")
    browser.find_element(By.ID, "anonymise").click()  # not ticked: refused, nothing erased
    assert "tick the box" in shown(browser, "p.problem")
    browser.get(f"{head_office.central.url}/ho/customers/{card.customer_id}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Lim Trading Pte Ltd"

    browser.find_element(By.ID, "confirm-erase").click()
    browser.find_element(By.ID, "anonymise").click()

    assert "erased" in shown(browser, "p.notice")
    assert browser.find_element(By.TAG_NAME, "h1").text == "(anonymised)"
    page = browser.page_source
    for personal in ("Lim", "4567", "201912345K", "Shenton", str(card.member_no)):
        assert personal not in page, personal
    assert member["receipt_no"] in browser.find_element(By.ID, "purchases").text
    assert browser.find_element(By.CSS_SELECTOR, "[data-figure='points']").text == str(
        member["points"]
    )

    # The till still has its copy and sends it again (say, after a restore): nothing returns.
    agent_till = head_office.tills[0]
    with agent_till.store() as store, store.read() as s:
        sent = s.scalars(select(OutboxEvent).where(OutboxEvent.kind == "customer.upserted"))
        payload = json.loads(sent.one().payload)
    again = Event(
        event_id=uuid.uuid4(),
        till_id=uuid.UUID(agent_till.till_id),
        epoch=1,
        seq=1_000_000,
        kind=EventKind.CUSTOMER_UPSERTED,
        schema_version=1,
        occurred_at=datetime.now(UTC),
        payload=payload,
        payload_sha256=payload_hash(payload),
    )
    with head_office.engine.connect() as conn:
        outlet_id = conn.execute(
            text("SELECT outlet_id FROM sgpos.outlet WHERE code = :c"),
            {"c": agent_till.outlet_code},
        ).scalar_one()
    auth = TillAuth(again.till_id, outlet_id, agent_till.outlet_code, agent_till.till_code)
    (answer,) = push_events(head_office.engine, auth, [again]).results
    assert answer.outcome is EventOutcome.APPLIED
    with head_office.engine.connect() as conn:
        row = conn.execute(
            text("SELECT name, phone, member_no FROM sgpos.customer WHERE customer_id = :c"),
            {"c": card.customer_id},
        ).one()
    assert tuple(row) == (None, None, None)
