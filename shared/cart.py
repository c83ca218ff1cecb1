"""A cart being rung up: lines, discounts, price overrides and the totals a receipt shows.

All prices are GST-inclusive. The cart enforces the outlet's rules, including which changes
need a manager: a change that needs one raises :class:`ApprovalNeeded` unless the caller passes
the id of the manager who approved it (the service checks the manager's PIN first).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from shared.gst import GstRounding, TaxCode, supply_date, tax_in_inclusive
from shared.money import ZERO, CashRounding, allocate, money, round_cents
from shared.promotions import (
    NO_PROMOTIONS,
    BasketLine,
    Occasion,
    Promotion,
    PromotionOutcome,
    price_basket,
)

MAX_UNITS = Decimal("9999")
MAX_WEIGHT = Decimal("999.999")
WEIGHT_PLACES = Decimal("0.001")


class SaleError(ValueError):
    """A sale rule was broken; the message tells the cashier what to do."""


class QuantityError(SaleError):
    pass


class ManagerAction(StrEnum):
    DISCOUNT_OVER_LIMIT = "discount_over_limit"
    PRICE_OVERRIDE = "price_override"
    VOID_SALE = "void_sale"
    REFUND_WITHOUT_RECEIPT = "refund_without_receipt"
    CASH_VARIANCE = "cash_variance"
    # Stock at the till: receiving goods, approving a stocktake, sending and taking in
    # transfers; and an adjustment worth more at cost than the till's limit.
    STOCK_CONTROL = "stock_control"
    STOCK_ADJUSTMENT_OVER_LIMIT = "stock_adjustment_over_limit"


class ApprovalNeeded(SaleError):
    def __init__(self, action: ManagerAction, detail: str) -> None:
        super().__init__(f"{detail}: a manager must approve with their PIN")
        self.action = action


@dataclass(frozen=True)
class PriceCeiling:
    """How high a cashier may take a price, even with a manager's approval: a typo such as
    1000000 for 10.00 is refused outright rather than approved by a PIN typed in a hurry."""

    times_list_price: Decimal = Decimal(10)
    at_most: Decimal = Decimal("5000.00")

    def for_price(self, list_price: Decimal) -> Decimal:
        """The highest price allowed for an item listed at ``list_price``; never below the
        list price itself, and the plain cap for an item listed at zero (open price)."""
        if list_price <= 0:
            return self.at_most
        return max(list_price, min(round_cents(list_price * self.times_list_price), self.at_most))


@dataclass(frozen=True)
class SaleRules:
    """The outlet settings that shape a sale."""

    gst_registered: bool = True
    gst_rounding: GstRounding = GstRounding.ON_TOTAL
    cash_rounding: CashRounding = CashRounding.OFF
    discount_limit_percent: Decimal = Decimal("10")
    price_override_needs_manager: bool = True
    price_ceiling: PriceCeiling = PriceCeiling()


@dataclass(frozen=True)
class ProductSnapshot:
    """What the till knew about a product when it was rung up."""

    product_id: str
    sku: str
    name: str
    unit_price: Decimal
    tax_code: TaxCode
    weighed: bool = False
    category_id: str | None = None
    # A gift voucher being sold (its serial): one per line, at its face value, out of scope
    # of GST, never discounted and no promotion's (shared.gift_vouchers).
    voucher_serial: str | None = None


@dataclass(frozen=True)
class Offers:
    """The automatic promotions a cart is priced with, and who is buying where."""

    promotions: tuple[Promotion, ...] = ()
    outlet_id: str | None = None
    member: bool = False


@dataclass(frozen=True)
class Discount:
    percent: Decimal | None = None
    amount: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.percent is None) == (self.amount is None):
            raise SaleError("a discount is either a percentage or an amount")
        if self.percent is not None and not (0 < self.percent <= 100):
            raise SaleError(f"a discount of {self.percent}% is not between 0 and 100")
        if self.amount is not None and money(self.amount) <= 0:
            raise SaleError("a discount amount must be more than zero")

    def off(self, gross: Decimal) -> Decimal:
        """How much this discount takes off ``gross`` (never more than ``gross``)."""
        if self.percent is not None:
            return round_cents(gross * self.percent / 100)
        assert self.amount is not None
        return min(self.amount, gross)


def check_quantity(quantity: Decimal, *, weighed: bool) -> Decimal:
    if not isinstance(quantity, Decimal):
        raise TypeError(f"quantity must be Decimal, not {type(quantity).__name__}")
    if not quantity.is_finite() or quantity <= 0:
        raise QuantityError(f"quantity {quantity} must be more than zero")
    if weighed:
        if quantity != quantity.quantize(WEIGHT_PLACES) or quantity > MAX_WEIGHT:
            raise QuantityError(f"weight {quantity} kg: use up to 3 decimals and {MAX_WEIGHT} kg")
        return quantity.quantize(WEIGHT_PLACES)
    if quantity != quantity.to_integral_value() or quantity > MAX_UNITS:
        raise QuantityError(f"quantity {quantity}: whole units from 1 to {MAX_UNITS} only")
    return quantity.quantize(Decimal(1))


@dataclass(frozen=True)
class CartLine:
    line_id: str
    product: ProductSnapshot
    quantity: Decimal
    unit_price: Decimal
    discount: Discount | None = None
    approved_by: str | None = None

    @property
    def gross(self) -> Decimal:
        return round_cents(self.unit_price * self.quantity)

    @property
    def discount_amount(self) -> Decimal:
        return self.discount.off(self.gross) if self.discount else ZERO

    @property
    def net(self) -> Decimal:
        return self.gross - self.discount_amount

    @property
    def price_overridden(self) -> bool:
        return self.unit_price != self.product.unit_price

    @property
    def takes_promotions(self) -> bool:
        """A manual discount or price override is the cashier's decision: no promotion on top.
        A gift voucher is money, not goods: no promotion ever."""
        return (
            self.discount is None
            and not self.price_overridden
            and self.product.voucher_serial is None
        )

    def basket_line(self, position: int = 0) -> BasketLine:
        p = self.product
        return BasketLine(
            line_id=self.line_id,
            product_id=p.product_id,
            category_id=p.category_id,
            unit_price=self.unit_price,
            quantity=self.quantity,
            gross=self.gross,
            weighed=p.weighed,
            eligible=self.takes_promotions,
            position=position,
        )


@dataclass(frozen=True)
class PricedLine:
    """A cart line with its final share of every discount and its GST."""

    line: CartLine
    cart_discount: Decimal
    amount: Decimal  # GST-inclusive, after line, promotion and cart discounts
    gst_rate: Decimal
    gst: Decimal
    promotion_saving: Decimal = ZERO
    promotions: tuple[str, ...] = ()  # names of the promotions that priced this line
    # (promotion id, what it saved on this line), by id; they add up to promotion_saving.
    promotion_savings: tuple[tuple[str, Decimal], ...] = ()

    @property
    def line_discount(self) -> Decimal:
        """Everything taken off this line itself: the cashier's discount and promotions."""
        return self.line.discount_amount + self.promotion_saving


