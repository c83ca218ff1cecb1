"""The GST F5 worksheet in a real browser against a real ``sgpos-central serve`` with two tills
that rang a day of sales: boxes 1 to 4 and 6 equal sums computed here from the sale and refund
lines of the quarter, the boxes the POS cannot know are blank on the page and empty in the
CSV and Excel files, and a badly written quarter is refused with what to write instead."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from shared.gst import SINGAPORE
from sync_service.central.reports.gst_f5 import Quarter
from tests.dashboard.test_browser import (
    _downloaded,
    fits,
    money,
    outlet_ids,
    shots,
    signed_in_browser,
    sql,
)
from tests.migrations.central_support import fresh_database

pytestmark = pytest.mark.postgres

BLANK = (5, 7, 8, 9, 10, 11, 12, 13)


@pytest.fixture(scope="module")
def head_office(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    day = datetime.now(SINGAPORE).date()
    with (
        fresh_database(pg_server) as url,
        shots.demo_head_office(url, tmp_path_factory.mktemp("f5"), day=day) as shop,
    ):
        yield shop


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("f5-downloads")


@pytest.fixture(scope="module")
def browser(head_office: Any, downloads: Path) -> Iterator[WebDriver]:
    with signed_in_browser(
        head_office.central.url, head_office.admin_email, downloads=downloads
    ) as driver:
        yield driver


def expected(head_office: Any, reg_no: str, quarter: Quarter) -> dict[int, Decimal]:
    """Boxes 1, 2, 3, 4 and 6 of ``reg_no``'s outlets, from the lines themselves."""
    period = quarter.period
    figures = """
        SELECT coalesce(sum(l.amount - l.gst) FILTER (WHERE l.tax_code = 'SR'), 0),
               coalesce(sum(l.amount - l.gst) FILTER (WHERE l.tax_code = 'ZR'), 0),
               coalesce(sum(l.amount - l.gst) FILTER (WHERE l.tax_code = 'ES'), 0),
               coalesce(sum(l.gst), 0)
        FROM sgpos.{lines} l JOIN sgpos.{doc} d USING ({key})
        JOIN sgpos.outlet o ON o.outlet_id = d.outlet_id
        WHERE o.gst_reg_no = :r AND d.business_date BETWEEN :a AND :b
    """
    sold = sql(
        head_office,
        figures.format(lines="sale_line", doc="sale", key="sale_id"),
        r=reg_no,
        a=period.start,
        b=period.end,
    )
    back = sql(
        head_office,
        figures.format(lines="refund_line", doc="refund", key="refund_id"),
        r=reg_no,
        a=period.start,
        b=period.end,
    )
    box1, box2, box3, box6 = (s - r for s, r in zip(sold, back, strict=True))
    return {1: box1, 2: box2, 3: box3, 4: box1 + box2 + box3, 6: box6}


def registrations(head_office: Any) -> list[str]:
    found = []
    for outlet_id in outlet_ids(head_office).values():
        (reg_no,) = sql(
            head_office, "SELECT gst_reg_no FROM sgpos.outlet WHERE outlet_id = :o", o=outlet_id
        )
        if reg_no is not None:
            found.append(reg_no)
    return sorted(set(found))


def test_the_worksheet_shows_the_quarters_boxes_and_leaves_the_rest_blank(
    browser: WebDriver, head_office: Any
) -> None:
    quarter = Quarter.of(head_office.day)
    browser.get(f"{head_office.central.url}/ho/gst")
    browser.find_element(By.ID, "gst-f5").click()  # reached from the GST report
    browser.get(f"{head_office.central.url}/ho/gst/f5?quarter={quarter}")
    regs = registrations(head_office)
    assert regs, "the demo has a GST-registered outlet"
    for reg_no in regs:
        want = expected(head_office, reg_no, quarter)
        assert want[1] > 0 and want[6] > 0
        section = browser.find_element(By.CSS_SELECTOR, f"section[data-return='{reg_no}']")
        shown = {
            int(row.get_attribute("data-box") or 0): row.find_element(By.CSS_SELECTOR, "td.num")
            for row in section.find_elements(By.CSS_SELECTOR, "tr[data-box]")
        }
        assert sorted(shown) == list(range(1, 14))  # every box of the form, in its order
        for box, amount in want.items():
            assert money(shown[box].text) == amount, f"box {box}"
        for box in BLANK:
            assert shown[box].text == "" and shown[box].find_elements(By.CSS_SELECTOR, ".blank")
    # Toa Payoh is not registered: named, with no return of its own.
    assert "Not GST-registered" in browser.find_element(By.TAG_NAME, "main").text


def test_the_csv_and_excel_hold_the_page_figures_and_empty_boxes(
    browser: WebDriver, head_office: Any, downloads: Path
) -> None:
    quarter = Quarter.of(head_office.day)
    browser.get(f"{head_office.central.url}/ho/gst/f5?quarter={quarter}")
    browser.find_element(By.ID, "f5-csv").click()
    exported = _downloaded(downloads, ".csv", prefix="gst-f5-worksheet-")
    assert exported.name == f"gst-f5-worksheet-{quarter}.csv"
    rows = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    browser.find_element(By.ID, "f5-xlsx").click()
    workbook = load_workbook(_downloaded(downloads, ".xlsx", prefix="gst-f5-worksheet-"))
    sheet = list(workbook.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert len(sheet) == len(rows)
    for reg_no in registrations(head_office):
        want = expected(head_office, reg_no, quarter)
        in_csv = {int(r[2]): r[4] for r in rows[1:] if r[0] == reg_no}
        in_xlsx = {int(str(r[2])): r[4] for r in sheet[1:] if r[0] == reg_no}
        for box, amount in want.items():
            assert Decimal(in_csv[box]) == amount
            assert Decimal(str(in_xlsx[box])) == amount
        assert all(in_csv[b] == "" and in_xlsx[b] is None for b in BLANK)


@pytest.mark.parametrize("size", [(390, 844), (1366, 768)])
def test_the_worksheet_fits_a_phone_and_a_laptop(
    browser: WebDriver, head_office: Any, size: tuple[int, int]
) -> None:
    browser.set_window_size(*size)
    try:
        browser.get(f"{head_office.central.url}/ho/gst/f5?quarter={Quarter.of(head_office.day)}")
        assert browser.find_elements(By.CSS_SELECTOR, "tr[data-box]")
        assert fits(browser)  # no sideways scroll: on a phone each box is a card
    finally:
        browser.set_window_size(shots.WIDTH, shots.HEIGHT)


def test_a_quarter_written_wrongly_is_refused_with_how_to_write_it(
    browser: WebDriver, head_office: Any
) -> None:
    browser.get(f"{head_office.central.url}/ho/gst/f5?quarter=2024-Q5")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "e.g. 2024-Q1" in body


def test_the_worksheet_needs_a_sign_in(head_office: Any) -> None:
    url = f"{head_office.central.url}/ho/gst/f5.csv?quarter=2024-Q1"
    opener = urllib.request.build_opener(_NoRedirect())
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(url, timeout=10)
    assert refused.value.code in (302, 303, 401)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
