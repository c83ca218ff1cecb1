"""Checkout: ring up a cart, take payment and commit the sale with everything it implies.

The cart lives in memory until payment. Completing writes the sale, its lines, payments, stock
movements, audit records and outbox events in one transaction, before anything prints; if that
fails, nothing is written and the cart is still here to retry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import select

from shared.cart import Cart, CartLine, Discount, PricedLine, ProductSnapshot, SaleTotals
from shared.money import ZERO
from shared.paynow import build_payload
from shared.protocol import EventKind, TenderV1
from shared.receipt import Receipt, ReceiptNumber, render_text
from shared.tender import Settlement, Tender, TenderType, cash_due, settle
from shared.wire import moment_text, money_text, quantity_text
from till.services.context import CashierError, Clock, OutletProfile, utc_now
from till.services.receipts import sale_receipt
from till.services.shifts import require_open_shift
from till.services.staff import SignedIn
from till.store.catalogue import Catalogue
from till.store.db import Store
from till.store.models import (
    RECEIPT_COUNTER,
    Counter,
    ParkedCart,
    Payment,
    Sale,
    SaleLine,
    StockMovement,
)
from till.store.uow import UnitOfWork

PAYNOW_VALIDITY = timedelta(minutes=15)


class UnknownBarcode(CashierError):
    def __init__(self, code: str) -> None:
        super().__init__(f"no product has barcode {code!r}: scan again or search by name")


@dataclass(frozen=True)
class CompletedSale:
    sale_id: str
    receipt_no: str
    totals: SaleTotals
    settlement: Settlement
    receipt: Receipt

    @cached_property
    def receipt_text(self) -> str:
        """Rendered when first printed or shown, after the sale has committed."""
        return render_text(self.receipt)


@dataclass(frozen=True)
class ParkedEntry:
    parked_id: str
    label: str
    parked_by: str
    lines: int


class Checkout:
    """One cashier's cart at one till."""

    def __init__(
        self,
        store: Store,
        catalogue: Catalogue,
        profile: OutletProfile,
        cashier: SignedIn,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.catalogue = catalogue
        self.profile = profile
        self.cashier = cashier
        self.clock = clock
        self.cart = Cart(profile.rules)

    # --- ringing up ---------------------------------------------------------------------------

    def scan(self, code: str, quantity: Decimal = Decimal(1)) -> CartLine:
        product = self.catalogue.by_barcode(code)
        if product is None:
            raise UnknownBarcode(code.strip())
        return self.cart.add(product, quantity)

    def add(self, product: ProductSnapshot, quantity: Decimal = Decimal(1)) -> CartLine:
        return self.cart.add(product, quantity)

    def set_quantity(self, line_id: str, quantity: Decimal) -> CartLine:
        return self.cart.set_quantity(line_id, quantity)

    def remove(self, line_id: str) -> None:
        self.cart.remove(line_id)

    def discount_line(
        self, line_id: str, discount: Discount | None, approved_by: SignedIn | None = None
    ) -> CartLine:
        return self.cart.discount_line(line_id, discount, _id(approved_by))

    def override_price(
        self, line_id: str, price: Decimal, approved_by: SignedIn | None = None
    ) -> CartLine:
        return self.cart.override_price(line_id, price, _id(approved_by))

    def discount_cart(self, discount: Discount | None, approved_by: SignedIn | None = None) -> None:
        self.cart.discount_whole_cart(discount, _id(approved_by))

    def totals(self) -> SaleTotals:
        return self.cart.totals(self.clock())

    def clear(self) -> None:
        self.cart = Cart(self.profile.rules)

    # --- park and recall ----------------------------------------------------------------------

    def park(self, label: str = "") -> str:
        if not self.cart.lines:
            raise CashierError("the cart is empty: there is nothing to park")
        parked = ParkedCart(
            parked_id=str(uuid.uuid4()),
            parked_at=self.clock(),
            parked_by=self.cashier.staff_id,
            label=(label.strip() or f"{len(self.cart.lines)} items")[:60],
            cart=self.cart.to_dict(),
        )
        with UnitOfWork(self.store) as uow:
            uow.session.add(parked)
            uow.commit()
        self.clear()
        return parked.parked_id

    def parked(self) -> list[ParkedEntry]:
        with self.store.read() as s:
            rows = s.scalars(select(ParkedCart).order_by(ParkedCart.parked_at))
            return [
                ParkedEntry(r.parked_id, r.label, r.parked_by, len(r.cart["lines"])) for r in rows
            ]

    def recall(self, parked_id: str) -> None:
        if self.cart.lines:
            raise CashierError("finish or park the current cart before recalling another")
        with UnitOfWork(self.store) as uow:
            row = uow.session.get(ParkedCart, parked_id)
            if row is None:
                raise CashierError("that parked cart was already recalled")
            cart = Cart.from_dict(self.profile.rules, row.cart)
            uow.session.delete(row)
            uow.commit()
        self.cart = cart

    # --- paying -------------------------------------------------------------------------------

    def cash_due(self, tenders: Sequence[Tender] = ()) -> Decimal:
        non_cash = sum((t.amount for t in tenders if t.type is not TenderType.CASH), ZERO)
        return cash_due(self.totals().total, non_cash, self.profile.rules.cash_rounding)

    def next_receipt_number(self) -> ReceiptNumber:
        """The number this sale will get if no other sale completes first on this till."""
        with self.store.read() as s:
            counter = s.get(Counter, RECEIPT_COUNTER)
            n = (counter.value if counter else 0) + 1
        return ReceiptNumber(self.profile.outlet.code, self.profile.till_code, n)

    def paynow_payload(self, amount: Decimal) -> str:
        """The dynamic PayNow QR for ``amount``, referencing the coming receipt number."""
        uen = self.profile.outlet.paynow_uen
        if not uen:
            raise CashierError("PayNow is not set up for this outlet (no UEN); take another tender")
        return build_payload(
            proxy_type="uen",
            proxy_value=uen,
            amount=amount,
            editable=False,
            expiry=(self.clock() + PAYNOW_VALIDITY).replace(microsecond=0),
            reference=str(self.next_receipt_number()),
            merchant_name=self.profile.outlet.name[:25],
        )

    def complete(self, tenders: Sequence[Tender]) -> CompletedSale:
        if not self.cart.lines:
            raise CashierError("the cart is empty: scan an item first")
        now = self.clock()
        totals = self.cart.totals(now)
        settlement = settle(totals.total, tenders, self.profile.rules.cash_rounding)
        sale_id = str(uuid.uuid4())
        # Rows go in as bulk statements, not through the ORM's unit of work: this is the
        # hottest write path of the till and every millisecond is the cashier's.
        with UnitOfWork(self.store) as uow:
            shift = require_open_shift(uow.session)
            number = ReceiptNumber(
                self.profile.outlet.code,
                self.profile.till_code,
                uow.next_number(RECEIPT_COUNTER),
            )
            sale = Sale(
                sale_id=sale_id,
                receipt_no=str(number),
                shift_id=shift.shift_id,
                cashier_id=self.cashier.staff_id,
                sold_at=now,
                subtotal=totals.subtotal,
                discount_total=totals.discount_total,
                total=totals.total,
                gst_total=totals.gst_total,
                rounding=settlement.rounding,
                change=settlement.change,
                customer_id=None,
                reprint_count=0,
            )
            lines = [_line_row(sale_id, n, priced) for n, priced in enumerate(totals.lines)]
            payments = [_payment_row(sale_id, n, tender) for n, tender in enumerate(tenders)]
            uow.insert(Sale, [_columns(sale)])
            uow.insert(SaleLine, [_columns(line) for line in lines])
            uow.insert(StockMovement, [_stock_row(line, now) for line in lines])
            uow.insert(Payment, [_columns(payment) for payment in payments])
            for priced in totals.lines:
                self._audit_line(uow, sale, priced.line)
            if self.cart.cart_discount is not None:
                uow.audit(
                    "sale.cart_discount",
                    actor=self.cashier.staff_id,
                    at=now,
                    subject=str(number),
                    after={
                        "discount": str(totals.discount_total),
                        "approved_by": self.cart.cart_discount_approved_by,
                    },
                )
            uow.emit(EventKind.SALE_COMPLETED, lambda: _sale_event(sale, totals, tenders), now)
            # Built before the commit: if the receipt cannot be made, the sale is not stored
            # and the cart is still here, instead of a stored sale the cashier never saw.
            receipt = sale_receipt(sale, lines, payments, self.cashier.display_name, self.profile)
            uow.commit()
        self.clear()
        return CompletedSale(sale_id, str(number), totals, settlement, receipt)

    def _audit_line(self, uow: UnitOfWork, sale: Sale, line: CartLine) -> None:
        if line.discount is None and not line.price_overridden:
            return
        uow.audit(
            "sale.price_overridden" if line.price_overridden else "sale.line_discount",
            actor=self.cashier.staff_id,
            at=sale.sold_at,
            subject=sale.receipt_no,
            before={"price": str(line.product.unit_price)},
            after={
                "product_id": line.product.product_id,
                "price": str(line.unit_price),
                "discount": str(line.discount_amount),
                "approved_by": line.approved_by,
            },
        )


def _columns(row: Sale | SaleLine | Payment) -> dict[str, object]:
    return {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs}


def _line_row(sale_id: str, position: int, priced: PricedLine) -> SaleLine:
    line, product = priced.line, priced.line.product
    return SaleLine(
        line_id=line.line_id,
        sale_id=sale_id,
        position=position,
        product_id=product.product_id,
        sku=product.sku,
        name=product.name,
        quantity=line.quantity,
        unit_price=line.unit_price,
        list_price=product.unit_price,
        line_discount=line.discount_amount,
        cart_discount=priced.cart_discount,
        amount=priced.amount,
        tax_code=product.tax_code.value,
        gst_rate=priced.gst_rate,
        gst=priced.gst,
        weighed=product.weighed,
        approved_by=line.approved_by,
    )


def _stock_row(line: SaleLine, now: datetime) -> dict[str, object]:
    return {
        "movement_id": str(uuid.uuid4()),
        "product_id": line.product_id,
        "quantity": -line.quantity,
        "reason": "sale",
        "source_id": line.line_id,
        "moved_at": now,
    }


def _payment_row(sale_id: str, position: int, tender: Tender) -> Payment:
    return Payment(
        payment_id=str(uuid.uuid4()),
        sale_id=sale_id,
        refund_id=None,
        position=position,
        type=tender.type.value,
        amount=tender.amount,
        reference=tender.reference,
        card_last4=tender.card_last4,
        confirmed_by=tender.confirmed_by,
    )


def _id(who: SignedIn | None) -> str | None:
    return who.staff_id if who else None


def _sale_event(sale: Sale, totals: SaleTotals, tenders: Sequence[Tender]) -> dict[str, Any]:
    """The ``SaleCompletedV1`` body as JSON, built straight from the sale's typed values: this
    runs in every sale, and tests hold it to the model (it validates, and dumps back the same)."""
    lines = [
        {
            "line_id": p.line.line_id,
            "product_id": p.line.product.product_id,
            "sku": p.line.product.sku,
            "name": p.line.product.name,
            "quantity": quantity_text(p.line.quantity),
            "unit_price": money_text(p.line.unit_price),
            "list_price": money_text(p.line.product.unit_price),
            "line_discount": money_text(p.line.discount_amount),
            "cart_discount": money_text(p.cart_discount),
            "amount": money_text(p.amount),
            "tax_code": p.line.product.tax_code.value,
            "gst_rate": quantity_text(p.gst_rate),
            "gst": money_text(p.gst),
            "approved_by": p.line.approved_by,
        }
        for p in totals.lines
    ]
    return {
        "sale_id": sale.sale_id,
        "receipt_no": sale.receipt_no,
        "shift_id": sale.shift_id,
        "cashier_id": sale.cashier_id,
        "sold_at": moment_text(sale.sold_at),
        "lines": lines,
        "tenders": [tender_event(t).model_dump(mode="json") for t in tenders],
        "subtotal": money_text(totals.subtotal),
        "discount_total": money_text(totals.discount_total),
        "total": money_text(totals.total),
        "gst_total": money_text(totals.gst_total),
        "rounding": money_text(sale.rounding),
        "change": money_text(sale.change),
        "customer_id": None,
    }


def tender_event(t: Tender) -> TenderV1:
    return TenderV1(
        type=t.type.value,
        amount=t.amount,
        reference=t.reference,
        card_last4=t.card_last4,
        confirmed_by=uuid.UUID(t.confirmed_by) if t.confirmed_by else None,
    )
