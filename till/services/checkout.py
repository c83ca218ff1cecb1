"""Checkout: ring up a cart, take payment and commit the sale with everything it implies.

The cart lives in memory until payment. Completing writes the sale, its lines, payments, stock
movements, audit records and outbox events in one transaction, before anything prints; if that
fails, nothing is written and the cart is still here to retry.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from shared.cart import (
    WEIGHT_PLACES,
    Cart,
    CartLine,
    Discount,
    Offers,
    PriceCeiling,
    PricedLine,
    ProductSnapshot,
    SaleTotals,
)
from shared.gift_vouchers import SERIAL_PATTERN, VoucherError
from shared.gst import supply_date
from shared.loyalty import points_redeemable, points_value
from shared.money import ZERO, round_cents
from shared.paynow import build_payload, merchant_name_ascii
from shared.protocol import EventKind, SaleCompletedV1, TenderV1
from shared.receipt import Receipt, ReceiptNumber, render_text
from shared.refund import sale_terms, terms_to_json
from shared.scale_barcode import (
    Measure,
    ScaleBarcodeError,
    ScaleLayout,
    ScaleReading,
    read_scale_label,
)
from shared.tender import Settlement, Tender, TenderType, cash_due, settle
from shared.wire import json_of
from till.services.context import CashierError, Clock, OutletProfile, utc_now
from till.services.customers import CustomerCard, card_of
from till.services.gift_vouchers import record_vouchers, voucher_for_sale, voucher_left
from till.services.loyalty import MemberBalance, award_points, balance, redeem_points
from till.services.ports import ProductLookup, PromotionSource, UnitOfWorkPort, UnitsOfWork
from till.services.receipts import sale_receipt
from till.services.shifts import require_open_shift
from till.services.staff import SignedIn
from till.store.models import (
    RECEIPT_COUNTER,
    ParkedCart,
    Payment,
    Sale,
    SaleLine,
    StockMovement,
)

PAYNOW_VALIDITY = timedelta(minutes=15)
GIFT_SERIAL = re.compile(SERIAL_PATTERN)
# Where a parked cart keeps the customer it was for (the cart's own dict has no such key).
CUSTOMER_KEY = "customer_id"


class UnknownBarcode(CashierError):
    def __init__(self, code: str) -> None:
        shown = code if len(code) <= 32 else f"{code[:30]}…"  # a message, not a wall of digits
        super().__init__(f"no product has barcode {shown!r}: scan again or search by name")


class WeightNeeded(CashierError):
    """A weighed product was scanned by its own barcode: the cashier must say the weight."""

    def __init__(self, product: ProductSnapshot) -> None:
        super().__init__(f"{product.name} is sold by weight: type the weight in kg")
        self.product = product


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
class PointsOffer:
    balance: MemberBalance
    most: int  # the most points this sale may take (cap, balance, total)
    worth: Decimal  # what they pay


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
        uow: UnitsOfWork,
        catalogue: ProductLookup,
        profile: OutletProfile,
        cashier: SignedIn,
        clock: Clock = utc_now,
        *,
        ceiling: PriceCeiling | None = None,
        scale_layouts: tuple[ScaleLayout, ...] = (),
        promotions: PromotionSource | None = None,
    ) -> None:
        self.uow = uow
        self.catalogue = catalogue
        self.profile = profile
        self.cashier = cashier
        self.clock = clock
        # The outlet's rules from head office, with this till's own price ceiling.
        self.rules = replace(profile.rules, price_ceiling=ceiling or PriceCeiling())
        self.promotion_source = promotions
        # The member or business customer this sale is for; most sales have none (PDPA).
        self.customer: CustomerCard | None = None
        # Whether that customer is a member: member-only promotions open to them.
        self.member = False
        self.cart = Cart(self.rules, offers=self.offers())
        self.scale_layouts = scale_layouts

    def offers(self) -> Offers:
        """The promotions a new cart is priced with, read afresh: a cart keeps the ones it
        started with, so a promotion pulled mid-sale never changes what is on the screen."""
        found = self.promotion_source.promotions() if self.promotion_source else ()
        return Offers(found, str(self.profile.outlet.outlet_id), self.member)

    def set_member(self, member: bool) -> None:
        """The hook for customers and loyalty: re-prices the cart for a member or not."""
        self.member = member
        self.cart.offers = replace(self.cart.offers, member=member)

    # --- ringing up ---------------------------------------------------------------------------

    def scan(self, code: str, quantity: Decimal | None = None) -> CartLine:
        """Ring up what ``code`` names: a product's barcode, or a scale's label (weight or
        price inside). A weighed product's own barcode needs ``quantity`` (kg)."""
        product = self.catalogue.by_barcode(code)
        if product is not None:
            if quantity is None and product.weighed:
                raise WeightNeeded(product)
            return self.cart.add(product, Decimal(1) if quantity is None else quantity)
        if GIFT_SERIAL.match(code.strip().upper()):
            if quantity is not None:
                raise CashierError("a gift voucher is sold one at a time: scan each voucher")
            return self.add_gift_voucher(code)
        try:
            reading = read_scale_label(code, self.scale_layouts)
        except ScaleBarcodeError as exc:
            raise CashierError(str(exc)) from None
        if reading is None:
            raise UnknownBarcode(code.strip())
        product = self.catalogue.by_barcode(reading.base_code)
        if product is None:
            raise CashierError(
                f"the scale label {code.strip()} is for item {reading.base_code}, which is not "
                "in this till's catalogue: weigh it again or ring it by name"
            )
        if quantity is not None:
            raise CashierError("a scale label carries its own weight or price: scan it alone")
        return self.cart.add(product, label_quantity(product, reading))

    def add(self, product: ProductSnapshot, quantity: Decimal = Decimal(1)) -> CartLine:
        return self.cart.add(product, quantity)

    def add_gift_voucher(self, serial: str) -> CartLine:
        """Sell the gift voucher ``serial``: a line at its face value, out of scope of GST;
        the voucher is activated when the sale completes."""
        with self.uow(write=False) as uow:
            product = voucher_for_sale(uow, serial, supply_date(self.clock()))
        return self.cart.add(product)

    def gift_voucher_tender(
        self, serial: str, amount: Decimal | None, taken: Sequence[Tender] = ()
    ) -> Tender:
        """A tender of ``amount`` (None: as much as is due and the voucher holds) from the
        gift voucher ``serial``, after checking it may be taken; ``taken``: this sale's
        tenders so far (a voucher already partly taken in it)."""
        due = self.totals().total - sum((t.amount for t in taken), ZERO)
        with self.uow(write=False) as uow:
            serial, left = voucher_left(uow, serial, supply_date(self.clock()), None, taken)
        wanted = min(left, due) if amount is None else amount
        if wanted > left:
            raise VoucherError(
                f"gift voucher {serial} has ${left:,.2f} left, less than ${wanted:,.2f}: "
                f"take ${left:,.2f} from it and the rest another way (no change is given)"
            )
        if wanted <= 0:
            raise CashierError("Nothing is due: the sale is paid")
        return Tender(TenderType.GIFT, wanted, reference=serial)

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
        self.customer = None
        self.member = False
        self.cart = Cart(self.rules, offers=self.offers())

    # --- the customer -------------------------------------------------------------------------

    def attach_customer(self, customer: CustomerCard) -> None:
        """This sale is for ``customer``: recorded on the sale; a business customer's receipt
        is a full tax invoice; a member's cart is priced with member-only promotions."""
        self.customer = customer
        self.set_member(customer.member_no is not None)

    def detach_customer(self) -> None:
        self.customer = None
        self.set_member(False)

    # --- park and recall ----------------------------------------------------------------------

    def park(self, label: str = "") -> str:
        if not self.cart.lines:
            raise CashierError("the cart is empty: there is nothing to park")
        parked = ParkedCart(
            parked_id=str(uuid.uuid4()),
            parked_at=self.clock(),
            parked_by=self.cashier.staff_id,
            label=(label.strip() or f"{len(self.cart.lines)} items")[:60],
            cart={**self.cart.to_dict(), CUSTOMER_KEY: _id(self.customer)},
        )
        with self.uow() as uow:
            uow.parked.add(parked)
            uow.commit()
        self.clear()
        return parked.parked_id

    def parked(self) -> list[ParkedEntry]:
        with self.uow(write=False) as uow:
            return [
                ParkedEntry(r.parked_id, r.label, r.parked_by, len(r.cart["lines"]))
                for r in uow.parked.all()
            ]

    def recall(self, parked_id: str) -> None:
        if self.cart.lines:
            raise CashierError("finish or park the current cart before recalling another")
        with self.uow() as uow:
            row = uow.parked.take(parked_id)
            if row is None:
                raise CashierError("that parked cart was already recalled")
            customer_id = row.cart.get(CUSTOMER_KEY)
            found = uow.customers.get(customer_id) if customer_id else None
            self.member = found is not None and found.member_no is not None
            cart = Cart.from_dict(self.rules, row.cart, self.offers())
            uow.commit()
        self.cart = cart
        self.customer = card_of(found) if found else None

    # --- paying -------------------------------------------------------------------------------

    def points(self) -> PointsOffer | None:
        """What the attached member may spend on this sale; None: no member or no scheme."""
        scheme = self.profile.loyalty
        if self.customer is None or not self.member or scheme is None:
            return None
        with self.uow(write=False) as uow:
            held = balance(uow, self.customer.customer_id)
        total = self.totals().total
        most = points_redeemable(scheme, balance=held.points, total=total)
        return PointsOffer(held, most, points_value(scheme, most))

    def cash_due(self, tenders: Sequence[Tender] = ()) -> Decimal:
        non_cash = sum((t.amount for t in tenders if t.type is not TenderType.CASH), ZERO)
        return cash_due(self.totals().total, non_cash, self.profile.rules.cash_rounding)

    def next_receipt_number(self) -> ReceiptNumber:
        """The number this sale will get if no other sale completes first on this till."""
        with self.uow(write=False) as uow:
            n = uow.peek_number(RECEIPT_COUNTER)
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
            merchant_name=merchant_name_ascii(self.profile.outlet.name),
        )

    def complete(self, tenders: Sequence[Tender]) -> CompletedSale:
        if not self.cart.lines:
            raise CashierError("the cart is empty: scan an item first")
        now = self.clock()
        totals = self.cart.totals(now)
        settlement = settle(totals.total, tenders, self.profile.rules.cash_rounding)
        sale_id = str(uuid.uuid4())
        with self.uow() as uow:
            shift = require_open_shift(uow)
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
                customer_id=_id(self.customer),
                reprint_count=0,
                promotion_terms=_kept_terms(self.cart, totals, now),
            )
            values = [_line_values(priced) for priced in totals.lines]
            lines = [
                _line_row(sale_id, n, v, priced)
                for n, (v, priced) in enumerate(zip(values, totals.lines, strict=True))
            ]
            payments = [_payment_row(sale_id, n, tender) for n, tender in enumerate(tenders)]
            stock = [_stock_row(line, now) for line in lines if line.voucher_serial is None]
            uow.sales.add_sale(sale, lines, stock, payments)
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
            uow.emit(
                EventKind.SALE_COMPLETED, lambda: _sale_event(sale, values, totals, tenders), now
            )
            # Spent before this sale's own points are added: they cannot pay for it.
            redeem_points(uow, self.profile, sale, tenders)
            award_points(uow, self.profile, sale, lines)
            record_vouchers(uow, sale, lines, tenders)
            # Built before the commit: if the receipt cannot be made, the sale is not stored
            # and the cart is still here, instead of a stored sale the cashier never saw.
            receipt = sale_receipt(
                sale,
                lines,
                payments,
                self.cashier.display_name,
                self.profile,
                customer=self.customer.invoice_details() if self.customer else None,
            )
            uow.commit()
        self.clear()
        return CompletedSale(sale_id, str(number), totals, settlement, receipt)

    def _audit_line(self, uow: UnitOfWorkPort, sale: Sale, line: CartLine) -> None:
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


