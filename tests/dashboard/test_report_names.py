"""Ids in audit records and stock movements shown as names and receipt numbers with links,
never naming another outlet's things to an outlet manager."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select, text

from shared.cart import ApprovalNeeded, Discount
from shared.demo_catalogue import DEMO_STAFF
from shared.tender import Tender, TenderType
from sync_service.central.reports.common import Scope
from sync_service.central.reports.names import ids_in, key_of, names
from tests.central import add_outlet, enrolled_till
from tests.dashboard.conftest import Shop
from tests.dashboard.report_support import ReportShop, build_shop, one, push_all
from tests.dashboard.support import Visitor
from till.store.models import Product

pytestmark = pytest.mark.postgres
SignIn = Callable[[str], Visitor]


@pytest.fixture(scope="module")
def traded(
    dashboard_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportShop]:
    built = build_shop(dashboard_engine, tmp_path_factory.mktemp("report-names"))
    yield built
    built.close()


def test_every_kind_of_id_is_named_and_linked(traded: ReportShop) -> None:
    engine = traded.engine
    sale_id, receipt, line_id, line_name, product_id, cashier = one(
        engine,
        "SELECT s.sale_id, s.receipt_no, l.line_id, l.name, l.product_id, s.cashier_id "
        "FROM sgpos.sale s JOIN sgpos.sale_line l USING (sale_id) WHERE s.outlet_id = :o "
        "ORDER BY s.sold_at LIMIT 1",
        o=traded.outlet_a.outlet_id,
    )
    refund_id, refund_no, shift_id = one(
        engine,
        "SELECT refund_id, receipt_no, shift_id FROM sgpos.refund WHERE outlet_id = :o",
        o=traded.outlet_a.outlet_id,
    )
    till_id = traded.till_a.auth.till_id
    outlet_id = traded.outlet_a.outlet_id
    unknown = uuid.uuid4()
    every = [sale_id, line_id, product_id, cashier, refund_id, shift_id, till_id, outlet_id]
    with engine.connect() as conn:
        found = names(conn, traded.both, [*every, unknown])
    assert set(found) == {str(i) for i in every}  # nothing made up for an unknown id
    assert found[str(sale_id)].label == f"sale {receipt}"
    assert found[str(sale_id)].link == f"/ho/sales/{sale_id}"
    assert found[str(line_id)].label == f"{line_name} on {receipt}"
    assert found[str(refund_id)].label == f"refund {refund_no}"
    assert found[str(product_id)].link == f"/ho/catalogue/products/{product_id}"
    assert found[str(cashier)].kind == "staff"
    assert found[str(cashier)].link == f"/ho/staff/{cashier}"
    assert found[str(shift_id)].label.startswith(f"shift on {traded.outlet_a.code}-T01 opened ")
    assert found[str(till_id)].label == f"till {traded.outlet_a.code}-T01"
    assert found[str(outlet_id)].label.startswith(traded.outlet_a.code)
    # A refund's stock movement source is "<refund id>:<line>": named as the refund.
    assert ids_in([f"{refund_id}:0", {"approved_by": str(cashier)}]) == {refund_id, cashier}
    assert key_of(f"{refund_id}:0") == str(refund_id)


def test_an_outlet_manager_gets_no_name_for_another_outlets_things(traded: ReportShop) -> None:
    sale_id, shift_id = one(
        traded.engine,
        "SELECT sale_id, shift_id FROM sgpos.sale WHERE outlet_id = :o LIMIT 1",
        o=traded.outlet_b.outlet_id,
    )
    with traded.engine.connect() as conn:
        found = names(
            conn,
            Scope.outlet(traded.outlet_a.outlet_id),
            [sale_id, shift_id, traded.till_b.auth.till_id, traded.outlet_b.outlet_id],
        )
    assert found == {}


def test_the_audit_trail_shows_receipts_and_people_not_ids(signed_in: SignIn, shop: Shop) -> None:
    page = signed_in("analyst").get("/ho/audit", source="till", size="500")
    assert page.status == 200
    body = page.text[page.text.index('<table class="audit') :]
    assert re.search(r'<a href="/ho/sales/[0-9a-f-]{36}" title="[^"]+">sale ', body)
    assert re.search(r'<a href="/ho/shifts\?till=[^"]+" title="[0-9a-f-]{36}">shift on ', body)
    assert re.search(r'<a href="/ho/catalogue/products/[0-9a-f-]{36}" title="[^"]+">', body)
    bare = re.findall(r"<td>(\w{8}-\w{4}-\w{4}-\w{4}-\w{12})</td>", body)
    assert bare == []  # no subject left as a bare id


def test_a_products_stock_movements_link_to_the_receipts(signed_in: SignIn, shop: Shop) -> None:
    outlet = shop.outlet_a.outlet_id
    (product_id,) = one(
        shop.engine,
        "SELECT l.product_id FROM sgpos.sale_line l JOIN sgpos.sale s USING (sale_id) "
        "WHERE s.outlet_id = :o AND l.product_id <> :x GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        o=outlet,
        x=shop.script_product_id,
    )
    page = signed_in("analyst").get(f"/ho/stock/{outlet}/{product_id}")
    assert page.status == 200
    receipts = re.findall(r'<a href="/ho/sales/([0-9a-f-]{36})" title="[0-9a-f-]{36}">', page.text)
    (sold_in,) = one(
        shop.engine,
        "SELECT count(DISTINCT s.sale_id) FROM sgpos.sale_line l JOIN sgpos.sale s "
        "USING (sale_id) WHERE s.outlet_id = :o AND l.product_id = :p",
        o=outlet,
        p=product_id,
    )
    assert len(set(receipts)) == sold_in > 0
    assert f'href="/ho/catalogue/products/{product_id}"' in page.text


@pytest.fixture(scope="module")
def approved_sale(
    shop: Shop, dashboard_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> tuple[uuid.UUID, uuid.UUID]:
    """A sale of its own, at an outlet of its own (the shop's figures stay the simulated
    days'), whose line a manager discounted beyond the cashier's limit: the simulated days
    may or may not have one."""
    outlet = add_outlet(dashboard_engine)
    with dashboard_engine.begin() as conn:
        conn.execute(
            text("INSERT INTO sgpos.staff_outlet (staff_id, outlet_id) VALUES (:s, :o)"),
            [{"s": s.staff_id, "o": outlet.outlet_id} for s in DEMO_STAFF],
        )
    till = enrolled_till(dashboard_engine, tmp_path_factory.mktemp("approved"), outlet, "T01")
    try:
        till.demo.clock.now = shop.day_a
        till.demo.till.shifts.open_shift(till.demo.cashier, Decimal("100.00"))
        checkout = till.demo.till.checkout(till.demo.cashier)
        with till.demo.till.store.read() as s:
            ids = s.scalars(select(Product.product_id).order_by(Product.sku)).all()
        found = (till.demo.till.catalogue.by_id(i) for i in ids)
        product = next(p for p in found if p is not None and not p.weighed and p.unit_price > 5)
        line = checkout.add(product, Decimal(2))
        with pytest.raises(ApprovalNeeded):
            checkout.discount_line(line.line_id, Discount(percent=Decimal(30)))
        checkout.discount_line(
            line.line_id, Discount(percent=Decimal(30)), approved_by=till.demo.manager
        )
        done = checkout.complete([Tender(TenderType.CASH, checkout.cash_due() + 50)])
        push_all(dashboard_engine, till)
    finally:
        till.demo.till.close()
    return uuid.UUID(str(done.sale_id)), uuid.UUID(str(till.demo.manager.staff_id))


def test_a_sale_names_who_approved_its_discounted_lines(
    signed_in: SignIn, shop: Shop, approved_sale: tuple[uuid.UUID, uuid.UUID]
) -> None:
    sale_id, approver = approved_sale
    (name,) = one(
        shop.engine, "SELECT display_name FROM sgpos.staff WHERE staff_id = :s", s=approver
    )
    page = signed_in("analyst").get(f"/ho/sales/{sale_id}")
    assert page.status == 200
    approved = re.findall(r'<div class="muted" data-approved-by>approved by (.*?)</div>', page.text)
    assert len(approved) == 1
    assert f'href="/ho/staff/{approver}"' in approved[0] and name in approved[0]
    assert str(approver) not in re.sub(r'"[^"]*"', "", approved[0])  # a name, not an id