@dataclass(frozen=True)
class TaxGroup:
    tax_code: TaxCode
    rate: Decimal
    amount: Decimal  # GST-inclusive supplies in this group
    gst: Decimal


@dataclass(frozen=True)
class SaleTotals:
    lines: tuple[PricedLine, ...]
    subtotal: Decimal  # before any discount
    discount_total: Decimal
    total: Decimal
    gst_total: Decimal
    tax_groups: tuple[TaxGroup, ...]
    promotion_saving: Decimal = ZERO  # the receipt's "You saved"
    promotion_outcome: PromotionOutcome = NO_PROMOTIONS


@dataclass
class Cart:
    rules: SaleRules
    lines: list[CartLine] = field(default_factory=list)
    cart_discount: Discount | None = None
    cart_discount_approved_by: str | None = None
    offers: Offers = Offers()

    def line(self, line_id: str) -> CartLine:
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise SaleError(f"line {line_id} is not in this cart")

    def _replace(self, new: CartLine) -> CartLine:
        self.lines = [new if line.line_id == new.line_id else line for line in self.lines]
        return new

    def add(self, product: ProductSnapshot, quantity: Decimal = Decimal(1)) -> CartLine:
        """Ring up a product; scanning the same unit-priced item again adds to its last line."""
        quantity = check_quantity(quantity, weighed=product.weighed)
        if product.voucher_serial is not None:
            if any(line.product.voucher_serial == product.voucher_serial for line in self.lines):
                raise SaleError(f"gift voucher {product.voucher_serial} is already in this sale")
            if quantity != 1:
                raise SaleError("a gift voucher is sold one at a time: scan each voucher")
        last = self.lines[-1] if self.lines else None
        if (
            last is not None
            and not product.weighed
            and last.product == product
            and last.discount is None
            and not last.price_overridden
        ):
            return self.set_quantity(last.line_id, last.quantity + quantity)
        line = CartLine(str(uuid.uuid4()), product, quantity, product.unit_price)
        self.lines.append(line)
        return line

    def set_quantity(self, line_id: str, quantity: Decimal) -> CartLine:
        line = self.line(line_id)
        _not_a_voucher(line, "scan each gift voucher on its own line")
        return self._replace(
            replace(line, quantity=check_quantity(quantity, weighed=line.product.weighed))
        )

    def remove(self, line_id: str) -> None:
        self.line(line_id)
        self.lines = [line for line in self.lines if line.line_id != line_id]

    def discount_line(
        self, line_id: str, discount: Discount | None, approved_by: str | None = None
    ) -> CartLine:
        line = self.line(line_id)
        _not_a_voucher(line, "a gift voucher is sold at its face value, never discounted")
        candidate = replace(line, discount=discount)
        if discount is not None:
            self._check_discount(candidate.discount_amount, line.gross, approved_by)
        return self._replace(replace(candidate, approved_by=approved_by or line.approved_by))

    def override_price(
        self, line_id: str, unit_price: Decimal, approved_by: str | None = None
    ) -> CartLine:
        price = money(unit_price)
        if price < 0:
            raise SaleError("a price cannot be negative; use a refund instead")
        line = self.line(line_id)
        _not_a_voucher(line, "a gift voucher is sold at its face value: its price cannot change")
        ceiling = self.rules.price_ceiling.for_price(line.product.unit_price)
        if price > ceiling:
            raise SaleError(
                f"${price:,.2f} is more than this till allows for {line.product.name} "
                f"(at most ${ceiling:,.2f}; its list price is ${line.product.unit_price:,.2f}): "
                "check the price and type it again"
            )
        if self.rules.price_override_needs_manager and approved_by is None:
            raise ApprovalNeeded(
                ManagerAction.PRICE_OVERRIDE,
                f"changing the price of {line.product.name} "
                f"from ${line.unit_price:,.2f} to ${price:,.2f}",
            )
        return self._replace(replace(line, unit_price=price, approved_by=approved_by))

    def discount_whole_cart(
        self, discount: Discount | None, approved_by: str | None = None
    ) -> None:
        if discount is not None:
            before = sum((line.net for line in self.lines if not line.product.voucher_serial), ZERO)
            self._check_discount(discount.off(before), before, approved_by)
        self.cart_discount = discount
        self.cart_discount_approved_by = approved_by if discount else None

    def _check_discount(self, off: Decimal, gross: Decimal, approved_by: str | None) -> None:
        limit = self.rules.discount_limit_percent
        if approved_by is None and gross > 0 and off * 100 > gross * limit:
            raise ApprovalNeeded(
                ManagerAction.DISCOUNT_OVER_LIMIT,
                f"a discount of {off} on {gross} is more than the {limit}% cashiers may give",
            )

    def totals(self, at: datetime) -> SaleTotals:
        """Price every line at the GST rate in force at ``at`` (the time of supply)."""
        day = supply_date(at)
        outcome = self.promotions(at)
        promo = [outcome.saving(line.line_id) for line in self.lines]
        nets = [line.net - off for line, off in zip(self.lines, promo, strict=True)]
        # A whole-cart discount comes off the goods only, never off a gift voucher sold.
        goods = [
            ZERO if line.product.voucher_serial else net
            for line, net in zip(self.lines, nets, strict=True)
        ]
        before_cart = sum(goods, ZERO)
        cart_off = self.cart_discount.off(before_cart) if self.cart_discount else ZERO
        shares = allocate(cart_off, goods) if cart_off else [ZERO] * len(goods)
        amounts = [net - share for net, share in zip(nets, shares, strict=True)]
        rates = [
            line.product.tax_code.rate_on(day) if self.rules.gst_registered else Decimal(0)
            for line in self.lines
        ]
        gsts = _line_gst(self.lines, amounts, rates, self.rules.gst_rounding)
        priced = tuple(
            PricedLine(
                line,
                share,
                amount,
                rate,
                gst,
                off,
                outcome.line_promotions.get(line.line_id, ()) if off else (),
                tuple(sorted(outcome.line_promotion_savings.get(line.line_id, {}).items()))
                if off
                else (),
            )
            for line, share, amount, rate, gst, off in zip(
                self.lines, shares, amounts, rates, gsts, promo, strict=True
            )
        )
        saved = sum(promo, ZERO)
        return SaleTotals(
            lines=priced,
            subtotal=sum((line.gross for line in self.lines), ZERO),
            discount_total=sum((line.discount_amount for line in self.lines), ZERO)
            + saved
            + cart_off,
            total=sum(amounts, ZERO),
            gst_total=sum(gsts, ZERO),
            tax_groups=tax_groups(priced),
            promotion_saving=saved,
            promotion_outcome=outcome,
        )

    def promotions(self, at: datetime) -> PromotionOutcome:
        """What the automatic promotions take off each line at ``at``, and why."""
        if not self.offers.promotions or not self.lines:
            return NO_PROMOTIONS
        occasion = Occasion(at, self.offers.outlet_id, self.offers.member)
        basket = [line.basket_line(n) for n, line in enumerate(self.lines)]
        return price_basket(basket, self.offers.promotions, occasion)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, so a parked cart survives a restart of the till."""
        return {
            "lines": [_line_to_dict(line) for line in self.lines],
            "cart_discount": _discount_to_dict(self.cart_discount),
            "cart_discount_approved_by": self.cart_discount_approved_by,
        }

    @classmethod
    def from_dict(cls, rules: SaleRules, data: dict[str, Any], offers: Offers = Offers()) -> Cart:
        """A parked cart back; its promotions are worked out afresh from ``offers``."""
        return cls(
            rules=rules,
            lines=[_line_from_dict(d) for d in data["lines"]],
            cart_discount=_discount_from_dict(data["cart_discount"]),
            cart_discount_approved_by=data["cart_discount_approved_by"],
            offers=offers,
        )


def _not_a_voucher(line: CartLine, why: str) -> None:
    if line.product.voucher_serial is not None:
        raise SaleError(why)


def _line_gst(
    lines: list[CartLine], amounts: list[Decimal], rates: list[Decimal], rounding: GstRounding
) -> list[Decimal]:
    if rounding is GstRounding.PER_LINE:
        return [tax_in_inclusive(a, r) for a, r in zip(amounts, rates, strict=True)]
    # On the total: round once per (tax code, rate) group, then spread the group's GST back
    # onto its lines so a partial refund can return exactly the GST that was charged.
    gsts = [ZERO] * len(lines)
    groups: dict[tuple[TaxCode, Decimal], list[int]] = {}
    for i, line in enumerate(lines):
        groups.setdefault((line.product.tax_code, rates[i]), []).append(i)
    for (_, rate), idx in groups.items():
        group_gst = tax_in_inclusive(sum((amounts[i] for i in idx), ZERO), rate)
        for i, share in zip(idx, allocate(group_gst, [amounts[i] for i in idx]), strict=True):
            gsts[i] = share
    return gsts


def tax_groups(lines: tuple[PricedLine, ...]) -> tuple[TaxGroup, ...]:
    sums: dict[tuple[TaxCode, Decimal], tuple[Decimal, Decimal]] = {}
    for p in lines:
        key = (p.line.product.tax_code, p.gst_rate)
        amount, gst = sums.get(key, (ZERO, ZERO))
        sums[key] = (amount + p.amount, gst + p.gst)
    return tuple(TaxGroup(code, rate, a, g) for (code, rate), (a, g) in sums.items())


def _discount_to_dict(d: Discount | None) -> dict[str, str | None] | None:
    if d is None:
        return None
    return {
        "percent": None if d.percent is None else str(d.percent),
        "amount": None if d.amount is None else str(d.amount),
    }


def _discount_from_dict(d: dict[str, str | None] | None) -> Discount | None:
    if d is None:
        return None
    return Discount(
        percent=None if d["percent"] is None else Decimal(d["percent"]),
        amount=None if d["amount"] is None else Decimal(d["amount"]),
    )


def _line_to_dict(line: CartLine) -> dict[str, Any]:
    p = line.product
    return {
        "line_id": line.line_id,
        "product": {
            "product_id": p.product_id,
            "sku": p.sku,
            "name": p.name,
            "unit_price": str(p.unit_price),
            "tax_code": p.tax_code.value,
            "weighed": p.weighed,
            "category_id": p.category_id,
            "voucher_serial": p.voucher_serial,
        },
        "quantity": str(line.quantity),
        "unit_price": str(line.unit_price),
        "discount": _discount_to_dict(line.discount),
        "approved_by": line.approved_by,
    }


def _line_from_dict(d: dict[str, Any]) -> CartLine:
    p = d["product"]
    product = ProductSnapshot(
        product_id=p["product_id"],
        sku=p["sku"],
        name=p["name"],
        unit_price=Decimal(p["unit_price"]),
        tax_code=TaxCode(p["tax_code"]),
        weighed=p["weighed"],
        category_id=p.get("category_id"),
        voucher_serial=p.get("voucher_serial"),
    )
    return CartLine(
        line_id=d["line_id"],
        product=product,
        quantity=Decimal(d["quantity"]),
        unit_price=Decimal(d["unit_price"]),
        discount=_discount_from_dict(d["discount"]),
        approved_by=d["approved_by"],
    )