def label_quantity(product: ProductSnapshot, reading: ScaleReading) -> Decimal:
    """How much of ``product`` a scale label stands for, so that the line costs exactly what
    the label says."""
    if reading.measure is Measure.WEIGHT:
        if not product.weighed:
            raise CashierError(f"the label carries a weight, but {product.name} is sold by unit")
        return reading.value
    price = reading.value
    if product.unit_price <= 0:
        raise CashierError(f"{product.name} has no list price: ring it by weight instead")
    if not product.weighed:
        units = price / product.unit_price
        if units != units.to_integral_value() or units <= 0:
            raise CashierError(
                f"the label says ${price:,.2f}, which is not a whole number of "
                f"{product.name} at ${product.unit_price:,.2f}: ring it by hand"
            )
        return units
    # The scale printed round(price per kg x weight); the weight that gives exactly that
    # price is within a gram or two of price / price per kg.
    near = (price / product.unit_price).quantize(WEIGHT_PLACES)
    for grams in (0, 1, -1, 2, -2):
        weight = near + grams * WEIGHT_PLACES
        if weight > 0 and round_cents(product.unit_price * weight) == price:
            return weight
    raise CashierError(
        f"no weight of {product.name} at ${product.unit_price:,.2f}/kg costs the ${price:,.2f} "
        "on the label: weigh it again"
    )


