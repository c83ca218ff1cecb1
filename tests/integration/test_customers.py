"""Members and business customers on a real till store: found, enrolled with consent, attached
to a sale, and the business customer's full tax invoice as an A4 PDF read back as text."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from shared.protocol import CustomerUpsertedV1, EventKind, SaleCompletedV1
from shared.receipt import ReceiptKind, missing_particulars
from shared.tender import Tender, TenderType
from tests.integration.test_checkout import standard_barcodes
from tests.tills import DemoTill, demo_till
from till.printing.pdf import tax_invoice_pdf
from till.services.context import CashierError
from till.services.customers import CustomerCard, NewMember
from till.store.models import AuditRecord, Customer, OutboxEvent, Sale

D = Decimal
BUSINESS = NewMember(
    name="Lim Ah Kow",
    mobile="+65 9123-4567",
    email="accounts@limtrading.example",
    consent_contact=True,
    company_name="Lim Trading Pte Ltd",
    uen="201912345K",
    address_lines=("8 Shenton Way #30-01", "Singapore 068811"),
    gst_reg_no="201912345K",
)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[DemoTill]:
    t = demo_till(tmp_path / "till")
    t.till.shifts.open_shift(t.cashier, D("100.00"))
    yield t
    t.till.close()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def outbox(shop: DemoTill, kind: EventKind) -> list[dict[str, object]]:
    with shop.till.store.read() as s:
        rows = s.scalars(select(OutboxEvent.payload).where(OutboxEvent.kind == kind.value))
        return [json.loads(r) for r in rows]


def test_a_member_is_found_by_mobile_however_typed_by_member_number_and_by_name(
    shop: DemoTill,
) -> None:
    customers = shop.till.customers()
    card = customers.enrol(BUSINESS, shop.cashier)

    profile = shop.till.profile
    assert card.member_no == f"M-{profile.outlet.code}-{profile.till_code}-00001"
    for typed in ("91234567", "9123 4567", "+6591234567", "65 9123 4567"):
        assert [c.customer_id for c in customers.find(typed)] == [card.customer_id], typed
    assert customers.find(card.member_no.lower()) == [card]
    assert customers.find("lim trad") == [card]  # the company name
    assert customers.find("ah kow") == [card]  # the person's name
    assert customers.find("81234567") == []
    assert customers.find("Nobody") == []


def test_enrolment_records_consent_and_queues_the_member_once(shop: DemoTill) -> None:
    card = shop.till.customers().enrol(BUSINESS, shop.cashier)

    with shop.till.store.read() as s:
        row = s.get(Customer, card.customer_id)
        assert row is not None
        assert row.phone == "+6591234567"
        assert row.consent_contact and not row.consent_marketing
        assert row.consent_by == shop.cashier.staff_id
        assert row.consent_at is not None and row.consent_purpose
        actions = list(s.scalars(select(AuditRecord.action)))
    assert actions.count("customer.enrolled") == 1
    [event] = outbox(shop, EventKind.CUSTOMER_UPSERTED)
    sent = CustomerUpsertedV1.model_validate_json(json.dumps(event))
    assert sent.member_no == card.member_no
    assert sent.uen == "201912345K"
    assert sent.address_lines == ["8 Shenton Way #30-01", "Singapore 068811"]
    assert str(sent.consent_by) == shop.cashier.staff_id
    assert not sent.consent_marketing  # a separate opt-in, off unless ticked


@pytest.mark.parametrize(
    ("new", "words"),
    [
        (NewMember(name="Tan S1234567D"), "NRIC"),
        (NewMember(name="Tan", company_name="F 1234567 N Pte", address_lines=("1 Rd",)), "NRIC"),
        (NewMember(name="Tan", mobile="91234567"), "consent"),
        (NewMember(name="Tan", consent_marketing=True), "marketing needs"),
        (NewMember(name="Tan", mobile="61234567", consent_contact=True), "start with 8 or 9"),
        (NewMember(name="Tan", mobile="+60 12 345 6789", consent_contact=True), "Singapore"),
        (NewMember(name="Tan", company_name="Tan Pte Ltd"), "address"),
        (
            NewMember(name="Tan", company_name="Tan Pte", address_lines=("1 Rd",), uen="12"),
            "not a UEN",
        ),
        (NewMember(name="  "), "name"),
    ],
)
def test_bad_details_are_refused_with_what_to_do(
    shop: DemoTill, new: NewMember, words: str
) -> None:
    with pytest.raises(CashierError, match=words):
        shop.till.customers().enrol(new, shop.cashier)
    with shop.till.store.read() as s:
        assert s.scalars(select(Customer)).first() is None
    assert outbox(shop, EventKind.CUSTOMER_UPSERTED) == []


def test_the_same_mobile_is_not_enrolled_twice(shop: DemoTill) -> None:
    first = shop.till.customers().enrol(BUSINESS, shop.cashier)
    with pytest.raises(CashierError, match=f"already member {first.member_no}"):
        shop.till.customers().enrol(
            NewMember(name="Someone", mobile="91234567", consent_contact=True), shop.cashier
        )


def mixed_sale(shop: DemoTill, customer: CustomerCard | None) -> str:
    """Two standard-rated items, a zero-rated export carton and an exempt gold bar."""
    checkout = shop.till.checkout(shop.cashier)
    for code in standard_barcodes(shop.till.store, 2):
        checkout.scan(code)
    for name in ("Export Order Carton", "Investment Gold Bar"):
        [product] = shop.till.catalogue.search(name, limit=1)
        checkout.add(product)
    if customer is not None:
        checkout.attach_customer(customer)
    done = checkout.complete([Tender(TenderType.CARD, checkout.totals().total, reference="A1")])
    return done.receipt_no


def test_a_business_customers_sale_prints_a_full_tax_invoice_with_every_reg_11_particular(
    shop: DemoTill,
) -> None:
    card = shop.till.customers().enrol(BUSINESS, shop.cashier)
    number = mixed_sale(shop, card)

    with shop.till.store.read() as s:
        sale = s.scalars(select(Sale).where(Sale.receipt_no == number)).one()
        assert sale.customer_id == card.customer_id
    [event] = outbox(shop, EventKind.SALE_COMPLETED)
    assert SaleCompletedV1.model_validate_json(json.dumps(event)).customer_id is not None
    invoice = shop.till.receipts().tax_invoice(number)
    assert invoice.kind is ReceiptKind.FULL_TAX_INVOICE
    assert missing_particulars(invoice) == []

    text = pdf_text(tax_invoice_pdf(invoice))

    flat = " ".join(text.split())
    supplier = invoice.supplier
    sr = [line for line in invoice.lines if line.tax_code == "SR"]
    sr_incl = sum((line.amount for line in sr), D(0))
    sr_gst = sum((line.gst for line in sr), D(0))
    zr = next(line for line in invoice.lines if line.tax_code == "ZR")
    es = next(line for line in invoice.lines if line.tax_code == "ES")
    for particular in (
        "TAX INVOICE",  # the words "tax invoice"
        f"Invoice No {number}",  # an identifying number
        "Date ",  # the date of issue
        supplier.name,
        *supplier.address_lines,
        f"GST Reg No: {supplier.gst_reg_no}",
        "Lim Trading Pte Ltd",  # the customer's name and address
        "8 Shenton Way #30-01",
        "Singapore 068811",
        "UEN 201912345K",
        *(line.description for line in invoice.lines),  # description of the goods
        "Amount excl. GST",
        *(f"{invoice.line_excl_gst(line):,.2f}" for line in invoice.lines),
        f"Total excl. GST {invoice.total - invoice.gst_total:,.2f}",
        f"GST @ 9% on {sr_incl - sr_gst:,.2f} {sr_gst:,.2f}",  # rate and GST amount
        f"Total incl. GST {invoice.total:,.2f}",
        # A mixed supply: the gross amount of each type of supply, stated separately.
        f"Standard-rated supplies @ 9% {sr_incl - sr_gst:,.2f} {sr_gst:,.2f} {sr_incl:,.2f}",
        f"Zero-rated supplies {zr.amount:,.2f} 0.00 {zr.amount:,.2f}",
        f"Exempt supplies {es.amount:,.2f} 0.00 {es.amount:,.2f}",
    ):
        assert particular in flat, particular
    assert "S1234567" not in flat


def test_a_sale_without_a_business_customer_gets_no_tax_invoice(shop: DemoTill) -> None:
    member = shop.till.customers().enrol(
        NewMember(name="Jane Tan", mobile="87654321", consent_contact=True), shop.cashier
    )
    with_member = mixed_sale(shop, member)
    anonymous = mixed_sale(shop, None)

    for number in (with_member, anonymous):
        with pytest.raises(CashierError, match="not made out to a business customer"):
            shop.till.receipts().tax_invoice(number)
    assert shop.till.receipts().look_up(with_member).kind is ReceiptKind.RECEIPT


def test_a_parked_sale_keeps_its_customer(shop: DemoTill) -> None:
    card = shop.till.customers().enrol(BUSINESS, shop.cashier)
    checkout = shop.till.checkout(shop.cashier)
    checkout.scan(standard_barcodes(shop.till.store, 1)[0])
    checkout.attach_customer(card)
    parked = checkout.park("Lim")
    assert checkout.customer is None

    checkout.recall(parked)

    assert checkout.customer == card


def test_a_member_withdrawing_consent_loses_contact_details_but_keeps_the_membership(
    shop: DemoTill,
) -> None:
    customers = shop.till.customers()
    card = customers.enrol(BUSINESS, shop.cashier)

    after = customers.withdraw_consent(card.customer_id, shop.cashier)

    assert after.phone is None and after.member_no == card.member_no
    assert customers.find("91234567") == []
    assert customers.find(card.member_no or "") == [after]
    with shop.till.store.read() as s:
        row = s.get(Customer, card.customer_id)
        assert row is not None
        assert (row.phone, row.email, row.consent_contact, row.consent_marketing) == (
            None,
            None,
            False,
            False,
        )
        assert row.withdrawn_at is not None
    last = CustomerUpsertedV1.model_validate_json(
        json.dumps(outbox(shop, EventKind.CUSTOMER_UPSERTED)[-1])
    )
    assert last.phone is None and last.withdrawn_at is not None and not last.consent_contact
    with pytest.raises(CashierError, match="already withdrew"):
        customers.withdraw_consent(card.customer_id, shop.cashier)
