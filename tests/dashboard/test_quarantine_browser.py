"""The quarantine workflow end to end in a real browser: a real till (``sgpos-sync once`` as its
own process) sends a different sale under a receipt number it already used; the real server
keeps it aside; an admin sees it beside the stored sale in Chromium and accepts it under a new
receipt number; the sale is counted at head office and the till, at its next sync, shows the
decision and is in sync again."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import select

from shared.gst import SINGAPORE
from shared.protocol import EventKind
from tests.dashboard.test_browser import click_through, fits, shots, signed_in_browser, sql
from tests.e2e.test_agent_against_server import sgpos_sync
from tests.migrations.central_support import fresh_database
from till.store.models import OutboxEvent
from till.store.uow import UnitOfWork

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def head_office(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    day = datetime.now(SINGAPORE).date()
    with (
        fresh_database(pg_server) as url,
        shots.demo_head_office(url, tmp_path_factory.mktemp("quarantine"), day=day) as shop,
    ):
        yield shop


@pytest.fixture(scope="module")
def browser(head_office: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with signed_in_browser(
        head_office.central.url,
        head_office.admin_email,
        downloads=tmp_path_factory.mktemp("quarantine-downloads"),
    ) as driver:
        yield driver


def reuse_a_receipt_number(till: Any) -> tuple[str, dict[str, Any]]:
    """Queue at the till a different sale under its first sale's number; its event id and
    payload."""
    with till.opened() as opened:
        with opened.store.read() as s:
            first = s.scalars(
                select(OutboxEvent.payload)
                .where(OutboxEvent.kind == EventKind.SALE_COMPLETED.value)
                .order_by(OutboxEvent.seq)
            ).first()
        assert first is not None
        body = json.loads(first)
        body["sale_id"] = str(uuid.uuid4())
        body["lines"] = [{**x, "line_id": str(uuid.uuid4())} for x in body["lines"]]
        with UnitOfWork(opened.store) as uow:
            at = datetime.now(UTC)
            event_id = uow.emit(EventKind.SALE_COMPLETED, functools.partial(dict, body), at)
            uow.commit()
    return event_id, body


def test_an_admin_accepts_a_reused_number_and_the_till_learns_it(
    browser: WebDriver, head_office: Any
) -> None:
    till = head_office.tills[0]
    event_id, sale = reuse_a_receipt_number(till)
    sent = sgpos_sync(till.data_dir, "once")
    assert sent.returncode == 3, sent.stderr  # everything sent; one event kept aside
    (held,) = sql(
        head_office, "SELECT quarantine_id FROM sgpos.quarantine WHERE event_id = :e", e=event_id
    )

    browser.set_window_size(390, 844)  # on a phone, as an owner would
    browser.get(f"{head_office.central.url}/ho/fleet/tills/{till.till_id}")
    panel = browser.find_element(By.CSS_SELECTOR, f"section[data-quarantine='{held}']")
    assert "is already stored for another event" in panel.text
    differing = {
        row.find_element(By.TAG_NAME, "th").text
        for row in panel.find_elements(By.CSS_SELECTOR, "table.side-by-side tr.negative")
    }
    assert "Sale id" in differing  # the same number, another sale
    assert fits(browser)
    click_through(browser, panel.find_element(By.ID, f"accept-{held}"))
    browser.set_window_size(shots.WIDTH, shots.HEIGHT)
    notice = browser.find_element(By.CSS_SELECTOR, ".notice").text
    assert "accepted under a new receipt number" in notice
    number = f"{sale['receipt_no']}-R1"
    panel = browser.find_element(By.CSS_SELECTOR, f"section[data-quarantine='{held}']")
    resolution = panel.find_element(By.CSS_SELECTOR, "[data-resolution]").text
    assert head_office.admin_email in resolution and number in resolution
    (total,) = sql(head_office, "SELECT total FROM sgpos.sale WHERE receipt_no = :n", n=number)
    assert str(total) == sale["total"]

    synced = sgpos_sync(till.data_dir, "once")
    assert synced.returncode == 0, synced.stderr  # decided: in sync again
    status = json.loads(sgpos_sync(till.data_dir, "status").stdout)
    decided = {q["event_id"]: q["decision"] for q in status["quarantined"]}
    assert decided[event_id] == f"accepted by head office as receipt {number}"
    assert status["undecided_count"] == 0