def _line_values(priced: PricedLine) -> dict[str, Any]:
    """A priced cart line as the values of a ``SaleLineV1``, keyed by its field names: the one
    place a sale line's facts are named. The till's row and the event are both made from it."""
    line, product = priced.line, priced.line.product
    return {
        "line_id": line.line_id,
        "product_id": product.product_id,
        "sku": product.sku,
        "name": product.name,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "list_price": product.unit_price,
        "line_discount": priced.line_discount,
        "cart_discount": priced.cart_discount,
        "amount": priced.amount,
        "tax_code": product.tax_code.value,
        "gst_rate": priced.gst_rate,
        "gst": priced.gst,
        "approved_by": line.approved_by,
        "weighed": product.weighed,
        "voucher_serial": product.voucher_serial,
        "promotion_savings": [
            {"promotion_id": promotion_id, "amount": amount}
            for promotion_id, amount in priced.promotion_savings
        ],
    }


# Facts of the event's line that the till's own row keeps otherwise (names and the total saving).
_EVENT_ONLY = frozenset({"promotion_savings"})


def _line_row(sale_id: str, position: int, values: dict[str, Any], priced: PricedLine) -> SaleLine:
    return SaleLine(
        sale_id=sale_id,
        position=position,
        promotion_saving=priced.promotion_saving,
        promotions="; ".join(priced.promotions)[:240] or None,
        **{k: v for k, v in values.items() if k not in _EVENT_ONLY},
    )


