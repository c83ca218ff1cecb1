""" "Next page" to the very last page, on every paged page: 1,250 sales, 1,250 products in stock
and 1,250 till audit records (issue: the page links were refused as too long, so only the first
page could be reached).

Rows share sort keys on purpose (three sales a minute, five products per name, two audit
records per moment), and product names are 120 characters of Chinese, which makes the longest
page links there are. Walking the "Next page" links must show every row exactly once.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import Engine, text

from sync_service.central.db import CentralSettings
from sync_service.central.tills import create_enrolment_code, enrol
from sync_service.central.users import create_user
from sync_service.server.app import make_app
from tests.central import add_outlet
from tests.dashboard.admin_support import private_central
from tests.dashboard.support import PASSWORD, LiveDashboard, Visitor

pytestmark = pytest.mark.postgres

ROWS = 1250
NAME = "海南鸡饭配咖啡乌" * 14  # 112 characters, before a number


@dataclass
class Paged:
    engine: Engine
    visitor: Visitor
    outlet_id: uuid.UUID
    till_id: uuid.UUID


@pytest.fixture(scope="module")
def paged(pg_server: str) -> Iterator[Paged]:
    with private_central(pg_server) as engine:
        outlet = add_outlet(engine)
        now = datetime.now(UTC)
        code = create_enrolment_code(
            engine, outlet_code=outlet.code, till_code="T01", created_by="test", now=now
        )
        till_id = enrol(engine, code=code, now=now).till_id
        email = f"pager-{uuid.uuid4().hex[:6]}@example.com"
        create_user(engine, email=email, password=PASSWORD, role="admin", outlet_code=None)
        _fill(engine, outlet.outlet_id, outlet.code, till_id)
        settings = CentralSettings.load(
            central_db_url=engine.url.render_as_string(hide_password=False), db_pool_size=2
        )
        server = LiveDashboard(make_app(settings, engine))
        visitor = server.visitor()
        try:
            assert visitor.sign_in(email).status == 303
            yield Paged(engine, visitor, outlet.outlet_id, till_id)
        finally:
            visitor.close()
            server.close()


def _fill(engine: Engine, outlet_id: uuid.UUID, outlet_code: str, till_id: uuid.UUID) -> None:
    values = {"o": outlet_id, "t": till_id, "code": outlet_code, "rows": ROWS, "name": NAME}
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL sgpos.actor = 'paging-tests'"))
        conn.execute(
            text(
                "INSERT INTO sgpos.sale (sale_id, till_id, outlet_id, receipt_no, shift_id, "
                "cashier_id, sold_at, business_date, subtotal, discount_total, total, gst_total, "
                "rounding, change) "
                "SELECT gen_random_uuid(), :t, :o, :code || '-T01-' || lpad(n::text, 6, '0'), "
                "gen_random_uuid(), gen_random_uuid(), "
                "timestamptz '2025-06-01 01:00+00' + (n / 3) * interval '1 minute', "
                "date '2025-06-01', 1.00, 0, 1.00, 0.08, 0, 0 FROM generate_series(1, :rows) n"
            ),
            values,
        )
        conn.execute(
            text(
                "INSERT INTO sgpos.product (product_id, sku, name, price, tax_code, weighed, "
                "active) SELECT gen_random_uuid(), 'PG-' || n || '-' || :code, "
                ":name || (n % 250), 1.00, 'SR', false, true FROM generate_series(1, :rows) n"
            ),
            values,
        )
        conn.execute(
            text(
                "INSERT INTO sgpos.stock_on_hand (outlet_id, product_id, quantity) "
                "SELECT :o, product_id, 3 FROM sgpos.product WHERE sku LIKE 'PG-%-' || :code"
            ),
            values,
        )
        conn.execute(
            text(
                "INSERT INTO sgpos.audit_record (till_id, epoch, seq, occurred_at, actor, action, "
                "subject, before, after, prev_hash, hash) "
                "SELECT :t, 1, n, to_char((timestamptz '2025-06-01 01:00+00' + (n / 2) * "
                "interval '1 second') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
                "NULL, 'sale.completed', 'receipt ' || n, NULL, NULL, repeat('0', 64), "
                "repeat('1', 64) FROM generate_series(1, :rows) n"
            ),
            values,
        )


def walk(visitor: Visitor, path: str, row: str, **params: str) -> tuple[list[str], int]:
    """Every row shown by following "Next page" from the first page; the longest link."""
    shown: list[str] = []
    url: str | None = f"{path}?{urlencode(params)}"
    longest = 0
    for _ in range(400):
        if url is None:
            return shown, longest
        page = visitor.get(url)
        assert page.status == 200, f"{url[:200]}: {page.status} {page.text[:300]}"
        shown += re.findall(row, page.text)
        link = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        url = html.unescape(link.group(1)) if link else None
        if url is not None:
            longest = max(longest, len(parse_qs(urlsplit(url).query)["after"][0]))
    raise AssertionError("more than 400 pages: the links go round in circles")


def ids(engine: Engine, sql: str, **params: object) -> set[str]:
    with engine.connect() as conn:
        return {str(v) for v in conn.execute(text(sql), params).scalars()}


def test_every_sale_is_reached_page_by_page(paged: Paged) -> None:
    shown, _ = walk(paged.visitor, "/ho/sales", r'data-sale="([^"]+)"')
    assert len(shown) == ROWS and set(shown) == ids(paged.engine, "SELECT sale_id FROM sgpos.sale")
    bigger, _ = walk(paged.visitor, "/ho/sales", r'data-sale="([^"]+)"', size="200")
    assert bigger == shown  # the same order, whatever the page size


def test_every_product_in_stock_is_reached_page_by_page(paged: Paged) -> None:
    shown, longest = walk(paged.visitor, "/ho/stock", r'data-product="([^"]+)"')
    expected = ids(
        paged.engine,
        "SELECT product_id FROM sgpos.stock_on_hand WHERE outlet_id = :o",
        o=paged.outlet_id,
    )
    assert len(shown) == ROWS and set(shown) == expected
    assert longest > 400  # the links the old 100-character limit refused


def test_every_audit_record_is_reached_page_by_page(paged: Paged) -> None:
    shown, _ = walk(paged.visitor, "/ho/audit", r'data-record="([^"]+)"', source="till")
    assert len(shown) == ROWS and len(set(shown)) == ROWS
    assert {s.split("/")[0] for s in shown} == {str(paged.till_id)}
    # Till records and head-office edits together (the products added above are edits too).
    everything, _ = walk(paged.visitor, "/ho/audit", r'data-audit="(\w+)"')
    edits = ids(paged.engine, "SELECT audit_id FROM sgpos.ho_audit")
    assert everything.count("till") == ROWS and everything.count("head_office") == len(edits)
