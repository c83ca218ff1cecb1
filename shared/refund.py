"""Refunds against a sale: partial quantities, at the GST rate originally charged.

Amounts are worked out cumulatively (what all refunds so far should total, minus what was
already returned) so that repeated partial refunds can never add up to more than was paid,
and refunding the last unit returns exactly what is left. ``refund_line`` does it for one line
on its own; ``refund_sale`` for a sale, re-pricing what the customer keeps under the
promotions the sale was priced with (``SaleTerms``, kept by the till with the sale), per tax
code and rate (docs/promotions.md, "Refunding part of a promoted set"). Without promotions
the two give the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from shared.cart import Cart, SaleError, SaleTotals, check_quantity
from shared.money import ZERO, allocate, round_cents
from shared.promotions import (
    BasketLine,
    Occasion,
    Promotion,
    PromotionKind,
    Scope,
    Window,
    price_basket,
)


class RefundError(SaleError):
    pass


@dataclass(frozen=True)
class SoldLine:
    line_id: str
    product_id: str
    name: str
    quantity: Decimal
    amount: Decimal  # GST-inclusive, after every discount: what the customer paid for it
    gst: Decimal
    gst_rate: Decimal
    tax_code: str
    weighed: bool = False
    promotion_saving: Decimal = ZERO  # what automatic promotions took off this line


@dataclass(frozen=True)
class RefundedSoFar:
    quantity: Decimal = Decimal(0)
    amount: Decimal = ZERO
    gst: Decimal = ZERO


@dataclass(frozen=True)
class RefundLine:
    line_id: str  # the sold line this returns
    product_id: str
    name: str
    quantity: Decimal
    amount: Decimal  # positive: what goes back to the customer
    gst: Decimal
    gst_rate: Decimal  # the rate charged on the original sale, whatever today's rate is
    tax_code: str
    weighed: bool = False  # quantity in kg, as the line was sold


def refund_line(sold: SoldLine, quantity: Decimal, already: RefundedSoFar) -> RefundLine:
    quantity = check_quantity(quantity, weighed=sold.weighed)
    left = sold.quantity - already.quantity
    if quantity > left:
        raise RefundError(
            f"{sold.name}: {quantity} asked but only {left} of {sold.quantity} sold "
            "is left to refund"
        )
    share = (already.quantity + quantity) / sold.quantity
    return RefundLine(
        line_id=sold.line_id,
        product_id=sold.product_id,
        name=sold.name,
        quantity=quantity,
        amount=round_cents(sold.amount * share) - already.amount,
        gst=round_cents(sold.gst * share) - already.gst,
        gst_rate=sold.gst_rate,
        tax_code=sold.tax_code,
        weighed=sold.weighed,
    )


# --- refunding part of a sale: what is kept is re-priced (docs/promotions.md) ---------------


@dataclass(frozen=True)
class SaleTerms:
    """What a sale was priced with beyond its lines, kept by the till at checkout so that a
    later refund re-prices what the customer keeps under the promotions as they stood then:
    the promotions that applied, the occasion (the sale's moment, outlet, member) and each
    line as the engine saw it (its category then, whether it could take a promotion)."""

    promotions: tuple[Promotion, ...]
    occasion: Occasion
    basket: Mapping[str, BasketLine]  # sale line id -> the engine's line at the sale


def sale_terms(cart: Cart, totals: SaleTotals, at: datetime) -> SaleTerms | None:
    """The terms to keep with a sale priced as ``totals`` from ``cart`` at ``at``: the
    promotions that saved something on it, as they stand now; None when none did."""
    applied = {a.promotion_id for a in totals.promotion_outcome.applied}
    if not applied:
        return None
    return SaleTerms(
        promotions=tuple(p for p in cart.offers.promotions if p.promotion_id in applied),
        occasion=Occasion(at, cart.offers.outlet_id, cart.offers.member),
        basket={line.line_id: line.basket_line(n) for n, line in enumerate(cart.lines)},
    )


def refund_sale(
    lines: Sequence[SoldLine],
    already: Mapping[str, RefundedSoFar],
    wanted: Mapping[str, Decimal],
    terms: SaleTerms | None = None,
    *,
    receipt_no: str,
) -> list[RefundLine]:
    """The refund of ``wanted`` (sale line id -> quantity) of a sale, by the documented rule.

    Per (tax code, GST rate) of the sale: what all refunds of the sale's goods in that group
    should total is what they were paid less what the goods kept cost, re-priced under the
    sale's promotions (only those still met by what is kept); never less than what earlier
    refunds gave back (a refund is never negative) and never more than the share of what was
    paid for every unit returned so far. This refund gives the difference, spread over its
    lines. Without promotions it is the per-line cumulative rule (``refund_line``)."""
    by_id = {line.line_id: line for line in lines}
    asked: dict[str, Decimal] = {}
    for line_id, qty in wanted.items():
        if line_id not in by_id:
            raise RefundError(f"that item is not on receipt {receipt_no}")
        if not qty:
            continue
        sold = by_id[line_id]
        qty = check_quantity(qty, weighed=sold.weighed)
        done = already.get(line_id, RefundedSoFar())
        left = sold.quantity - done.quantity
        if qty > left:
            raise RefundError(
                f"{sold.name}: {qty} asked but only {left} of {sold.quantity} sold "
                "is left to refund"
            )
        asked[line_id] = qty
    if not asked:
        raise RefundError("choose at least one item and quantity to refund")
    returned = {
        x.line_id: already.get(x.line_id, RefundedSoFar()).quantity + asked.get(x.line_id, ZERO)
        for x in lines
    }
    kept_value = _kept_values(lines, returned, terms)
    groups: dict[tuple[str, Decimal], list[SoldLine]] = {}
    for x in lines:
        groups.setdefault((x.tax_code, x.gst_rate), []).append(x)
    out: dict[str, RefundLine] = {}
    for members in groups.values():
        touched = [x for x in members if x.line_id in asked]
        if touched:
            for r in _group_refund(members, touched, already, asked, returned, kept_value):
                out[r.line_id] = r
    return [out[line_id] for line_id in asked]


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    return round_cents(amount * part / whole) if whole else ZERO


def _kept_values(
    lines: Sequence[SoldLine], returned: Mapping[str, Decimal], terms: SaleTerms | None
) -> dict[str, Decimal]:
    """What the goods kept on each line cost: the line's paid share of them with its own
    promotion saving put back, less what the sale's promotions save on what is kept."""
    kept = {x.line_id: x.quantity - returned[x.line_id] for x in lines}
    savings: Mapping[str, Decimal] = {}
    if terms is not None and terms.promotions:
        basket = [
            replace(b, quantity=kept[x.line_id], gross=round_cents(b.unit_price * kept[x.line_id]))
            for x in lines
            if kept[x.line_id] > 0 and (b := terms.basket.get(x.line_id)) is not None
        ]
        if basket:
            savings = price_basket(basket, terms.promotions, terms.occasion).line_savings
    values = {}
    for x in lines:
        if terms is None:  # sold before the till kept its promotions: each unit keeps its price
            base, saving = x.amount, ZERO
        else:
            base, saving = x.amount + x.promotion_saving, savings.get(x.line_id, ZERO)
        kept_base = base - _share(base, returned[x.line_id], x.quantity)
        values[x.line_id] = max(kept_base - saving, ZERO)
    return values


def _group_refund(
    members: list[SoldLine],
    touched: list[SoldLine],
    already: Mapping[str, RefundedSoFar],
    asked: Mapping[str, Decimal],
    returned: Mapping[str, Decimal],
    kept_value: Mapping[str, Decimal],
) -> list[RefundLine]:
    done = {x.line_id: already.get(x.line_id, RefundedSoFar()) for x in members}
    paid = sum((x.amount for x in members), ZERO)
    gst_paid = sum((x.gst for x in members), ZERO)
    before = sum((d.amount for d in done.values()), ZERO)
    gst_before = sum((d.gst for d in done.values()), ZERO)
    # Today's rule, line by line: each returned unit takes its share of what its line was paid.
    plain = {
        x.line_id: (
            _share(x.amount, returned[x.line_id], x.quantity) - done[x.line_id].amount,
            _share(x.gst, returned[x.line_id], x.quantity) - done[x.line_id].gst,
        )
        for x in touched
    }
    ceiling = sum((_share(x.amount, returned[x.line_id], x.quantity) for x in members), ZERO)
    target = paid - sum((kept_value[x.line_id] for x in members), ZERO)
    after = min(max(target, before), max(ceiling, before))
    give = after - before
    every_unit_back = all(returned[x.line_id] == x.quantity for x in members)
    # Nothing has moved between lines yet and nothing moves now: today's rule exactly.
    untouched_so_far = all(
        (done[x.line_id].amount, done[x.line_id].gst)
        == (
            _share(x.amount, done[x.line_id].quantity, x.quantity),
            _share(x.gst, done[x.line_id].quantity, x.quantity),
        )
        for x in members
    )
    if untouched_so_far and give == sum((a for a, _ in plain.values()), ZERO):
        amounts = [plain[x.line_id][0] for x in touched]
        gsts = [plain[x.line_id][1] for x in touched]
    else:
        amounts = _spread(give, [max(plain[x.line_id][0], ZERO) for x in touched], touched)
        if every_unit_back:
            gst_after = gst_paid
        else:
            gst_after = max(_share(gst_paid, after, paid), gst_before) if give else gst_before
        weights = amounts if any(amounts) else [Decimal(1)] * len(touched)
        gsts = allocate(gst_after - gst_before, weights)
    return [
        RefundLine(
            line_id=x.line_id,
            product_id=x.product_id,
            name=x.name,
            quantity=asked[x.line_id],
            amount=amount,
            gst=gst,
            gst_rate=x.gst_rate,
            tax_code=x.tax_code,
            weighed=x.weighed,
        )
        for x, amount, gst in zip(touched, amounts, gsts, strict=True)
    ]


def _spread(give: Decimal, plain: list[Decimal], touched: list[SoldLine]) -> list[Decimal]:
    """``give`` over the lines returned now: in proportion to what today's rule would give
    each (so none goes below zero), or to what the lines were paid when that is nothing."""
    if sum(plain, ZERO) > 0:
        return allocate(give, plain)
    return allocate(give, [x.amount for x in touched])


# --- kept with the sale on the till (``sale.promotion_terms``), never sent ------------------

TERMS_VERSION = 1


def terms_to_json(terms: SaleTerms) -> dict[str, Any]:
    """JSON-safe form of ``terms``, read back by ``terms_from_json`` whatever head office has
    changed since: the promotions' definitions as they stood at the sale."""
    return {
        "version": TERMS_VERSION,
        "at": terms.occasion.at.isoformat(),
        "outlet_id": terms.occasion.outlet_id,
        "member": terms.occasion.member,
        "promotions": [_promotion_to_json(p) for p in terms.promotions],
        "lines": {
            line_id: {
                "product_id": b.product_id,
                "category_id": b.category_id,
                "unit_price": str(b.unit_price),
                "quantity": str(b.quantity),
                "gross": str(b.gross),
                "weighed": b.weighed,
                "eligible": b.eligible,
                "position": b.position,
            }
            for line_id, b in terms.basket.items()
        },
    }


def terms_from_json(data: Mapping[str, Any]) -> SaleTerms:
    if data.get("version") != TERMS_VERSION:
        raise RefundError(
            f"this sale's promotions were kept in a form (version {data.get('version')}) "
            "this till does not read: upgrade the till before refunding it"
        )
    return SaleTerms(
        promotions=tuple(_promotion_from_json(p) for p in data["promotions"]),
        occasion=Occasion(
            datetime.fromisoformat(data["at"]), data["outlet_id"], bool(data["member"])
        ),
        basket={
            line_id: BasketLine(
                line_id=line_id,
                product_id=b["product_id"],
                category_id=b["category_id"],
                unit_price=Decimal(b["unit_price"]),
                quantity=Decimal(b["quantity"]),  # as sold; re-priced on what is kept
                gross=Decimal(b["gross"]),
                weighed=bool(b["weighed"]),
                eligible=bool(b["eligible"]),
                position=int(b["position"]),
            )
            for line_id, b in data["lines"].items()
        },
    )


def _scope_to_json(scope: Scope | None) -> dict[str, list[str]] | None:
    if scope is None:
        return None
    return {"products": sorted(scope.products), "categories": sorted(scope.categories)}


def _scope_from_json(data: Mapping[str, list[str]] | None) -> Scope | None:
    if data is None:
        return None
    return Scope(frozenset(data["products"]), frozenset(data["categories"]))


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _promotion_to_json(p: Promotion) -> dict[str, Any]:
    w = p.window
    return {
        "promotion_id": p.promotion_id,
        "name": p.name,
        "kind": p.kind.value,
        "scope": _scope_to_json(p.scope),
        "percent": None if p.percent is None else str(p.percent),
        "amount": None if p.amount is None else str(p.amount),
        "buy": p.buy,
        "get": p.get,
        "get_scope": _scope_to_json(p.get_scope),
        "components": [[product_id, units] for product_id, units in p.components],
        "threshold": None if p.threshold is None else str(p.threshold),
        "starts": None if w.starts is None else w.starts.isoformat(),
        "ends": None if w.ends is None else w.ends.isoformat(),
        "days": sorted(w.days),
        "opens": None if w.opens is None else w.opens.isoformat(),
        "closes": None if w.closes is None else w.closes.isoformat(),
        "outlets": sorted(p.outlets),
        "member_only": p.member_only,
        "stackable": p.stackable,
        "priority": p.priority,
    }


def _promotion_from_json(d: Mapping[str, Any]) -> Promotion:
    def number(key: str) -> Decimal | None:
        return None if d[key] is None else Decimal(d[key])

    return Promotion(
        promotion_id=d["promotion_id"],
        name=d["name"],
        kind=PromotionKind(d["kind"]),
        scope=_scope_from_json(d["scope"]) or Scope(),
        percent=number("percent"),
        amount=number("amount"),
        buy=int(d["buy"]),
        get=int(d["get"]),
        get_scope=_scope_from_json(d["get_scope"]),
        components=tuple((str(c[0]), int(c[1])) for c in d["components"]),
        threshold=number("threshold"),
        window=Window(
            starts=_moment(d["starts"]),
            ends=_moment(d["ends"]),
            days=frozenset(int(x) for x in d["days"]),
            opens=None if d["opens"] is None else time.fromisoformat(d["opens"]),
            closes=None if d["closes"] is None else time.fromisoformat(d["closes"]),
        ),
        outlets=frozenset(d["outlets"]),
        member_only=bool(d["member_only"]),
        stackable=bool(d["stackable"]),
        priority=int(d["priority"]),
    )