def _kept_terms(cart: Cart, totals: SaleTotals, now: datetime) -> dict[str, Any] | None:
    """Kept on the till only: a refund of part of the sale re-prices what the customer keeps
    under the promotions as they stood at the sale (shared.refund, docs/promotions.md)."""
    terms = sale_terms(cart, totals, now)
    return None if terms is None else terms_to_json(terms)


def _stock_row(line: SaleLine, now: datetime) -> StockMovement:
    return StockMovement(
        movement_id=str(uuid.uuid4()),
        product_id=line.product_id,
        quantity=-line.quantity,
        reason="sale",
        source_id=line.line_id,
        moved_at=now,
    )


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


def _id(who: SignedIn | CustomerCard | None) -> str | None:
    if who is None:
        return None
    return who.customer_id if isinstance(who, CustomerCard) else who.staff_id


def _sale_event(
    sale: Sale, lines: list[dict[str, Any]], totals: SaleTotals, tenders: Sequence[Tender]
) -> dict[str, Any]:
    """The ``SaleCompletedV1`` body as JSON, written straight from the sale's typed values by
    the model's own field types (``shared.wire.json_of``): this runs in every sale, and tests
    hold it to the model (it validates, and dumps back the same)."""
    body = json_of(
        SaleCompletedV1,
        {
            "sale_id": sale.sale_id,
            "receipt_no": sale.receipt_no,
            "shift_id": sale.shift_id,
            "cashier_id": sale.cashier_id,
            "sold_at": sale.sold_at,
            "lines": lines,
            "tenders": [tender_event(t).model_dump(mode="json") for t in tenders],
            "subtotal": totals.subtotal,
            "discount_total": totals.discount_total,
            "total": totals.total,
            "gst_total": totals.gst_total,
            "rounding": sale.rounding,
            "change": sale.change,
            "customer_id": sale.customer_id,
        },
    )
    for line in body["lines"]:
        if line["voucher_serial"] is None:
            del line["voucher_serial"]  # as SaleLineV1 writes itself (shared.protocol)
    return body


def tender_event(t: Tender) -> TenderV1:
    return TenderV1(
        type=t.type.value,
        amount=t.amount,
        reference=t.reference,
        card_last4=t.card_last4,
        confirmed_by=uuid.UUID(t.confirmed_by) if t.confirmed_by else None,
    )
